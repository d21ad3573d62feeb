"""The deliberate differences from zope.testrunner listed in the README: where
zope.testrunner dies with a traceback on bad input, leakrunner says what is
wrong, with the exit status the README documents."""

import pytest
from conftest import run_leakrunner, run_zope

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
