"""Tests for the debugger options (-D, pdb.set_trace).

Found only with --tests-pattern '^debugging$'; feed the debugger commands on
stdin (for example "p x\\nc\\n").
"""

import doctest
import pdb
import unittest


class Debugged(unittest.TestCase):
    def test_set_trace(self):
        x = 1
        pdb.set_trace()
        self.assertEqual(x, 1)

    def test_post_mortem_error(self):
        x = 1  # noqa: F841 (the debugger looks at it)
        raise ValueError("wrong value")

    def test_post_mortem_failure(self):
        x, y = 1, 2
        self.assertEqual(x, y)

    @unittest.skip("not debugged")
    def test_skipped(self):
        pass

    @unittest.expectedFailure
    def test_expected_failure(self):
        self.assertEqual(1, 2)

    @unittest.expectedFailure
    def test_unexpected_success(self):
        pass


def doctest_failure():
    """
    >>> x = 1
    >>> x + 1
    3
    """


def doctest_raises():
    """
    >>> y = 2
    >>> 1 / 0
    """


def test_suite():
    suite = unittest.TestSuite()
    suite.addTest(unittest.defaultTestLoader.loadTestsFromTestCase(Debugged))
    suite.addTest(doctest.DocTestSuite())
    return suite
