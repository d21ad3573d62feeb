"""One module whose suite holds a test twice: a real duplicate."""

import doctest
import unittest


def test_suite():
    suite = unittest.TestSuite()
    suite.addTest(doctest.DocFileSuite("../shared.rst"))
    suite.addTest(doctest.DocFileSuite("../shared.rst"))
    return suite
