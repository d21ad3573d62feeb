"""Layers whose child processes misbehave (run with -j): one is killed by a
signal, one hangs, one floods its stderr; the calm ones must keep their
results."""

import os
import signal
import sys
import time
import unittest


class Calm:
    @classmethod
    def setUp(cls):
        pass


class Killed:
    @classmethod
    def setUp(cls):
        pass


class Hangs:
    @classmethod
    def setUp(cls):
        pass


class Floods:
    @classmethod
    def setUp(cls):
        pass


class CalmTests(unittest.TestCase):
    layer = Calm

    def test_one(self):
        pass

    @unittest.skip("skipped in a child")
    def test_skipped(self):
        pass

    def test_fails(self):
        self.fail("a failure in a child")


class KilledTests(unittest.TestCase):
    layer = Killed

    def test_killed(self):
        os.kill(os.getpid(), signal.SIGKILL)


class HangsTests(unittest.TestCase):
    layer = Hangs

    def test_hangs(self):
        time.sleep(600)


class FloodsTests(unittest.TestCase):
    layer = Floods

    def test_floods_stderr(self):
        # Far more than a pipe holds: a parent that reads stdout to the end
        # before it reads stderr would wait for ever.
        chunk = "x" * 1023 + "\n"
        for _ in range(10 * 1024):
            sys.__stderr__.write(chunk)
        sys.__stderr__.flush()
