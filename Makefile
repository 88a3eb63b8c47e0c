# csframework: `make lab` opens the course, `make test` checks everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(wildcard notebooks/*.ipynb exercises/*.ipynb)

.PHONY: lab test test-unit test-notebooks test-browser notebooks bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --upgrade pip >/dev/null
	$(BIN)/python -m pip install -e '.[test]'
	touch $(STAMP)

# JupyterLab refuses to run as root (containers, CI) unless told it may.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_FLAGS)

test: $(STAMP)
	$(BIN)/ruff check csframework tests benchmarks
	CSF_HOME=$$(mktemp -d) MPLBACKEND=Agg $(BIN)/pytest tests csframework
	CSF_HOME=$$(mktemp -d) $(BIN)/pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)

# JupyterLab in Debian's Chromium, driven by Playwright (tests/browser). Installs what it
# needs: chromium from apt when missing, the `browser` extra. Playwright never downloads a
# browser here; `make test` leaves these tests out.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
BROWSER_STAMP := $(VENV)/.installed-browser

$(BROWSER_STAMP): pyproject.toml $(STAMP)
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pip install -e '.[test,browser]'
	touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP)
	command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 CSF_CHROMIUM="$${CSF_CHROMIUM:-$$(command -v chromium)}" \
		CSF_HOME=$$(mktemp -d) $(BIN)/pytest tests/browser --timeout=300 -ra

notebooks: $(STAMP)
	CSF_HOME=$$(mktemp -d) $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.timeout=120 $(NOTEBOOKS)

bench: $(STAMP)
	$(BIN)/python benchmarks/cld.py
	$(BIN)/python benchmarks/sd.py
	$(BIN)/python benchmarks/widgets.py
	$(BIN)/python benchmarks/archetypes.py
	$(BIN)/python benchmarks/stock_flow.py

lint: $(STAMP)
	$(BIN)/ruff check csframework tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
