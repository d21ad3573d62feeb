"""Leak: every run starts a thread that waits forever."""

import threading
import unittest

NEVER = threading.Event()


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_starts_a_thread(self):
        threading.Thread(target=NEVER.wait, daemon=True).start()
