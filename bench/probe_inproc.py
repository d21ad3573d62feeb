"""Time the work of ``--leaks`` between iterations, in-process, over a big heap.

Run by bench/run.py with the trace-refs interpreter::

    python bench/probe_inproc.py SRC_DIR RUNS LEAKING_MODULE

It imports ``bench_heap`` from SRC_DIR (the large live heap) and
LEAKING_MODULE (a test module of a tree generated with ``leak_types``), runs
that module's leaking test twice so that two leaked objects of its own type
(``LeakedNNNNN``) are held by ``bench_heap.LEAKS``, then, after one
unmeasured round, alternates RUNS times, each step timed alone:

- ``gc.collect()``: what every iteration does anyway, sampling or not;
- the probe (``_leakrunner._leak_sample()``, a test hook): the caches
  emptied (``leakrunner._leaks.clear_caches()``), then the sample: census,
  reference total, allocated blocks, descriptors, threads, ``gc.garbage``;
  the hook reads the clock between the two parts;
- the census alone (``_leakrunner._census()``), for information;
- the orphan scan (``_leakrunner._orphan_scan()``), which ``--leaks`` runs
  twice per layer on this build;
- the referrer walk of attribution (``_leakrunner._referrer_walk()``): the
  scan for the leaked type's instances, then the walk from the roots to the
  nearest of them; and the same walk made to find nothing, so that it visits
  the whole reachable heap (its worst case).

The hooks exist in builds with the ``test-hooks`` feature (``make venvs``
builds them). Every span is measured twice, wall (``time.perf_counter``) and
CPU (``time.process_time``: what the work costs, whatever else the machine
runs). Prints one JSON object.
"""

import gc
import json
import sys
import time
import unittest

from leakrunner import _leakrunner


def clock():
    """(wall, CPU) seconds: the machine may be shared, CPU time is what the work costs."""
    return time.perf_counter(), time.process_time()


def spans(readings):
    """(wall, CPU) of each interval between consecutive clock readings."""
    return [(b[0] - a[0], b[1] - a[1]) for a, b in zip(readings, readings[1:], strict=False)]


def timed(fn, *args):
    start = clock()
    result = fn(*args)
    return spans([start, clock()])[0], result


def main():
    src, runs, module_name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sys.path.insert(0, src)
    import bench_heap  # noqa: F401  (builds the heap)

    missing = [
        name
        for name in ("_leak_sample", "_orphan_scan", "_referrer_walk", "_census")
        if not hasattr(_leakrunner, name)
    ]
    if missing:
        sys.exit(f"probe_inproc: leakrunner is built without the test hooks: {missing}")
    module = __import__(module_name, fromlist=["*"])
    index = module_name.rsplit("_m", 1)[1]
    leaked = getattr(module, f"Leaked{index}")
    title = f"{module_name}.{leaked.__name__}"
    case = getattr(module, f"TestM{index}")("test_000")
    for _ in range(2):
        result = unittest.TestResult()
        case.run(result)
        if not result.wasSuccessful():
            sys.exit(f"probe_inproc: {case.id()} failed: {result.errors + result.failures}")
    del case, result
    gc.collect()
    objects = len(sys.getobjects(0))
    keys = (
        "gc_collect",
        "clear_caches",
        "sample",
        "probe",
        "census",
        "orphans",
        "instances",
        "walk",
        "instances_all",
        "walk_all",
    )
    # out[key] = [(wall, cpu), ...], one per round.
    out = {key: [] for key in keys}
    chain = None
    types = found = orphans = 0
    for rnd in range(runs + 1):
        if rnd == 0:
            # One unmeasured round, as in every scenario: the first cache clearing
            # of a process does one-time work (importlib's first invalidate_caches()
            # imports and fills what later calls find done).
            _leakrunner._leak_sample(clock)
            _leakrunner._census()
            _leakrunner._orphan_scan()
            _leakrunner._referrer_walk(title, False, clock)
            _leakrunner._referrer_walk(title, True, clock)
            continue
        seconds, _ = timed(gc.collect)
        out["gc_collect"].append(seconds)
        types, readings = _leakrunner._leak_sample(clock)
        prepared, sampled = spans(readings)
        out["clear_caches"].append(prepared)
        out["sample"].append(sampled)
        out["probe"].append(spans([readings[0], readings[-1]])[0])
        gc.collect()
        seconds, _ = timed(_leakrunner._census)
        out["census"].append(seconds)
        gc.collect()
        seconds, orphans = timed(_leakrunner._orphan_scan)
        out["orphans"].append(seconds)
        gc.collect()
        found, chain, readings = _leakrunner._referrer_walk(title, False, clock)
        scan, walk = spans(readings)
        out["instances"].append(scan)
        out["walk"].append(walk)
        gc.collect()
        _, nothing, readings = _leakrunner._referrer_walk(title, True, clock)
        if nothing is not None:
            sys.exit(f"probe_inproc: the exhaustive walk found something: {nothing}")
        scan, walk = spans(readings)
        out["instances_all"].append(scan)
        out["walk_all"].append(walk)
    json.dump(
        {
            "live_objects": objects,
            "types": types,
            "orphans": orphans,
            "title": title,
            "instances_found": found,
            "chain": chain,
            "wall": {k: [w for w, _ in v] for k, v in out.items()},
            "cpu": {k: [c for _, c in v] for k, v in out.items()},
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    if not hasattr(sys, "getobjects"):
        sys.exit("probe_inproc: needs a trace-refs interpreter (sys.getobjects)")
    main()
