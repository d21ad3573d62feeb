"""Trap: a layer whose set-up builds a big structure once."""

import unittest


class Layer:
    @classmethod
    def setUp(cls):
        cls.table = [{"i": i, "s": str(i)} for i in range(20000)]

    @classmethod
    def tearDown(cls):
        del cls.table


class Tests(unittest.TestCase):
    layer = Layer

    def test_reads(self):
        self.assertEqual(Layer.table[5]["s"], "5")
