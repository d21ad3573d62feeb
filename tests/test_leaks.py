"""Leak hunting: -N/-r/-r -v as zope.testrunner documents them.

On a release build, -r is refused exactly as zope refuses it. On debug
builds, -r prints zope's refcount lines (checked side by side with zope and
against zope's format strings), and -r -v prints the census table that
zope.testrunner crashes on; on a trace-refs build the census sees every
object, so the table's total refs equal change=.
"""

import re
import sys

import pytest
from normalize import normalize
from sidebyside import assert_same_as_zope, run_leakrunner, run_zope, unchanged

P = ["--path", "testrunner-ex"]
DEBUG = hasattr(sys, "gettotalrefcount")
TRACE_REFS = hasattr(sys, "getobjects")
needs_debug = pytest.mark.skipif(not DEBUG, reason="needs a --with-pydebug build")

REFCOUNT = re.compile(r"^  sys refcount=(\d+) +change=(-?\d+) *$")
DETAIL = re.compile(r"^  sum detail refcount=(-?\d+) +sys refcount=(\d+) +change=(-?\d+) *$")
ROW = re.compile(r"^    (\S+) +(-?\d+) +(-?\d+)$")


def numbers_normalized(text):
    text = re.sub(r"sys refcount=\d+ +change=-?\d+ *", "sys refcount=N change=N", text)
    return normalize(text)


def parse_iterations(out):
    """Per layer: for each iteration after the first, (change, detail, rows)."""
    layers = {}
    layer = None
    for line in out.splitlines():
        m = re.match(r"^Running (\S+) tests:$", line)
        if m:
            layer = m.group(1)
            layers[layer] = []
            continue
        m = REFCOUNT.match(line)
        if m:
            # The exact bytes zope's format string gives for these numbers.
            rc, change = int(m.group(1)), int(m.group(2))
            assert line == "  sys refcount=%-8d change=%-6d" % (rc, change)
            layers[layer].append({"change": change, "rows": {}})
            continue
        m = DETAIL.match(line)
        if m:
            detail, rc, change = (int(g) for g in m.groups())
            expected = "  sum detail refcount=%-8d sys refcount=%-8d change=%-6d" % (
                detail,
                rc,
                change,
            )
            assert line == expected
            layers[layer].append({"change": change, "rows": {}, "detail": detail})
            continue
        m = ROW.match(line)
        if m and m.group(1) not in (
            "type/class",
            "-------------------------------------------------------",
        ):
            title, insts, refs = m.group(1), int(m.group(2)), int(m.group(3))
            assert line == "    %-55s %6d %6d" % (title, insts, refs) or title == "total"
            layers[layer][-1]["rows"][title] = (insts, refs)
    return layers


def test_r_on_a_release_build_is_refused_as_zope_does(zope_available):
    if DEBUG:
        pytest.skip("a release build refuses -r")
    args = [*P, "--tests-pattern", "^leak$", "-N4", "-r"]
    _, ours = assert_same_as_zope(args, out=unchanged, err=unchanged)
    status, out, _ = ours
    assert status == 1
    assert out == (
        "        The Python you are running was not configured\n"
        "        with --with-pydebug. This is required to use\n"
        "        the --report-refcounts option.\n"
        "        \n"
    )


@needs_debug
def test_r_matches_zope_side_by_side(zope_available):
    args = [*P, "--tests-pattern", "^leak(layers)?$", "-N4", "-r"]
    (z_status, z_out, _), (_, out, _) = assert_same_as_zope(
        args, out=numbers_normalized, err=unchanged
    )
    assert z_status == 0
    layers = parse_iterations(out)
    # Both runners see the same leak: 6 references per iteration on every
    # build (tuple, float, two instances, and two references to their
    # classes); the clean layers change nothing once warm.
    zope_layers = parse_iterations(z_out)
    leak = [i["change"] for i in layers["leakrunner.layer.UnitTests"]]
    assert leak[1] == leak[2] > 0, out
    for name in ("leaklayers.Cistern", "leaklayers.Sluice"):
        assert [i["change"] for i in layers[name][1:]] == [0, 0], out
        assert [i["change"] for i in zope_layers[name][1:]] == [0, 0], z_out


