"""A property test of the command line: generated argument vectors, parsed by
leakrunner and by zope.testrunner's own parser on this interpreter, must give
the same outcome (the namespace, or help, or a usage error, with its exit
status) and the same messages, byte for byte.

The vectors are built from zope's parser itself (every option string, its
arity and value type) with spellings argparse treats differently: exact and
abbreviated long options (some ambiguous), ``--opt=value``, ``-Xvalue`` and
``-X=value``, short clusters with a value at the end, separate values that
look like options, ``--``, positionals before, between and after options,
bad and borderline values (Unicode digits, underscores, spaces, big
numbers), unknown options and ``--help``, with and without ``defaults`` and
with random terminal facts and widths.

Seeded: ``LEAKRUNNER_OPTIONS_SEED`` (default 2026) and
``LEAKRUNNER_OPTIONS_CASES`` (default 3000) choose the sample; a failure
prints the seed and the shortest failing vectors.
"""

import json
import os
import random
import subprocess
import sys
import tempfile

import pytest

pytest.importorskip("zope.testrunner")
_leakrunner = pytest.importorskip("leakrunner._leakrunner")

from test_options_differential import (  # noqa: E402
    EXPLICIT_DOUBLE_DASH_KEPT,
    NO_FACTS,
    ZOPE_DRIVER,
    case,
    check,
)

SEED = int(os.environ.get("LEAKRUNNER_OPTIONS_SEED", "2026"))
COUNT = int(os.environ.get("LEAKRUNNER_OPTIONS_CASES", "3000"))

# Value pools by argparse `type=`, `|`-separated (values may be empty or hold
# spaces): valid, borderline (what only Python's int()/float() accept) and bad.
VALUES = {
    int: "0|3|-2|+5|007|9223372036854775807|-9223372036854775808| 7 |1_000|\u0663|\u2000\u0667"
    "|x|1.5||0x10|1__0|_1|-|--",
    float: "2.5|1e3|-.5E-3|1.|.5| inf |-Infinity|1_0.5|\u0661.\u0665|fast|1e|1_.5||e5|--|-1",
    str: "x|mod|a/b||-|-x|--x|--|a=b|=x|\u00e9|a b|-5|src/zope/testrunner/|DEBUG_LEAK|cProfile"
    "|../up|/abs//p/",
}
VALUES = {key: pool.split("|") for key, pool in VALUES.items()}
WORDS = ["mod", "test", ".", "", "a b", "x-y", "t1", "\u00fcmlaut"]
UNKNOWN = ["--bogus", "-Z", "-5", "-1.5", "---", "-", "-=", "--=x", "-uZ", "-Zu", "--no", "--s"]


def zope_actions():
    """``(option strings, nargs, value pool)`` for each of zope's options."""
    from zope.testrunner.options import parser

    actions = []
    for action in parser._actions:
        if not action.option_strings:
            continue
        if action.nargs == 0:
            pool = None
        elif action.choices:
            pool = sorted(action.choices) + ["x", "cprofile", "DEBUG", "--"]
        else:
            pool = VALUES.get(action.type, VALUES[str])
        actions.append((action.option_strings, action.nargs, pool))
    return actions


ACTIONS = zope_actions()
SHORT_FLAGS = [s for flags, n, _ in ACTIONS if n == 0 for s in flags if len(s) == 2 and s != "-h"]
SHORT_VALUED = [(s, pool) for flags, n, pool in ACTIONS if n is None for s in flags if len(s) == 2]


def value(rng, pool, attached):
    v = rng.choice(pool)
    if attached and v == "--" and not EXPLICIT_DOUBLE_DASH_KEPT:
        # Stored as an empty list by this argparse; a known difference.
        v = "x"
    return v


def option(rng):
    """One option occurrence, in some spelling, with its values."""
    flags, nargs, pool = rng.choice(ACTIONS)
    flag = rng.choice(flags)
    if flag.startswith("--") and rng.random() < 0.3:
        flag = flag[: rng.randint(3, len(flag))]
    if nargs == 0:
        if rng.random() < 0.05:
            return [flag + "=" + rng.choice(["1", "", "x"])]
        return [flag]
    if nargs == 2:
        return [flag, *(rng.choice(VALUES[str]) for _ in range(rng.choice([2, 2, 2, 1])))]
    form = rng.random()
    if form < 0.5:
        return [flag, value(rng, pool, False)]
    if form < 0.85 and flag.startswith("--") or form < 0.7:
        return [flag + "=" + value(rng, pool, True)]
    return [flag + value(rng, pool, True)]


