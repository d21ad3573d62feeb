"""testrunner-ex/1st must never be searched for tests."""

import unittest


class NeverCollected(unittest.TestCase):

    def test_never_collected(self):
        self.fail('testrunner-ex/1st was searched for tests')
