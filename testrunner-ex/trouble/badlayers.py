"""Layers whose setUp or tearDown raise.

Found with --tests-pattern '^badlayers$'.  Layer order: Crumbly,
Crumbly.sub = Rubble, Shaky, Steady.

* Crumbly.setUp raises: Crumbly's tests are not run; the error is reported
  as "Layer: trouble.badlayers.Crumbly.setUp".  Rubble (based on Crumbly)
  tries to set up Crumbly again and fails the same way.
* Shaky.tearDown raises ValueError: reported as
  "Layer: trouble.badlayers.Shaky.tearDown"; the run goes on.
* Steady runs normally after all that.
"""

import unittest


class Crumbly:

    @classmethod
    def setUp(cls):
        raise RuntimeError('the mortar is still wet')

    @classmethod
    def tearDown(cls):
        pass


class Rubble(Crumbly):

    @classmethod
    def setUp(cls):
        pass

    @classmethod
    def tearDown(cls):
        pass


class Shaky:

    @classmethod
    def setUp(cls):
        pass

    @classmethod
    def tearDown(cls):
        __traceback_info__ = 'Shaky was set up'
        raise ValueError('the floor gave way')


class Steady:

    @classmethod
    def setUp(cls):
        pass

    @classmethod
    def tearDown(cls):
        pass


class CrumblyTests(unittest.TestCase):
    layer = Crumbly

    def test_never_runs(self):
        raise AssertionError('Crumbly.setUp failed; this must not run')


class RubbleTests(unittest.TestCase):
    layer = Rubble

    def test_never_runs_either(self):
        raise AssertionError('Crumbly.setUp failed; this must not run')


class ShakyTests(unittest.TestCase):
    layer = Shaky

    def test_shaky(self):
        pass


class SteadyTests(unittest.TestCase):
    layer = Steady

    def test_steady(self):
        pass

    def test_steady_too(self):
        pass
