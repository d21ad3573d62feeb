"""A leak that appears only when two tests run together: test_arm arms a
trap, test_fire leaks when armed and disarms it. Alone, neither leaks."""

import unittest

STATE = {"armed": False}
CAUGHT = []


class PairLayer:
    pass


class Spark:
    pass


class Tests(unittest.TestCase):
    layer = PairLayer


def _clean(self):
    self.assertFalse(Spark() is None)


def _arm(self):
    STATE["armed"] = True


def _fire(self):
    if STATE["armed"]:
        CAUGHT.append(Spark())
    STATE["armed"] = False


for _i in range(16):
    setattr(Tests, "test_%02d" % _i, _clean)
Tests.test_04_arm = _arm
Tests.test_11_fire = _fire
