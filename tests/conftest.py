"""Shared fixtures: the checkout, the sample tree, and side-by-side runs of
leakrunner and zope.testrunner on the same interpreter."""

import os
import pathlib
import subprocess
import sys

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


def run_module(module, args, cwd=ROOT, timeout=300, stdin=b"", **env):
    """Runs ``python -m module args`` with this interpreter."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
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
