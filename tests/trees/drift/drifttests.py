"""Tests that allocate and free but keep nothing: any refcount drift between
-N iterations comes from the runner itself."""

import unittest


class Layer:
    @classmethod
    def setUp(cls):
        cls.scratch = []

    @classmethod
    def testSetUp(cls):
        cls.scratch.append(object())

    @classmethod
    def testTearDown(cls):
        del cls.scratch[:]


class Clean(unittest.TestCase):
    def test_allocates(self):
        data = [str(i) * 3 for i in range(50)]
        self.assertEqual(len({d: i for i, d in enumerate(data)}), 50)

    def test_prints(self):
        print("some output")

    @unittest.skip("skipped on purpose")
    def test_skipped(self):
        pass

    @unittest.expectedFailure
    def test_expected_failure(self):
        self.assertEqual(1, 2)

    def test_subtests(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertGreaterEqual(i, 0)


class InLayer(unittest.TestCase):
    layer = Layer

    def test_in_layer(self):
        self.assertTrue(Layer.scratch)


def test_suite():
    suite = unittest.TestSuite()
    loader = unittest.defaultTestLoader
    suite.addTest(loader.loadTestsFromTestCase(Clean))
    suite.addTest(loader.loadTestsFromTestCase(InLayer))
    return suite
