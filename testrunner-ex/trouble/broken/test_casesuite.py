"""test_suite() returns a TestCase, not a TestSuite: rejected too."""

import unittest


class Single(unittest.TestCase):

    def test_single(self):
        pass


def test_suite():
    return Single('test_single')
