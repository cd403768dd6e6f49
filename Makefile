# Two commands do all the set-up from a fresh clone (see README):
#   make lab    open the course in JupyterLab
#   make test   run every test: ruff, unit tests, notebooks (nbval), browser tests
# Both create a virtual environment in .venv on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Optional: a PyTorch wheel index, e.g. https://download.pytorch.org/whl/cpu for a small CPU-only build.
TORCH_INDEX_URL ?=

.PHONY: lab test test-fast test-notebooks test-browser notebooks site clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.10 is needed, this is " + sys.version.split()[0]) if sys.version_info < (3, 10) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(TORCH_INDEX_URL),$(BIN)/python -m pip install torch --index-url $(TORCH_INDEX_URL))
	$(BIN)/python -m pip install -e ".[torch,dev,bench,site]"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

test: test-fast test-notebooks test-browser

test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest tests --ignore=tests/browser

test-notebooks: $(STAMP)
	$(BIN)/pytest --nbval notebooks --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600

test-browser: $(STAMP)
	$(BIN)/pytest tests/browser

# Re-run every notebook from a fresh kernel and store its outputs (do this after changing one).
notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py

# The course as a website in build/site/ (static files, works offline): see README.
site: $(STAMP)
	$(BIN)/python tools/build_site.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
