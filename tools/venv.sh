#!/usr/bin/env bash
# tools/venv.sh FLAVOUR INTERPRETER
#
# Creates (or refreshes) .venvs/FLAVOUR for INTERPRETER, installs the test
# dependencies, and builds and installs leakrunner *for that interpreter*: a
# build for another flavour would skew the refcount totals it reports (the
# extension refuses to load into the wrong flavour anyway).
set -euo pipefail
flavour=$1
interp=$2
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venvs/$flavour"
log() { printf '[venv %s] %s\n' "$flavour" "$*" >&2; }

command -v "$interp" >/dev/null || { log "interpreter not found: $interp (run: make provision)"; exit 1; }
base=$("$interp" -c 'import sys; print(sys.executable)')

# Recreate the venv when it is missing, broken, or made from another interpreter.
if ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1 ||
   [ "$(cat "$venv/.base" 2>/dev/null)" != "$base" ]; then
    log "creating with $base"
    rm -rf "$venv"
    "$interp" -m venv "$venv"
    echo "$base" >"$venv/.base"
fi

req="$root/tools/requirements-test.txt"
if ! cmp -s "$req" "$venv/.requirements"; then
    log "installing test dependencies"
    "$venv/bin/python" -m pip install -q --upgrade pip
    "$venv/bin/python" -m pip install -q -r "$req"
    cp "$req" "$venv/.requirements"
fi

# One cargo target directory per flavour, so switching interpreters does not
# rebuild PyO3 from scratch each time. The test environments get the test
# hooks (the `test-hooks` feature), which the test suite and the benchmarks
# call; `pip install .` leaves them out. (Features given here replace those
# of pyproject.toml, hence extension-module again.)
wheels="$root/target/wheels/$flavour"
rm -rf "$wheels"
log "building leakrunner"
CARGO_TARGET_DIR="$root/target/$flavour" \
    "$venv/bin/maturin" build --quiet --profile "${LEAKRUNNER_PROFILE:-release}" --interpreter "$venv/bin/python" --out "$wheels" \
    --features extension-module,test-hooks \
    --manifest-path "$root/Cargo.toml" >&2
"$venv/bin/python" -m pip install -q --force-reinstall --no-deps "$wheels"/leakrunner-*.whl
"$venv/bin/python" -c 'import leakrunner, sys; i = leakrunner.build_info(); print("[venv %s] ok: leakrunner %s for %s" % (sys.argv[1], i["leakrunner"], i["running"]["flavour"]))' "$flavour" >&2
