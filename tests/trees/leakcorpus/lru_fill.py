"""Trap: an lru_cache that fills during the warm-ups and then stays full."""

import functools
import unittest

CALLS = [0]


@functools.lru_cache(maxsize=24)
def square(n):
    return [n * n]


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_fills_the_cache(self):
        for _ in range(12):
            CALLS[0] += 1
            self.assertEqual(square(CALLS[0]), [CALLS[0] ** 2])
