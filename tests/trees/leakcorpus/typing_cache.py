"""Trap: new generic aliases every run fill typing's caches."""

import typing
import unittest


class Layer:
    pass


class Tests(unittest.TestCase):
    layer = Layer

    def test_subscripts(self):
        fresh = type("Fresh", (), {})
        self.assertIsNotNone(typing.List[fresh])  # noqa: UP006 - typing's own cache
        self.assertIsNotNone(typing.Optional[typing.Dict[str, fresh]])  # noqa: UP006, UP045
