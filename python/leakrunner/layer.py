"""Layers that leakrunner itself provides.

``UnitTests`` is the layer of every test that declares none; it is always set
up first. ``EmptyLayer`` (named ``.EmptyLayer``) is the layer the parent
process runs first under ``-j``.
"""

import unittest


class UnitTests:
    """A layer for unit tests: nothing to set up or tear down."""


class EmptyLayer:
    """The layer of ``EmptySuite``: run by the parent first under -j."""

    __module__ = ""


def EmptySuite():
    """A suite with no tests in ``EmptyLayer``."""
    suite = unittest.TestSuite()
    suite.layer = EmptyLayer
    return suite
