"""leakrunner's benchmarks: leakrunner vs zope.testrunner 8.3 vs the unittest floor.

Entry point of ``make bench``::

    .venvs/release/bin/python bench/run.py            # the full run, writes BENCHMARKS.md
    .venvs/release/bin/python bench/run.py --quick    # smoke test: small trees, 2 runs

Each scenario generates (or reuses) a synthetic tree (bench/gen.py), then runs
every command of the scenario as a child process on the same tree with the
same interpreter, alternating A/B/C, A/B/C, ... for several rounds after one
unmeasured warm-up round. Wall time is ``time.perf_counter`` around the child;
CPU time (user + system) and peak RSS (``ru_maxrss``) come from
``os.wait4``. The test counts the runners report are checked against each
other and against the tree: the run stops if they differ.

See bench/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from gen import UNITTEST_SELECT, ZOPE_SELECT, TreeSpec, generate, leaking_modules  # noqa: E402

RESULTS = os.path.join(HERE, "results")
FLAVOURS = ("release", "pydebug", "tracerefs")
# The interpreter of each flavour: <venvs>/<flavour>/bin/python (see --venvs).
VENVS = {f: os.path.join(ROOT, ".venvs", f, "bin", "python") for f in FLAVOURS}


def use_venvs(directory: str) -> None:
    for f in FLAVOURS:
        VENVS[f] = os.path.join(os.path.abspath(directory), f, "bin", "python")


def show_path(path: str, base: str = ROOT) -> str:
    """``path`` relative to ``base`` if it is inside the checkout, else absolute."""
    if os.path.commonpath([path, ROOT]) == ROOT:
        return os.path.relpath(path, base)
    return path


PYTRACKREFS = os.path.join(HERE, "pytrackrefs.py")
CENSUS_INPROC = os.path.join(HERE, "census_inproc.py")
PROBE_INPROC = os.path.join(HERE, "probe_inproc.py")
IMPORT_FLOOR = os.path.join(HERE, "import_floor.py")


# --------------------------------------------------------------------------
# Measuring one child


@dataclasses.dataclass
class Sample:
    wall: float
    cpu: float
    maxrss_kib: int
    tests: int | None
    status: int


def child_env() -> dict[str, str]:
    """The environment of every measured child: ours minus what changes Python's behaviour."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTHON") and k not in ("VIRTUAL_ENV", "COVERAGE_PROCESS_START")
    }
    env["PYTHONHASHSEED"] = "0"
    env["LC_ALL"] = "C.UTF-8"
    return env


def measure(argv: list[str], cwd: str, log: str) -> tuple[float, float, int, int]:
    """Run ``argv`` in ``cwd``, output to ``log``; (wall s, CPU s, peak RSS KiB, exit status)."""
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=child_env(),
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode


# How each kind of command reports the number of tests it ran or listed.
def count_zope(text: str) -> int | None:
    total = re.findall(r"^Total: (\d+) tests", text, re.M)
    if total:
        return int(total[-1])
    ran = re.findall(r"^  Ran (\d+) tests", text, re.M)
    return int(ran[-1]) if ran else None


def count_listing(text: str) -> int | None:
    if not re.search(r"^Listing .* tests:$", text, re.M):
        return None
    return len(re.findall(r"^  \S", text, re.M))


def count_unittest(text: str) -> int | None:
    ran = re.findall(r"^Ran (\d+) tests? in ", text, re.M)
    return int(ran[-1]) if ran else None


def count_marker(text: str) -> int | None:
    found = re.findall(r"^COUNT (\d+)$", text, re.M)
    return int(found[-1]) if found else None


COUNTERS = {
    "zope": count_zope,
    "listing": count_listing,
    "unittest": count_unittest,
    "marker": count_marker,
}


# --------------------------------------------------------------------------
# Scenarios


@dataclasses.dataclass
class Command:
    key: str  # short id, used in logs and ratios
    label: str  # shown in tables
    flavour: str  # which venv's interpreter
    args: list[str]  # after the interpreter
    counter: str  # key of COUNTERS
    status: int = 0  # the exit status expected (1: --leaks on a tree that leaks)

    def argv(self) -> list[str]:
        return [VENVS[self.flavour], *self.args]

    def shell(self, tree: str) -> str:
        """The command as typed from the checkout root."""
        return shell_line(tree, [VENVS[self.flavour], *self.args])


def shell_line(tree: str, argv: list[str]) -> str:
    """``argv`` run in ``tree``, as typed from the checkout root."""
    words = [show_path(a, tree) if os.path.isabs(a) else a for a in argv]
    return f"cd {show_path(tree)} && {shlex.join(words)}"


@dataclasses.dataclass
class Target:
    """``numerator / denominator`` (of ``metric`` medians) must be <= limit (or >= if at_least).

    Without a denominator, the numerator's own values are compared: a derived
    ratio (``unit`` "x") or a time in seconds compared in milliseconds
    (``unit`` "ms").
    """

    text: str
    numerator: str
    denominator: str | None
    metric: str  # wall, cpu, maxrss, or a derived metric's name
    limit: float
    at_least: bool = False
    unit: str = "x"
    # For a "<=" target: a command that does part of the numerator's work and
    # nothing else, so that bound / denominator is the best ratio the
    # numerator could reach; printed with `why` when the target is missed.
    # Without a bound, `why` says what the numerator's cost is made of.
    bound: str | None = None
    why: str = ""


@dataclasses.dataclass
class Scenario:
    key: str
    title: str
    spec: TreeSpec
    commands: list[Command]
    targets: list[Target]
    about: str
    # An in-process measurement after the rounds, with the trace-refs interpreter:
    # (script, arguments after SRC_DIR RUNS); `section` runs it and reports.
    inproc: tuple[str, list[str]] | None = None
    # Reports what the tables of every scenario do not (derived metrics, in-process
    # measurements): section(sc, tree, runs, report, per_round, logdir).
    section: Callable | None = None
    # Ratios shown for information: (label, numerator, denominator, metric).
    info: list[tuple[str, str, str, str]] = dataclasses.field(default_factory=list)
    # Rounds per --runs: commands of a second or less get more rounds, for stabler medians.
    rounds_x: int = 1


def lr(*extra: str) -> list[str]:
    return ["-m", "leakrunner", *ZOPE_SELECT, *extra]


def zope(*extra: str) -> list[str]:
    return ["-m", "zope.testrunner", *ZOPE_SELECT, *extra]


