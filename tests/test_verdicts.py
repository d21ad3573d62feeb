"""Leak verdicts on the leak corpus (tests/trees/leakcorpus): every case gets
its verdict, kinds and types on this interpreter, from one `--leaks` run, and
no trap is ever called a leak.

The expectations depend on what the build can see: a trace-refs build lists
every object, a debug build without it sees what the garbage collector
reaches, a release build has no reference total.
"""

import json
import sys

import pytest
from sidebyside import ROOT, run_leakrunner

# One --leaks run of the whole tree, shared by the module.
pytestmark = pytest.mark.slow(60)

TREE = ROOT / "tests" / "trees" / "leakcorpus"
DEBUG = hasattr(sys, "gettotalrefcount")
TRACE_REFS = hasattr(sys, "getobjects")
BUILD = "tracerefs" if TRACE_REFS else "pydebug" if DEBUG else "release"

# layer module: {build: (verdict, {(kind, type or None), ...})}; a set of
# findings that must be present (other findings may come along: a leaked
# thread brings its objects).
LEAK = "leak"
CLEAN = ("clean", set())
EXPECTED = {
    "objects_leak": {
        b: (LEAK, {("objects", "objects_leak.Leakable")})
        for b in ("tracerefs", "pydebug", "release")
    },
    "accelerating": {
        b: (LEAK, {("objects", "accelerating.Growing")})
        for b in ("tracerefs", "pydebug", "release")
    },
    "missing_decref": {
        b: (LEAK, {("references", "missing_decref.Target")})
        for b in ("tracerefs", "pydebug", "release")
    },
    "unreferenced": {
        "tracerefs": (LEAK, {("unreferenced", "bytes")}),
        "pydebug": (LEAK, {("unreferenced", None)}),
        "release": (LEAK, {("blocks", None)}),
    },
    # A release build's census counts only what the collector tracks: there
    # attribution names the strs (see test_a_release_build_names_untracked_objects).
    "str_leak": {b: (LEAK, {("objects", "str")}) for b in ("tracerefs", "pydebug", "release")},
    "fd_leak": {b: (LEAK, {("fds", None)}) for b in ("tracerefs", "pydebug", "release")},
    "thread_leak": {b: (LEAK, {("threads", None)}) for b in ("tracerefs", "pydebug", "release")},
    "memory_growth": {b: (LEAK, {("blocks", None)}) for b in ("tracerefs", "pydebug", "release")},
    "total_drift": {
        "tracerefs": ("drift", {("drift", None)}),
        "pydebug": ("drift", {("drift", None)}),
        "release": CLEAN,
    },
}
TRAPS = [
    "clean",
    "lru_fill",
    "re_cache",
    "typing_cache",
    "interning",
    "lazy_import",
    "cycles",
    "linecache_tb",
    "big_setup",
]
for trap in TRAPS:
    EXPECTED[trap] = {b: CLEAN for b in ("tracerefs", "pydebug", "release")}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("verdicts") / "leaks.json"
    status, out, err = run_leakrunner(
        [
            "--path",
            str(TREE),
            "--tests-pattern",
            "^(?!lazy_mod$)[a-z]",
            "--leaks",
            "--leak-report",
            str(path),
        ],
        timeout=900,
    )
    assert path.exists(), out + err
    doc = json.loads(path.read_text())
    return status, out, err, doc


def layers_of(doc):
    return {layer["layer"].split(".")[0]: layer for layer in doc["layers"]}


def test_every_case_has_a_layer(report):
    _, out, err, doc = report
    assert sorted(layers_of(doc)) == sorted(EXPECTED), out + err


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_verdict_and_kinds(report, case):
    _, out, _, doc = report
    layer = layers_of(doc)[case]
    verdict, kinds = EXPECTED[case][BUILD]
    found = {(f["kind"], f["type"]) for f in layer["findings"]}
    assert layer["verdict"] == verdict, json.dumps(layer, indent=1)[:4000]
    assert kinds <= found, (kinds, found)
    if verdict != LEAK:
        # Zero false alarms: a trap is never a leak, and names no finding
        # of a leak kind.
        assert not [f for f in layer["findings"] if f["kind"] != "drift"], found


def test_the_exit_status_and_the_summary(report):
    status, out, err, _ = report
    assert status == 1, out + err
    summary = out[out.index("Leaks:") :]
    assert "objects_leak.Layer" in summary
    assert "lru_fill" not in summary, "clean layers take no space"
    for line in summary.splitlines():
        assert len(line) < 80, line


def test_iterations_are_recorded(report):
    _, _, _, doc = report
    layer = layers_of(doc)["objects_leak"]
    iterations = layer["iterations"]
    assert [i["iteration"] for i in iterations] == list(range(len(iterations)))
    assert iterations[1]["warmup"] and not iterations[-1]["warmup"]
    for record in iterations:
        assert record["blocks"] is not None and record["threads"] is not None
        assert (record["total_refs"] is not None) == DEBUG
    assert doc["mode"] == "leaks"
    assert doc["schema"] == "leakrunner-leak-report/1"


def test_the_census_says_where_it_looked(report):
    _, out, _, doc = report
    scope = {"tracerefs": "all_objects", "pydebug": "reachable_heap", "release": "tracked"}[BUILD]
    for layer in doc["layers"]:
        assert layer["sight"]["census"] == scope, layer["sight"]
    untracked = "objects the gc does not track (str, int, float...)"
    assert (untracked in layers_of(doc)["clean"]["unseen"]) == (BUILD == "release")
    assert (untracked in out) == (BUILD == "release")


@pytest.mark.skipif(BUILD != "release", reason="a debug build's census counts strs already")
def test_a_release_build_names_untracked_objects(report):
    _, _, _, doc = report
    layers = layers_of(doc)
    (found,) = layers["str_leak"]["findings"]
    assert (found["kind"], found["type"], found["per_iteration"]) == ("objects", "str", 4)
    assert found["tests"] == ["str_leak.Tests.test_keeps_four_strings"]
    assert "reachable heap" in found["note"]
    assert found["chain"][0] == "str_leak.HOARD (list)", found["chain"]
    assert found["samples"] and "leaked string number" in found["samples"][0]
    # Memory with no object behind it stays memory, and says it looked.
    (memory,) = layers["memory_growth"]["findings"]
    assert memory["kind"] == "blocks" and "no object grows" in memory["note"], memory


@pytest.mark.skipif(not TRACE_REFS, reason="names orphaned objects on a trace-refs build only")
def test_tracemalloc_shows_where_an_orphan_was_allocated(tmp_path):
    path = tmp_path / "leaks.json"
    status, out, err = run_leakrunner(
        [
            "--path",
            str(TREE),
            "--tests-pattern",
            "^unreferenced$",
            "--leaks",
            "--leak-tracemalloc",
            "--no-leak-attribution",
            "--leak-report",
            str(path),
        ],
        timeout=600,
    )
    assert status == 1, out + err
    (layer,) = json.loads(path.read_text())["layers"]
    (finding,) = [f for f in layer["findings"] if f["kind"] == "unreferenced"]
    assert any("unreferenced.py" in line for line in finding["allocated_at"]), finding
    assert "allocated at:" in out
