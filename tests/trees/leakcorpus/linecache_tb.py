"""Trap: formatting tracebacks fills linecache."""

import traceback
import unittest


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_formats_a_traceback(self):
        try:
            {}["missing"]
        except KeyError:
            text = traceback.format_exc()
        self.assertIn("missing", text)
