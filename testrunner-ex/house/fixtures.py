"""Layers that are *instances*, not classes.

A layer only needs ``__name__``, ``__bases__`` and ``__module__``; the
methods are optional.  The bases of an instance layer may be class layers
or other instance layers.
"""

from house import layers


class Outbuilding:
    """Instances of this class are layers."""

    def __init__(self, name, *bases, loud=False):
        self.__name__ = name
        self.__bases__ = bases
        self.__module__ = __name__
        self.loud = loud
        self.open = False

    def setUp(self):
        self.open = True

    def tearDown(self):
        self.open = False
        if self.loud:
            print('locking the', self.__name__.lower(), end=' ')

    def testSetUp(self):
        layers.TRAIL.append('+' + self.__name__)

    def testTearDown(self):
        layers.TRAIL.append('-' + self.__name__)


# An instance layer on top of a class layer ...
Garage = Outbuilding('Garage', layers.Foundation, loud=True)

# ... and an instance layer on top of an instance layer.  Tests refer to
# this one only by the dotted-name string 'house.fixtures.Workshop'.
Workshop = Outbuilding('Workshop', Garage)
