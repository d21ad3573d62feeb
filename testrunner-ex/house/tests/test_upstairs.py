"""No test_suite(): collected by unittest's loader.

Layers are given here as dotted-name *strings*; the runner imports them.
"""

from house import layers
from house.tests.helpers import LayerAwareTestCase


class AtticTests(LayerAwareTestCase):
    layer = 'house.layers.Attic'

    def test_live(self):
        self.assertTrue(layers.Attic.live)

    def test_trail(self):
        self.assertEqual(self.trail,
                         ['+Foundation', '+Wiring/Wiring', '+Wiring/Attic'])


class LoftTests(LayerAwareTestCase):
    layer = 'house.layers.Loft'

    def test_trail(self):
        # Scaffold has no testSetUp; Loft inherits Wiring's.
        self.assertEqual(
            self.trail,
            ['+Foundation', '+Wiring/Wiring', '+Wiring/Attic',
             '+Wiring/Loft'])


class CellarTests(LayerAwareTestCase):
    layer = 'house.layers.Cellar'

    def test_trail(self):
        self.assertEqual(self.trail,
                         ['+Foundation', '+Plumbing', '+Cellar'])

    def test_dry(self):
        self.assertNotIn('water', vars(layers.Cellar))


class WiringTests(LayerAwareTestCase):
    layer = layers.Wiring

    def test_trail(self):
        self.assertEqual(self.trail, ['+Foundation', '+Wiring/Wiring'])
