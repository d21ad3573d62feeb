#!/usr/bin/env bash
# The main job: leakrunner on our sample tree with each interpreter, then the
# leak hunt of zope.testrunner's leak documentation on the trace-refs build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

banner() { printf '\n==== %s ====\n' "$*"; }
run() {
    local flavour=$1
    shift
    printf '$ .venvs/%s/bin/python -m leakrunner %s\n' "$flavour" "$*"
    ".venvs/$flavour/bin/python" -m leakrunner "$@"
}

for flavour in release pydebug tracerefs; do
    banner "$flavour: $(".venvs/$flavour/bin/python" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
    run "$flavour" --version
    run "$flavour" --path testrunner-ex
done

banner "leak hunting (trace-refs CPython 3.13): two clean layers, four iterations"
run tracerefs --path testrunner-ex --tests-pattern '^leaklayers$' -N4 -r

banner "leak hunting (trace-refs CPython 3.13): a test that leaks, five iterations"
run tracerefs --path testrunner-ex --tests-pattern '^leak$' -N5 -r -v
