# The two commands of the README: `make demo` and `make test` (and `make bench`). Both bootstrap .venv from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install whenever pyproject.toml changes.
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test test-llm lint bench venv clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/returndesk demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The real-model tier: llama-server (built once per machine into ~/.cache/returndesk, ~11 min on 2 cores)
# with SmolLM2-135M on the CPU, ReturnDesk driven end to end against it.
test-llm: $(STAMP)
	$(BIN)/python -m deploy.llama_cpp
	$(BIN)/python -m pytest tests/llm -m llm $(PYTEST_ARGS)

# Benchmarks: Rich tables on stdout, JSON in bench/results/. BENCH_ARGS="--orders 1000000" for the big run.
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache

# The hygiene gate: ruff (lint and format check) and mypy, configured in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
