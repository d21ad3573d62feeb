#!/usr/bin/env bash
# The main job: leakrunner on our sample tree with each interpreter, the leak
# hunt of zope.testrunner's leak documentation on the trace-refs build, then
# leakrunner's own leak hunt (--leaks) on each interpreter: a leaking layer,
# two clean ones and a drifting one, with a JSON report per interpreter in
# demo-out/.
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

# The leak hunt exits 1 when it finds a leak, as it does here on purpose.
mkdir -p demo-out
for flavour in tracerefs pydebug release; do
    banner "leakrunner --leaks ($flavour): a leak, two clean layers, a drift"
    run "$flavour" --path testrunner-ex --tests-pattern '^(leak|leaklayers|bookkeeping)$' \
        --leaks --leak-report "demo-out/leaks-$flavour.json" || [ $? -eq 1 ]
done
printf '\nJSON leak reports: %s\n' "$(ls demo-out/leaks-*.json | tr '\n' ' ')"

# The same hunt as a page, and the page as a picture (headless Chromium).
banner "the HTML leak report of the trace-refs hunt"
.venvs/tracerefs/bin/python -m leakrunner.report demo-out/leaks-tracerefs.json -o demo-out/leaks-tracerefs.html
tools/screenshot.sh demo-out/leaks-tracerefs.html demo-out/leaks-tracerefs.png 1200 3000
printf 'HTML leak report: demo-out/leaks-tracerefs.html (screenshot: demo-out/leaks-tracerefs.png)\n'
