"""Shared fixtures: the checkout, the sample tree, and side-by-side runs of
leakrunner and zope.testrunner on the same interpreter (tests/sidebyside.py);
and the order and company tests run in under pytest-xdist (``-n``).

Almost every test waits on subprocesses, so `make test` runs them in
parallel. Two markers say what that needs to know:

* ``slow(seconds)``: about how long the test takes on the trace-refs build.
  Slow tests are started first, longest first, so that the rest of the suite
  fills the other workers while they run instead of the run waiting on them
  at its end.
* tests that share a module- or session-scoped fixture (one expensive run
  whose output several tests check) are kept on one worker, so that the
  fixture runs once (``--dist loadgroup``; the group is the module);
* ``alone``: the test's outcome depends on timing (a thread join with a
  time-out in a third-party suite, a child killed past a time limit), so it
  runs with no other test beside it: it waits until the tests running on
  the other workers have finished, and none starts until it has. These tests
  are put last.
"""

import fcntl
import os

import pytest
from sidebyside import (  # noqa: F401  (the names test modules import from here)
    ROOT,
    SAMPLE,
    run_leakrunner,
    run_module,
    run_zope,
    runner_env,
)

# What a test marked ``slow`` without a figure counts as.
SLOW_SECONDS = 10


@pytest.fixture(scope="session")
def zope_available():
    pytest.importorskip("zope.testrunner")
    return True


def _weight(item):
    marks = list(item.iter_markers("slow"))
    if not marks:
        return 0
    return max((mark.args[0] if mark.args else SLOW_SECONDS) for mark in marks)


def _shares_a_fixture(item):
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return False
    return any(
        defs[-1].scope in ("module", "package") for defs in info.name2fixturedefs.values() if defs
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _shares_a_fixture(item) and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    # Stable: within each group, tests keep the order they were collected in.
    items.sort(key=lambda item: (item.get_closest_marker("alone") is not None, -_weight(item)))


@pytest.fixture(autouse=True)
def _company(request, tmp_path_factory):
    """Under pytest-xdist, a lock shared by the session's workers: every test
    holds it shared while it runs, a test marked ``alone`` holds it alone.

    A second lock, the gate, keeps a waiting ``alone`` test from being passed
    by tests that start after it: a test takes the gate shared only for as
    long as it takes to get the lock; an ``alone`` test holds the gate until
    it is done."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    # Each worker's base temporary directory is in the session's own.
    shared = tmp_path_factory.getbasetemp().parent
    alone = request.node.get_closest_marker("alone") is not None
    mode = fcntl.LOCK_EX if alone else fcntl.LOCK_SH
    with open(shared / "tests.gate", "a") as gate, open(shared / "tests.lock", "a") as lock:
        fcntl.flock(gate, mode)
        fcntl.flock(lock, mode)
        if not alone:
            fcntl.flock(gate, fcntl.LOCK_UN)
        yield
