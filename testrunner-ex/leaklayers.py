"""Two small layers whose tests allocate and free objects but leak nothing.

Found with --tests-pattern '^leaklayers$' (and together with leak.py with
--tests-pattern '^leak(layers)?$').  With -N4 -r (debug build) the
refcount change is 0 from the third iteration on.
"""

import unittest


class Cistern:
    """Holds a resource while set up; releases it on tear-down."""

    # Emptied around each test.  (Setting and deleting a class attribute in
    # testSetUp/testTearDown instead shows as occasional change=-1 on
    # CPython 3.13 debug builds: type-cache noise, not a leak.)
    bucket = []

    @classmethod
    def setUp(cls):
        cls.water = [float(i) for i in range(100)]

    @classmethod
    def tearDown(cls):
        del cls.water

    @classmethod
    def testSetUp(cls):
        cls.bucket.clear()

    @classmethod
    def testTearDown(cls):
        cls.bucket.clear()


class Sluice(Cistern):

    @classmethod
    def setUp(cls):
        cls.gate = {'open': False}

    @classmethod
    def tearDown(cls):
        del cls.gate


class _Drop:

    def __init__(self, volume):
        self.volume = volume


class CisternTests(unittest.TestCase):
    layer = Cistern

    def test_fill_and_empty(self):
        Cistern.bucket.extend(_Drop(w) for w in Cistern.water[:10])
        self.assertEqual(len(Cistern.bucket), 10)
        Cistern.bucket.clear()

    def test_sum(self):
        drops = [_Drop(w * 2) for w in Cistern.water]
        self.assertEqual(sum(d.volume for d in drops), 9900.0)


class SluiceTests(unittest.TestCase):
    layer = Sluice

    def test_gate(self):
        Sluice.gate['open'] = True
        scratch = {str(i): (i, float(i)) for i in range(50)}
        self.assertEqual(len(scratch), 50)
        Sluice.gate['open'] = False
