"""A layer that cannot be torn down (NotImplementedError), followed by
other layers.

Found with --tests-pattern '^ntd$'.  Layer order: UnitTests, Anchor,
Dinghy, Ferry.  Moving on from Anchor needs Anchor torn down; its tearDown
raises NotImplementedError, so zope.testrunner runs Dinghy and then Ferry
each in a subprocess (--resume-layer).  With -a 2 a failing and an erroring
test run in the Ferry subprocess too.
"""

import unittest


class Anchor:

    @classmethod
    def setUp(cls):
        cls.down = True

    @classmethod
    def tearDown(cls):
        raise NotImplementedError


class Dinghy:

    @classmethod
    def setUp(cls):
        print('launching', end=' ')

    @classmethod
    def tearDown(cls):
        pass


class Ferry(Dinghy):

    @classmethod
    def setUp(cls):
        pass

    @classmethod
    def tearDown(cls):
        print('docking', end=' ')


class Plain(unittest.TestCase):

    def test_unit(self):
        pass


class AnchorTests(unittest.TestCase):
    layer = Anchor

    def test_down(self):
        self.assertTrue(Anchor.down)

    def test_still_down(self):
        self.assertTrue(Anchor.down)


class DinghyTests(unittest.TestCase):
    layer = Dinghy

    def test_float(self):
        pass

    def test_skipped_in_child(self):
        self.skipTest('skips in a subprocess are not reported back')


class FerryTests(unittest.TestCase):
    layer = Ferry

    def test_sail(self):
        pass


class FerryTroubles(unittest.TestCase):
    layer = Ferry
    level = 2

    def test_fails_in_child(self):
        self.assertEqual('port', 'starboard')

    def test_errors_in_child(self):
        raise OSError('engine room flooded')
