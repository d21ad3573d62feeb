"""Trap: interned strings, a fixed set of them."""

import sys
import unittest

RUNS = [0]


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_interns(self):
        RUNS[0] += 1
        for i in range(20):
            self.assertTrue(sys.intern("interned-%d" % ((RUNS[0] + i) % 20)))
