"""zope.testrunner's ``interfaces`` module, for code written against it.

``EndRun`` is the exception that ends a run once the post-mortem debugger
(``-D``) is left after an import failure: ``run_internal`` lets it escape, as
zope.testrunner's does, so callers that catch it keep working; ``run`` (the
command line) ends quietly with status 1 instead.

When zope.interface is installed, the interfaces zope.testrunner declares
are here too (``ITestRunner``, ``IFeature``, ``IMinimalTestLayer``,
``IFullTestLayer``), so that code which names or provides them imports them
from either runner. leakrunner has no feature plug-ins: they document what a
runner and a layer offer. They are made on first use, so that a run does not
import zope.interface for them.
"""


class EndRun(Exception):
    """The post-mortem debugger was left (``-D``): the run ends there."""


_INTERFACES = ("IFeature", "ITestRunner", "IMinimalTestLayer", "IFullTestLayer")


def _declare(_zi):
    class IFeature(_zi.Interface):
        """A piece of the runner's work, called at fixed points of a run."""

        active = _zi.Attribute("Whether the runner calls this feature at all.")

        def global_setup():
            """Once, as the run starts."""

        def late_setup():
            """Once, just before the first test, after every global set-up."""

        def layer_setup(layer):
            """After `layer` is set up."""

        def layer_teardown(layer):
            """After `layer`'s tests have run."""

        def test_setup(test):
            """Before each test."""

        def test_teardown(test):
            """After each test."""

        def early_teardown():
            """Once, right after the last test."""

        def global_teardown():
            """Once, after every early tear-down."""

        def report():
            """Once, at the end: the only step that prints."""

    class ITestRunner(_zi.Interface):
        """Runs the tests of a set of layers, in layer order."""

        options = _zi.Attribute("The parsed command line of the run.")

    class IMinimalTestLayer(_zi.Interface):
        """What a suite's ``layer`` attribute must offer."""

        __bases__ = _zi.Attribute("The layers this layer builds on.")
        __name__ = _zi.Attribute("The layer's name.")
        __module__ = _zi.Attribute("The dotted name of the module defining the layer.")

        def __hash__():
            """Layers are hashable (identity is enough)."""

        def __eq__(other):
            """Layers compare by identity unless they say otherwise."""

    class IFullTestLayer(IMinimalTestLayer):
        """Every method a layer may define; all are optional."""

        def setUp():
            """Before the first test of the layer or of a layer built on it."""

        def tearDown():
            """After the last of them; may raise NotImplementedError, and
            then the rest of the run goes on in a new process."""

        def testSetUp():
            """Before each test of the layer or of a layer built on it."""

        def testTearDown():
            """After each of those tests."""

    return {name: value for name, value in locals().items() if name in _INTERFACES}


def __getattr__(name):
    if name not in _INTERFACES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        import zope.interface
    except ImportError:
        raise AttributeError(
            f"{__name__}.{name} needs zope.interface, which is not installed"
        ) from None
    globals().update(_declare(zope.interface))
    return globals()[name]


def __dir__():
    return sorted([*globals(), *_INTERFACES])
