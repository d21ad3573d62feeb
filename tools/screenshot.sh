#!/usr/bin/env bash
# tools/screenshot.sh PAGE.html OUT.png [WIDTH] [HEIGHT]
#
# A PNG of a page (the HTML leak report) as headless Chromium renders it,
# with nothing fetched from the network. Chromium comes from Debian's
# packages (tools/provision.sh installs it).
set -euo pipefail
page=$1
out=$2
width=${3:-1200}
height=${4:-3000}
browser=$(command -v chromium || command -v chromium-browser) || {
    echo "screenshot: chromium is not installed (run: make provision)" >&2
    exit 1
}
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --host-resolver-rules='MAP * ~NOTFOUND' \
    --window-size="$width,$height" --screenshot="$(realpath -m "$out")" \
    "file://$(realpath "$page")" >/dev/null 2>&1
test -s "$out"
echo "screenshot: $out"
