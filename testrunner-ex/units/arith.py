"""Code with docstring doctests (collected by units/tests.py through
doctest.DocTestSuite).

>>> add(2, 3)
5
"""


def add(a, b):
    """Add two numbers.

    >>> add(1, 1)
    2
    >>> add('a', 'b')
    'ab'
    """
    return a + b


def mean(values):
    """The arithmetic mean.

    >>> mean([1, 2, 3, 4])
    2.5
    >>> mean([])
    Traceback (most recent call last):
    ...
    ValueError: mean of nothing
    """
    if not values:
        raise ValueError('mean of nothing')
    return sum(values) / len(values)


def _private(x):
    """Names starting with an underscore are collected too (Python 3's
    DocTestFinder no longer skips them).

    >>> _private(1)
    1
    """
    return x
