# Qalxan: `make run` sets up and starts the platform; `make test` sets up and runs the suite.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: setup run test check bench lock system-deps clean

# The hot paths compiled with mypyc (scripts/compile.py): again whenever one of their sources
# changed; without a C compiler the platform runs as plain Python.
setup: $(STAMP)
	@$(BIN)/python scripts/compile.py

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required (set PYTHON=...)"; exit 1; }
	bash scripts/build-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

## Start the platform on http://127.0.0.1:8000 (SQLite under ./var). DEMO=1 loads demo data.
run: setup
	$(BIN)/qalxan serve $(if $(DEMO),--demo)

## The whole test suite: SQLite always; PostgreSQL when QALXAN_TEST_DATABASE_URL is set;
## browser tests when Chromium is installed (make system-deps).
test: setup
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

check: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python -m benchmarks

## constraints.txt again, from a fresh environment with the newest releases pyproject.toml allows.
lock:
	rm -rf build/lock && $(PYTHON) -m venv build/lock
	build/lock/bin/python -m pip install --quiet --upgrade pip
	build/lock/bin/python -m pip install --quiet -e '.[dev,bench]'
	grep '^#' constraints.txt > build/constraints.txt
	build/lock/bin/python -m pip freeze --exclude-editable >> build/constraints.txt
	mv build/constraints.txt constraints.txt && rm -rf build/lock

## Debian packages for the full suite: PostgreSQL and Chromium (needs root or sudo).
system-deps:
	bash scripts/system-deps.sh

clean:
	-test -x $(BIN)/python && $(BIN)/python scripts/compile.py --clean
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache test-artifacts build
