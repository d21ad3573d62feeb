"""The one module in this package that works."""

import unittest


class Fine(unittest.TestCase):

    def test_fine(self):
        pass
