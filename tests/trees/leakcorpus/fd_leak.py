"""Leak: every run opens a file descriptor and never closes it."""

import os
import unittest


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_opens(self):
        os.open(os.devnull, os.O_RDONLY)
