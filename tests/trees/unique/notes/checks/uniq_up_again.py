"""Loads ../shared.rst too: the very id uniq_up's test has."""

import doctest


def test_suite():
    return doctest.DocFileSuite("../shared.rst")
