"""zope.testrunner and leakrunner side by side: running both, and comparing.

Both runners run as ``python -m MODULE`` with this interpreter, from the
checkout root, with the same arguments, environment and standard input. A
differential test compares their standard output, standard error and exit
status after normalising each stream with the test's own function
(tests/normalize.py unless it says otherwise); a mismatch fails with a
unified diff of the normalised texts, zope's first.
"""

import difflib
import json
import os
import pathlib
import pprint
import subprocess
import sys
import tempfile
from typing import NamedTuple

from normalize import normalize

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "testrunner-ex"


class Result(NamedTuple):
    """What one run of a runner gave: exit status, stdout, stderr (text, or
    bytes when run with ``raw=True``)."""

    status: int
    out: str | bytes
    err: str | bytes


def runner_env(**extra):
    """A stable environment: fixed width and hash seed, no terminal. A value
    of None in ``extra`` removes that variable."""
    env = dict(os.environ)
    for name in ("PYTHONWARNINGS", "PYTHONDONTWRITEBYTECODE", "ZOPE_TESTRUNNER_LOG_INI", "LOGGING"):
        env.pop(name, None)
    env.update(COLUMNS="80", LINES="24", PYTHONHASHSEED="0", TERM="dumb", PYTHONIOENCODING="utf-8")
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def option_table_file():
    """leakrunner's option table as JSON, for tests/zope_reference.py."""
    path = pathlib.Path(tempfile.gettempdir()) / f"leakrunner-option-table-{os.getpid()}.json"
    if not path.exists():
        from leakrunner import _leakrunner

        path.write_text(json.dumps(_leakrunner._option_table()))
    return str(path)


def run_module(module, args, cwd=ROOT, timeout=300, stdin=b"", raw=False, **env):
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
    if raw:
        return Result(proc.returncode, proc.stdout, proc.stderr)
    return Result(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def run_leakrunner(args, **kw):
    return run_module("leakrunner", args, **kw)


def run_zope(args, **kw):
    return run_module("zope.testrunner", args, **kw)


def run_both(args, **kw):
    """(zope's result, ours) for the same arguments and keywords."""
    return run_zope(args, **kw), run_leakrunner(args, **kw)


def unchanged(value):
    """The normaliser of a stream compared as it is."""
    return value


def _lines(value):
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        return value.splitlines(keepends=True)
    return [line + "\n" for line in pprint.pformat(value, width=100).splitlines()]


def _diff(stream, expected, got):
    lines = difflib.unified_diff(
        _lines(expected),
        _lines(got),
        f"zope.testrunner {stream} (normalised)",
        f"leakrunner {stream} (normalised)",
    )
    text = "".join(line if line.endswith("\n") else line + "\n\\ no newline\n" for line in lines)
    # Equal lines, different values (say, str against bytes): show both.
    return text or f"{stream}: zope.testrunner {expected!r}\n{stream}: leakrunner {got!r}\n"


def _pair(normaliser):
    return normaliser if isinstance(normaliser, tuple) else (normaliser, normaliser)


def assert_same_as_zope(
    args=None, *, results=None, out=normalize, err=normalize, status=True, **kw
):
    """Runs both runners with ``args`` and ``kw`` (see ``run_module``), or takes
    their ``results`` as a (zope, leakrunner) pair, and asserts that they agree:
    stdout and stderr once each is passed through its normaliser (``out``,
    ``err``; None leaves that stream out; a pair gives zope's and ours
    separately), and the exit status unless ``status`` is false. Returns the
    pair of results for the test's own further checks."""
    __tracebackhide__ = True
    zope, ours = results if results is not None else run_both(args, **kw)
    problems = []
    for stream, normaliser, index in (("stdout", out, 1), ("stderr", err, 2)):
        if normaliser is None:
            continue
        for_zope, for_ours = _pair(normaliser)
        expected, got = for_zope(zope[index]), for_ours(ours[index])
        if got != expected:
            problems.append(_diff(stream, expected, got))
    if status and ours.status != zope.status:
        problems.append(f"exit status: zope.testrunner {zope.status}, leakrunner {ours.status}\n")
    if problems:
        what = "" if args is None else " with " + " ".join(map(str, args))
        raise AssertionError(
            f"leakrunner differs from zope.testrunner{what}:\n" + "".join(problems)
        )
    return zope, ours
