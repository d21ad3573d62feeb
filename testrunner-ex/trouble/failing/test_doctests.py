"""Failing doctests: a doctest file and docstring doctests.

recipe.rst has several failing examples, so -1 (only the first failure)
and --ndiff/--udiff/--cdiff show different output.
"""

import doctest
import unittest


def scramble(word):
    """A docstring doctest with a wrong expectation.

    >>> scramble('abc')
    'abc'
    """
    return word[::-1]


def explode():
    """A docstring doctest that raises an unexpected exception.

    >>> explode()
    'boom?'
    """
    __traceback_info__ = 'explode() was called'
    raise ZeroDivisionError('kaboom')


def test_suite():
    return unittest.TestSuite([
        doctest.DocFileSuite('recipe.rst'),
        doctest.DocTestSuite('trouble.failing.test_doctests'),
    ])
