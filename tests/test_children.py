"""Layers in child processes: a layer whose tearDown is not supported makes
the rest run in children one at a time, and -j N runs every layer in a child.

The output is zope.testrunner's, side by side, except the `Total:` line:
zope's children do not report their skipped tests (nor import errors) back,
so its total undercounts; leakrunner's children do (README, deliberate
differences). Children that die, hang or flood their stderr are reported and
every other layer's results are kept (tests/test_crashes.py has the full
matrix of crashes).
"""

import re

import pytest
from normalize import normalize
from sidebyside import assert_same_as_zope, run_leakrunner

P = ["--path", "testrunner-ex"]
TOTAL = re.compile(
    r"^Total: (\d+) tests, (\d+) failures, (\d+) errors and (\d+) skipped in .*$", re.M
)
RAN = re.compile(r"^  Ran (\d+) tests with (\d+) failures, (\d+) errors and (\d+) skipped in", re.M)
# -j at -vv: live progress from the children, whose exact interleaving
# depends on timing (in zope, a bracket may even stay open at the end).
# The rest of a bracket can also come on a line of its own, after output of
# the layers that ran meanwhile.
KEEPALIVE = re.compile(
    r"\[Parallel tests running in [^\n]*:\n  (?:\.| LAYER FINISHED)*(?:\]\n)?"
    r"|^(?:\.| LAYER FINISHED)+\]?\n",
    re.M,
)

SCENARIOS = {
    "ntd": [*P, "--tests-pattern", "^ntd$"],
    "ntd-vv": [*P, "--tests-pattern", "^ntd$", "-vv"],
    "ntd-failing-child": [*P, "--tests-pattern", "^ntd$", "-a", "2"],
    "everything": [*P, "--tests-pattern", "^(tests|failing|broken|badlayers|ntd|noisy|dupes)$"],
    "j2-two-layers": [*P, "-j2", "--layer", "house.fixtures"],
    "j2-default": [*P, "-j2"],
    "j2-failing": [*P, "-j2", "--tests-pattern", "^(tests|failing)$"],
    "j2-import-errors": [*P, "-j2", "--tests-pattern", "^(tests|broken)$", "-u"],
    "j3-keepalive": [*P, "-j3", "-vv", "--layer", "Kitchen", "--layer", "Pantry"],
    "j2-ntd": [*P, "-j2", "--tests-pattern", "^ntd$"],
    "j2-list": [*P, "-j2", "--list-tests", "--layer", "Kitchen"],
    "j2-v": [
        *P,
        "-j2",
        "-v",
        "--tests-pattern",
        "^(tests|failing)$",
        "-m",
        "test_asserts",
        "-m",
        "rooms",
    ],
}


# Seconds these take on the trace-refs build (see conftest.py).
SLOW = {"j2-default": 33, "j2-failing": 36, "j2-v": 21, "j2-ntd": 16}


def without_totals(text):
    return KEEPALIVE.sub("", TOTAL.sub("Total: ...", text))


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.slow(SLOW[n])) if n in SLOW else n
        for n in sorted(SCENARIOS)
    ],
)
def test_children_same_as_zope_but_totals_complete(zope_available, name):
    z_run, l_run = assert_same_as_zope(
        SCENARIOS[name], out=lambda text: normalize(without_totals(text))
    )
    out = l_run.out
    ours = TOTAL.search(out)
    if ours is None:
        assert TOTAL.search(z_run.out) is None
        return
    zope = TOTAL.search(z_run.out)
    # Tests, failures and errors agree with zope's; skipped tests are the
    # ones every Ran line (the parent's and each child's) reports.
    assert ours.groups()[:3] == zope.groups()[:3]
    skipped_in_ran_lines = sum(int(m[3]) for m in RAN.findall(out))
    repeats = 1
    assert int(ours.group(4)) == skipped_in_ran_lines * repeats


def children(layers, **env):
    args = ["--path", "tests/trees/children", "--tests-pattern", "^childtests$", "-j4"]
    for layer in layers:
        args += ["--layer", layer]
    return run_leakrunner(args, **env)


def test_child_killed_by_a_signal_is_reported_and_others_kept():
    status, out, err = children(["Calm", "Killed"])
    assert status == 1
    assert (
        "The subprocess for childtests.Killed was killed by signal 9 (SIGKILL) "
        "while running test_killed (childtests.KilledTests.test_killed)." in out
    )
    assert "  Ran 3 tests with 1 failures, 0 errors and 1 skipped in" in out
    # The killed test counts, as an error under its own name.
    total = TOTAL.search(out)
    assert total.groups() == ("4", "1", "1", "1")


@pytest.mark.alone  # the calm child must be done within the limit too
def test_hanging_child_is_killed_past_the_limit():
    status, out, err = children(["Calm", "Hangs"], LEAKRUNNER_CHILD_TIMEOUT="3")
    assert status == 1
    assert (
        "childtests.Hangs ran longer than the 3 seconds allowed "
        "(LEAKRUNNER_CHILD_TIMEOUT) and was killed while running "
        "test_hangs (childtests.HangsTests.test_hangs)." in out
    )
    # The stack the child dumped when asked, before it was killed.
    assert re.search(r'File ".*childtests.py", line \d+ in test_hangs', out)
    assert TOTAL.search(out).groups() == ("4", "1", "1", "1")


def test_child_flooding_stderr_does_not_deadlock():
    status, out, err = children(["Calm", "Floods"])
    assert status == 1  # Calm's failure
    assert TOTAL.search(out).groups() == ("4", "1", "0", "1")
    assert "Could not communicate" not in out
