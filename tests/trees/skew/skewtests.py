"""Imports a C extension so that -r can say whether it was built for this
interpreter (zope.interface's speedups, which pip installs as a release
build even into a debug interpreter's environment)."""

import unittest

import zope.interface  # noqa: F401


class UsesTheExtension(unittest.TestCase):
    def test_interface(self):
        class IThing(zope.interface.Interface):
            pass

        self.assertTrue(IThing.providedBy(object()) in (True, False))
