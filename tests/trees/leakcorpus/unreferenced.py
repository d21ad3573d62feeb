"""Leak: an object nothing refers to. Every run makes a bytes object, takes
a reference nobody will give back, and drops its own (as a C extension that
forgets to release what it created)."""

import ctypes
import unittest

RUNS = [0]


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_orphans_an_object(self):
        RUNS[0] += 1
        orphan = ("orphan %d " % RUNS[0]).encode() * 8
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(orphan))
        del orphan
