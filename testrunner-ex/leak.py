"""A test that leaks (for the leak-hunting demo).

Found only with --tests-pattern '^leak$'.  Every run of test_leak appends
to the module-level list HOARD a tuple of a Leakable and a Keepsake (two
user classes), and a float, so each -N iteration leaves behind: 1 tuple,
1 Leakable, 1 Keepsake, 1 float (and the references to them).
test_clean allocates the same things and keeps none of them.
"""

import unittest

HOARD = []


class Leakable:
    """A user class whose instances leak."""

    def __init__(self, label):
        self.label = label


class Keepsake:
    """Another one, so the table shows one row per leaked class."""


class LeakTest(unittest.TestCase):
    def test_leak(self):
        HOARD.append((Leakable("kept"), Keepsake()))
        HOARD.append(len(HOARD) / 4.0)  # a new float object every run

    def test_clean(self):
        pair = (Leakable("dropped"), Keepsake())
        value = len(pair) / 4.0
        self.assertEqual(value, 0.5)
