"""Tests of the annex package proper (found by the normal walk)."""

import os.path
import unittest


class AnnexTests(unittest.TestCase):

    def test_path_is_knitted(self):
        import annex
        self.assertEqual([os.path.basename(p) for p in annex.__path__],
                         ['annex', 'knit-ins'])
