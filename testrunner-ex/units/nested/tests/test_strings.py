"""No test_suite(): collected by unittest's loader."""

import unittest


class Strings(unittest.TestCase):

    def test_join(self):
        self.assertEqual('-'.join('abc'), 'a-b-c')

    def test_split(self):
        self.assertEqual('a b  c'.split(), ['a', 'b', 'c'])


class MoreStrings(unittest.TestCase):
    level = 2

    def test_center(self):
        self.assertEqual('x'.center(5, '*'), '**x**')
