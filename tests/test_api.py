"""The Python API: run() and run_internal() with zope.testrunner's semantics,
and output through whatever sys.stdout/sys.stderr are at the time."""

import contextlib
import io
import os
import subprocess
import sys

import leakrunner
import pytest
from sidebyside import ROOT, runner_env

SAMPLE = str(ROOT / "testrunner-ex")


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    yield
    sys.path[:] = saved_path
    for name in set(sys.modules) - saved_modules:
        del sys.modules[name]


def run_captured(defaults, args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        failed = leakrunner.run_internal(defaults, args)
    return failed, out.getvalue(), err.getvalue()


def test_run_internal_writes_to_the_current_stdout(in_root):
    failed, out, err = run_captured(["--path", SAMPLE], ["prog", "-u", "-m", "units.tests"])
    assert failed is False
    assert out.startswith("Running leakrunner.layer.UnitTests tests:\n")
    assert "  Ran 15 tests with 0 failures, 0 errors and 5 skipped in " in out
    assert err == ""


def test_run_internal_reports_failure(in_root):
    failed, out, _ = run_captured(
        ["--path", SAMPLE, "--tests-pattern", "^failing$"], ["prog", "-m", "test_asserts"]
    )
    assert failed is True
    assert "Failure in test " in out


def test_defaults_then_args_accumulate_and_override(in_root):
    # --layer accumulates over defaults and args; -v adds up.
    defaults = ["--path", SAMPLE, "--layer", "Kitchen", "-v"]
    failed, out, _ = run_captured(defaults, ["prog", "--layer", "Pantry", "-v"])
    assert failed is False
    assert "Running house.layers.Kitchen tests:" in out
    assert "Running house.layers.Pantry tests:" in out
    # -vv shows names; a single -v would show dots.
    assert " test_" in out and "  Running:\n.." not in out


def test_args_zero_is_the_program_name(in_root):
    # zope parses args[1:]; a lone token is the program name.
    failed, out, _ = run_captured(
        ["--path", SAMPLE, "-u", "-m", "units.tests"], ["--layer=nothing"]
    )
    assert failed is False
    assert "Ran 15 tests" in out


def test_help_exits_zero_through_systemexit(in_root):
    with pytest.raises(SystemExit) as exc:
        run_captured(None, ["prog", "--help"])
    assert exc.value.code == 0


def test_usage_error_exits_two(in_root):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exc:
        leakrunner.run_internal(None, ["prog", "--bogus"])
    assert exc.value.code == 2
    assert "error: unrecognized arguments: --bogus" in err.getvalue()


def test_run_exits_with_the_status():
    code = "import leakrunner; leakrunner.run(['--path', %r, '-u', '-m', 'units.tests'])" % SAMPLE
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=runner_env(), capture_output=True
    )
    assert proc.returncode == 0, proc.stderr
    code = (
        "import leakrunner; leakrunner.run(['--path', %r, '--tests-pattern', '^failing$'])" % SAMPLE
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=runner_env(), capture_output=True
    )
    assert proc.returncode == 1


def test_console_script_is_installed():
    script = os.path.join(os.path.dirname(sys.executable), "leakrunner")
    proc = subprocess.run(
        [script, "--path", SAMPLE, "-u", "-m", "units.tests"],
        cwd=ROOT,
        env=runner_env(),
        capture_output=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert b"Ran 15 tests" in proc.stdout
