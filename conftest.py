"""pytest settings for the whole repository (tests/ and `pytest --nbval notebooks`).

PyTorch is optional: only notebooks 08 and 09 need it. Where it is not installed, nbval skips every
notebook that imports it, with the reason, and still checks all the others.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

# Every exercise check records the learner's progress (course_lib.learner_progress). Tests, nbval's
# kernels and the browser tests' kernels (which inherit this environment) write it into a fresh
# temporary file, never into the user's own data folder; the notebooks' progress cells then start
# from an empty record, so their output is the same on every run.
_PROGRESS_DIR = tempfile.mkdtemp(prefix="course-lib-progress-")
os.environ["COURSE_LIB_PROGRESS"] = os.path.join(_PROGRESS_DIR, "progress.json")
atexit.register(shutil.rmtree, _PROGRESS_DIR, True)

IMPORTS_TORCH = re.compile(r"^\s*(import torch\b|from torch\b)", re.M)


def needs_torch(notebook: Path) -> bool:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    sources = ("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return any(IMPORTS_TORCH.search(source) for source in sources)


def pytest_collection_modifyitems(config, items):
    if importlib.util.find_spec("torch") is not None:
        return
    verdicts: dict[Path, bool] = {}
    for item in items:
        path = Path(item.path)
        if path.suffix != ".ipynb":
            continue
        if path not in verdicts:
            verdicts[path] = needs_torch(path)
        if verdicts[path]:
            reason = f"{path.name} needs PyTorch, which is not installed (it is optional: see README)"
            item.add_marker(pytest.mark.skip(reason=reason))