def scenarios(quick: bool) -> list[Scenario]:
    def pick(full, small):
        return small if quick else full

    plain = pick(
        TreeSpec(20, 50, 20, layers=6, doctests=20, leaks=10),
        TreeSpec(4, 10, 20, layers=6, doctests=4, leaks=2),
    )
    disc = pick(TreeSpec(40, 50, 5, layers=6), TreeSpec(4, 25, 5, layers=6))
    pyd = pick(
        TreeSpec(10, 25, 20, layers=4, doctests=10, leaks=10),
        TreeSpec(2, 10, 25, layers=4, doctests=2, leaks=2),
    )
    heap = pick(
        TreeSpec(2, 10, 10, layers=2, leaks=5, heap=1_000_000),
        TreeSpec(2, 5, 10, layers=2, leaks=2, heap=100_000),
    )
    rss = "peak RSS: leakrunner <= zope.testrunner"
    return [
        Scenario(
            "plain",
            f"Plain run, {plain.n_tests:,} trivial tests (release)",
            plain,
            [
                Command("leakrunner", "leakrunner", "release", lr(), "zope"),
                Command("zope", "zope.testrunner 8.3", "release", zope(), "zope"),
                Command(
                    "unittest",
                    "unittest discover (floor)",
                    "release",
                    ["-m", "unittest", *UNITTEST_SELECT],
                    "unittest",
                ),
            ],
            [
                Target(
                    "wall: leakrunner <= 0.6 x zope.testrunner", "leakrunner", "zope", "wall", 0.6
                ),
                Target(
                    "wall: leakrunner <= 1.2 x unittest floor",
                    "leakrunner",
                    "unittest",
                    "wall",
                    1.2,
                ),
                Target(rss, "leakrunner", "zope", "maxrss", 1.0),
            ],
            info=[
                ("CPU: leakrunner / zope", "leakrunner", "zope", "cpu"),
                ("CPU: leakrunner / floor", "leakrunner", "unittest", "cpu"),
                ("peak RSS: leakrunner / floor", "leakrunner", "unittest", "maxrss"),
            ],
            rounds_x=3,
            about="The same tests run by each runner, release interpreter. The floor is "
            "`python -m unittest discover` over the same modules: the cost of running "
            "the tests with nothing around them (unittest ignores the layers).",
        ),
        Scenario(
            "discovery",
            f"Discovery of {disc.n_modules:,} test modules, `--list-tests` (release)",
            disc,
            [
                Command(
                    "leakrunner",
                    "leakrunner --list-tests",
                    "release",
                    lr("--list-tests"),
                    "listing",
                ),
                Command(
                    "zope",
                    "zope.testrunner 8.3 --list-tests",
                    "release",
                    zope("--list-tests"),
                    "listing",
                ),
                Command(
                    "floor",
                    "import floor (bench/import_floor.py)",
                    "release",
                    [IMPORT_FLOOR, "src"],
                    "marker",
                ),
            ],
            [
                Target(
                    "wall: leakrunner <= 0.5 x zope.testrunner",
                    "leakrunner",
                    "zope",
                    "wall",
                    0.5,
                    bound="floor",
                    why="the import floor: starting the interpreter and importing and loading "
                    "every test module, which any runner must do before it can list a test",
                ),
                Target(
                    "wall beyond the import floor: (leakrunner − floor) <= 0.5 x (zope − floor)",
                    "leakrunner",
                    "zope",
                    "beyond-floor",
                    0.5,
                ),
                Target(rss, "leakrunner", "zope", "maxrss", 1.0),
            ],
            info=[
                ("CPU: leakrunner / zope", "leakrunner", "zope", "cpu"),
                ("wall: leakrunner / import floor", "leakrunner", "floor", "wall"),
            ],
            rounds_x=3,
            about="`--list-tests` finds, imports and loads every test module and lists the "
            "tests without running them. A child's imports cannot be excluded from its "
            "time, so the *import floor* (`bench/import_floor.py`: interpreter start, then "
            "import every module and `loadTestsFromModule` it, which both runners do too) "
            "is measured alongside and subtracted for the second target.",
        ),
        Scenario(
            "refcount",
            f"`-N 3 -r`, {pyd.n_tests:,} tests (pydebug)",
            pyd,
            [
                Command("leakrunner", "leakrunner -N 3 -r", "pydebug", lr("-N", "3", "-r"), "zope"),
                Command(
                    "zope", "zope.testrunner 8.3 -N 3 -r", "pydebug", zope("-N", "3", "-r"), "zope"
                ),
            ],
            [
                Target(
                    "wall: leakrunner <= 0.6 x zope.testrunner", "leakrunner", "zope", "wall", 0.6
                ),
                Target(rss, "leakrunner", "zope", "maxrss", 1.0),
            ],
            info=[("CPU: leakrunner / zope", "leakrunner", "zope", "cpu")],
            rounds_x=3,
            about="Three iterations of every layer's tests with `sys.gettotalrefcount()` "
            "reported after each, on Debian's python3.11-dbg (Py_DEBUG).",
        ),
        Scenario(
            "census",
            f"`-N 3 -r -v` per-iteration census, live heap of ~{heap.heap:,} objects (tracerefs)",
            heap,
            [
                Command(
                    "lr-rv", "leakrunner -N 3 -r -v", "tracerefs", lr("-N", "3", "-r", "-v"), "zope"
                ),
                Command("lr-r", "leakrunner -N 3 -r", "tracerefs", lr("-N", "3", "-r"), "zope"),
                Command(
                    "zpy-rv",
                    "zope.testrunner 8.3 + Python TrackRefs -N 3 -r -v",
                    "tracerefs",
                    [PYTRACKREFS, *ZOPE_SELECT, "-N", "3", "-r", "-v"],
                    "zope",
                ),
                Command(
                    "zpy-r",
                    "zope.testrunner 8.3 + Python TrackRefs -N 3 -r",
                    "tracerefs",
                    [PYTRACKREFS, *ZOPE_SELECT, "-N", "3", "-r"],
                    "zope",
                ),
            ],
            [
                Target(
                    "census work beyond gc.collect(): Python census / Rust census >= 20",
                    "inproc-python",
                    "inproc-rust",
                    "census",
                    20.0,
                    at_least=True,
                ),
                Target(
                    "whole `-r -v` cost per iteration: zope+Python TrackRefs / leakrunner >= 3",
                    "zpy",
                    "lr",
                    "census-per-iteration",
                    3.0,
                    at_least=True,
                ),
                Target(rss + " (-r -v)", "lr-rv", "zpy-rv", "maxrss", 1.0),
                Target(rss + " (-r)", "lr-r", "zpy-r", "maxrss", 1.0),
            ],
            "zope.testrunner's own `-r -v` crashes on Python 3 (`types.InstanceType`), so "
            "its stand-in is `bench/pytrackrefs.py`: zope.testrunner 8.3 with `TrackRefs` "
            "replaced by the same code fixed for Python 3 (builtins by bare name, keyed "
            "by type, `sys.getobjects(0)`, `getrefcount - 3`, the `<dummy key>` skip).\n\n"
            "*Census work beyond gc.collect()* is timed in one process "
            "(`bench/census_inproc.py`) over the tree's heap: alternately `gc.collect()` "
            "then the Rust census, `gc.collect()` then the Python census (all of "
            "`TrackRefs.update()` after its `gc.collect()`).\n\n"
            "*Whole cost per iteration* is, for each runner, the paired difference "
            "`(-N 3 -r -v) - (-N 3 -r)` of wall time in the same round, divided by the "
            "number of layer iterations (3 per layer run). Like zope's `run_tests()`, "
            "both take a census before a layer's first iteration and after each, so 4 "
            "censuses per layer are spread over its 3 iterations; the cost per census is "
            "shown too.",
            inproc=(CENSUS_INPROC, []),
            section=_census_section,
        ),
        *leak_scenarios(quick, pyd),
    ]


