"""A SyntaxError."""

import unittest

class Broken(unittest.TestCase)
    def test_never(self):
        pass
