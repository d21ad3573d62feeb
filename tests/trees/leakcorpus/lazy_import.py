"""Trap: a module imported by a test the first time it runs."""

import importlib
import unittest


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_imports(self):
        mod = importlib.import_module("lazy_mod")
        self.assertEqual(len(mod.THINGS), 10)
