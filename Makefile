# The two commands of the README: `make demo` and `make test` (and `make bench`). Both bootstrap .venv from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install whenever pyproject.toml changes.
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test test-llm lint bench venv clean

# uv itself, installed once per machine outside the work tree: a fresh clone then skips `python -m venv`
# (ensurepip) and `pip install uv`, about 5 s of CPU (15 s on a loaded 2-core machine).
UV_HOME := $(HOME)/.cache/returndesk/uv-venv
UV      := $(UV_HOME)/bin/uv

$(UV):
	rm -rf $(UV_HOME)
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/python -m pip install --quiet --disable-pip-version-check uv

# `--seed` gives .venv pip as `python -m venv` did; uv goes into .venv too (the README calls .venv/bin/uv).
$(STAMP): pyproject.toml | $(UV)
	test -x $(BIN)/python || $(UV) venv --quiet --seed --python $(PYTHON) $(VENV)
	$(UV) pip install --quiet --python $(BIN)/python -e '.[test]' uv
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
