"""Two suite factories: test_suite() (the default --suite-name) and
alternate_suite() (used with --suite-name alternate_suite)."""

import unittest


class Default(unittest.TestCase):

    def test_default_suite(self):
        pass


class Alternate(unittest.TestCase):

    def test_alternate_suite(self):
        pass

    def test_alternate_suite_too(self):
        pass


def test_suite():
    return unittest.defaultTestLoader.loadTestsFromTestCase(Default)


def alternate_suite():
    return unittest.defaultTestLoader.loadTestsFromTestCase(Alternate)
