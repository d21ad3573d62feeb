"""Found only with --package-path testrunner-ex/knit-ins annex."""

import unittest


class StitchedTests(unittest.TestCase):

    def test_module_name(self):
        self.assertEqual(__name__, 'annex.stitched.tests')

    def test_sibling_import(self):
        from annex import stitched
        self.assertTrue(stitched.__file__.endswith('stitched/__init__.py'))