def cluster(rng):
    letters = [rng.choice(SHORT_FLAGS)[1] for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.1:
        letters.insert(rng.randint(0, len(letters)), rng.choice("Z=-h"))
    token = "-" + "".join(letters)
    if rng.random() < 0.5:
        flag, pool = rng.choice(SHORT_VALUED)
        token += flag[1]
        if rng.random() < 0.5:
            return [token, value(rng, pool, False)]
        return [token + rng.choice(["", "="]) + value(rng, pool, True)]
    return [token]


def tokens(rng, most):
    out = []
    for _ in range(rng.randint(0, most)):
        kind = rng.random()
        if kind < 0.64:
            out += option(rng)
        elif kind < 0.76:
            out += cluster(rng)
        elif kind < 0.87:
            out.append(rng.choice(WORDS))
        elif kind < 0.9:
            out.append("--")
        elif kind < 0.985:
            out.append(rng.choice(UNKNOWN))
        else:
            out.append(rng.choice(["-h", "--help", "--he"]))
    return out


def generate(seed, count):
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        defaults = tokens(rng, 3) if rng.random() < 0.2 else None
        facts = {key: rng.random() < 0.5 for key in NO_FACTS}
        columns = rng.choice([80, 80, 40, 120, 200])
        cases.append(case(tokens(rng, 6), defaults, columns=columns, id=f"p{seed}-{i}", **facts))
    return cases


CASES = generate(SEED, COUNT)


@pytest.fixture(scope="module")
def zope():
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.run(
            [sys.executable, "-c", ZOPE_DRIVER],
            input=json.dumps(CASES),
            capture_output=True,
            text=True,
            cwd=cwd,
            env=dict(os.environ, PYTHONHASHSEED="0"),
        )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def argparse_calls(monkeypatch):
    """Counts the command lines leakrunner leaves to argparse."""
    import leakrunner._cmdline as cmdline

    calls = []
    parse = cmdline.parse

    def counted(*args):
        calls.append(args)
        return parse(*args)

    monkeypatch.setattr(cmdline, "parse", counted)
    return calls


def test_generated_command_lines_agree_with_zope(zope, argparse_calls):
    results = zope["results"]
    mismatches, skipped, outcomes = [], 0, {"ok": 0, "usage": 0, "help": 0}
    for c in CASES:
        z = results[c["id"]]
        if z["exception"]:
            # zope died: a bad --tests-pattern regex (a documented difference).
            skipped += 1
            continue
        outcomes["usage" if z["exit"] == 2 else "help" if z["exit"] == 0 else "ok"] += 1
        try:
            check(c, zope)
        except AssertionError as e:
            mismatches.append((len(c["args"]) + len(c["defaults"] or ()), c, e))
    mismatches.sort(key=lambda m: m[0])

    def zope_said(z):
        if z["exit"] == 2:
            return "exit 2, " + z["stderr"].splitlines()[-1]
        return "help" if z["exit"] == 0 else "parsed"

    report = "\n".join(
        f"  args={c['args']!r} defaults={c['defaults']!r} columns={c['columns']} "
        f"facts={c['facts']}\n    zope: {zope_said(results[c['id']])}\n"
        f"    leakrunner: {str(e).splitlines()[0][:300]}"
        for _, c, e in mismatches[:10]
    )
    assert not mismatches, (
        f"{len(mismatches)} of {len(CASES)} generated command lines differ from zope "
        f"(LEAKRUNNER_OPTIONS_SEED={SEED} LEAKRUNNER_OPTIONS_CASES={COUNT}); shortest:\n{report}"
    )
    # The sample must exercise every outcome and both of leakrunner's paths.
    assert skipped < len(CASES) * 0.02, skipped
    assert all(n > len(CASES) * 0.05 for n in outcomes.values()), outcomes
    plain = len(CASES) - skipped - len(argparse_calls)
    assert outcomes["ok"] * 0.2 < plain < outcomes["ok"], (plain, outcomes)


def test_plain_command_lines_do_not_reach_argparse(monkeypatch, tmp_path):
    import leakrunner
    import leakrunner._cmdline as cmdline

    def refuse(*args):
        raise AssertionError(f"argparse asked for {args[3:]}")

    monkeypatch.setattr(cmdline, "parse", refuse)
    args = ["prog", "--test-path", str(tmp_path), "-vv", "--layer=X", "-N", "2", "-m", "mod", "t"]
    assert leakrunner.run_internal(["--tests-pattern", "^tests$"], args) is False
    with pytest.raises(AssertionError, match="argparse asked"):
        leakrunner.run_internal(None, ["prog", "--test-path", str(tmp_path), "-N", " 2"])
