"""Loads ../shared.rst: the same file as uniq_here, by another path."""

import doctest


def test_suite():
    return doctest.DocFileSuite("../shared.rst")
