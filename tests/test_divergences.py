"""The deliberate differences from zope.testrunner listed in the README: where
zope.testrunner dies with a traceback on bad input, leakrunner says what is
wrong, with the exit status the README documents."""

import pytest
from sidebyside import run_leakrunner, run_zope

P = ["--path", "testrunner-ex"]

CASES = {
    # name: (arguments, our exit status, what our stderr says)
    "duplicate-ids": (
        [*P, "--tests-pattern", "^dupes$", "--require-unique"],
        1,
        "leakrunner: error: Duplicate test IDs found:\n"
        "  test_again (trouble.dupes.Twice.test_again)\n",
    ),
    "bad-module-regex": (
        [*P, "-m", "units("],
        2,
        "__main__.py: error: argument --module/-m: bad regular expression 'units(': "
        "missing ), unterminated subpattern at position 5\n",
    ),
    "bad-test-regex": (
        [*P, "-t", "!a**"],
        2,
        "__main__.py: error: argument --test/-t: bad regular expression '!a**': "
        "multiple repeat at position 2\n",
    ),
    "bad-tests-pattern": (
        [*P, "--tests-pattern", "[unclosed"],
        2,
        "__main__.py: error: argument --tests-pattern: bad regular expression '[unclosed': "
        "unterminated character set at position 0\n",
    ),
    "missing-package": (
        [*P, "-s", "no.such.package"],
        1,
        "leakrunner: error: cannot import the package 'no.such.package' given with --package: "
        "No module named 'no'\n",
    ),
    "package-is-a-module": (
        [*P, "-s", "units.arith"],
        1,
        "leakrunner: error: 'units.arith' given with --package is a module, not a package\n",
    ),
    "gc-flag-missing-in-python-3": (
        [*P, "-u", "-G", "DEBUG_OBJECTS"],
        1,
        "leakrunner: error: argument --gc-option/-G: "
        "this Python's gc module has no DEBUG_OBJECTS\n",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gets_a_message_not_a_traceback(zope_available, name):
    args, status, message = CASES[name]
    z_status, _, z_err = run_zope(args)
    assert z_status == 1 and "Traceback (most recent call last)" in z_err, z_err
    l_status, _, l_err = run_leakrunner(args)
    assert "Traceback" not in l_err
    if status == 2:
        assert l_err.startswith("usage: __main__.py [-h]")
    assert l_err.endswith(message), l_err
    assert l_status == status


def test_missing_test_path_is_warned_about():
    status, out, err = run_leakrunner(["--test-path", "testrunner-ex/no-such-dir"])
    assert status == 0
    assert err.startswith("leakrunner: warning: test path ")
    assert err.endswith("testrunner-ex/no-such-dir is not a directory\n")
    assert out == "Total: 0 tests, 0 failures, 0 errors and 0 skipped in N.NNN seconds.\n".replace(
        "N.NNN", out.split(" in ")[1].split(" ")[0]
    )


RELEASED = ["--path", "tests/trees/released", "--tests-pattern", "^lifetimes$"]


def _alive_lines(out):
    return [line for line in out.splitlines() if "alive:" in line]


@pytest.mark.parametrize(
    "extra, ours",
    [
        # A test is let go once it has run; zope keeps every test object.
        ([], ["unit tests that ran before, alive: 0", "tests of the first layer, alive: 0"]),
        # --gc-after-test: a layer's tests are kept until the layer is done.
        (
            ["--gc-after-test"],
            ["unit tests that ran before, alive: 1", "tests of the first layer, alive: 0"],
        ),
        # -N: kept through every iteration but the last.
        (
            ["-N2"],
            [
                "unit tests that ran before, alive: 1",
                "unit tests that ran before, alive: 0",
                "tests of the first layer, alive: 0",
                "tests of the first layer, alive: 0",
            ],
        ),
    ],
)
def test_a_test_is_let_go_once_it_has_run(zope_available, extra, ours):
    status, out, err = run_leakrunner([*RELEASED, *extra])
    assert status == 0, err
    assert [line.strip("[]. ") for line in _alive_lines(out)] == ours, out
    z_status, z_out, z_err = run_zope([*RELEASED, *extra])
    assert z_status == 0, z_err
    # zope.testrunner keeps them all: the first layer's two tests are alive.
    z_lines = [line.strip("[]. ") for line in _alive_lines(z_out)]
    assert z_lines[-1] == "tests of the first layer, alive: " + ("4" if extra == ["-N2"] else "2")
    # Everything else about the run is the same.
    assert len(z_lines) == len(ours)
    assert out.count("Ran ") == z_out.count("Ran ")
