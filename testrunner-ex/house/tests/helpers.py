"""Not a test module (its name does not match the test-file pattern)."""

import unittest

from house import layers


def current_trail():
    """The testSetUp calls made for the test now running.

    Layer testSetUp hooks run in the runner's startTest, before the test
    itself; the testTearDown hooks of the previous test ('-' entries) come
    before them in TRAIL.
    """
    trail = []
    for entry in layers.TRAIL:
        if entry.startswith('-'):
            trail = []
        else:
            trail.append(entry)
    return trail


class LayerAwareTestCase(unittest.TestCase):
    """Records which layer testSetUp hooks ran before this test."""

    def setUp(self):
        self.trail = current_trail()
        del layers.TRAIL[:]
