# leakrunner: the two commands of the README, and the steps they are made of.
#
#   make demo   provision everything, then run the leak-hunting demo on testrunner-ex
#   make test   provision everything, then run every test on every interpreter
#
# Interpreters (each gets .venvs/<flavour> with leakrunner built for it):
#   release       the machine's python3 (CPython 3.11)
#   pydebug       Debian's python3.11-dbg (Py_DEBUG)
#   tracerefs     CPython 3.13 --with-pydebug --with-trace-refs
#   pydebug314    CPython 3.14 --with-pydebug
#   tracerefs315  CPython 3.15 --with-pydebug --with-trace-refs
#   ftdebug315    CPython 3.15 --with-pydebug --disable-gil (free-threaded)
# The CPython builds come from Debian's source packages, built into
# ~/.cache/leakrunner by tools/build-python.sh the first time a venv needs one.

SHELL := /bin/bash
LEAKRUNNER_CACHE ?= $(HOME)/.cache/leakrunner
PY_RELEASE ?= python3
PY_PYDEBUG ?= python3.11-dbg
PY_TRACEREFS ?= $(LEAKRUNNER_CACHE)/cpython-3.13-tracerefs/bin/python3.13
PY_PYDEBUG314 ?= $(LEAKRUNNER_CACHE)/cpython-3.14-pydebug/bin/python3.14
PY_TRACEREFS315 ?= $(LEAKRUNNER_CACHE)/cpython-3.15-tracerefs/bin/python3.15
PY_FTDEBUG315 ?= $(LEAKRUNNER_CACHE)/cpython-3.15-ftdebug/bin/python3.15t

# The CPython build (tools/build-python.sh VERSION KIND) behind each flavour
# that is not a Debian package.
BUILD_tracerefs := 3.13 tracerefs
BUILD_pydebug314 := 3.14 pydebug
BUILD_tracerefs315 := 3.15 tracerefs
BUILD_ftdebug315 := 3.15 ftdebug

# The flavours `make test` runs every test on, and those that build and run
# but whose suite does not pass yet (`make test-pending` runs them).
FLAVOURS := release pydebug tracerefs
PENDING_FLAVOURS := pydebug314 tracerefs315 ftdebug315
ALL_FLAVOURS := $(FLAVOURS) $(PENDING_FLAVOURS)
# Test processes per interpreter (pytest-xdist; 0 runs them in this one).
# Most tests wait on the runners' subprocesses, and every one can run beside
# any other (tests/conftest.py says how the few timing-sensitive ones don't).
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

export LEAKRUNNER_CACHE

.PHONY: all provision venvs venvs-pending demo test test-rust lint test-python \
        test-pending pytest-on bench clean $(addprefix venv-,$(ALL_FLAVOURS))

all: test

# Debian packages and Rust components; the CPython builds come with their venvs.
provision:
	tools/provision.sh

interpreter = $(PY_$(shell echo $(1) | tr a-z A-Z))

$(addprefix venv-,$(ALL_FLAVOURS)): venv-%: provision
	$(if $(BUILD_$*),tools/build-python.sh $(BUILD_$*) >/dev/null)
	tools/venv.sh $* $(call interpreter,$*)

venvs: $(addprefix venv-,$(FLAVOURS))

venvs-pending: $(addprefix venv-,$(PENDING_FLAVOURS))

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
	@$(MAKE) --no-print-directory pytest-on PYTEST_FLAVOURS="$(FLAVOURS)"

test-pending: venvs-pending
	@$(MAKE) --no-print-directory pytest-on PYTEST_FLAVOURS="$(PENDING_FLAVOURS)"

pytest-on:
	@set -e; for f in $(PYTEST_FLAVOURS); do \
	    echo "== pytest on $$f: $$(.venvs/$$f/bin/python -c 'import sys; print(sys.executable, sys.version.split()[0])')"; \
	    LEAKRUNNER_FLAVOUR=$$f .venvs/$$f/bin/python -m pytest -q -p no:cacheprovider \
	        -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS) tests; \
	done

test: test-rust lint test-python

bench: venvs
	.venvs/release/bin/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf target .venvs
