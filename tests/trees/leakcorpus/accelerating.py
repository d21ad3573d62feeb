"""Leak that grows faster each run: run k keeps k Growing objects."""

import unittest

HOARD = []
RUNS = [0]


class Layer:
    pass


class Growing:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_keeps_more_each_time(self):
        RUNS[0] += 1
        HOARD.extend(Growing() for _ in range(RUNS[0]))
