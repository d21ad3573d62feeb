"""Instance layers, one of them named on the suite by a string."""

import unittest

from house import fixtures
from house.tests.helpers import LayerAwareTestCase


class GarageTests(LayerAwareTestCase):
    layer = fixtures.Garage

    def test_open(self):
        self.assertTrue(fixtures.Garage.open)

    def test_trail(self):
        self.assertEqual(self.trail, ['+Foundation', '+Garage'])


class WorkshopTests(LayerAwareTestCase):
    # No layer attribute here: the suite carries it (see test_suite).

    def test_open(self):
        self.assertTrue(fixtures.Workshop.open)
        self.assertTrue(fixtures.Garage.open)

    def test_trail(self):
        self.assertEqual(self.trail,
                         ['+Foundation', '+Garage', '+Workshop'])


def test_suite():
    loader = unittest.defaultTestLoader
    workshop = loader.loadTestsFromTestCase(WorkshopTests)
    workshop.layer = 'house.fixtures.Workshop'
    return unittest.TestSuite([
        loader.loadTestsFromTestCase(GarageTests),
        workshop,
    ])
