"""A test_suite() that adds the same test twice.

Found with --tests-pattern '^dupes$'.  Normally the test simply runs twice;
with --require-unique discovery raises DuplicateTestIDError.
"""

import unittest


class Twice(unittest.TestCase):

    def test_again(self):
        pass

    def test_once(self):
        pass


def test_suite():
    return unittest.TestSuite([
        Twice('test_again'),
        Twice('test_once'),
        Twice('test_again'),
    ])
