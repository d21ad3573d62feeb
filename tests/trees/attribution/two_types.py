"""Two tests leaking different types, among 20."""

import unittest

ALPHAS = []
BETAS = {}


class TwoLayer:
    pass


class Alpha:
    pass


class Beta:
    pass


class Tests(unittest.TestCase):
    layer = TwoLayer


def _clean(self):
    self.assertTrue(Alpha() and Beta())


def _alpha(self):
    ALPHAS.append(Alpha())


def _beta(self):
    BETAS[len(BETAS)] = Beta()


for _i in range(20):
    setattr(Tests, "test_%02d" % _i, {3: _alpha, 16: _beta}.get(_i, _clean))
