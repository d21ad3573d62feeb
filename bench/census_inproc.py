"""Time one heap census in-process: leakrunner's Rust census vs the pure-Python one.

Run by bench/run.py with the trace-refs interpreter::

    python bench/census_inproc.py SRC_DIR RUNS

It imports ``bench_heap`` from SRC_DIR (the large live heap), then alternates
RUNS times: ``gc.collect()``, time the Rust census; ``gc.collect()``, time
the pure-Python census (``pytrackrefs.TrackRefs.census``: everything of
zope's ``TrackRefs.update()`` after its ``gc.collect()``). It also times
the ``gc.collect()`` itself, which any census needs. Prints one JSON object.

The Rust census is a function of ``leakrunner._leakrunner``, one of the test
hooks the venvs of tools/venv.sh are built with (cargo feature ``test-hooks``).
Until the extension exposes a single census, ``_census_selftest()`` is used:
it takes two censuses back to back (and diffs them), and its time is halved.
"""

import gc
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pytrackrefs  # noqa: E402
from leakrunner import _leakrunner  # noqa: E402

# Names the single-census function may get; each is called with no argument.
SINGLE_CENSUS_NAMES = ("census", "_census", "take_census", "heap_census", "_census_once")


def rust_census():
    """(callable, censuses per call, description)."""
    for name in SINGLE_CENSUS_NAMES:
        fn = getattr(_leakrunner, name, None)
        if callable(fn):
            return fn, 1, f"leakrunner._leakrunner.{name}() (one census per call)"
    if not hasattr(_leakrunner, "_census_selftest"):
        sys.exit(
            "census_inproc: leakrunner was built without its test hooks "
            "(cargo feature test-hooks; tools/venv.sh builds the venvs with it)"
        )
    return (
        _leakrunner._census_selftest,
        2,
        "leakrunner._leakrunner._census_selftest() (two censuses per call, time halved)",
    )


def main():
    src, runs = sys.argv[1], int(sys.argv[2])
    sys.path.insert(0, src)
    import bench_heap  # noqa: F401  (builds the heap)

    fn, per_call, how = rust_census()
    track = pytrackrefs.TrackRefs()  # the first census, as zope takes it at start
    gc.collect()
    objects = len(sys.getobjects(0))
    rust, python, collect, getobjects = [], [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        gc.collect()
        collect.append(time.perf_counter() - t)
        t = time.perf_counter()
        fn()
        rust.append((time.perf_counter() - t) / per_call)
        gc.collect()
        t = time.perf_counter()
        track.census()
        python.append(time.perf_counter() - t)
        gc.collect()
        t = time.perf_counter()
        len(sys.getobjects(0))  # the list is built, then freed
        getobjects.append(time.perf_counter() - t)
    json.dump(
        {
            "rust_function": how,
            "live_objects": objects,
            "rust": rust,
            "python": python,
            "gc_collect": collect,
            "getobjects": getobjects,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
