"""Shared fixtures: the checkout, the sample tree, and side-by-side runs of
leakrunner and zope.testrunner on the same interpreter (tests/sidebyside.py)."""

import pytest
from sidebyside import (  # noqa: F401  (the names test modules import from here)
    ROOT,
    SAMPLE,
    run_leakrunner,
    run_module,
    run_zope,
    runner_env,
)


@pytest.fixture(scope="session")
def zope_available():
    pytest.importorskip("zope.testrunner")
    return True
