"""Trap: collectable reference cycles every run."""

import unittest


class Layer:
    pass


class Node:
    def __init__(self):
        self.me = self
        self.data = [self, {"k": self}]


class Tests(unittest.TestCase):
    layer = Layer

    def test_makes_cycles(self):
        for _ in range(10):
            Node()
