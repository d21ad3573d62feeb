"""The source distribution: `maturin sdist` makes one that `pip install`
builds from source for the interpreter running pip (each of the three in
`make test`), and the result runs tests, knows what it was built for, and
leaves out the test hooks.

The sdist does not depend on the interpreter, so it is made once per state of
the source tree: target/sdist/DIGEST/ keeps the one made from the files whose
digest is DIGEST, and the next interpreter's run (and the next `make test` on
an unchanged tree) installs that one.
"""

import fcntl
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig
import tempfile

import pytest
from sidebyside import ROOT, runner_env

SDIST_CACHE = ROOT / "target" / "sdist"

# The extension's functions for tests and benchmarks (cargo feature test-hooks).
TEST_HOOKS = (
    "_census",
    "_census_selftest",
    "_leak_sample",
    "_option_table",
    "_orphan_scan",
    "_parse_options",
    "_referrer_walk",
)


def source_digest():
    """A digest of every file of the checkout that git does not ignore (those
    maturin packs are among them), or None outside a git checkout."""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    digest = hashlib.sha256()
    for name in sorted(set(listing.split(b"\0")) - {b""}):
        path = ROOT / os.fsdecode(name)
        digest.update(b"%s\0" % name)
        if path.is_symlink():
            digest.update(b"link %s" % os.fsencode(os.readlink(path)))
        elif path.is_file():
            digest.update(b"file %o " % (path.stat().st_mode & 0o111) + path.read_bytes())
        else:
            digest.update(b"missing")
        digest.update(b"\0")
    return digest.hexdigest()


def make_sdist(maturin, out):
    subprocess.run([maturin, "sdist", "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    (sdist,) = out.glob("leakrunner-*.tar.gz")
    return sdist


def sdist_of_this_tree(maturin, tmp_path):
    """The sdist of the tree as it is: made now, or by an earlier run on the
    same files. Only the newest is kept."""
    digest = source_digest()
    if digest is None:
        return make_sdist(maturin, tmp_path / "sdist")
    SDIST_CACHE.mkdir(parents=True, exist_ok=True)
    with open(SDIST_CACHE / ".lock", "w") as lock:
        # Parallel workers (and the other interpreters' runs) wait here for
        # the one that builds it.
        fcntl.flock(lock, fcntl.LOCK_EX)
        cached = SDIST_CACHE / digest
        found = list(cached.glob("leakrunner-*.tar.gz"))
        if len(found) == 1:
            return found[0]
        for old in SDIST_CACHE.iterdir():
            if old.is_dir():
                shutil.rmtree(old)
        building = pathlib.Path(tempfile.mkdtemp(prefix="building-", dir=SDIST_CACHE))
        sdist = make_sdist(maturin, building)
        building.rename(cached)
        return cached / sdist.name


@pytest.mark.slow(130)
def test_sdist_builds_and_runs_for_this_interpreter(tmp_path):
    maturin = os.path.join(os.path.dirname(sys.executable), "maturin")
    if not os.path.exists(maturin):
        pytest.skip("maturin is not installed in this environment")
    sdist = sdist_of_this_tree(maturin, tmp_path)

    target = tmp_path / "installed"
    # A build directory of its own per interpreter flavour and sdist, kept
    # between runs on the same tree. Not shared across sdists: maturin gives
    # every file of an sdist the same fixed time, so cargo would take a
    # changed build.rs for the old one and reuse its stale output.
    flavour = "d" if hasattr(sys, "gettotalrefcount") else ""
    flavour += "t" if hasattr(sys, "getobjects") else ""
    prefix = f"sdist-{sys.version_info[0]}{sys.version_info[1]}{flavour}-"
    build_dir = ROOT / "target" / (prefix + sdist.parent.name[:16])
    for old in (ROOT / "target").glob(prefix + "*"):
        if old != build_dir:
            shutil.rmtree(old, ignore_errors=True)
    env = runner_env(CARGO_TARGET_DIR=str(build_dir))
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(sdist),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    assert list((target / "leakrunner").glob(f"_leakrunner{suffix}")), list(
        (target / "leakrunner").iterdir()
    )

    run_env = runner_env(PYTHONPATH=str(target))
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import leakrunner, sys; print(leakrunner.__file__); "
            "print(leakrunner.build_info()['running']['flavour']); "
            "from leakrunner import _leakrunner; "
            "print(sorted(n for n in %r if hasattr(_leakrunner, n)))" % (TEST_HOOKS,),
        ],
        env=run_env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert check.returncode == 0, check.stderr
    location, flavour_line, hooks = check.stdout.splitlines()
    assert location.startswith(str(target))
    assert flavour_line.startswith("CPython %d.%d" % sys.version_info[:2])
    # The test hooks (cargo feature test-hooks) are not in a plain install.
    assert hooks == "[]"

    tests = subprocess.run(
        [
            sys.executable,
            "-m",
            "leakrunner",
            "--path",
            str(ROOT / "testrunner-ex"),
            "-u",
            "-m",
            "units.tests",
        ],
        env=run_env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "Ran 15 tests with 0 failures, 0 errors and 5 skipped" in tests.stdout
