"""Trap: plain tests that keep nothing."""

import unittest


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_allocates(self):
        data = [str(i) * 3 for i in range(50)]
        self.assertEqual(len({d: i for i, d in enumerate(data)}), 50)

    def test_prints(self):
        print("output")

    @unittest.skip("on purpose")
    def test_skipped(self):
        pass

    def test_subtests(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertGreaterEqual(i, 0)
