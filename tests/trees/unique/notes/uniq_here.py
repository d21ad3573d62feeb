"""Loads shared.rst from its own package, and defines a test class that
uniq_borrow runs too."""

import doctest
import unittest


class Arithmetic(unittest.TestCase):
    def test_sum(self):
        self.assertEqual(1 + 1, 2)


def test_suite():
    suite = unittest.TestSuite()
    suite.addTest(doctest.DocFileSuite("shared.rst"))
    suite.addTest(unittest.defaultTestLoader.loadTestsFromTestCase(Arithmetic))
    return suite
