"""testrunner-ex/not-a-package must never be searched for tests."""

import unittest


class NeverCollected(unittest.TestCase):

    def test_never_collected(self):
        self.fail('testrunner-ex/not-a-package was searched for tests')
