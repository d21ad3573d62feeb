#!/usr/bin/env bash
# tools/build-python.sh VERSION KIND
#
# Builds CPython VERSION (3.13, 3.14, 3.15, ...) from Debian's pythonVERSION
# source package and installs it under ~/.cache/leakrunner/cpython-VERSION-KIND,
# configured for KIND:
#
#   pydebug    --with-pydebug                     (sys.gettotalrefcount)
#   tracerefs  --with-pydebug --with-trace-refs   (... and sys.getobjects)
#   ftdebug    --with-pydebug --disable-gil       (free-threaded, pythonVERSIONt)
#
# Why from source: no distribution ships trace-refs or free-threaded debug
# builds, and Debian 12 ships no 3.13+ at all. Debian's newer suites carry the
# sources: the suite that has pythonVERSION is found by asking apt, trying
# trixie, forky, sid and experimental in turn (deb-src lines only).
#
# Idempotent: a finished install is detected and reused (seconds); a fresh
# build takes a few minutes on 2 cores. Prints the interpreter's path on
# stdout when it is ready.
set -euo pipefail

version=${1:?usage: build-python.sh VERSION KIND}
kind=${2:?usage: build-python.sh VERSION KIND}
case "$kind" in
    pydebug) configure_flags=(--with-pydebug) ;;
    tracerefs) configure_flags=(--with-pydebug --with-trace-refs) ;;
    ftdebug) configure_flags=(--with-pydebug --disable-gil) ;;
    *) echo "build-python.sh: unknown kind '$kind' (pydebug, tracerefs, ftdebug)" >&2; exit 2 ;;
esac
[[ "$version" =~ ^3\.[0-9]+$ ]] || { echo "build-python.sh: bad version '$version'" >&2; exit 2; }

CACHE="${LEAKRUNNER_CACHE:-$HOME/.cache/leakrunner}"
PREFIX="$CACHE/cpython-$version-$kind"
PY="$PREFIX/bin/python$version"
[ "$kind" = ftdebug ] && PY+=t  # free-threaded builds install pythonX.Yt
SRC_DIR="$CACHE/src"
LOG="$CACHE/build-cpython-$version-$kind.log"
package="python$version"

log() { printf '[cpython %s %s] %s\n' "$version" "$kind" "$*" >&2; }

is_ready() {
    [ -x "$PY" ] && "$PY" - "$version" "$kind" <<'PYEOF' 2>/dev/null
import sys, sysconfig, venv, ensurepip  # noqa: F401  (venv + pip must work for .venvs/)
version, kind = sys.argv[1], sys.argv[2]
assert "%d.%d" % sys.version_info[:2] == version, sys.version_info
assert hasattr(sys, "gettotalrefcount"), "not a pydebug build"
assert hasattr(sys, "getobjects") == (kind == "tracerefs"), "trace-refs mismatch"
assert bool(sysconfig.get_config_var("Py_GIL_DISABLED")) == (kind == "ftdebug"), "GIL mismatch"
PYEOF
}

if is_ready; then
    log "ready: $PY"
    echo "$PY"
    exit 0
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- deb-src lines for a suite that carries pythonVERSION ----------------------
# The archive URI is read from this machine's own apt configuration (so that a
# mirror configured here is honoured); only the suite changes.
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

# (Not `| grep -q`: with pipefail, apt-cache's SIGPIPE would fail the test.)
has_source() { [[ "$(apt-cache showsrc "$package" 2>/dev/null)" == *$'\nVersion:'* ]]; }

# Suites whose Sources indexes apt already has configured.
configured_src_suites() {
    apt-get indextargets --format '$(RELEASE)' 'Created-By: Sources' 2>/dev/null | sort -u
}

if ! has_source; then
    read -r uri key < <(archive_stanza) || true
    if [ -z "${uri:-}" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk -v cn="$codename" '$1 == "deb" && $0 ~ (" " cn " ") && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
    fi
    [ -n "${uri:-}" ] || { log "cannot find this machine's Debian archive in the apt sources"; exit 1; }
    key=${key:-/usr/share/keyrings/debian-archive-keyring.gpg}
    for suite in trixie forky sid experimental; do
        [[ " $(configured_src_suites | tr '\n' ' ') " == *" $suite "* ]] && continue
        log "adding deb-src lines (suite $suite) from $uri"
        as_root tee "/etc/apt/sources.list.d/leakrunner-src-$suite.sources" >/dev/null <<SRC
Types: deb-src
URIs: $uri
Suites: $suite
Components: main
Signed-By: $key
SRC
        as_root apt-get update -qq
        has_source && break
    done
    has_source || { log "no configured Debian suite carries the $package source package"; exit 1; }
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
# One tarball per Python version serves every kind built from it.
mkdir -p "$SRC_DIR"
find_tarball() {
    ls -1 "$SRC_DIR/${package}_$version".*.orig.tar.xz 2>/dev/null | sort -V | tail -n 1 || true
}
tarball=$(find_tarball)
if [ -z "$tarball" ]; then
    versions=$(apt-cache showsrc "$package" | awk '/^Version:/ { print $2 }' | sort -rV | uniq)
    [ -n "$versions" ] || { log "apt-cache showsrc lists no $package"; exit 1; }
    for v in $versions; do
        log "trying $package=$v"
        if (cd "$SRC_DIR" && apt-get source --download-only -qq "$package=$v" >/dev/null 2>&1); then
            break
        fi
    done
    tarball=$(find_tarball)
    [ -n "$tarball" ] || {
        log "no $package source version could be downloaded (tried: $(echo $versions)):"
        log "the archive lists them but does not serve their files; put an upstream"
        log "${package}_$version.N.orig.tar.xz (Python-$version.N.tar.xz renamed) into $SRC_DIR"
        exit 1
    }
fi
log "source: $tarball"

# --- configure, build, install -------------------------------------------------------
# No PGO or LTO: these interpreters exist to be measured, not to be fast, and
# a plain build is several times quicker.
build="$CACHE/build-cpython-$version-$kind"
rm -rf "$build" "$PREFIX"
mkdir -p "$build"
tar -xJf "$tarball" -C "$build" --strip-components=1
cd "$build"
log "configuring ${configure_flags[*]} (log: $LOG)"
./configure --prefix="$PREFIX" "${configure_flags[@]}" --with-ensurepip=install >"$LOG" 2>&1
jobs=${LEAKRUNNER_BUILD_JOBS:-2}
log "building with $jobs jobs"
start=$SECONDS
make -j"$jobs" >>"$LOG" 2>&1
make install >>"$LOG" 2>&1
cd "$CACHE"
rm -rf "$build"
is_ready || { log "the installed interpreter failed its self-check; see $LOG"; exit 1; }
log "ready after $((SECONDS - start)) s of build: $PY"
echo "$PY"
