"""How long a runner keeps a test object once the test has run.

Every test records a weak reference to itself; later tests say how many of
the earlier test objects are still alive. zope.testrunner keeps every test
until the process ends; leakrunner lets a test go once it has run, as
unittest's suites do (see the README)."""

import unittest
import weakref

SEEN = {"first": [], "unit": []}


def alive(key):
    return sum(1 for ref in SEEN[key] if ref() is not None)


class FirstLayer:
    @classmethod
    def setUp(cls):
        pass

    @classmethod
    def tearDown(cls):
        pass


class SecondLayer:
    @classmethod
    def setUp(cls):
        pass

    @classmethod
    def tearDown(cls):
        pass


class Unit(unittest.TestCase):
    def test_a_record(self):
        SEEN["unit"].append(weakref.ref(self))

    def test_b_report(self):
        print(f"[unit tests that ran before, alive: {alive('unit')}]")


class First(unittest.TestCase):
    layer = FirstLayer

    def test_one(self):
        SEEN["first"].append(weakref.ref(self))

    def test_two(self):
        SEEN["first"].append(weakref.ref(self))


class Second(unittest.TestCase):
    layer = SecondLayer

    def test_report(self):
        print(f"[tests of the first layer, alive: {alive('first')}]")
