"""Leak: a missing DECREF. Every run takes a reference to one long-lived
object and never gives it back (as a C extension that forgets Py_DECREF)."""

import ctypes
import unittest


class Target:
    pass


TARGET = Target()


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_forgets_a_decref(self):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(TARGET))
