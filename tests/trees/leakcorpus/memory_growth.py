"""Leak: memory with no object. Every run allocates a block from Python's
allocator and never frees it (as a C extension's lost buffer)."""

import ctypes
import unittest

ctypes.pythonapi.PyMem_Malloc.restype = ctypes.c_void_p
ctypes.pythonapi.PyMem_Malloc.argtypes = [ctypes.c_size_t]


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_loses_a_buffer(self):
        for _ in range(4):
            ctypes.pythonapi.PyMem_Malloc(48)
