"""The drop-in promise on test suites nobody on the team wrote: zope-ecosystem
packages from PyPI run their own tests under both runners, from
site-packages, with the same interpreter; the outputs must be the same after
normalising timings and the unit-test layer's name.

(zope.interface is not in the list: its suite generates tests for stdlib
classes already imported when it loads, and zope.testrunner imports
`decimal` through python-subunit's iso8601, so it runs 4 more tests there.)
"""

import importlib.util
import re
import site

import pytest
from sidebyside import assert_same_as_zope

PACKAGES = [
    "transaction",
    "zope.exceptions",
    "zope.schema",
    "zope.component",
    "persistent",
    "zope.proxy",
    "zope.container",
    "zope.configuration",
    "zope.i18nmessageid",
    "zope.site",
]

# Layers besides the unit tests', in zope's order: the comparison checks
# the order, this that the suite still has them.
LAYERS = {"zope.site": ["zope.site.tests.test_site.Layer"]}


def site_packages_of(package):
    try:
        spec = importlib.util.find_spec(package)
    except ModuleNotFoundError:
        spec = None
    if spec is None:
        pytest.skip(f"{package} is not installed")
    for path in site.getsitepackages():
        if any(str(p).startswith(path) for p in spec.submodule_search_locations or [spec.origin]):
            return path
    pytest.skip(f"{package} is not in site-packages")


@pytest.mark.slow
@pytest.mark.parametrize(
    "package",
    # persistent's own threading tests join their threads with a time-out.
    [pytest.param(p, marks=pytest.mark.alone) if p == "persistent" else p for p in PACKAGES],
)
def test_real_project_same_as_zope(zope_available, package):
    zope, _ = assert_same_as_zope(["--test-path", site_packages_of(package), "-s", package])
    assert "Ran " in zope.out
    layers = re.findall(r"^Running (\S+) tests:$", zope.out, re.M)
    assert layers[1:] == LAYERS.get(package, [])
