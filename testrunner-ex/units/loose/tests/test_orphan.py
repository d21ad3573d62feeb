"""This tests/ directory has no __init__.py, so it is not a tests package:
zope.testrunner never collects this module (its name does not match the
default ^tests$ pattern either)."""

import unittest


class Orphan(unittest.TestCase):

    def test_never_collected(self):
        self.fail('units/loose/tests has no __init__.py and must be skipped')
