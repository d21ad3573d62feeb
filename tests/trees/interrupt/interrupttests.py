"""The second test presses Ctrl-C (sends itself SIGINT)."""

import os
import signal
import time
import unittest


class Layer:
    @classmethod
    def setUp(cls):
        pass

    @classmethod
    def tearDown(cls):
        print("tearing down after the interruption", end=" ")


class Interrupted(unittest.TestCase):
    layer = Layer

    def test_1_runs(self):
        pass

    def test_2_presses_ctrl_c(self):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)

    def test_3_never_runs(self):
        raise AssertionError("ran after Ctrl-C")


class Unit(unittest.TestCase):
    def test_unit(self):
        pass
