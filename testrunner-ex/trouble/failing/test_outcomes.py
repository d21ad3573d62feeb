"""Unexpected success and failing subtests."""

import unittest


class Outcomes(unittest.TestCase):

    @unittest.expectedFailure
    def test_unexpected_success(self):
        self.assertEqual(1, 1)

    @unittest.expectedFailure
    def test_expected_failure(self):
        self.assertEqual(1, 2)

    def test_subtests(self):
        for n in range(4):
            with self.subTest(n=n):
                self.assertEqual(n % 2, 0)

    def test_subtest_with_message(self):
        with self.subTest('first'):
            pass
        with self.subTest('second', colour='blue'):
            self.assertIn('red', ['green', 'blue'])
        with self.subTest('third'):
            raise ValueError('an error inside a subtest')
