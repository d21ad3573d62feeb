"""Binds the name ``zope.testrunner`` to leakrunner, at interpreter start-up.

tests/test_zope_doctests.py puts this directory on PYTHONPATH for the
process that runs one of zope.testrunner's doctest documents, so the
binding holds there and in every process the document starts (the runner's
children for layers run in subprocesses). zope.testrunner may be installed
too: the names bound here come first, so none of its code runs.

Only the modules of zope's public API are bound: ``zope.testrunner`` itself,
``.layer`` and ``.interfaces``. A document that imports any other
(``zope.testrunner.runner``, ``.options``, ...) uses zope's internals, which
leakrunner does not have, and fails on the import.
"""

import sys
import types

import leakrunner
import leakrunner.interfaces
import leakrunner.layer


def _bind():
    try:
        import zope
    except ImportError:
        zope = types.ModuleType("zope")
        zope.__path__ = []
        sys.modules["zope"] = zope
    sys.modules["zope.testrunner"] = leakrunner
    sys.modules["zope.testrunner.layer"] = leakrunner.layer
    sys.modules["zope.testrunner.interfaces"] = leakrunner.interfaces
    zope.testrunner = leakrunner


_bind()
