# 减排调度 — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# One test worker per CPU (pytest-xdist), a test file to a worker at a time, so that a
# module-scoped fixture (a seeded demo city, a browser) is built once.
# `make test PYTEST_WORKERS=0` runs the suite in a single process.
PYTEST_WORKERS ?= auto
PYTEST_ARGS = -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist loadfile

.PHONY: run test lint format system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Stamps re-install when pyproject.toml changes.
$(VENV)/.runtime-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.runtime-installed

## Set up, migrate the SQLite database under instance/, seed the demo city and serve.
run: $(VENV)/.runtime-installed
	bash scripts/install-system-deps.sh run
	$(BIN)/dispatch db upgrade
	$(BIN)/dispatch demo
	$(BIN)/dispatch serve --host $(HOST) --port $(PORT)

## Install what the tests need, lint, then run the whole suite on SQLite and PostgreSQL.
test: $(VENV)/.dev-installed system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS) --db=sqlite
	$(BIN)/pytest $(PYTEST_ARGS) --db=postgresql

system-deps:
	bash scripts/install-system-deps.sh

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) test-results .pytest_cache .ruff_cache
