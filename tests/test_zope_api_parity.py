"""Side by side with zope.testrunner, the behaviours zope's own doctest suite
(tests/test_zope_doctests.py) found leakrunner missing: its ``interfaces``
module and the ``EndRun`` that ``run_internal`` raises when the ``-D``
debugger is left after an import failure, ``--require-unique`` when several
modules load the same test, and ``--shuffle-seed`` giving zope's order when
a layer's name sorts between ``leakrunner.layer.UnitTests`` and
``zope.testrunner.layer.UnitTests``. (The subunit stream's profiler
statistics are in tests/test_subunit.py.)"""

import subprocess
import sys

import pytest
from normalize import normalize
from sidebyside import ROOT, Result, assert_same_as_zope, run_both, runner_env

pytest.importorskip("zope.testrunner")

UNIQUE = ["--path", "tests/trees/unique", "--require-unique"]
SHUFFLED = ["--path", "tests/trees/shuffled", "--tests-pattern", "^(alpha|mid|zzz)$"]


def run_script(script, module, stdin=b""):
    """``python -c script module``: the same script against either runner."""
    proc = subprocess.run(
        [sys.executable, "-c", script, module],
        cwd=ROOT,
        env=runner_env(),
        input=stdin,
        capture_output=True,
        timeout=120,
    )
    return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


# -- interfaces and EndRun ------------------------------------------------

CATCHES_END_RUN = """
import importlib, sys
runner = importlib.import_module(sys.argv[1])
interfaces = importlib.import_module(sys.argv[1] + ".interfaces")
try:
    runner.run_internal(
        ["--path", "testrunner-ex", "--tests-pattern", "^broken$", "-D"], ["prog"]
    )
except interfaces.EndRun:
    print("EndRun raised")
else:
    print("no EndRun")
"""


def _without_debugger_frames(text):
    # Where the debugger stops is each runner's own frame (zope's find.py).
    return "".join(
        line
        for line in normalize(text).splitlines(keepends=True)
        if not line.startswith(("> ", "-> "))
    )


def test_run_internal_raises_end_run_when_the_debugger_is_left():
    zope = run_script(CATCHES_END_RUN, "zope.testrunner", stdin=b"c\n")
    ours = run_script(CATCHES_END_RUN, "leakrunner", stdin=b"c\n")
    assert zope.out.rstrip().endswith("EndRun raised"), zope.out
    assert_same_as_zope(results=(zope, ours), out=_without_debugger_frames)


def test_the_command_line_ends_quietly_after_end_run():
    # The README's divergence: no EndRun traceback from the command line.
    args = [sys.executable, "-m", "leakrunner", "--path", "testrunner-ex"]
    args += ["--tests-pattern", "^broken$", "-D"]
    proc = subprocess.run(
        args, cwd=ROOT, env=runner_env(), input=b"c\n", capture_output=True, timeout=120
    )
    assert proc.returncode == 1
    assert b"(Pdb)" in proc.stdout
    assert b"Traceback" not in proc.stderr and b"EndRun" not in proc.stderr


def test_interfaces_declare_what_zopes_declare():
    zope_interface = pytest.importorskip("zope.interface")
    import leakrunner
    import leakrunner.interfaces as ours
    import zope.testrunner.interfaces as theirs

    assert leakrunner.interfaces is ours
    assert issubclass(ours.EndRun, Exception)
    for name in ("ITestRunner", "IFeature", "IMinimalTestLayer", "IFullTestLayer"):
        mine, zopes = getattr(ours, name), getattr(theirs, name)
        assert mine.isOrExtends(zope_interface.Interface)
        assert sorted(mine.names(all=True)) == sorted(zopes.names(all=True)), name
    assert ours.IFullTestLayer.extends(ours.IMinimalTestLayer)
    with pytest.raises(AttributeError):
        ours.INoSuchInterface  # noqa: B018


# -- --require-unique -----------------------------------------------------


def test_the_same_test_in_two_modules_is_no_duplicate():
    # zope compares ids within one module's suite: shared.rst loaded by three
    # modules (two of them by the same relative path) and a test class run
    # by two modules are not duplicates.
    zope, _ = assert_same_as_zope([*UNIQUE, "--tests-pattern", "^uniq_", "-vv"])
    assert zope.status == 0 and "Ran 5 tests" in zope.out


def test_a_test_twice_in_one_module_is_a_duplicate():
    # Both runners refuse it, and name the same id (zope with a traceback,
    # leakrunner with a message: the README's divergence).
    zope, ours = run_both([*UNIQUE, "--tests-pattern", "^twice$"])
    assert zope.status == ours.status == 1
    ids = "Duplicate test IDs found:\n  " + str(
        ROOT / "tests/trees/unique/notes/checks/../shared.rst"
    )
    assert zope.err.rstrip().endswith(ids), zope.err
    assert ours.err == f"leakrunner: error: {ids}\n"


# -- --shuffle-seed -------------------------------------------------------


@pytest.mark.parametrize("seed", ["0", "3", "42"])
@pytest.mark.parametrize("extra", [[], ["-u"]], ids=["all", "unit"])
def test_shuffled_as_zope_shuffles(seed, extra):
    # Layers are shuffled in zope's sorted order of their names, the unit
    # test layer as zope.testrunner.layer.UnitTests (after mid.Mid), before
    # -u drops any: every layer draws from one generator.
    assert_same_as_zope([*SHUFFLED, *extra, "--shuffle", "--shuffle-seed", seed, "--list-tests"])
