"""A growing leak: a subscriber list that is never emptied."""

import unittest

SUBSCRIBERS = []


def publish(event):
    for callback in SUBSCRIBERS:
        callback(event)


class Listener:
    def __init__(self):
        self.seen = []

    def notify(self, event):
        self.seen.append(event)


class SubscribersLayer:
    pass


class Tests(unittest.TestCase):
    layer = SubscribersLayer

    def test_publish(self):
        publish("ping")

    def test_subscribe(self):
        SUBSCRIBERS.append(Listener().notify)

    def test_unrelated(self):
        self.assertEqual(sorted([3, 1, 2]), [1, 2, 3])
