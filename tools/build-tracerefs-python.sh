#!/usr/bin/env bash
# Builds CPython 3.13 configured --with-pydebug --with-trace-refs from Debian's
# python3.13 source package and installs it under ~/.cache/leakrunner.
#
# Why from source: no distribution ships a trace-refs build, and only a
# trace-refs build has sys.getobjects(), which the exact heap census needs.
# Idempotent: a finished install is detected and reused (seconds); a fresh
# build takes about 3 minutes on 2 cores.
set -euo pipefail

CACHE="${LEAKRUNNER_CACHE:-$HOME/.cache/leakrunner}"
PREFIX="$CACHE/cpython-3.13-tracerefs"
PY="$PREFIX/bin/python3.13"
SRC_DIR="$CACHE/src"
LOG="$CACHE/build-tracerefs.log"

log() { printf '[tracerefs] %s\n' "$*" >&2; }

is_ready() {
    [ -x "$PY" ] && "$PY" - <<'PYEOF' 2>/dev/null
import sys, venv, ensurepip  # noqa: F401  (venv + pip must work for .venvs/tracerefs)
assert sys.version_info[:2] == (3, 13), sys.version_info
assert hasattr(sys, "gettotalrefcount"), "not a pydebug build"
assert hasattr(sys, "getobjects"), "not a trace-refs build"
PYEOF
}

if is_ready; then
    log "ready: $PY"
    exit 0
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- deb-src lines for a suite that carries python3.13 -----------------------
# The archive URI is read from this machine's own apt configuration (so that a
# mirror configured here is honoured); only the suite changes.
SRC_LIST=/etc/apt/sources.list.d/leakrunner-python313-src.sources
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")

archive_stanza() {
    # Prints "URI KEYRING" of the first deb822 stanza that serves $codename
    # (not -security), else of the first one-line "deb" entry for it.
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v cn="$codename" '
            function flush() {
                if (uri != "" && suites ~ ("(^| )" cn "( |$)") && uri !~ /security/) { print uri, key; found = 1; exit }
                uri = ""; suites = ""; key = ""
            }
            /^[[:space:]]*$/ { flush(); next }
            /^URIs:/      { uri = $2 }
            /^Suites:/    { sub(/^Suites:[[:space:]]*/, ""); suites = $0 }
            /^Signed-By:/ { key = $2 }
            END { if (!found) flush() }
        ' "$f"
    done | head -n 1
}

if ! apt-cache showsrc python3.13 2>/dev/null | grep -q '^Version:'; then
    read -r uri key < <(archive_stanza) || true
    if [ -z "${uri:-}" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk -v cn="$codename" '$1 == "deb" && $0 ~ (" " cn " ") && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
    fi
    [ -n "${uri:-}" ] || { log "cannot find this machine's Debian archive in the apt sources"; exit 1; }
    key=${key:-/usr/share/keyrings/debian-archive-keyring.gpg}
    log "adding deb-src lines (suite trixie) from $uri"
    as_root tee "$SRC_LIST" >/dev/null <<SRC
Types: deb-src
URIs: $uri
Suites: trixie
Components: main
Signed-By: $key
SRC
    as_root apt-get update -qq
fi

# --- build dependencies --------------------------------------------------------
need=(build-essential dpkg-dev pkg-config xz-utils libssl-dev zlib1g-dev libffi-dev
      libbz2-dev liblzma-dev libsqlite3-dev libreadline-dev uuid-dev libncurses-dev
      libgdbm-dev libexpat1-dev)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing build dependencies: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# --- the source: try the versions the index lists until one downloads -----------
mkdir -p "$SRC_DIR"
tarball=$(ls -1 "$SRC_DIR"/python3.13_3.13.*.orig.tar.xz 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$tarball" ]; then
    versions=$(apt-cache showsrc python3.13 | awk '/^Version:/ { print $2 }' | sort -rV | uniq)
    [ -n "$versions" ] || { log "apt-cache showsrc lists no python3.13"; exit 1; }
    for v in $versions; do
        log "trying python3.13=$v"
        if (cd "$SRC_DIR" && apt-get source --download-only -qq "python3.13=$v" >/dev/null 2>&1); then
            break
        fi
    done
    tarball=$(ls -1 "$SRC_DIR"/python3.13_3.13.*.orig.tar.xz 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$tarball" ] || { log "no python3.13 source version could be downloaded (tried: $versions)"; exit 1; }
fi
log "source: $tarball"

# --- configure, build, install -------------------------------------------------------
build="$CACHE/build-python3.13"
rm -rf "$build" "$PREFIX"
mkdir -p "$build"
tar -xJf "$tarball" -C "$build" --strip-components=1
cd "$build"
log "configuring (log: $LOG)"
./configure --prefix="$PREFIX" --with-pydebug --with-trace-refs --with-ensurepip=install >"$LOG" 2>&1
log "building with $(nproc) jobs"
make -j"$(nproc)" >>"$LOG" 2>&1
make install >>"$LOG" 2>&1
cd "$CACHE"
rm -rf "$build"
is_ready || { log "the installed interpreter failed its self-check; see $LOG"; exit 1; }
log "ready: $PY"