PROBE_COST = (
    "the probe is the census (its share is the row *the census alone*) plus the cache "
    "clearing (its own row); the other signals are a few microseconds"
)
WALK_COST = (
    "the scan lists every object (`sys.getobjects(0)`) and records each in a map of "
    "addresses; the walk records every object it reaches in the map of parents"
)
LEAKS_COST = (
    "per layer, `--leaks` adds 7 probes to `-N 6` (before the first iteration and after "
    "each): the cache clearing, then the census (on pydebug, `gc.get_objects()` and a "
    "walk of everything it reaches; on release, `gc.get_objects()` alone), the reference total, "
    "blocks, fds, threads, garbage. The census is most of it (see the `probe` scenario "
    "for trace-refs)"
)
ATTRIBUTION_COST = (
    "each subset run is 3 iterations (1 warm-up, 2 counted) with 4 probes and 4 "
    "`gc.collect()`, whatever its number of tests: halving 200 tests to one leaking test "
    "takes about 7 subset runs, to two about 13; then 2 more runs and 3 scans for "
    "instances, and a referrer walk, per leaked type"
)


def leak_scenarios(quick: bool, pyd: TreeSpec) -> list[Scenario]:
    """The leak-hunting mode, `--leaks`: its cost, its probe, its attribution."""

    def pick(full, small):
        return small if quick else full

    probe = pick(
        TreeSpec(2, 10, 10, layers=2, leaks=5, heap=1_000_000, leak_types=True),
        TreeSpec(2, 5, 10, layers=2, leaks=2, heap=100_000, leak_types=True),
    )
    one = pick(
        TreeSpec(1, 10, 20, leaks=1, leak_types=True),
        TreeSpec(1, 4, 10, leaks=1, leak_types=True),
    )
    two = dataclasses.replace(one, leaks=2)
    hunt = ("--leaks", "--no-leak-attribution")
    found = []
    for spec, key, limit in ((one, "attribution", 3.0), (two, "attribution-2", 4.0)):
        commands = []
        targets = []
        for flavour in ("pydebug", "tracerefs", "release"):
            commands += [
                Command(
                    f"det-{flavour}",
                    f"leakrunner --leaks --no-leak-attribution ({flavour})",
                    flavour,
                    lr(*hunt),
                    "zope",
                    status=1,
                ),
                Command(
                    f"attr-{flavour}",
                    f"leakrunner --leaks ({flavour})",
                    flavour,
                    lr("--leaks"),
                    "zope",
                    status=1,
                ),
            ]
            targets.append(
                Target(
                    f"attribution ({flavour}): (--leaks − detection) / detection <= {limit:g}",
                    f"attr-{flavour}",
                    None,
                    "attribution",
                    limit,
                    why=ATTRIBUTION_COST,
                )
            )
        n = spec.leaks
        found.append(
            Scenario(
                key,
                f"Attribution: {'one leaking test' if n == 1 else f'{n} leaking tests'} "
                f"among {spec.n_tests:,} in one layer (pydebug, tracerefs, release)",
                spec,
                commands,
                targets,
                about="`--leaks` finds the tests responsible for each leak (and a sample and "
                "a referrer chain for each leaked type); `--no-leak-attribution` only detects "
                f"and judges. Each leaking test leaks an instance of a type of its own, so "
                f"the layer has {n} `objects` finding{'s' if n > 1 else ''} to attribute. "
                "The cost of attribution is the paired difference of wall time in the same "
                "round, relative to the detection run: (`--leaks` − `--leaks "
                "--no-leak-attribution`) / `--leaks --no-leak-attribution`. Both exit with "
                "status 1 (a leak verdict), as expected.",
                section=_attribution_section,
                rounds_x=3,
            )
        )
    return [
        Scenario(
            "leaks",
            f"`--leaks` vs a plain `-N 6`, {pyd.n_tests:,} tests (pydebug, release)",
            pyd,
            [
                Command(
                    "n6-pydebug", "leakrunner -N 6 (pydebug)", "pydebug", lr("-N", "6"), "zope"
                ),
                Command(
                    "leaks-pydebug",
                    "leakrunner --leaks --no-leak-attribution (pydebug)",
                    "pydebug",
                    lr(*hunt),
                    "zope",
                    status=1,
                ),
                Command(
                    "zope-pydebug",
                    "zope.testrunner 8.3 -N 6 -r (pydebug)",
                    "pydebug",
                    zope("-N", "6", "-r"),
                    "zope",
                ),
                Command(
                    "n6-release", "leakrunner -N 6 (release)", "release", lr("-N", "6"), "zope"
                ),
                Command(
                    "leaks-release",
                    "leakrunner --leaks --no-leak-attribution (release)",
                    "release",
                    lr(*hunt),
                    "zope",
                    status=1,
                ),
            ],
            [
                Target(
                    "wall (pydebug): --leaks <= 1.15 x leakrunner -N 6",
                    "leaks-pydebug",
                    "n6-pydebug",
                    "wall",
                    1.15,
                    why=LEAKS_COST,
                ),
                Target(
                    "wall (pydebug): --leaks <= 0.6 x zope.testrunner -N 6 -r",
                    "leaks-pydebug",
                    "zope-pydebug",
                    "wall",
                    0.6,
                    why=LEAKS_COST,
                ),
                Target(
                    "wall (release): --leaks <= 1.15 x leakrunner -N 6",
                    "leaks-release",
                    "n6-release",
                    "wall",
                    1.15,
                    why=LEAKS_COST,
                ),
            ],
            info=[
                ("CPU (pydebug): --leaks / -N 6", "leaks-pydebug", "n6-pydebug", "cpu"),
                ("CPU (pydebug): --leaks / zope -N 6 -r", "leaks-pydebug", "zope-pydebug", "cpu"),
                ("peak RSS (pydebug): --leaks / -N 6", "leaks-pydebug", "n6-pydebug", "maxrss"),
                ("CPU (release): --leaks / -N 6", "leaks-release", "n6-release", "cpu"),
                ("peak RSS (release): --leaks / -N 6", "leaks-release", "n6-release", "maxrss"),
            ],
            about="The leak-hunting mode without attribution against a plain run of the "
            "same number of iterations: `--leaks` repeats each layer 6 times (2 warm-ups, "
            "4 counted), empties the known caches and samples every signal after each "
            "iteration (on pydebug the census walks the reachable heap), then judges each "
            "layer. The tree is the `refcount` one; its leaking tests make the verdicts "
            "`leak`, so `--leaks` exits with status 1, as expected. zope.testrunner's "
            "`-N 6 -r` is the reference for the second target.",
            section=_leaks_section,
        ),
        Scenario(
            "probe",
            f"`--leaks` between iterations at ~{probe.heap:,} live objects (tracerefs)",
            probe,
            [
                Command("n6", "leakrunner -N 6", "tracerefs", lr("-N", "6"), "zope"),
                Command(
                    "leaks",
                    "leakrunner --leaks --no-leak-attribution",
                    "tracerefs",
                    lr(*hunt),
                    "zope",
                    status=1,
                ),
            ],
            [
                Target(
                    "the probe, per iteration: cache clearing + sample (census, total, "
                    "blocks, fds, threads, garbage) < 50 ms CPU",
                    "inproc-probe",
                    None,
                    "cpu",
                    50,
                    unit="ms",
                    why=PROBE_COST,
                ),
                Target(
                    "the referrer walk, worst case: instances scan + walk of the whole "
                    "reachable heap < 200 ms CPU",
                    "inproc-walk-all",
                    None,
                    "cpu",
                    200,
                    unit="ms",
                    why=WALK_COST,
                ),
            ],
            info=[("wall: --leaks / -N 6", "leaks", "n6", "wall")],
            about="What `--leaks` does between two iterations, timed in one process "
            "(`bench/probe_inproc.py`, through test hooks of the extension) over the "
            "tree's heap, on the trace-refs build where the census counts every object: "
            "the probe (the caches emptied, then the sample), the orphan scan (twice per "
            "layer on this build) and the referrer walk of attribution (the scan for the "
            "leaked type's instances, then the breadth-first walk from the roots; its "
            "worst case is a walk that finds nothing and so visits the whole reachable "
            "heap). `gc.collect()`, which every iteration does with or without "
            "sampling, is shown apart. The whole runs `-N 6` and `--leaks "
            "--no-leak-attribution` give the same cost end to end.",
            inproc=(PROBE_INPROC, [leaking_modules(probe)[0]]),
            section=_probe_section,
        ),
        *found,
    ]


