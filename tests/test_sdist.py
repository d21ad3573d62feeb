"""The source distribution: `maturin sdist` makes one that `pip install`
builds from source for the interpreter running pip (each of the three in
`make test`), and the result runs tests and knows what it was built for."""

import os
import subprocess
import sys
import sysconfig

import pytest
from sidebyside import ROOT, runner_env


@pytest.mark.slow
def test_sdist_builds_and_runs_for_this_interpreter(tmp_path):
    maturin = os.path.join(os.path.dirname(sys.executable), "maturin")
    if not os.path.exists(maturin):
        pytest.skip("maturin is not installed in this environment")
    subprocess.run(
        [maturin, "sdist", "--out", str(tmp_path)], cwd=ROOT, check=True, capture_output=True
    )
    (sdist,) = tmp_path.glob("leakrunner-*.tar.gz")

    target = tmp_path / "installed"
    # A build directory of its own per interpreter flavour, kept between runs.
    flavour = "d" if hasattr(sys, "gettotalrefcount") else ""
    flavour += "t" if hasattr(sys, "getobjects") else ""
    env = runner_env(
        CARGO_TARGET_DIR=str(
            ROOT / "target" / f"sdist-{sys.version_info[0]}{sys.version_info[1]}{flavour}"
        )
    )
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
            "print(leakrunner.build_info()['running']['flavour'])",
        ],
        env=run_env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert check.returncode == 0, check.stderr
    location, flavour_line = check.stdout.splitlines()
    assert location.startswith(str(target))
    assert flavour_line.startswith("CPython %d.%d" % sys.version_info[:2])

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
