"""A test_suite() that sets a level on part of the suite."""

import unittest


class Sets(unittest.TestCase):

    def test_union(self):
        self.assertEqual({1} | {2}, {1, 2})

    def test_frozen(self):
        self.assertEqual(frozenset('aa'), frozenset('a'))


class SlowSets(unittest.TestCase):

    def test_powerset_size(self):
        from itertools import combinations
        items = 'abcd'
        subsets = [c for r in range(5) for c in combinations(items, r)]
        self.assertEqual(len(subsets), 16)


def test_suite():
    loader = unittest.defaultTestLoader
    slow = loader.loadTestsFromTestCase(SlowSets)
    slow.level = 2
    return unittest.TestSuite([loader.loadTestsFromTestCase(Sets), slow])
