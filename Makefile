# csframework: `make lab` opens the course, `make test` checks everything.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The cohort's year runs on pinned versions (requirements/constraints.txt, made by `make lock`).
PINS   := requirements/constraints.txt
LAB_STAMP := $(VENV)/.installed-lab
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(wildcard notebooks/*.ipynb exercises/*.ipynb)

.PHONY: lab test test-latest test-browser notebooks bench lint lock clean binder-badge

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# What the course needs, and nothing more.
$(LAB_STAMP): pyproject.toml $(PINS) | $(BIN)/python
	$(BIN)/python -m pip install --upgrade pip >/dev/null
	$(BIN)/python -m pip install -c $(PINS) -e .
	touch $(LAB_STAMP)

# The course plus the test tools.
$(STAMP): $(LAB_STAMP)
	$(BIN)/python -m pip install -c $(PINS) -e '.[test]'
	touch $(STAMP)

# The participant's route: `csframework lab` copies the course into your own folder
# (~/csframework-course, or $$CSF_HOME/course) and serves that folder, never this
# repository. Options go through LAB_ARGS, e.g. make lab LAB_ARGS="--folder ~/course".
lab: $(LAB_STAMP)
	$(BIN)/csframework lab $(LAB_ARGS)

define run_tests
	$(1)/ruff check csframework tests benchmarks setup.py
	$(2) CSF_HOME=$$(mktemp -d) MPLBACKEND=Agg $(1)/pytest tests csframework
	$(2) CSF_HOME=$$(mktemp -d) $(1)/pytest --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS)
endef

test: $(STAMP)
	$(call run_tests,$(BIN))

# The same tests on the newest releases of everything (no pins), in a venv of its own.
LATEST := .venv-latest
test-latest:
	test -x $(LATEST)/bin/python || $(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --upgrade pip >/dev/null
	$(LATEST)/bin/python -m pip install --upgrade --upgrade-strategy eager -e '.[test]'
	$(call run_tests,$(LATEST)/bin,CSF_TEST_LATEST=1)

# Refresh the pins (then run `make test` and commit requirements/constraints.txt).
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra test --extra browser --universal \
		--python-version 3.10 --no-header --upgrade -o $(PINS)

# JupyterLab in Debian's Chromium, driven by Playwright (tests/browser). Installs what it
# needs: chromium from apt when missing, the `browser` extra. Playwright never downloads a
# browser here; `make test` leaves these tests out.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
BROWSER_STAMP := $(VENV)/.installed-browser

$(BROWSER_STAMP): pyproject.toml $(STAMP)
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pip install -c $(PINS) -e '.[test,browser]'
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
	$(BIN)/python benchmarks/xmile.py
	$(BIN)/python benchmarks/widgets.py
	$(BIN)/python benchmarks/archetypes.py
	$(BIN)/python benchmarks/stock_flow.py
	$(BIN)/python benchmarks/legibility.py
	$(BIN)/python benchmarks/pysd_engine.py

# The Binder link and README badge for the repository this clone is published from
# (its origin remote, or CSF_BINDER_REPOSITORY=owner/name).
binder-badge: $(STAMP)
	$(BIN)/python -m csframework.binder --write README.md

lint: $(STAMP)
	$(BIN)/ruff check csframework tests benchmarks setup.py

clean:
	rm -rf $(VENV) $(LATEST) build *.egg-info
