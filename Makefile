# planbot: two commands on a fresh machine (Python 3.11 and the package registries only).
#   make demo   runs the main job on the embedded defaults (SQLite, embedded Chroma, packaged model, no LLM)
#   make test   runs the whole test suite
#   make test-under-load   runs it 3 times in a row while every core is kept busy (RUNS=1 for one run)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-under-load lint bench clean

$(STAMP): pyproject.toml planbot_testkit/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# the CPU build of torch that lies on disk, before anything that would pull a CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	# planbot with its dev tools, and the testkit (the loopback Bot API server: tests, benchmarks, `planbot demo`),
	# a distribution of its own so that the planbot wheel ships no test doubles
	$(BIN)/pip install --quiet -e ".[dev]" -e ./planbot_testkit
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/planbot demo --out out

test: $(STAMP)
	$(BIN)/ruff check bot evals tests bench planbot_testkit
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

test-under-load: $(STAMP)
	RUNS=$(or $(RUNS),3) scripts/test-under-load.sh

lint: $(STAMP)
	$(BIN)/ruff check bot evals tests bench planbot_testkit
	$(BIN)/ruff format --check bot evals tests bench planbot_testkit

# make bench   the benchmarks at modest sizes in one run (about 4 minutes here), tables into docs/benchmarks.md
bench: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m bench.make_bench

clean:
	rm -rf $(VENV) data out
