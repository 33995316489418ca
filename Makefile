# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# Empty: this machine only (.streamlit/config.toml). ADDRESS=0.0.0.0 opens the dashboard, and the
# embedded server's data behind it, to the network without a key; any host name is then accepted.
ADDRESS ?=
OPEN_TO := $(if $(ADDRESS),--server.address $(ADDRESS) --server.allowedHosts '*')
# The official relevanceai SDK (for the compatibility tests) needs joblib<1.2: a venv of its own.
SDK_VENV ?= .venv-sdk

.PHONY: run test lint serve bench clean sdk-venv

# requirements.txt pins what pyproject.toml declares; the project itself is installed editable on top
# (the `centroid-explorer` command, and `python -m centroid_explorer` from any folder).
$(VENV)/.runtime: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(SDK_VENV)/.ready: tests/sdk/requirements.txt
	$(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/python -m pip install --quiet -r tests/sdk/requirements.txt
	touch $@

## The official SDK's own venv, used by tests/sdk (make test builds it).
sdk-venv: $(SDK_VENV)/.ready

## Install and start the dashboard on the embedded server (demo data seeded on first start).
run: $(VENV)/.runtime
	$(PY) -m streamlit run dashboard.py --server.port $(PORT) $(OPEN_TO)

## Install the test requirements and run every test (browser tests need /usr/bin/chromium).
test: $(VENV)/.dev $(SDK_VENV)/.ready
	$(PY) -m pytest

## Lint and type-check the tree (ruff and mypy, both configured in pyproject.toml).
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

## The embedded API server on its own, for other clients (the official SDK included).
serve: $(VENV)/.runtime
	$(PY) -m centroid_explorer serve

bench: $(VENV)/.dev
	for f in benchmarks/*.py; do $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) $(SDK_VENV) .pytest_cache test-output
