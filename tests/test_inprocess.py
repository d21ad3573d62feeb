"""The runner embedded in a program that replaces part of the process
first, as zope.testrunner's own doctests do: a ``sys.stdout`` that notes when
output comes, a ``subprocess.Popen`` whose children cannot be read, a
``sys.stdin`` that feeds the debugger (in a doctest example too). Both
runners run in-process in the same driver (tests/trees/subprocess/drive.py)
and must print the same.
"""

import subprocess
import sys

import pytest
from normalize import normalize
from sidebyside import ROOT, Result, assert_same_as_zope, runner_env

TREE = ROOT / "tests" / "trees" / "subprocess"
DRIVE = TREE / "drive.py"


def drive(runner, mode, args, stdin=b""):
    proc = subprocess.run(
        [sys.executable, str(DRIVE), *args],
        cwd=ROOT,
        env=runner_env(DRIVE_RUNNER=runner, DRIVE_MODE=mode),
        input=stdin,
        capture_output=True,
        timeout=300,
    )
    return Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def drive_both(mode, args, stdin=b""):
    return (
        drive("zope.testrunner", mode, args, stdin),
        drive("leakrunner", mode, args, stdin),
    )


def without_tree(text):
    return normalize(text).replace(str(TREE), "TREE")


PAUSING = ["--tests-pattern", "^pausing$"]


@pytest.mark.slow(6)
@pytest.mark.parametrize(
    "args, pauses",
    [
        # After a layer that cannot be torn down: one child, shown line by
        # line as it prints them.
        (
            ["-vv"],
            [
                "test_first_nap (pausing.SlowTests.test_first_nap)",
                "test_second_nap (pausing.SlowTests.test_second_nap)",
            ],
        ),
        # -j at -vv: the child's dots as it runs, its output at the end.
        (["-vv", "-j", "2", "--layer", "pausing.Slow"], [".", "LAYER FINISHED"]),
    ],
    ids=["one-child", "j2-keepalive"],
)
def test_child_output_comes_as_it_is_printed(zope_available, args, pauses):
    zope, ours = assert_same_as_zope(
        results=drive_both("record", [*args, *PAUSING]), out=without_tree
    )
    assert f"pauses before: {pauses!r}" in zope.out


@pytest.mark.parametrize(
    "mode, args",
    [
        # The child's stderr has zope's report line: nothing more to say.
        ("unreadable-str:0 0 0", ["-vv"]),
        # It has none: the child is an error, with its command line and stderr.
        ("unreadable:segmentation fault (core dumped)", ["-vv"]),
        # A long stderr is shortened at -v.
        ("unreadable:NUMBERS", ["-v"]),
    ],
    ids=["report-line", "no-report", "long-stderr"],
)
def test_unreadable_child_output_reported_as_zope_does(zope_available, mode, args):
    zope, ours = assert_same_as_zope(results=drive_both(mode, [*args, *PAUSING]), out=without_tree)
    assert (
        "Error reading subprocess output for pausing.Slow\n"
        "the output of this subprocess cannot be read\n" in zope.out
    )


DEBUGGED = ["--tests-pattern", "^debugged$"]


@pytest.mark.parametrize(
    "commands, args",
    [
        ("p x;c", ["-t", "set_trace"]),
        ("p x;p y;c", ["-t", "post_mortem", "-D"]),
        ("p x;c;p x;p y;c", ["-D"]),
    ],
    ids=["set-trace", "post-mortem", "both"],
)
# In a doctest example, pdb.set_trace is doctest's debugger, which writes to
# the terminal: the runner puts the real one back, so the session shows in
# the example's output, whether doctest was imported before the runner or
# after it.
@pytest.mark.parametrize("mode", ["stdin", "doctest-stdin", "late-doctest-stdin"])
def test_debugger_reads_a_replaced_stdin(zope_available, mode, commands, args):
    zope, ours = assert_same_as_zope(
        results=drive_both(f"{mode}:{commands}", [*DEBUGGED, *args]), out=without_tree
    )
    indent = "    " if "doctest" in mode else ""
    assert f"{indent}(Pdb) p x\n{indent}1\n" in zope.out
