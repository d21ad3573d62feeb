# leakrunner: the two commands of the README, and the steps they are made of.
#
#   make demo   provision everything, then run the leak-hunting demo on testrunner-ex
#   make test   provision everything, then run every test on every interpreter
#
# Interpreters (each gets .venvs/<flavour> with leakrunner built for it):
#   release    the machine's python3 (CPython 3.11)
#   pydebug    Debian's python3.11-dbg (Py_DEBUG)
#   tracerefs  CPython 3.13 --with-pydebug --with-trace-refs, built into ~/.cache/leakrunner

SHELL := /bin/bash
PY_RELEASE ?= python3
PY_PYDEBUG ?= python3.11-dbg
LEAKRUNNER_CACHE ?= $(HOME)/.cache/leakrunner
PY_TRACEREFS ?= $(LEAKRUNNER_CACHE)/cpython-3.13-tracerefs/bin/python3.13
FLAVOURS := release pydebug tracerefs
# Test processes per interpreter (pytest-xdist; 0 runs them in this one).
# Most tests wait on the runners' subprocesses, and every one can run beside
# any other (tests/conftest.py says how the few timing-sensitive ones don't).
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

export LEAKRUNNER_CACHE

.PHONY: all provision venvs venv-release venv-pydebug venv-tracerefs demo test \
        test-rust lint test-python bench clean

all: test

provision:
	tools/provision.sh

venv-release: provision
	tools/venv.sh release $(PY_RELEASE)

venv-pydebug: provision
	tools/venv.sh pydebug $(PY_PYDEBUG)

venv-tracerefs: provision
	tools/venv.sh tracerefs $(PY_TRACEREFS)

venvs: venv-release venv-pydebug venv-tracerefs

demo: venvs
	tools/demo.sh

# Rust tests link libpython, so they run against the release venv's interpreter.
# The test hooks (feature test-hooks) are linted and tested with the rest.
test-rust: venv-release
	cargo fmt --all -- --check
	PYO3_PYTHON=$(CURDIR)/.venvs/release/bin/python cargo clippy --all-targets --features test-hooks -- -D warnings
	PYO3_PYTHON=$(CURDIR)/.venvs/release/bin/python cargo test --features test-hooks

lint: venv-release
	.venvs/release/bin/ruff check python tests tools bench
	.venvs/release/bin/ruff format --check python tests tools bench

test-python: venvs
	@set -e; for f in $(FLAVOURS); do \
	    echo "== pytest on $$f: $$(.venvs/$$f/bin/python -c 'import sys; print(sys.executable, sys.version.split()[0])')"; \
	    LEAKRUNNER_FLAVOUR=$$f .venvs/$$f/bin/python -m pytest -q -p no:cacheprovider \
	        -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS) tests; \
	done

test: test-rust lint test-python

bench: venvs
	.venvs/release/bin/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf target .venvs
