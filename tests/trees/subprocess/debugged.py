"""Tests that enter the debugger: one calls pdb.set_trace(), one fails (for
-D, post-mortem)."""

import unittest


class DebuggedTests(unittest.TestCase):
    def test_set_trace(self):
        x = 1
        import pdb

        pdb.set_trace()
        y = x + 1
        self.assertEqual(y, 2)

    def test_post_mortem(self):
        x = 1
        y = 2
        raise ValueError(x + y)
