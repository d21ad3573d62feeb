"""-D/--post-mortem and pdb.set_trace, side by side with zope.testrunner:
the debugger reads its commands from stdin, so both runners get the same
input and must show the same session."""

import pytest
from normalize import normalize
from sidebyside import assert_same_as_zope, run_both, run_leakrunner

DEBUGGING = ["--path", "testrunner-ex", "--tests-pattern", "^debugging$"]

SCENARIOS = {
    # name: (arguments, debugger input)
    "set-trace": ([*DEBUGGING, "-t", "set_trace"], "p x\nc\n"),
    "error": ([*DEBUGGING, "-t", "post_mortem_error", "-D"], "p x\nbt\nc\n"),
    # Failures become errors; the debugger starts in the test's frame,
    # where unittest's result trims the traceback.
    "failure": ([*DEBUGGING, "-t", "post_mortem_failure", "-D"], "p x\np y\nc\n"),
    "skip-is-not-debugged": ([*DEBUGGING, "-t", "skipped", "-D"], "q\n"),
    "expected-failure": ([*DEBUGGING, "-t", "test_expected", "-D"], "c\n"),
    "unexpected-success": ([*DEBUGGING, "-t", "unexpected", "-D"], "c\n"),
    "doctest-failure": ([*DEBUGGING, "-t", "doctest_failure", "-D"], "p x\nc\n"),
    "doctest-exception": ([*DEBUGGING, "-t", "doctest_raises", "-D"], "p y\nc\n"),
    "all-vv": ([*DEBUGGING, "-D", "-vv"], "c\nc\nc\n"),
    "layer-setup": (["--path", "testrunner-ex", "--tests-pattern", "^badlayers$", "-D"], "c\nc\n"),
    "outcomes": (
        ["--path", "testrunner-ex", "--tests-pattern", "^failing$", "-D", "-m", "test_outcomes"],
        "c\nc\nc\n",
    ),
    "layer-ntd-last": (
        ["--path", "testrunner-ex", "--tests-pattern", "^ntd$", "--layer", "Anchor", "-D"],
        "c\n",
    ),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_debugger_session_same_as_zope(zope_available, name):
    args, commands = SCENARIOS[name]
    zope, ours = run_both(args, stdin=commands.encode())
    no_session = {
        "skip-is-not-debugged",
        "expected-failure",
        "unexpected-success",
        "layer-ntd-last",
    }
    assert ("(Pdb)" in zope.out) == (name not in no_session)
    assert_same_as_zope(args, results=(zope, ours))


def test_child_cannot_debug_and_says_so(zope_available):
    # Failures in a child process cannot reach a terminal: zope's banner,
    # and the run goes on (the totals differ by the child's skip, which
    # zope's protocol loses).
    args = ["--path", "testrunner-ex", "--tests-pattern", "^ntd$", "-D", "-a", "2"]
    zope, ours = run_both(args, stdin=b"c\nc\n")
    banner = "Can't post-mortem debug when running a layer as a subprocess!"
    assert ours.out.count(banner) == zope.out.count(banner) == 2
    assert_same_as_zope(
        args,
        results=(zope, ours),
        out=lambda text: normalize(text).rsplit("Total:", 1)[0],
        err=None,
    )
    assert zope.status == 1


def test_import_failure_debugged_then_the_run_ends():
    # zope lets its EndRun escape as a traceback; leakrunner ends quietly.
    args = ["--path", "testrunner-ex", "--tests-pattern", "^broken$", "-D"]
    status, out, err = run_leakrunner(args, stdin=b"c\n")
    assert status == 1
    assert "(Pdb)" in out
    assert "Traceback" not in err
