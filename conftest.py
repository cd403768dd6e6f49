"""pytest settings for the whole repository (tests/ and `pytest --nbval notebooks`).

PyTorch is optional: only notebooks 08 and 09 need it. Where it is not installed, nbval skips every
notebook that imports it, with the reason, and still checks all the others.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

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