@needs_debug
def test_r_v_prints_the_table_zope_crashes_on(zope_available):
    args = [*P, "--tests-pattern", "^leak$", "-N5", "-r", "-v"]
    z_status, z_out, z_err = run_zope(args)
    assert z_status == 1
    assert "AttributeError" in z_err  # zope.testrunner 8.3 cannot do -r -v on Python 3
    status, out, err = run_leakrunner(args)
    assert status == 0, out + err
    iterations = parse_iterations(out)["leakrunner.layer.UnitTests"]
    assert len(iterations) == 4
    for it in iterations[1:]:  # every iteration after the second
        rows = it["rows"]
        assert rows["leak.Leakable"][0] == 1
        assert rows["leak.Keepsake"][0] == 1
        assert rows["tuple"][0] == 1
        assert rows["float"][0] == 1
        total_insts, total_refs = rows["total"]
        assert total_insts == sum(v[0] for k, v in rows.items() if k != "total")
        assert total_refs == sum(v[1] for k, v in rows.items() if k != "total")
        # The census sees what the total refcount sees.
        assert total_refs == it["change"]
    header = (
        "    Leak details, changes in instances and refcounts by type/class:\n"
        + "    %-55s %6s %6s\n" % ("type/class", "insts", "refs")
        + "    %-55s %6s %6s\n" % ("-" * 55, "-----", "----")
    )
    assert header in out
    reachable_note = "(No sys.getobjects in this Python: the detail counts"
    assert (out.count(reachable_note) == 1) == (not TRACE_REFS)


@needs_debug
def test_clean_layers_show_no_change_from_the_third_iteration():
    args = [*P, "--tests-pattern", "^leaklayers$", "-N5", "-r", "-v"]
    status, out, err = run_leakrunner(args)
    assert status == 0, out + err
    for name, iterations in parse_iterations(out).items():
        for it in iterations[1:]:
            assert it["change"] == 0, (name, out)
            assert it["rows"] == {}, (name, out)


@needs_debug
def test_two_censuses_in_a_row_differ_in_nothing():
    from leakrunner import _leakrunner

    all_objects, rows = _leakrunner._census_selftest()
    assert all_objects == TRACE_REFS
    assert rows == []


@needs_debug
def test_release_built_extensions_are_named_once():
    try:
        import zope.interface._zope_interface_coptimizations as speedups
    except ImportError:
        pytest.skip("zope.interface has no C speedups here")
    if ".cpython-3" not in speedups.__file__ or "d-" in speedups.__file__.rsplit(".cpython-", 1)[1]:
        pytest.skip("zope.interface's speedups were built for this debug interpreter")
    status, out, err = run_leakrunner(
        ["--path", "tests/trees/skew", "--tests-pattern", "^skewtests$", "-N3", "-r"]
    )
    assert status == 0, out + err
    assert err.count("were built for a release interpreter") == 1
    assert "  zope.interface._zope_interface_coptimizations (" in err


@needs_debug
@pytest.mark.skipif(sys.version_info < (3, 12), reason="PyUnstable_GC_VisitObjects is 3.12+")
def test_the_free_threaded_walk_counts_what_the_collector_list_counts():
    """The census a free-threaded build takes inside the interpreter's own walk
    (with the world stopped) counts exactly what the walk from
    gc.get_objects() counts, and perturbs nothing: checked on every build that
    has the walk, GIL builds included."""
    from leakrunner import _leakrunner

    assert _leakrunner._census_selftest("visit") == (False, [])
    assert _leakrunner._census_selftest("gc_objects", "visit") == (False, [])
    assert _leakrunner._census_selftest("visit", "gc_objects") == (False, [])


def test_the_walk_from_the_collectors_list_counts_each_object_once():
    """The census from gc.get_objects() takes an object the collector tracks
    as counted already when the walk meets it again; it must count exactly
    what the walk that remembers every address counts, with objects frozen
    (left out of gc.get_objects()) or not."""
    import gc

    from leakrunner import _leakrunner

    assert _leakrunner._census_selftest("gc_objects", "gc_objects_hashed") == (False, [])
    assert _leakrunner._census_selftest("gc_objects_hashed", "gc_objects") == (False, [])
    frozen = [{"frozen": object()} for _ in range(10)]
    gc.freeze()
    try:
        assert _leakrunner._census_selftest("gc_objects", "gc_objects_hashed") == (False, [])
    finally:
        gc.unfreeze()
    del frozen


def test_unknown_census_walks_are_refused():
    from leakrunner import _leakrunner

    with pytest.raises(ValueError, match='no census walk "sideways"'):
        _leakrunner._census_selftest("sideways")


@needs_debug
def test_census_while_other_threads_allocate():
    """-N3 -r -v on a layer whose three threads allocate all along: every
    census is taken while they are alive (running, on a free-threaded build),
    the run finishes, and the one object the test keeps per run is found in
    every iteration, whatever the threads were allocating at that moment."""
    args = ["--path", "tests/trees/threads", "--tests-pattern", "^threadtests$", "-N3", "-r", "-v"]
    status, out, err = run_leakrunner(args)
    assert status == 0, out + err
    assert "Ran 2 tests with 0 failures, 0 errors" in out, out
    iterations = parse_iterations(out)["threadtests.Allocating"]
    assert len(iterations) == 2, out
    for it in iterations:
        assert it["rows"]["threadtests.Kept"] == (1, 1), out
        total_insts, total_refs = it["rows"]["total"]
        assert total_insts == sum(v[0] for k, v in it["rows"].items() if k != "total")
        assert total_refs == sum(v[1] for k, v in it["rows"].items() if k != "total")
