"""test_suite() returns None: zope.testrunner reports
TypeError: Invalid test_suite, None, in trouble.broken.test_nonesuite"""

import unittest


class Ignored(unittest.TestCase):

    def test_ignored(self):
        pass


def test_suite():
    suite = unittest.TestSuite()
    suite.addTest(Ignored('test_ignored'))
    # forgot to return it
