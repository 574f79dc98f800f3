# Two commands matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: install install-dev run test test-slow test-all check bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP_RUN): requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(STAMP_RUN)

## The libraries' bytecode is compiled at install, as pip does for an installed package: the
## CLIs (python -m geodata, python -m incidents) then start without compiling their source,
## also where PYTHONDONTWRITEBYTECODE keeps Python from caching it on first run.
install: $(STAMP_RUN)
	$(PY) -m compileall -q geodata incidents > /dev/null
install-dev: $(STAMP_DEV)
	$(PY) -m compileall -q geodata incidents > /dev/null

## Start the dashboard on the embedded default store (created and seeded on first use).
run: $(STAMP_RUN)
	$(PY) -m streamlit run serve.py

## Install test dependencies and run the suite on TEST_WORKERS processes (pytest-xdist; one test
## file per worker at a time, so a module's server starts once). Slow tests: `make test-slow`
## (the `slow` tests, then the property tests with many more examples); `make test-all` runs all.
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

test: $(STAMP_DEV)
	$(PY) -m pytest $(XDIST)

test-slow: $(STAMP_DEV)
	$(PY) -m pytest $(XDIST) -m slow
	HYPOTHESIS_PROFILE=thorough $(PY) -m pytest $(XDIST) -m hypothesis

test-all: $(STAMP_DEV)
	$(PY) -m pytest $(XDIST) -m ""

## Lint, formatting and types (settings in pyproject.toml).
check: $(STAMP_DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## Benchmarks (slow; not part of `make test`).
bench: $(STAMP_DEV)
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache
