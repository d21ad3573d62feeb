"""leakrunner's option parser against zope.testrunner 8.3's, side by side.

Every case is parsed by the real ``zope.testrunner.options.get_options`` (in
one child process with ``PYTHONHASHSEED=0``, so that the ``--gc-option``
choices, a Python set, come out in the order of the reference help capture)
and by ``leakrunner._leakrunner._parse_options``. Help and usage errors must
match byte for byte with the same exit status; successful parses must give
the same value for every dest of zope's post-processed namespace and print
the same messages.

The facts zope reads from the interpreter (stdout is a tty, the terminal has
colours, ``import subunit`` works, ``sys.gettotalrefcount`` exists) are
simulated in the child and handed to leakrunner as plain values. The argparse
release is not simulated: zope parses with this interpreter's argparse, and
leakrunner takes ``sys.version_info`` to follow it, so running this file under
each interpreter checks that release's behaviour.

leakrunner's own options (``--leaks`` and friends, in a group of their own)
are added to zope's parser in the child, from the same table, so that usage
lines and ``--help`` can be compared whole; a separate test checks against
zope's real parser that they give no abbreviation of zope's a new meaning.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import pytest

pytest.importorskip("zope.testrunner")
_leakrunner = pytest.importorskip("leakrunner._leakrunner")

PROG = "zope-testrunner"
NO_FACTS = {"isatty": False, "has_colors": False, "subunit": False, "gettotalrefcount": False}


def case(args, defaults=None, columns=80, prog=PROG, id=None, **facts):
    if id is None:
        id = " ".join(args) or "<none>"
        if defaults is not None:
            id += " | defaults: " + (" ".join(defaults) or "<none>")
    return {
        "id": id,
        "args": list(args),
        "defaults": defaults,
        "columns": columns,
        "prog": prog,
        "facts": {**NO_FACTS, **facts},
    }


CASES = [
    # -- successful parses: every option, short/long/abbreviated/attached --
    case([]),
    case(["-v"]),
    case(["-vvv"]),
    case(["--verbose", "--verb", "-v"]),
    case(["--verbose", "-q"]),
    case(["-s", "pkg"]),
    case(["--package", "a.b", "--dir", "x/y/", "-ssample1", "--pack=p", "--di", "d\\e"]),
    case(["-s", "src/zope/testrunner/", "--path", "src"]),
    case(["-s", "pp/sub", "--package-path", "pp", "pkg", "--test-path", "pp"]),
    case(["-s", "/abs/pkg", "--test-path", "."]),
    case(["-m", "m1", "--module", "m2", "-m_one", "--mod=x", "-m=y"]),
    case(["-t", "t1", "--test=t2", "-tfoo", "--te", "t3"]),
    case(["-u"]),
    case(["-f"]),
    case(["-u", "-f", "--layer", "L"]),
    case(["-uv"]),
    case(["--unit", "--layer", "X"]),
    case(["--layer", "A", "--layer=B", "--lay", "A"]),
    case(["-a", "3"]),
    case(["-a3"]),
    case(["-a=-1"]),
    case(["--at-level=-1"]),
    case(["--at-l", "2"]),
    case(["--all"]),
    case(["--all", "-a", "2"]),
    case(["--only-level", "2", "--only", "3"]),
    case(["--list-tests"]),
    case(["--require-unique"]),
    case(["--require-unique", "-m", "x"]),
    case(["--require-unique", "mod"]),
    case(["--auto-path"]),
    case(["-p"]),
    case(["-p", "--no-progress"]),
    case(["--no-progress", "-p"]),
    case(["-pvv"]),
    case(["--prog"]),
    case(["-c"]),
    case(["-c", "-C"]),
    case(["-C", "--color"]),
    case(["--no-col", "--col"]),
    case(["--auto-color"], isatty=True, has_colors=True, id="auto-color tty"),
    case(["--auto-color"], isatty=True, has_colors=False, id="auto-color tty no colours"),
    case(["--auto-color"], id="auto-color no tty"),
    case(["--auto-progress", "-c"], isatty=True, id="auto-progress tty"),
    case(["--auto-progress"], id="auto-progress no tty"),
    case(["--auto-col", "--auto-pro"]),
    case(["--layer=x--auto-colory", "--auto-color"], id="auto-color substring"),
    case(["--subunit"], subunit=True, id="subunit installed"),
    case(["--subunit-v2"], subunit=True, id="subunit-v2 installed"),
    case(["--subunit"], id="subunit missing"),
    case(["--subunit", "--subunit-v2"], subunit=True, id="both subunits"),
    case(["--subunit", "--subunit-v2", "-r"], id="both subunits missing"),
    case(["--slow-test", "2.5"]),
    case(["--slow-test=1e3"]),
    case(["--slow-test", " inf "]),
    case(["--slow-test", "1_0.5"]),
    case(["--slow-test", "-.5E-3", "--slow", "\u0661.\u0665"]),
    case(["-1"]),
    case(["-1", "--show-secondary-failures"]),
    case(["--show-secondary-failures", "--hide-secondary-failures"]),
    case(["--ndiff", "--udiff", "--cdiff"]),
    case(["--ignore-new-thread", "T.*", "--ignore-new-thread=X"]),
    case(["--buffer"]),
    case(["--xml", "out"]),
    case(["--xml=--x", "--xml", "-"]),
    case(["-x"]),
    case(["--stop"]),
    case(["--stop-on-error"]),
    case(["--stop-"]),
    case(["-D"]),
    case(["--pdb"]),
    case(["--post-mortem"]),
    case(["-xDk"]),
    case(["--gc", "0", "-g1", "-g=2", "--gc=3"]),
    case(["-G", "DEBUG_LEAK", "--gc-option=DEBUG_STATS", "-GDEBUG_SAVEALL"]),
    case(["--gc-after-test"]),
    case(["-N", "3"]),
    case(["-N4"]),
    case(["--repeat=5"]),
    case(["-N", " 1_0 "]),
    case(["-N", "\u0663", "-j", "\u20007\u3000"]),
    case(["-N", "99999999999999"]),
    case(["-r"]),
    case(["-r", "-N2"]),
    case(["-r", "-N2"], gettotalrefcount=True, id="-r -N2 debug"),
    case(["-r", "-N2", "--require-unique", "-m", "x"], gettotalrefcount=True, id="-r + warn"),
    case(["-r", "-N2", "--require-unique", "-m", "x"], id="-r fails before warn"),
    case(["--coverage", "cov"]),
    case(["--profile", "cProfile"]),
    case(["--profile-directory", "pd"]),
    case(["--profile-d=pd2"]),
    case(["--path", "a", "--path", "/abs/b/../c", "--path="]),
    case(["--test-path", "t", "--test-path=../u", "--test-p", "//x"]),
    case(["--package-path", "p", "k", "--package-path", "q", "k2", "--package-p", "/r", ""]),
    case(["--path", "a", "--test-path", "a/b", "--package-path", "a/b/c", "k"]),
    case(["--tests-pattern", "^t$", "--test-file-pattern", "^x"]),
    case(["--tests-pattern", "(?x)", "--suite-name", "s"]),
    case(["--ignore_dir", "foo", "--ignore_d=bar", "--ignore_dir", ".git"]),
    case(["--shuffle", "--shuffle-seed", "42"]),
    case(["--shuffle-s", "-7"]),
    case(["-j", "4"]),
    case(["-j4"]),
    case(["-k"]),
    case(["--keepbytecode"]),
    case(["--usecompiled"]),
    case(["--exit-with-status", "--exit"]),
    case(["--version"]),
    case(["--version", "-r", "--subunit"], id="version before checks"),
    # -- positionals and `--` --
    case(["mod"]),
    case(["mod", "test"]),
    case([".", "test"]),
    case(["", "test"]),
    case(["-v", "mod", "test"]),
    case(["-m", "a", "mod", "-t", "b"]),
    case(["--", "-v", "x"]),
    case(["--", "--"]),
    case(["-v", "--"]),
    case(["--", "-a", "--"]),
    case(["x", "--", "y"]),
    case(["foo", "-v"]),
    case(["-s", "-", "-m", "-5 x"]),
    case(["-vs=x"]),
    case(["-xs", "p"]),
    case(["--foo bar"]),
    case(["--layer", "--foo bar", "-m", "-"]),
    case(["-"]),
    case(["-a", "1", "2"]),
    # -- where argparse releases differ (src/options/plain.rs leaves these to argparse) --
    case(["-vv="]),
    case(["-vq=1"]),
    case(["-u=v"]),
    case(["-u-x"]),
    case(["-uZv"]),
    case(["-vZ", "-N", "x"]),
    case(["-=x"]),
    case(["-="]),
    case(["-v=", "-x"]),
    case(["-N", "x", "--sto"]),
    case(["--sto", "-N", "x"]),
    case(["--sto", "a", "b"]),
    case(["-v", "--sub", "--bogus"]),
    case(["x", "--h=1", "y"]),
    case(["--package-path", "a", "--sto"]),
    case(["--package-path", "a", "-v", "-q"]),
    case(["--package-path", "-v", "--bogus"]),
    case(["--package-path", "a", "--", "b"]),
    case(["-s", "a", "--", "b", "--"]),
    case(["--", "--", "--"]),
    case(["a", "--", "--"]),
    case(["m", "-v", "t", "u"]),
    case(["-v", "m", "-q", "t"]),
    case(["m", "-v", "--", "t"]),
    case(["-G", "DEBUG_X"], columns=200, id="-G DEBUG_X at 200"),
    # Unicode 15.0 (3.12) and 15.1 (3.13) digits and newly printable characters.
    case(["-N", "\U0001e4f1\U0001e4f0", "--slow-test", "\U00011f51.\U00011f55"]),
    case(["-N", "\u31ef"]),
    case(["-j", "\U0001e4d0\U0002ebf0"]),
    # -- errors --
    case(["--bogus"]),
    case(["--bogus", "x"]),
    case(["--bogus", "-v", "--other", "y"]),
    case(["--bogus", "x", "-v", "a", "b", "c"]),
    case(["a", "b", "c"]),
    case(["foo", "-v", "bar"]),
    case(["x", "y", "--", "z"]),
    case(["-5"]),
    case(["-Zu"]),
    case(["---"]),
    case(["--s"]),
    case(["--sto"]),
    case(["--h"]),
    case(["--ignore=x"]),
    case(["--=x"]),
    case(["--v"]),
    case(["--no"]),
    case(["-1.5"]),
    case(["-a", "-1.5"]),
    case(["-N", "0x10"]),
    case(["-s"]),
    case(["-a", "--sub"]),
    case(["-N", "x"]),
    case(["-N", "1.5"]),
    case(["-a", ""]),
    case(["-a="]),
    case(["-j", "x'y"]),
    case(["-j", "'\"\\"]),
    case(["--slow-test", "fast"]),
    case(["--slow-test", "1_.5"]),
    case(["--gc", "a"]),
    case(["-N", "x\u00e9\n\u0085\u200b\u00ad\u0378\t\u0007\u00a0"]),
    case(["-N", "\U0001f600\U000e0001"]),
    case(["-N", "1" * 4301], id="-N 4301 digits"),
    case(["--profile", "x"]),
    case(["--profile=cprofile"]),
    case(["-G", "DEBUG"]),
    case(["-a"]),
    case(["-a", "-1"]),
    case(["-a", "-5"]),
    case(["-a", "-x y"]),
    case(["-a", "-5 x"]),
    case(["-a", "--", "1"]),
    case(["--package-path", "a"]),
    case(["--package-path", "a", "-v"]),
    case(["--package-path=a", "b"]),
    case(["-N"]),
    case(["--xml"]),
    case(["-12"]),
    case(["-uZ"]),
    case(["--unit=3"]),
    case(["-u="]),
    case(["--help=x"]),
    case(["-vN=4"]),
    case(["-N", "x", "-a"]),
    case(["-a", "--help"]),
    case(["--bogus", "-N", "x"]),
    case(["--bogus"], columns=60, id="--bogus at 60"),
    case(["--bogus"], columns=200, id="--bogus at 200"),
    case(["--bogus"], columns=30, id="--bogus at 30"),
    case(["--bogus"], prog="__main__.py", id="--bogus as __main__.py"),
    case(["--bogus"], prog="p" * 60, id="--bogus long prog"),
    case(["--bogus"], prog="", id="--bogus empty prog"),
    case(["--bogus"], prog="\u00fcn\u00efc\u00f6d\u00e9-runner", id="--bogus unicode prog"),
    case(["--bogus"], prog="p" * 51, id="--bogus prog at the 0.75 limit"),
    case(["--bogus"], prog="p" * 52, id="--bogus prog past the 0.75 limit"),
    # -- help --
    case(["--help"]),
    case(["--help"], columns=100, id="help at 100"),
    case(["--help"], columns=120, id="help at 120"),
    case(["--help"], columns=60, id="help at 60"),
    case(["--help"], columns=200, id="help at 200"),
    case(["--help"], columns=30, id="help at 30"),
    case(["--help"], columns=10, id="help at 10"),
    case(["--help"], columns=1, id="help at 1"),
    case(["--help"], prog="__main__.py", id="help as __main__.py"),
    case(["--help"], prog="p" * 60, id="help long prog"),
    case(["--help"], prog="p" * 60, columns=300, id="help long prog at 300"),
    case(["-h"]),
    case(["--he"]),
    case(["--bogus", "x", "--help"]),
    case(["-vh"]),
    case(["-hv"]),
    case(["--hel"]),
    case(["--help"], prog="p" * 52, columns=100, id="help prog 52 at 100"),
    # -- defaults layered under args --
    case(["--layer", "B", "-v"], defaults=["--test-path", "/src", "--layer", "A", "-v"]),
    case(["--no-progress"], defaults=["-p"]),
    case(["--show-secondary-failures"], defaults=["-1"]),
    case(["-C"], defaults=["-c", "-pv"]),
    case(["-q"], defaults=["-vv"]),
    case([], defaults=["mod", "test"]),
    case(["other"], defaults=["mod"]),
    case(["-a", "3"], defaults=["-a", "2"]),
    case([], defaults=["--tests-pattern", "^x$", "--ignore_dir", "d"]),
    case(["--ignore_dir", "e", "--path", "p2"], defaults=["--ignore_dir", "d", "--path", "p1"]),
    case(["--package-path", "b", "kb"], defaults=["--package-path", "a", "ka", "-s", "a/x"]),
    case(["-v"], defaults=[]),
    case([], defaults=["--bogus"]),
    case(["--bogus"], defaults=["-N", "x"]),
    case(["-N", "x"], defaults=["--sto"]),
    case([], defaults=["-h"]),
    case(["-h"], defaults=["-v"]),
    case([], defaults=["--auto-progress"], isatty=True, id="defaults auto-progress tty"),
    case(["--auto-color"], defaults=["--auto-color", "--auto-progress"], id="defaults auto no tty"),
    case(["--subunit"], defaults=["--subunit-v2"], subunit=True, id="defaults both subunits"),
    case(["-m", "x"], defaults=["--require-unique"]),
]

# Random command lines over a vocabulary of tricky tokens, with and without
# defaults and facts: a deterministic sample of the combinations.
VOCABULARY = (
    """
    -v -vv -q -p --no-progress -c -C -1 --show-secondary-failures -u -f -a 3 -a3 -a=-1 -N x -N2
    --repeat -r --layer --layer=M -m mod -t -s src/a/ --path src --test-path --package-path pp k
    -- - --bogus -Z -Zu -uZ --s --sto --stop --at-l --gc 1 -G DEBUG_LEAK bad --profile cProfile
    --slow-test 1.5 -5 -1.5 --xml --he --unit=1 -vs=x -j --require-unique --subunit --subunit-v2
    --version --auto-color --auto-progress --all --only-level --usecompiled -xk = --= -=
    --ignore_dir --ignore-new-thread --shuffle-seed 1_0 1__0 \u0663 -vN -Nv --package-path=a
""".split()
    + ["", " ", "a b", "-x y"]
)


def random_cases(seed, count):
    import random

    rng = random.Random(seed)
    cases = []
    for i in range(count):
        args = [rng.choice(VOCABULARY) for _ in range(rng.randint(0, 6))]
        defaults = None
        if rng.random() < 0.3:
            defaults = [rng.choice(VOCABULARY) for _ in range(rng.randint(0, 4))]
        facts = {k: rng.random() < 0.5 for k in NO_FACTS}
        columns = rng.choice([80, 40, 120])
        cases.append(
            case(args, defaults=defaults, columns=columns, id=f"random-{seed}-{i}", **facts)
        )
    return cases


RANDOM_CASES = random_cases(2026, 400)

# An explicit `--` option value: before gh-109475 (3.11.8, 3.12.2) argparse
# stores an empty list, which zope later dies on, and leakrunner reports a
# usage error instead; since then the value is `--` and both must agree.
_VERSION = sys.version_info[:3]
EXPLICIT_DOUBLE_DASH_KEPT = (3, 11, 8) <= _VERSION < (3, 12) or _VERSION >= (3, 12, 2)

KNOWN_DIFFERENCES = [
    case(["--layer=--"]),
    case(["-s--"]),
    case(["-m=--"]),
    case(["--profile=--"]),
]

# zope compiles these patterns while parsing and dies with a traceback on a
# bad one; leakrunner keeps the string for the module that compiles it.
BAD_PATTERNS = [
    case(["--tests-pattern=("]),
    case(["--test-file-pattern", "[", "-v"]),
]


ZOPE_DRIVER = r"""
import contextlib, io, json, os, sys, types
import zope.testrunner.options as zopts
from leakrunner import _cmdline, _leakrunner

# leakrunner's own options, in their own group after zope's: the reference
# is zope's parser with them added, so that usage lines and --help agree.
_cmdline.add_own_options(zopts.parser, _leakrunner._option_table(), os.getcwd())

class Formatter:
    def __init__(self, options):
        pass

for name in ("OutputFormatter", "ColorfulOutputFormatter",
             "SubunitOutputFormatter", "SubunitV2OutputFormatter"):
    setattr(zopts, name, Formatter)

class Out(io.StringIO):
    tty = False
    def isatty(self):
        return self.tty

def plain(value):
    if callable(value) and hasattr(value, "__self__"):
        return value.__self__.pattern
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value

results = {}
for c in json.load(sys.stdin):
    facts = c["facts"]
    os.environ["COLUMNS"] = str(c["columns"])
    zopts.parser.prog = c["prog"]
    zopts.terminal_has_colors = lambda: facts["has_colors"]
    sys.modules["subunit"] = types.ModuleType("subunit") if facts["subunit"] else None
    if facts["gettotalrefcount"]:
        sys.gettotalrefcount = lambda: 0
    elif hasattr(sys, "gettotalrefcount"):
        del sys.gettotalrefcount
    out, err = Out(), io.StringIO()
    out.tty = facts["isatty"]
    result = {"exit": None, "exception": None, "ns": None}
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            ns = zopts.get_options([zopts.parser.prog or "x"] + c["args"], c["defaults"])
        result["ns"] = {k: plain(v) for k, v in vars(ns).items() if k != "output"}
    except SystemExit as e:
        result["exit"] = e.code
    except Exception as e:
        result["exception"] = type(e).__name__
    result["stdout"] = out.getvalue()
    result["stderr"] = err.getvalue()
    results[c["id"]] = result
json.dump({"cwd": os.getcwd(), "results": results}, sys.__stdout__)
"""


@pytest.fixture(scope="module")
def zope():
    with tempfile.TemporaryDirectory() as cwd:
        env = dict(os.environ, PYTHONHASHSEED="0")
        proc = subprocess.run(
            [sys.executable, "-c", ZOPE_DRIVER],
            input=json.dumps(CASES + RANDOM_CASES + KNOWN_DIFFERENCES + BAD_PATTERNS),
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
        )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def plain(value):
    """The JSON shape the zope driver gives its namespace."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


# The choices are quoted (`repr`) before gh-86357 (3.12.8, 3.13.1), bare after.
GC_SETS = re.compile(r"\{(DEBUG_[A-Z]+(?:,DEBUG_[A-Z]+)*)\}|\(choose from ('?DEBUG_[^)]*)\)")


def same_gc_order(text):
    """Sort the --gc-option choices, whose order follows string hashes."""

    def fix(m):
        if m.group(1):
            return "{" + ",".join(sorted(m.group(1).split(","))) + "}"
        return "(choose from " + ", ".join(sorted(m.group(2).split(", "))) + ")"

    return GC_SETS.sub(fix, text)


def ours(c, cwd):
    return _leakrunner._parse_options(
        c["prog"], c["columns"], cwd, c["defaults"], [c["prog"] or "x"] + c["args"], c["facts"]
    )


def check(c, zope):
    z = zope["results"][c["id"]]
    got = ours(c, zope["cwd"])
    assert z["exception"] is None, f"zope raised {z['exception']}"
    if z["exit"] == 2:
        assert got[0] == "usage", got
        assert same_gc_order(got[1]) == same_gc_order(z["stderr"])
    elif z["exit"] == 0 and z["stdout"].startswith("usage:"):
        assert got[0] == "help", got
        assert same_gc_order(got[1]) == same_gc_order(z["stdout"])
    elif z["exit"] == 0:
        assert z["stdout"].startswith("zope.testrunner version ")
        assert got[0] == "ok" and got[1]["showversion"] and got[2] == []
    else:
        assert z["exit"] is None, z
        assert got[0] == "ok", got
        options, messages = plain(got[1]), got[2]
        assert "".join(messages) == z["stdout"]
        assert options["fail"] == z["ns"]["fail"]
        if z["ns"]["fail"]:
            # zope returned early; the rest of its namespace is half-processed.
            return
        for key, value in z["ns"].items():
            assert key in options, key
            assert options[key] == value, key


@pytest.mark.parametrize("c", CASES, ids=[c["id"] for c in CASES])
def test_same_as_zope(c, zope):
    check(c, zope)


def test_random_command_lines(zope):
    mismatches = []
    for c in RANDOM_CASES:
        if zope["results"][c["id"]]["exception"]:
            continue
        try:
            check(c, zope)
        except AssertionError as e:
            mismatches.append(f"{c['args']} defaults={c['defaults']} {c['facts']}: {e}")
    assert not mismatches, "\n".join(mismatches[:10])


@pytest.mark.parametrize("c", KNOWN_DIFFERENCES, ids=[c["id"] for c in KNOWN_DIFFERENCES])
def test_explicit_double_dash_value(c, zope):
    if EXPLICIT_DOUBLE_DASH_KEPT:
        check(c, zope)
        return
    z = zope["results"][c["id"]]
    assert z["exception"] is not None or z["ns"] is not None
    got = ours(c, zope["cwd"])
    assert got[0] == "usage"
    assert got[1].rstrip("\n").endswith(": expected one argument")


@pytest.mark.parametrize("c", BAD_PATTERNS, ids=[c["id"] for c in BAD_PATTERNS])
def test_bad_pattern_is_left_to_the_compiler(c, zope):
    # `re.error`, called `re.PatternError` since 3.13.
    assert zope["results"][c["id"]]["exception"] in ("error", "PatternError")
    got = ours(c, zope["cwd"])
    assert got[0] == "ok"


def test_enough_cases():
    everything = CASES + RANDOM_CASES + KNOWN_DIFFERENCES + BAD_PATTERNS
    assert len(CASES) >= 60
    assert len({c["id"] for c in everything}) == len(everything)


def test_zope_abbreviations_keep_their_meaning():
    """Every abbreviation that selects one option in zope.testrunner's own
    parser selects the same option in leakrunner's, new options included."""
    import zope.testrunner.options as zopts
    from leakrunner import _leakrunner

    zope_actions = zopts.parser._option_string_actions
    # --help is argparse's own, added to both parsers alike.
    zope_long = sorted(o for o in zope_actions if o.startswith("--") and o != "--help")
    ours_long = sorted(
        flag
        for action in _leakrunner._option_table()[2]
        for flag in action[0]
        if flag.startswith("--")
    )
    assert set(zope_long) <= set(ours_long)
    checked = 0
    for option in zope_long:
        for end in range(3, len(option) + 1):
            prefix = option[:end]
            zope_matches = [o for o in zope_long if o.startswith(prefix)]
            if len(zope_matches) != 1 or zope_matches[0] == prefix:
                continue
            ours = [o for o in ours_long if o.startswith(prefix)]
            assert ours == zope_matches, prefix
            checked += 1
    assert checked > 100
    assert "--leaks" in ours_long and not any(o.startswith("--le") for o in zope_long)
