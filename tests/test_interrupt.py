"""Ctrl-C stops the run cleanly: the test it interrupts ends, the layers are
torn down, the partial summary is printed, and the exit status is 130."""

import sys

import pytest
from sidebyside import run_leakrunner


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_reports_partial_results():
    status, out, err = run_leakrunner(
        ["--path", "tests/trees/interrupt", "--tests-pattern", "^interrupttests$", "-vv"]
    )
    assert status == 130, out + err
    assert "ran after Ctrl-C" not in out
    assert " test_2_presses_ctrl_c (interrupttests.Interrupted.test_2_presses_ctrl_c)" in out
    assert "  Ran 2 tests with 0 failures, 0 errors and 0 skipped in " in out
    assert "  Tear down interrupttests.Layer tearing down after the interruption in " in out
    assert "Total: 3 tests, 0 failures, 0 errors and 0 skipped in " in out
    assert err.endswith("leakrunner: interrupted by Ctrl-C; the results above are partial\n")
    assert "Traceback" not in err
