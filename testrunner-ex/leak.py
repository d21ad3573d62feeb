"""A test that leaks (for the leak-hunting demo).

Found only with --tests-pattern '^leak$'.  Every run of test_leak appends
to the module-level list HOARD a tuple of two Leakable instances, and a
float, so each -N iteration leaves behind: 1 tuple, 2 Leakable instances,
1 float (and their references).  test_clean allocates the same things and
keeps none of them.
"""

import unittest

HOARD = []


class Leakable:
    """A user class whose instances leak."""

    def __init__(self, label):
        self.label = label


class LeakTest(unittest.TestCase):

    def test_leak(self):
        pair = (Leakable('left'), Leakable('right'))
        HOARD.append(pair)
        HOARD.append(len(HOARD) / 4.0)   # a new float object every run

    def test_clean(self):
        pair = (Leakable('left'), Leakable('right'))
        value = len(pair) / 4.0
        self.assertEqual(value, 0.5)
