"""Tests that run while other threads allocate: the census of -r -v walks the
heap while those threads are alive and, on a free-threaded build, running.

The layer starts three threads that build and drop containers of new objects
in a loop until the layer is torn down; every test waits until each of them
has made progress since the test began, so that censuses (taken between
iterations) fall while they run. test_keeps leaves one Kept instance behind
per run: the census must find exactly that one per iteration, whatever the
threads were doing.
"""

import threading
import time
import unittest

THREADS = 3
KEPT = []


class Kept:
    """What test_keeps leaks, one per run."""


class Churn:
    """What the background threads allocate and drop."""

    def __init__(self, n):
        self.items = [str(n), n * 1.5, (n, n + 1)]
        self.index = {i: self.items for i in range(4)}


class Allocating:
    """A layer whose threads allocate as long as it is set up."""

    @classmethod
    def setUp(cls):
        cls.stop = threading.Event()
        cls.rounds = [0] * THREADS
        cls.threads = [
            threading.Thread(target=cls.churn, args=(i,), daemon=True) for i in range(THREADS)
        ]
        for thread in cls.threads:
            thread.start()

    @classmethod
    def churn(cls, slot):
        n = 0
        while not cls.stop.is_set():
            batch = [Churn(n + i) for i in range(50)]
            batch.append({"n": n, "batch": list(batch)})
            del batch
            n += 1
            cls.rounds[slot] = n

    @classmethod
    def tearDown(cls):
        cls.stop.set()
        for thread in cls.threads:
            thread.join()
        del cls.threads

    @classmethod
    def wait_for_progress(cls):
        start = list(cls.rounds)
        deadline = time.monotonic() + 30
        while any(now <= then for now, then in zip(cls.rounds, start, strict=True)):
            assert time.monotonic() < deadline, "the allocating threads made no progress"
            assert all(t.is_alive() for t in cls.threads), "an allocating thread died"
            time.sleep(0.001)


class WithThreads(unittest.TestCase):
    layer = Allocating

    def test_keeps(self):
        KEPT.append(Kept())
        Allocating.wait_for_progress()

    def test_allocates_too(self):
        data = {str(i): [i] for i in range(100)}
        self.assertEqual(len(data), 100)
        Allocating.wait_for_progress()


def test_suite():
    return unittest.defaultTestLoader.loadTestsFromTestCase(WithThreads)
