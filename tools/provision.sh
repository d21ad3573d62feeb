#!/usr/bin/env bash
# tools/provision.sh [VERSION-KIND ...]
#
# Installs what leakrunner's build, tests and demo need on a fresh Debian 12
# machine: the debug CPython 3.11 from Debian, Rust's lint components, and the
# CPython builds named on the command line (VERSION-KIND, e.g. 3.13-tracerefs;
# see build-python.sh), each built from Debian's source package into
# ~/.cache/leakrunner. Idempotent; prints what it does.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
log() { printf '[provision] %s\n' "$*" >&2; }

# python3.11-dbg: Py_DEBUG (sys.gettotalrefcount, no sys.getobjects), with the
# headers and libpython that building leakrunner for it needs; python3.11-venv
# gives it (and Debian's release 3.11) a working `-m venv`.
# chromium: the HTML leak report's tests open the page in a headless browser,
# and `make demo` takes a screenshot of the demo's page with it.
pkgs=(python3.11-dbg libpython3.11-dbg python3.11-dev python3.11-venv build-essential pkg-config
      chromium)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

for build in "$@"; do
    "$here/build-python.sh" "${build%%-*}" "${build#*-}" >/dev/null
done

for tool in cargo rustc; do
    command -v "$tool" >/dev/null || { log "$tool is missing: install Rust (rustup) first"; exit 1; }
done
for component in clippy rustfmt; do
    cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1 || rustup component add "$component"
done
log "done"
