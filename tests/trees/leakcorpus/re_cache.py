"""Trap: new regular expressions every run fill re's cache."""

import re
import unittest

RUNS = [0]


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_compiles(self):
        RUNS[0] += 1
        for i in range(5):
            self.assertTrue(re.match("a{%d}b%d" % (RUNS[0], i), "a" * RUNS[0] + "b%d" % i))
