"""Runs uniq_here's test class again, from another module."""

import unittest

from notes.uniq_here import Arithmetic


def test_suite():
    return unittest.defaultTestLoader.loadTestsFromTestCase(Arithmetic)
