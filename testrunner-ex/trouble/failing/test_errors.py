"""Tests that raise exceptions (errors, not failures)."""

import unittest


def lookup(key):
    __traceback_info__ = 'looking up %r' % (key,)
    return {'a': 1}[key]


class Errors(unittest.TestCase):

    def test_traceback_info(self):
        __traceback_info__ = 'the test keeps some info'
        lookup('b')

    def test_chained(self):
        try:
            int('twelve')
        except ValueError as e:
            raise RuntimeError('could not parse the count') from e

    def test_implicit_chain(self):
        try:
            [][0]
        except IndexError:
            raise KeyError('raised while handling an IndexError')
