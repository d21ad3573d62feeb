"""Trap: the debug reference total moves with no object behind it (as a C
extension's own bookkeeping of references does): drift, never a leak."""

import ctypes
import sys
import unittest

if hasattr(sys, "gettotalrefcount"):
    TOTAL = ctypes.c_ssize_t.in_dll(ctypes.pythonapi, "_Py_RefTotal")
else:
    TOTAL = None


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_moves_the_total(self):
        if TOTAL is not None:
            TOTAL.value += 3
