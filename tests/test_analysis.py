"""--coverage and --profile.

With the stdlib tracer (LEAKRUNNER_COVERAGE=trace, or no coverage.py), the
coverage summary and the .cover files are zope.testrunner's; with
coverage.py installed, leakrunner measures with it and says so. Profiles are
merged across child processes and printed as zope prints them (their
numbers differ between the runners, since they profile themselves too).
"""

import filecmp
import pstats
import re

import pytest
from normalize import normalize
from sidebyside import assert_same_as_zope, run_both, run_leakrunner, run_zope, unchanged

P = ["--path", "testrunner-ex"]


@pytest.mark.parametrize("selection", [["-u", "-m", "units.tests"], ["--layer", "Kitchen"]])
def test_stdlib_coverage_same_as_zope(zope_available, tmp_path, selection):
    z_dir, l_dir = tmp_path / "zope", tmp_path / "leak"
    z = run_zope([*P, "--coverage", str(z_dir), *selection])
    ours = run_leakrunner([*P, "--coverage", str(l_dir), *selection], LEAKRUNNER_COVERAGE="trace")
    assert_same_as_zope(
        results=(z, ours),
        out=(
            lambda text: normalize(text).replace(str(z_dir), "DIR"),
            lambda text: normalize(text).replace(str(l_dir), "DIR"),
        ),
        err=unchanged,
    )
    assert z.status == 0
    assert "lines   cov%   module   (path)" in ours[1]
    files = sorted(p.name for p in z_dir.iterdir())
    assert files and files == sorted(p.name for p in l_dir.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(z_dir, l_dir, files, shallow=False)
    assert mismatch == [] and errors == []


def test_coverage_py_is_used_when_installed(tmp_path):
    coverage = pytest.importorskip("coverage")
    status, out, err = run_leakrunner(
        [*P, "--coverage", str(tmp_path / "cov"), "-u", "-m", "units.tests"]
    )
    assert status == 0, err
    assert f"Coverage measured with coverage.py {coverage.__version__}." in out
    assert re.search(r"units/tests\.py +\d+ +\d+ +\d+%", out)
    assert any(p.name.endswith(",cover") for p in (tmp_path / "cov").iterdir())


PROFILE_HEADER = re.compile(
    r"^ +\d+ function calls \(\d+ primitive calls\) in \d+\.\d+ seconds\n\n"
    r"   Ordered by: cumulative time, call count\n",
    re.M,
)


def test_profile_printed_as_zope_prints_it(zope_available, tmp_path):
    args = [
        *P,
        "--profile",
        "cProfile",
        "--profile-directory",
        str(tmp_path),
        "-u",
        "-m",
        "units.tests",
    ]
    zope, ours = run_both(args)
    assert zope.status == 0
    for text in (ours.out, zope.out):
        assert PROFILE_HEADER.search(text), text
        assert "ncalls  tottime  percall  cumtime  percall filename:lineno(function)" in text
    # The run's own output up to the profile is the same.
    assert_same_as_zope(
        args,
        results=(zope, ours),
        out=lambda text: normalize(text).split("Tear down leakrunner.layer.UnitTests")[0],
        err=None,
    )


def test_profiles_of_children_are_merged(tmp_path):
    args = [
        *P,
        "-j2",
        "--layer",
        "Kitchen",
        "--layer",
        "Pantry",
        "--profile",
        "cProfile",
        "--profile-directory",
        str(tmp_path),
    ]
    status, out, err = run_leakrunner(args)
    assert status == 0, err
    # pstats names every file it merged: the parent's and each child's.
    merged = re.findall(r"tests_profile\.\w+\.prof", out)
    assert len(set(merged)) == 3, out
    # The merged files hold what only the children ran (the layers'
    # testTearDown, after each test); whether it makes the top 50 printed
    # depends on timing.
    stats = pstats.Stats(*map(str, tmp_path.glob("tests_profile.*.prof")))
    assert any(
        filename.endswith("house/layers.py") and function == "testTearDown"
        for filename, _, function in stats.stats
    )


def test_stale_profiles_are_removed_first(tmp_path):
    stale = tmp_path / "tests_profile.stale.prof"
    stale.write_bytes(b"not a profile")
    status, out, err = run_leakrunner(
        [
            *P,
            "--profile",
            "cProfile",
            "--profile-directory",
            str(tmp_path),
            "-u",
            "-m",
            "units.tests",
        ]
    )
    assert status == 0, err
    assert not stale.exists()
