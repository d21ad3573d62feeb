"""A tests.py module (one directory below the test path) with a test_suite().

Everything here runs in the zope.testrunner.layer.UnitTests layer.
"""

import doctest
import unittest


class Arithmetic(unittest.TestCase):

    def test_add(self):
        from units.arith import add
        self.assertEqual(add(2, 2), 4)

    def test_subtests_pass(self):
        for n in range(3):
            with self.subTest(n=n):
                self.assertEqual(n * 0, 0)

    def test_grüße(self):
        # A test with a non-ASCII name.
        self.assertEqual('straße'.upper(), 'STRASSE')


class Skipping(unittest.TestCase):

    @unittest.skip('decorated away')
    def test_decorated(self):
        raise AssertionError('not run')

    def test_skip_inside(self):
        self.skipTest('decided at run time')

    @unittest.skipIf(True, 'condition holds')
    def test_skip_if(self):
        raise AssertionError('not run')

    def test_runs(self):
        pass


@unittest.skip('whole class skipped')
class SkippedClass(unittest.TestCase):

    def test_one(self):
        raise AssertionError('not run')

    def test_two(self):
        raise AssertionError('not run')


class Expected(unittest.TestCase):

    @unittest.expectedFailure
    def test_known_bug(self):
        self.assertEqual(1, 2)


class Level2Arithmetic(unittest.TestCase):
    """Runs with -a 2 and above, or --only-level 2."""
    level = 2

    def test_big_add(self):
        self.assertEqual(sum(range(1001)), 500500)


class DeepArithmetic(unittest.TestCase):
    """No level attribute: the suite in test_suite() gives it level 3."""

    def test_power(self):
        self.assertEqual(2 ** 10, 1024)

    def test_factorial(self):
        import math
        self.assertEqual(math.factorial(6), 720)


class Level5Arithmetic(unittest.TestCase):
    """Only with --all, -a 5 (or more), -a 0 or --only-level 5."""
    level = 5

    def test_huge(self):
        self.assertEqual(len(str(2 ** 100)), 31)


def test_suite():
    loader = unittest.defaultTestLoader
    deep = loader.loadTestsFromTestCase(DeepArithmetic)
    deep.level = 3
    return unittest.TestSuite([
        loader.loadTestsFromTestCase(Arithmetic),
        loader.loadTestsFromTestCase(Skipping),
        loader.loadTestsFromTestCase(SkippedClass),
        loader.loadTestsFromTestCase(Expected),
        loader.loadTestsFromTestCase(Level2Arithmetic),
        deep,
        loader.loadTestsFromTestCase(Level5Arithmetic),
        doctest.DocTestSuite('units.arith'),
        doctest.DocFileSuite('notes.txt'),
    ])
