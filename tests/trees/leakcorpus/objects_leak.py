"""Leak: every run keeps a Leakable in a module-level list."""

import unittest

HOARD = []


class Layer:
    pass


class Leakable:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_keeps_one(self):
        HOARD.append(Leakable())

    def test_clean(self):
        self.assertTrue(Leakable())
