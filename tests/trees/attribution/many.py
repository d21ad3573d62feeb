"""One leaking test among 200 clean ones."""

import unittest

KEPT = []


class ManyLayer:
    pass


class Needle:
    pass


class Tests(unittest.TestCase):
    layer = ManyLayer


def _clean(self):
    self.assertEqual(len([Needle() for _ in range(3)]), 3)


def _leaks(self):
    KEPT.append(Needle())


for _i in range(200):
    setattr(Tests, "test_%03d" % _i, _leaks if _i == 137 else _clean)
