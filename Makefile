# The README's two commands: `make demo` and `make test`. Both install what they need first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Where `make demo` listens: make demo PORT=8100 HOST=0.0.0.0
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint typecheck unit bench schema clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/orderlens demo --host $(HOST) --port $(PORT)

test: lint typecheck unit

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(BIN)/.installed
	$(BIN)/mypy

unit: $(BIN)/.installed
	$(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/python bench/ingest_and_query.py

schema: $(BIN)/.installed
	$(BIN)/orderlens export-schema

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
