"""A doctest file (.rst) run in a layer set on the DocFileSuite."""

import doctest

from house import layers


def test_suite():
    suite = doctest.DocFileSuite('kitchen.rst')
    suite.layer = layers.Kitchen
    return suite
