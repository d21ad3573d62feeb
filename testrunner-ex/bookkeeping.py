"""A layer whose tests move the debug build's reference total with no object
behind it, as a C extension's own reference bookkeeping can (a cache that
steals references, say): leak hunting calls it drift, never a leak.

Found with --tests-pattern '^bookkeeping$' (the demo runs it together with
leak.py and leaklayers.py).  On a release build the tests do nothing.
"""

import ctypes
import sys
import unittest

if hasattr(sys, "gettotalrefcount"):
    # The interpreter's own counter of references, which sys.gettotalrefcount
    # adds to its total.
    TOTAL = ctypes.c_ssize_t.in_dll(ctypes.pythonapi, "_Py_RefTotal")
else:
    TOTAL = None


class Ledger:
    """The layer of the bookkeeping tests."""

    @classmethod
    def setUp(cls):
        pass

    @classmethod
    def tearDown(cls):
        pass


class BookkeepingTest(unittest.TestCase):
    layer = Ledger

    def test_moves_the_total(self):
        if TOTAL is not None:
            TOTAL.value += 2

    def test_plain(self):
        self.assertEqual(sum(range(10)), 45)
