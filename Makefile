# Two commands do everything on a fresh machine:
#   make app    create/refresh ./.venv, then launch the app on a built-in sample
#   make test   create/refresh ./.venv, then run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Pinned on purpose: on these machines this pin takes the CPU build from local disk;
# any looser spec pulls a multi-GB CUDA build (see ../shared/docs/environment.md).
TORCH  := torch==2.13.0
PORT   ?= 8501

.PHONY: app test lint bench screenshots clean

$(STAMP): pyproject.toml setup.py Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(TORCH)
	$(BIN)/python -m pip install -q -e '.[dev,metis]'
	touch $@

app: $(STAMP)
	$(BIN)/nodescope app --port $(PORT) --headless

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

screenshots: $(STAMP)
	$(BIN)/python benchmarks/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
