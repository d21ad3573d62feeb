"""Class layers (classmethod setUp/tearDown/testSetUp/testTearDown).

The hierarchy (bases listed in declaration order)::

    Foundation                      Scaffold (no methods at all)
    |-- Plumbing (inherits all)         |
    |   `-- Cellar (inherits all)       |
    `-- Wiring                          |
        |-- Attic (inherits)            |
        |   `-- Loft(Attic, Scaffold) --'
        `-- Kitchen(Wiring, Plumbing)   <- diamond; bases declared W, P
            `-- Pantry(Kitchen)         <- four levels below Foundation

Layers that do not define a method inherit it from their base; zope.testrunner
calls the inherited classmethod once per layer (with ``cls`` bound to that
layer), so ``Foundation.setUp`` runs for Foundation, Plumbing and Cellar.

Every testSetUp/testTearDown call is recorded in TRAIL ('+Name' / '-Name');
house.tests.helpers.LayerAwareTestCase takes a snapshot of it so tests can
check which layers were test-set-up, and in what order.
"""

TRAIL = []


class Foundation:
    """Root layer.  Its methods are inherited by Plumbing and Cellar."""

    @classmethod
    def setUp(cls):
        # Output shows up between "  Set up X" and "in N seconds."
        print('pouring', cls.__name__, end=' ')
        cls.poured = True

    @classmethod
    def tearDown(cls):
        cls.poured = False

    @classmethod
    def testSetUp(cls):
        TRAIL.append('+' + cls.__name__)

    @classmethod
    def testTearDown(cls):
        TRAIL.append('-' + cls.__name__)


class Plumbing(Foundation):
    """Defines nothing: every method is Foundation's."""


class Cellar(Plumbing):
    """Defines nothing either (two levels of inheritance)."""


class Wiring(Foundation):
    """Defines its own methods (silent ones)."""

    @classmethod
    def setUp(cls):
        cls.live = True

    @classmethod
    def tearDown(cls):
        cls.live = False

    @classmethod
    def testSetUp(cls):
        TRAIL.append('+Wiring/' + cls.__name__)

    @classmethod
    def testTearDown(cls):
        TRAIL.append('-Wiring/' + cls.__name__)


class Attic(Wiring):
    """Inherits Wiring's methods."""


class Kitchen(Wiring, Plumbing):
    """A diamond over Foundation.  Bases are declared Wiring, Plumbing, which
    is not their alphabetical order."""

    @classmethod
    def setUp(cls):
        # Several lines of output in the middle of the "Set up" line.
        print('lighting the stove')
        print('  filling the sink')

    @classmethod
    def tearDown(cls):
        print('sweeping the floor', end=' ')

    @classmethod
    def testSetUp(cls):
        TRAIL.append('+Kitchen')

    @classmethod
    def testTearDown(cls):
        TRAIL.append('-Kitchen')


class Pantry(Kitchen):
    """Fourth level: Foundation > Wiring > Kitchen > Pantry.  Only setUp and
    tearDown are redefined; testSetUp/testTearDown come from Kitchen."""

    @classmethod
    def setUp(cls):
        cls.shelves = ['jam', 'flour']

    @classmethod
    def tearDown(cls):
        del cls.shelves


class Scaffold:
    """A second root with no methods at all (nothing is called for it)."""


class Loft(Attic, Scaffold):
    """Multiple inheritance across two roots."""

    @classmethod
    def setUp(cls):
        print('unfolding the ladder', end=' ')

    @classmethod
    def tearDown(cls):
        print('folding the ladder', end=' ')