# --------------------------------------------------------------------------
# Statistics and formatting


def med_range(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def fmt_s(values: list[float]) -> str:
    m, lo, hi = med_range(values)
    return f"{m:.3f} ({lo:.3f}–{hi:.3f})"


def fmt_ms(values: list[float]) -> str:
    m, lo, hi = med_range(values)
    return f"{m * 1e3:.1f} ({lo * 1e3:.1f}–{hi * 1e3:.1f})"


def fmt_mib(values: list[float]) -> str:
    m, lo, hi = med_range([v / 1024 for v in values])
    return f"{m:.1f} ({lo:.1f}–{hi:.1f})"


def ratio_text(values: list[float]) -> str:
    m, lo, hi = med_range(values)
    return f"**{m:.3f}** ({lo:.3f}–{hi:.3f})"


class Report:
    """Collects the markdown; echoes it to stdout as it goes."""

    def __init__(self):
        self.lines: list[str] = []

    def add(self, text: str = "") -> None:
        self.lines.append(text)
        print(text, flush=True)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self.add("| " + " | ".join(header) + " |")
        self.add("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            self.add("| " + " | ".join(row) + " |")
        self.add()

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"


# --------------------------------------------------------------------------
# Environment facts


def machine() -> dict[str, str]:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    u = platform.uname()
    return {
        "CPU": model,
        "logical CPUs": str(os.cpu_count()),
        "usable CPUs": str(len(os.sched_getaffinity(0))),
        "memory": mem,
        "kernel": f"{u.system} {u.release} ({u.machine})",
    }


VERSION_PROBE = """
import json, sys, importlib.metadata as md
import leakrunner, leakrunner._leakrunner as ext
info = leakrunner.build_info()
with open(ext.__file__, "rb") as f:
    # Rust's debug assertions leave these checks in unoptimized (dev) builds only.
    unoptimized = b"precondition_check" in f.read()
print(json.dumps({
    "extension": "dev profile (unoptimized, debug assertions)" if unoptimized
    else "optimized",
    "python": sys.version.split()[0],
    "executable": sys.executable,
    "flavour": info["running"]["flavour"],
    "zope.testrunner": md.version("zope.testrunner"),
    "leakrunner": info["leakrunner"],
    "extension_file": ext.__file__,
}))
"""


def extension_stamp(vers: dict) -> dict[str, tuple]:
    """(size, mtime) of each flavour's extension file: a rebuild mid-run changes it."""
    stamps = {}
    for flavour, v in vers.items():
        try:
            st = os.stat(v["extension_file"])
            stamps[flavour] = (st.st_size, st.st_mtime_ns)
        except OSError:
            stamps[flavour] = None
    return stamps


def versions(flavours: list[str], attempts: int = 12) -> dict[str, dict[str, str]]:
    """Versions per interpreter; waits (up to a minute) for a venv being rebuilt."""
    found = {}
    for flavour in flavours:
        for attempt in range(attempts):
            proc = subprocess.run(
                [VENVS[flavour], "-c", VERSION_PROBE],
                capture_output=True,
                text=True,
                env=child_env(),
            )
            if proc.returncode == 0:
                found[flavour] = json.loads(proc.stdout)
                break
            if attempt == attempts - 1:
                sys.exit(f"bench: the {flavour} venv is not usable:\n{proc.stderr}")
            print(f"bench: {flavour} venv not ready (rebuilt?), retrying in 5 s", flush=True)
            time.sleep(5)
    return found


def venv_ready(flavour: str) -> bool:
    proc = subprocess.run(
        [VENVS[flavour], "-c", "import leakrunner._leakrunner, zope.testrunner"],
        capture_output=True,
        env=child_env(),
    )
    return proc.returncode == 0


def git_state() -> str:
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return out


# --------------------------------------------------------------------------
# Running a scenario


class CountMismatch(Exception):
    pass


def run_scenario(sc: Scenario, runs: int, report: Report, logdir: str) -> list[tuple]:
    """Runs and reports one scenario; returns (target text, value, limit, at_least, met,
    unit) rows."""
    census_runs = runs
    runs *= sc.rounds_x
    tree = generate(sc.spec)
    os.makedirs(logdir, exist_ok=True)
    report.add(f"## {sc.title}")
    report.add()
    report.add(sc.about)
    report.add()
    report.add(f"Tree: `{show_path(tree)}` — {sc.spec.describe()}.")
    report.add()
    report.add("Commands (from the checkout root):")
    report.add()
    for c in sc.commands:
        report.add(f"- {c.label}: `{c.shell(tree)}`")
    if sc.inproc:
        script, extra = sc.inproc
        line = shell_line(tree, [VENVS["tracerefs"], script, "src", str(census_runs), *extra])
        report.add(f"- in-process: `{line}`")
    report.add()

    # Byte-compile with every interpreter used, then one unmeasured round.
    for flavour in sorted({c.flavour for c in sc.commands}):
        subprocess.run(
            [VENVS[flavour], "-m", "compileall", "-q", "src"],
            cwd=tree,
            check=True,
            env=child_env(),
            stdout=subprocess.DEVNULL,
        )
    load_before = os.getloadavg()
    samples: dict[str, list[Sample]] = {c.key: [] for c in sc.commands}
    for rnd in range(runs + 1):
        for c in sc.commands:
            log = os.path.join(logdir, f"{c.key}-{rnd}.log")
            for attempt in range(13):
                wall, cpu, rss, status = measure(c.argv(), tree, log)
                with open(log, encoding="utf-8", errors="replace") as f:
                    n = COUNTERS[c.counter](f.read())
                if (status == c.status and n is not None) or venv_ready(c.flavour) or attempt == 12:
                    break
                # The venv is being rebuilt by someone else: wait, then measure again.
                print(f"bench: {c.flavour} venv not ready (rebuilt?), retrying in 5 s", flush=True)
                time.sleep(5)
            if status != c.status or n is None:
                raise CountMismatch(
                    f"{sc.key}: {c.label} exited with status {status} (expected "
                    f"{c.status}) and reported {n} tests; see {log}"
                )
            if rnd:  # round 0 is the warm-up
                samples[c.key].append(Sample(wall, cpu, rss, n, status))
            print(
                f"  [{sc.key} round {rnd}{' (warm-up)' if not rnd else ''}] "
                f"{c.key:11s} wall {wall:7.3f}s cpu {cpu:7.3f}s rss {rss / 1024:7.1f} MiB "
                f"tests {n}",
                flush=True,
            )
    load_after = os.getloadavg()

    counts = {c.label: {s.tests for s in samples[c.key]} for c in sc.commands}
    report.add(
        f"Tests counted: expected {sc.spec.n_tests:,}; "
        + "; ".join(
            f"{label} {', '.join(f'{n:,}' for n in sorted(ns))}" for label, ns in counts.items()
        )
        + "."
    )
    report.add()
    if any(ns != {sc.spec.n_tests} for ns in counts.values()):
        raise CountMismatch(f"{sc.key}: the runners ran different numbers of tests: {counts}")

    report.add(
        f"{runs} measured rounds after a warm-up round, commands alternated in the "
        f"order listed. Load average before/after: "
        f"{load_before[0]:.2f} / {load_after[0]:.2f}."
    )
    report.add()
    report.table(
        ["command", "wall s, median (min–max)", "CPU s", "peak RSS MiB", "tests"],
        [
            [
                c.label,
                fmt_s([s.wall for s in samples[c.key]]),
                fmt_s([s.cpu for s in samples[c.key]]),
                fmt_mib([s.maxrss_kib for s in samples[c.key]]),
                f"{samples[c.key][0].tests:,}",
            ]
            for c in sc.commands
        ],
    )

    # Per-round values of every metric, for the ratios.
    per_round: dict[tuple[str, str], list[float]] = {}
    for c in sc.commands:
        per_round[c.key, "wall"] = [s.wall for s in samples[c.key]]
        per_round[c.key, "cpu"] = [s.cpu for s in samples[c.key]]
        per_round[c.key, "maxrss"] = [float(s.maxrss_kib) for s in samples[c.key]]

    if sc.key == "discovery":
        floor = per_round["floor", "wall"]
        for key in ("leakrunner", "zope"):
            per_round[key, "beyond-floor"] = [
                w - f for w, f in zip(per_round[key, "wall"], floor, strict=True)
            ]
        report.add("Beyond the import floor (wall − floor wall, paired by round):")
        report.add()
        report.table(
            ["command", "ms, median (min–max)"],
            [
                [label, fmt_ms(per_round[key, "beyond-floor"])]
                for key, label in (("leakrunner", "leakrunner"), ("zope", "zope.testrunner"))
            ],
        )
    if sc.info:
        report.add("Ratios for information (per round, median and min–max):")
        report.add()
        report.table(
            ["ratio", "value"],
            [[label, ratio_text(_ratios(per_round, a, b, m))] for label, a, b, m in sc.info],
        )
    if sc.section:
        sc.section(sc, tree, census_runs, report, per_round, logdir)

    rows = []
    report.add("Targets:")
    report.add()
    table = []
    for t in sc.targets:
        values = _target_values(per_round, t)
        value = statistics.median(values)
        met = value >= t.limit if t.at_least else value <= t.limit
        unit = " ms" if t.unit == "ms" else ""
        rows.append((f"{sc.title}: {t.text}", value, t.limit, t.at_least, met, unit))
        table.append(
            [
                t.text,
                ratio_text(values) + unit,
                f"{'≥' if t.at_least else '≤'} {t.limit:g}{unit}",
                "PASS" if met else "MISS",
            ]
        )
    report.table(["target", "value, median of rounds (min–max)", "target", "result"], table)
    for t, (*_, met, _unit) in zip(sc.targets, rows, strict=True):
        if met:
            continue
        if t.bound is None:
            report.add(
                f"Missed: {t.text}. "
                + (
                    f"What it costs: {t.why}."
                    if t.why
                    else "No bound is measured for it: a defect to fix."
                )
            )
            report.add()
            continue
        best = _ratios(per_round, t.bound, t.denominator, t.metric)
        report.add(
            f"Missed: {t.text}. What bounds it: {t.why}. That part alone, "
            f"{t.bound} / {t.denominator}, is {ratio_text(best)} (per round); the rest of "
            f"leakrunner's time, {t.numerator} − {t.bound}, is "
            f"{ratio_text(_beyond(per_round, t))} of {t.denominator}'s."
        )
        report.add()
    return rows


def _beyond(per_round, t: Target) -> list[float]:
    xs = per_round[t.numerator, t.metric]
    fs = per_round[t.bound, t.metric]
    ys = per_round[t.denominator, t.metric]
    return [(x - f) / y if y else float("inf") for x, f, y in zip(xs, fs, ys, strict=True)]


def _target_values(per_round, t: Target) -> list[float]:
    """The per-round values a target's median is taken of."""
    if t.denominator is not None:
        return _ratios(per_round, t.numerator, t.denominator, t.metric)
    scale = 1e3 if t.unit == "ms" else 1.0
    return [v * scale for v in per_round[t.numerator, t.metric]]


def _ratios(per_round, a: str, b: str, metric: str) -> list[float]:
    xs, ys = per_round[a, metric], per_round[b, metric]
    return [x / y if y else float("inf") for x, y in zip(xs, ys, strict=True)]


def _layers_run(log: str) -> int:
    with open(log, encoding="utf-8", errors="replace") as f:
        return len(re.findall(r"^Running .* tests:$", f.read(), re.M))


def _census_section(sc, tree, runs, report, per_round, logdir) -> None:
    src = os.path.join(tree, "src")
    proc = subprocess.run(
        [VENVS["tracerefs"], CENSUS_INPROC, src, str(runs)],
        cwd=tree,
        capture_output=True,
        text=True,
        env=child_env(),
    )
    with open(os.path.join(logdir, "census-inproc.log"), "w") as f:
        f.write(proc.stdout + proc.stderr)
    if proc.returncode:
        raise CountMismatch(f"census_inproc.py failed:\n{proc.stderr}")
    data = json.loads(proc.stdout)
    per_round["inproc-rust", "census"] = data["rust"]
    per_round["inproc-python", "census"] = data["python"]
    whole_rust = [g + r for g, r in zip(data["gc_collect"], data["rust"], strict=True)]
    whole_py = [g + p for g, p in zip(data["gc_collect"], data["python"], strict=True)]
    report.add(
        f"In-process census over {data['live_objects']:,} live objects "
        f"(`len(sys.getobjects(0))`), {runs} alternated rounds. Rust census: "
        f"{data['rust_function']}."
    )
    report.add()
    report.table(
        ["measured in-process", "ms, median (min–max)"],
        [
            ["`gc.collect()` (needed by any census)", fmt_ms(data["gc_collect"])],
            [
                "`sys.getobjects(0)` and freeing its list (for information)",
                fmt_ms(data["getobjects"]),
            ],
            ["Rust census", fmt_ms(data["rust"])],
            ["Python census (TrackRefs.update() minus its gc.collect())", fmt_ms(data["python"])],
            ["gc.collect() + Rust census", fmt_ms(whole_rust)],
            ["gc.collect() + Python census", fmt_ms(whole_py)],
        ],
    )
    # zope's run_tests() runs per layer: a census before the layer's first
    # iteration and one after each, so (N + 1) censuses per layer.
    n = 3
    layers = {k: _layers_run(os.path.join(logdir, f"{k}-1.log")) for k in ("lr-rv", "zpy-rv")}
    if len(set(layers.values())) != 1 or not layers["lr-rv"]:
        raise CountMismatch(f"census: the runners ran different numbers of layers: {layers}")
    nl = layers["lr-rv"]
    diff = {
        who: [
            a - b
            for a, b in zip(
                per_round[f"{who}-rv", "wall"], per_round[f"{who}-r", "wall"], strict=True
            )
        ]
        for who in ("lr", "zpy")
    }
    for who in ("lr", "zpy"):
        per_round[who, "census-per-iteration"] = [d / (n * nl) for d in diff[who]]
    report.add(
        f"Whole cost of `-v` on top of `-N {n} -r` (paired by round). {nl} layers ran, so "
        f"{n * nl} layer iterations and {(n + 1) * nl} censuses per run:"
    )
    report.add()
    report.table(
        ["runner", "ms per iteration, median (min–max)", "ms per census"],
        [
            [
                f"leakrunner: ((-r -v) − (-r)) / {n * nl}",
                fmt_ms(per_round["lr", "census-per-iteration"]),
                fmt_ms([d / ((n + 1) * nl) for d in diff["lr"]]),
            ],
            [
                f"zope.testrunner + Python TrackRefs: ((-r -v) − (-r)) / {n * nl}",
                fmt_ms(per_round["zpy", "census-per-iteration"]),
                fmt_ms([d / ((n + 1) * nl) for d in diff["zpy"]]),
            ],
        ],
    )
    report.add("Ratios for information (median and min–max):")
    report.add()
    report.table(
        ["ratio", "value"],
        [
            [
                "(gc.collect() + Python census) / (gc.collect() + Rust census)",
                ratio_text([p / r for p, r in zip(whole_py, whole_rust, strict=True)]),
            ],
            [
                "wall, -N 3 -r: leakrunner / zope",
                ratio_text(_ratios(per_round, "lr-r", "zpy-r", "wall")),
            ],
            [
                "wall, -N 3 -r -v: leakrunner / zope + Python TrackRefs",
                ratio_text(_ratios(per_round, "lr-rv", "zpy-rv", "wall")),
            ],
        ],
    )


def _leaks_section(sc, tree, runs, report, per_round, logdir) -> None:
    """What --leaks adds to -N 6, per probe: the paired difference over the probes taken."""
    rows = []
    for flavour in ("pydebug", "release"):
        log = os.path.join(logdir, f"leaks-{flavour}-1.log")
        layers = _layers_run(log)
        if layers != _layers_run(os.path.join(logdir, f"n6-{flavour}-1.log")) or not layers:
            raise CountMismatch(f"leaks: -N 6 and --leaks ran different layers ({flavour})")
        probes = 7 * layers  # before the first iteration and after each of the 6
        row = [flavour, str(probes)]
        for metric in ("wall", "cpu"):
            extra = [
                a - b
                for a, b in zip(
                    per_round[f"leaks-{flavour}", metric],
                    per_round[f"n6-{flavour}", metric],
                    strict=True,
                )
            ]
            row += [fmt_s(extra), fmt_ms([e / probes for e in extra])]
        rows.append(row)
    report.add(
        "What `--leaks --no-leak-attribution` adds to `-N 6` (paired by round), spread over "
        "its probes (7 per layer: before the first iteration and after each):"
    )
    report.add()
    report.table(
        ["interpreter", "probes", "wall s", "wall ms per probe", "CPU s", "CPU ms per probe"],
        rows,
    )


def _attribution_section(sc, tree, runs, report, per_round, logdir) -> None:
    """The cost of attribution, per round: (with − without) / without, on each interpreter."""
    rows = []
    for c in sc.commands:
        if not c.key.startswith("attr-"):
            continue
        flavour = c.key.removeprefix("attr-")
        for metric, derived in (("wall", "attribution"), ("cpu", "attribution-cpu")):
            det = per_round[f"det-{flavour}", metric]
            attr = per_round[c.key, metric]
            per_round[c.key, derived] = [(a - d) / d for a, d in zip(attr, det, strict=True)]
        extra = [
            a - d
            for a, d in zip(
                per_round[c.key, "wall"], per_round[f"det-{flavour}", "wall"], strict=True
            )
        ]
        rows.append(
            [
                flavour,
                fmt_s(extra),
                ratio_text(per_round[c.key, "attribution"]),
                ratio_text(per_round[c.key, "attribution-cpu"]),
                _named_tests(os.path.join(logdir, f"{c.key}-1.log")),
            ]
        )
    report.add("Cost of attribution (paired by round):")
    report.add()
    report.table(
        [
            "interpreter",
            "wall: --leaks − detection, s",
            "wall: (--leaks − detection) / detection",
            "CPU: the same",
            "tests named (round 1)",
        ],
        rows,
    )


def _named_tests(log: str) -> str:
    """The tests the `Leaks:` summary of a log names, as `by ...` lines."""
    with open(log, encoding="utf-8", errors="replace") as f:
        named = re.findall(r"^\s+by (\S.*)$", f.read(), re.M)
    return ", ".join(f"`{t}`" for t in sorted(set(named))) or "none"


def _probe_section(sc, tree, runs, report, per_round, logdir) -> None:
    script, extra = sc.inproc
    proc = subprocess.run(
        [VENVS["tracerefs"], script, "src", str(runs), *extra],
        cwd=tree,
        capture_output=True,
        text=True,
        env=child_env(),
    )
    with open(os.path.join(logdir, "probe-inproc.log"), "w") as f:
        f.write(proc.stdout + proc.stderr)
    if proc.returncode:
        raise CountMismatch(f"probe_inproc.py failed:\n{proc.stderr}")
    data = json.loads(proc.stdout)
    cpu, wall = data["cpu"], data["wall"]

    def plus(t, a, b):
        return [x + y for x, y in zip(t[a], t[b], strict=True)]

    for t in (cpu, wall):
        t["walk_to"] = plus(t, "instances", "walk")
        t["walk_whole"] = plus(t, "instances_all", "walk_all")
    per_round["inproc-probe", "cpu"] = cpu["probe"]
    per_round["inproc-walk-all", "cpu"] = cpu["walk_whole"]
    report.add(
        f"In-process over {data['live_objects']:,} live objects (`len(sys.getobjects(0))`), "
        f"{runs} alternated rounds; the census counted {data['types']:,} types, the orphan "
        f"scan found {data['orphans']:,} objects held from outside the heap, the scan for "
        f"`{data['title']}` found {data['instances_found']} instances and the walk the chain "
        f"`{' -> '.join(data['chain'] or ['none'])}`. CPU time (`time.process_time()`) is "
        "what the targets judge: on a shared machine wall time also counts the other "
        "processes."
    )
    report.add()
    rows = [
        ("`gc.collect()` (every iteration, sampling or not)", "gc_collect"),
        ("**the probe**: cache clearing + sample", "probe"),
        ("  cache clearing (`leakrunner._leaks.clear_caches()`)", "clear_caches"),
        ("  sample: census, total, blocks, fds, threads, garbage", "sample"),
        ("  the census alone (for information)", "census"),
        ("orphan scan (twice per layer)", "orphans"),
        ("referrer walk to the leaked objects: scan + walk", "walk_to"),
        ("  scan for the type's instances", "instances"),
        ("  walk from the roots to the nearest", "walk"),
        ("**referrer walk, worst case**: scan + walk of the whole reachable heap", "walk_whole"),
        ("  scan for the type's instances", "instances_all"),
        ("  walk of the whole reachable heap", "walk_all"),
    ]
    report.table(
        ["measured in-process", "CPU ms, median (min–max)", "wall ms"],
        [[label, fmt_ms(cpu[key]), fmt_ms(wall[key])] for label, key in rows],
    )
    # End to end: what --leaks adds to -N 6, per iteration of a layer.
    layers = {k: _layers_run(os.path.join(logdir, f"{k}-1.log")) for k in ("n6", "leaks")}
    if len(set(layers.values())) != 1 or not layers["n6"]:
        raise CountMismatch(f"probe: the runs ran different numbers of layers: {layers}")
    nl = layers["n6"]
    diff = [a - b for a, b in zip(per_round["leaks", "wall"], per_round["n6", "wall"], strict=True)]
    report.add(
        f"End to end, `--leaks --no-leak-attribution` − `-N 6` (wall, paired by round): "
        f"{nl} layers ran 6 iterations each, sampled 7 times each (before the first "
        f"iteration and after each) and scanned for orphans twice:"
    )
    report.add()
    report.table(
        ["what --leaks adds", "ms, median (min–max)"],
        [
            ["per run", fmt_ms(diff)],
            [f"per layer iteration (/ {6 * nl})", fmt_ms([d / (6 * nl) for d in diff])],
        ],
    )


# --------------------------------------------------------------------------

METHOD = """\
## Method

- **Trees.** `bench/gen.py` writes each tree deterministically under `bench/trees/` (reused
  when its `stamp.json` matches): P packages × M `test_*.py` modules of one `unittest.TestCase`
  class with T trivial tests (`pass`), half of the classes in L class layers (a binary
  hierarchy), D doctest files loaded by their module's `load_tests`, K tests that leak a dict
  and a list per run (or, in the `probe` and attribution trees, an instance of a class of
  their own module, so that each leaks a type of its own), and optionally a live heap built
  at import (`bench_heap.py`, ten mixed objects per round: str, int, float, tuple, list,
  dict, bytes, frozenset, instances).
- **Same tests.** zope.testrunner and leakrunner select the modules with
  `--path=src --tests-pattern=^test_ --test-file-pattern=^test_`, unittest with
  `discover -s src -t src -p 'test*.py'`. Each run's reported test count is checked against
  the tree's and the others'; the harness stops on any difference or unexpected exit status
  (0, or 1 for `--leaks` on a tree whose tests leak).
- **Measurement.** Each command is a child process (output to a log file under
  `bench/results/`), environment without `PYTHON*` variables and with `PYTHONHASHSEED=0`.
  Wall: `time.perf_counter()` around spawn and `os.wait4`. CPU: user + system time of the
  child (and its children) from `os.wait4`'s rusage. Peak RSS: its `ru_maxrss`.
  The tree is byte-compiled with each interpreter, then one unmeasured warm-up round runs,
  then N rounds (`--runs`, default 5; 3N for the short scenarios) each running every
  command once in the listed order (A/B/C, A/B/C, ...).
- **Figures.** Tables show median (min–max) over the rounds. A ratio is computed per round
  (the commands of one round ran back to back) and its median is compared with the target;
  min–max of the per-round ratios is shown with it. In-process measurements
  (`census_inproc.py`, `probe_inproc.py`) alternate their steps in one process the same way;
  `probe_inproc.py`'s targets are CPU time (`time.process_time()`), wall time shown beside.
- **Caveats.** A shared, virtualised machine: other work shows up as noise (see the load
  averages). Peak RSS of a child includes the interpreter and its imports.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small trees and 2 rounds: a smoke test of the harness"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=None,
        help="measured rounds per scenario (default 5, 2 with --quick)",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="SCENARIO",
        help="run only this scenario (repeatable): plain, discovery, refcount, census, "
        "leaks, probe, attribution, attribution-2",
    )
    parser.add_argument(
        "--output",
        default=None,
        help="markdown file to write (default: BENCHMARKS.md for a full "
        "run of every scenario on .venvs, else bench/results/BENCHMARKS-*.md)",
    )
    parser.add_argument(
        "--venvs",
        default=os.environ.get("BENCH_VENVS"),
        help="directory holding release/, pydebug/ and tracerefs/ venvs (default: .venvs; "
        "env BENCH_VENVS)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 if a target is missed"
    )
    args = parser.parse_args(argv)
    if os.environ.get("BENCH_QUICK"):
        args.quick = True
    if args.venvs:
        use_venvs(args.venvs)
    runs = args.runs or (2 if args.quick else 5)
    all_scenarios = scenarios(args.quick)
    chosen = [s for s in all_scenarios if not args.only or s.key in args.only]
    unknown = set(args.only) - {s.key for s in all_scenarios}
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    # Only a full run of every scenario on the project's venvs writes BENCHMARKS.md.
    if args.quick:
        kind = "quick"
    elif args.venvs:
        kind = "venvs"
    elif len(chosen) < len(all_scenarios):
        kind = "partial"
    else:
        kind = None
    output = args.output or (
        os.path.join(RESULTS, f"BENCHMARKS-{kind}.md")
        if kind
        else os.path.join(ROOT, "BENCHMARKS.md")
    )

    flavours = sorted({c.flavour for s in chosen for c in s.commands}, key=list(VENVS).index)
    vers = versions(flavours)
    started = datetime.datetime.now(datetime.UTC)
    report = Report()
    report.add("# Benchmarks")
    report.add()
    report.add("<!-- Generated by `make bench` (bench/run.py); do not edit by hand. -->")
    report.add()
    cmdline = shlex.join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    report.add(
        f"Generated {started:%Y-%m-%d %H:%M} UTC by `{cmdline}`"
        f"{' (**quick mode**: small trees, not representative)' if args.quick else ''}, "
        f"checkout `{git_state()}`."
    )
    report.add()
    report.table(["machine", ""], [[k, v] for k, v in machine().items()])
    report.table(
        ["interpreter", "Python", "build", "zope.testrunner", "leakrunner", "extension build"],
        [
            [
                f"`{show_path(v['executable'])}`",
                v["python"],
                v["flavour"],
                v["zope.testrunner"],
                v["leakrunner"],
                v["extension"],
            ]
            for v in vers.values()
        ],
    )
    unoptimized = [f for f, v in vers.items() if v["extension"] != "optimized"]
    if unoptimized:
        report.add(
            f"**Warning:** leakrunner's extension is an unoptimized build in "
            f"{', '.join(unoptimized)}: its figures are not representative "
            f"(`make venvs` builds the release profile)."
        )
        report.add()
    logroot = os.path.join(RESULTS, "logs-quick" if args.quick else "logs")
    results = []
    t0 = time.perf_counter()
    try:
        for sc in chosen:
            before = extension_stamp(vers)
            results += run_scenario(sc, runs, report, os.path.join(logroot, sc.key))
            changed = [f for f, st in extension_stamp(vers).items() if st != before[f]]
            if changed:
                report.add(
                    f"**Warning:** leakrunner's extension file changed during this scenario "
                    f"in {', '.join(changed)} (rebuilt by someone else?): its rounds may mix "
                    f"two builds."
                )
                report.add()
    except CountMismatch as e:
        print(f"\nbench: FAILED: {e}", file=sys.stderr)
        return 2
    report.add("## Summary")
    report.add()
    report.table(
        ["target", "measured", "result"],
        [
            [
                text,
                f"{value:.3f}{unit} ({'≥' if at_least else '≤'} {limit:g}{unit})",
                "PASS" if met else "MISS",
            ]
            for text, value, limit, at_least, met, unit in results
        ],
    )
    report.add(f"Total harness time: {time.perf_counter() - t0:.0f} s.")
    report.add()
    report.add(METHOD)
    output = os.path.abspath(output)
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "w", encoding="utf-8") as f:
        f.write(report.text())
    print(f"bench: wrote {os.path.relpath(output, ROOT)}")
    missed = [r for r in results if not r[4]]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
