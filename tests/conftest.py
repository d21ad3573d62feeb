"""Shared fixtures: the checkout, the sample tree, and side-by-side runs of
leakrunner and zope.testrunner on the same interpreter."""

import json
import os
import pathlib
import subprocess
import sys
import tempfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "testrunner-ex"


def runner_env(**extra):
    """A stable environment: fixed width and hash seed, no terminal."""
    env = dict(os.environ)
    for name in ("PYTHONWARNINGS", "PYTHONDONTWRITEBYTECODE", "ZOPE_TESTRUNNER_LOG_INI", "LOGGING"):
        env.pop(name, None)
    env.update(COLUMNS="80", LINES="24", PYTHONHASHSEED="0", TERM="dumb", PYTHONIOENCODING="utf-8")
    env.update(extra)
    return env


def option_table_file():
    """leakrunner's option table as JSON, for tests/zope_reference.py."""
    path = pathlib.Path(tempfile.gettempdir()) / f"leakrunner-option-table-{os.getpid()}.json"
    if not path.exists():
        from leakrunner import _leakrunner

        path.write_text(json.dumps(_leakrunner._option_table()))
    return str(path)


def run_module(module, args, cwd=ROOT, timeout=300, stdin=b"", **env):
    """Runs ``python -m module args`` with this interpreter; zope.testrunner
    runs with leakrunner's own options added to its parser (see
    tests/zope_reference.py)."""
    if module == "zope.testrunner":
        command = [sys.executable, str(ROOT / "tests" / "zope_reference.py")]
        env.setdefault("LEAKRUNNER_OPTION_TABLE", option_table_file())
    else:
        command = [sys.executable, "-m", module]
    proc = subprocess.run(
        [*command, *args],
        cwd=cwd,
        env=runner_env(**env),
        input=stdin,
        capture_output=True,
        timeout=timeout,
    )
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def run_leakrunner(args, **kw):
    return run_module("leakrunner", args, **kw)


def run_zope(args, **kw):
    return run_module("zope.testrunner", args, **kw)


@pytest.fixture(scope="session")
def zope_available():
    pytest.importorskip("zope.testrunner")
    return True
