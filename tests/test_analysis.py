"""--coverage and --profile.

The coverage summary and the .cover files are zope.testrunner's, whether
leakrunner measures with coverage.py (when it is installed) or traces as zope
does (LEAKRUNNER_COVERAGE=trace); with coverage.py, an executed line is
marked 1 where zope writes how often it ran. Profiles are
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


# zope's children do not report their skipped tests (README): -j only.
SKIPPED_TOTAL = re.compile(r"^(Total: .* errors and )\d+( skipped in)", re.M)


def without_skips(text):
    return SKIPPED_TOTAL.sub(r"\1N\2", text)


# An executed line's mark in a .cover file: the tracer's count.
COUNT = re.compile(r"^ *\d+: ", re.M)


def cover_files(directory, counts=True):
    return {
        p.name: p.read_text() if counts else COUNT.sub("  hit: ", p.read_text())
        for p in sorted(directory.iterdir())
    }


@pytest.mark.parametrize(
    "selection",
    [["-u", "-m", "units.tests"], ["--layer", "Kitchen"], ["-u", "-vv", "-j", "2"]],
)
def test_coverage_py_prints_and_writes_what_zope_does(zope_available, tmp_path, selection):
    pytest.importorskip("coverage")
    z_dir, l_dir = tmp_path / "zope", tmp_path / "leak"
    z = run_zope([*P, "--coverage", str(z_dir), *selection])
    ours = run_leakrunner([*P, "--coverage", str(l_dir), *selection], LEAKRUNNER_COVERAGE=None)
    assert_same_as_zope(
        results=(z, ours),
        out=(
            lambda text: normalize(without_skips(text)).replace(str(z_dir), "DIR"),
            lambda text: normalize(without_skips(text)).replace(str(l_dir), "DIR"),
        ),
        err=unchanged,
    )
    assert "lines   cov%   module   (path)" in ours.out
    zope_files = cover_files(z_dir, counts=False)
    assert zope_files and cover_files(l_dir, counts=False) == zope_files
    # Every executed line is marked 1: coverage.py does not count.
    marks = {m.strip() for text in cover_files(l_dir).values() for m in COUNT.findall(text)}
    assert marks == {"1:"}


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
