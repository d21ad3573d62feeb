"""Two layers that cannot be torn down: after the first, the second runs in
a child process, whose two tests each take half a second. The parent must
show each test's line as the child prints it, not all at the end."""

import time
import unittest


class Resident:
    @classmethod
    def setUp(cls):
        pass

    @classmethod
    def tearDown(cls):
        raise NotImplementedError


class Slow:
    @classmethod
    def setUp(cls):
        pass

    @classmethod
    def tearDown(cls):
        raise NotImplementedError


class ResidentTests(unittest.TestCase):
    layer = Resident

    def test_quick(self):
        pass


class SlowTests(unittest.TestCase):
    layer = Slow

    def test_first_nap(self):
        time.sleep(0.5)

    def test_second_nap(self):
        time.sleep(0.5)
