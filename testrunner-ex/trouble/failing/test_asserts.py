"""Assertion failures."""

import unittest


class Asserts(unittest.TestCase):

    def test_multiline_diff(self):
        expected = 'line one\nline two\nline three\n'
        actual = 'line one\nline 2\nline three\n'
        self.assertEqual(expected, actual)

    def test_plain_fail(self):
        self.fail('this test always fails')

    def test_unicode_message(self):
        self.assertEqual('naïve café ☕', 'naive cafe', 'ünïcödé message')

    def test_passes(self):
        self.assertTrue(True)
