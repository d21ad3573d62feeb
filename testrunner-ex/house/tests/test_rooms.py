"""Class layers set directly on TestCase classes; has a test_suite()."""

import unittest

from house import layers
from house.tests.helpers import LayerAwareTestCase


class FoundationTests(LayerAwareTestCase):
    layer = layers.Foundation

    def test_poured(self):
        self.assertTrue(layers.Foundation.poured)
        self.assertEqual(self.trail, ['+Foundation'])

    def test_square(self):
        self.assertEqual(4 * 90, 360)


class PlumbingTests(LayerAwareTestCase):
    layer = layers.Plumbing

    def test_inherited_setup_ran_per_layer(self):
        # Foundation.setUp ran once for Foundation and once for Plumbing.
        self.assertTrue(layers.Plumbing.__dict__['poured'])
        self.assertTrue(layers.Foundation.__dict__['poured'])

    def test_inherited_test_setup(self):
        self.assertEqual(self.trail, ['+Foundation', '+Plumbing'])


class KitchenTests(LayerAwareTestCase):
    layer = layers.Kitchen

    def test_diamond_test_setup_order(self):
        # testSetUp runs bases first, in zope's layer order (not MRO order).
        self.assertEqual(
            self.trail,
            ['+Foundation', '+Plumbing', '+Wiring/Wiring', '+Kitchen'])

    def test_both_bases_up(self):
        self.assertTrue(layers.Wiring.live)
        self.assertTrue(layers.Plumbing.poured)


class PantryTests(LayerAwareTestCase):
    layer = layers.Pantry

    def test_shelves(self):
        self.assertEqual(layers.Pantry.shelves, ['jam', 'flour'])

    def test_inherited_test_setup(self):
        # Pantry inherits Kitchen.testSetUp, which runs for both layers.
        self.assertEqual(
            self.trail,
            ['+Foundation', '+Plumbing', '+Wiring/Wiring', '+Kitchen',
             '+Kitchen'])


class SlowPantryTests(LayerAwareTestCase):
    """A level-2 TestCase inside a layer."""
    layer = layers.Pantry
    level = 2

    def test_count_jars(self):
        self.assertEqual(len(layers.Pantry.shelves) * 21, 42)


def test_suite():
    suite = unittest.TestSuite()
    loader = unittest.defaultTestLoader
    for case in (FoundationTests, PlumbingTests, KitchenTests, PantryTests,
                 SlowPantryTests):
        suite.addTest(loader.loadTestsFromTestCase(case))
    return suite
