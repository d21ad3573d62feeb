import unittest


class SidecarTests(unittest.TestCase):

    def test_attached(self):
        import sidecar
        self.assertTrue(sidecar.__doc__.startswith('side-path/'))
