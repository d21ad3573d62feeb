"""Leak: strs, which the garbage collector does not track. Every run keeps
four new strings in a module-level list. A release build's census counts only
the objects the collector tracks: there the leak is its memory, allocated
blocks."""

import unittest

HOARD = []


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_keeps_four_strings(self):
        for _ in range(4):
            HOARD.append(f"leaked string number {len(HOARD)}")
