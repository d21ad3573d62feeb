"""Tests in the layer alpha.Alpha, and unit tests."""

import unittest


class Alpha:
    @classmethod
    def setUp(cls):
        pass

    @classmethod
    def tearDown(cls):
        pass


class InLayer(unittest.TestCase):
    layer = Alpha

    def test_00(self):
        pass

    def test_01(self):
        pass

    def test_02(self):
        pass

    def test_03(self):
        pass

    def test_04(self):
        pass

    def test_05(self):
        pass

    def test_06(self):
        pass

    def test_07(self):
        pass

    def test_08(self):
        pass

    def test_09(self):
        pass

    def test_10(self):
        pass

    def test_11(self):
        pass


class Units(unittest.TestCase):
    def test_00(self):
        pass

    def test_01(self):
        pass

    def test_02(self):
        pass

    def test_03(self):
        pass

    def test_04(self):
        pass

    def test_05(self):
        pass
