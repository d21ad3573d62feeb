"""Tests that leave threads running (for the new-thread report).

Found only with --tests-pattern '^threads$'. The threads are daemons that
end on their own a moment later.
"""

import threading
import time
import unittest


def linger(name):
    thread = threading.Thread(target=time.sleep, args=(1.5,), name=name, daemon=True)
    thread.start()
    return thread


class LeavesThreads(unittest.TestCase):
    def test_leaves_a_thread(self):
        linger("lingerer")

    def test_leaves_an_ignorable_thread(self):
        linger("ignorable-worker")

    def test_joins_its_thread(self):
        linger("joined").join()
