# Two commands do all the set-up from a fresh clone (see README):
#   make lab    open the course in JupyterLab
#   make test   run every test: ruff, unit tests, notebooks (nbval), browser tests
# Each target runs course.py, which does the work on every OS (on Windows: `py course.py lab`).
# It creates the virtual environment .venv on first use and checks the Python version.
#
# Options (also environment variables):
#   PYTHON=python3.12                the Python (3.11 or newer) that creates .venv
#   TORCH=auto|cpu|cuda|none         which PyTorch; auto: CPU-only on Linux without an NVIDIA GPU
#   TORCH_INDEX_URL=<url>            install PyTorch from this index instead
#   NNFS_SKIP_BROWSER=1              skip the browser tests

PYTHON ?= python3
# VENV is not taken from the environment (a VENV set for something else would be installed into
# and deleted by `make clean`); `make lab VENV=other` on the command line still works.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
COURSE := $(PYTHON) course.py

.PHONY: lab test test-fast test-notebooks test-browser test-versions install notebooks site student clean

lab:
	$(COURSE) lab --venv $(VENV)

test:
	$(COURSE) test --venv $(VENV)

test-fast:
	$(COURSE) test fast --venv $(VENV)

test-notebooks:
	$(COURSE) test notebooks --venv $(VENV)

test-browser:
	$(COURSE) test browser --venv $(VENV)

# Unit tests and notebooks with the newest releases on Python 3.13 and with the minimum
# versions pyproject.toml declares on the oldest supported Python (CI runs this).
test-versions:
	$(COURSE) versions --venv $(VENV)

# Only create or update .venv. Other targets can depend on $(STAMP) and use $(BIN)/python.
install:
	$(COURSE) install --venv $(VENV)

$(STAMP): pyproject.toml
	$(COURSE) install --venv $(VENV)

# Re-run every notebook from a fresh kernel and store its outputs (do this after changing one).
notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py

# The course as a website in build/site/ (static files, works offline): see README.
site:
	$(COURSE) site --venv $(VENV)

# The class edition in build/student/: notebooks without stored answers, solution() switched off
# (see README, "Teaching with this course"). CLASS_DIR=/some/folder writes it elsewhere.
CLASS_DIR ?= build/student
student:
	$(COURSE) student --venv $(VENV) --out $(CLASS_DIR)

clean:
	rm -rf $(VENV) build .venv-py313 .venv-min .pytest_cache .ruff_cache .hypothesis
