"""leakrunner: a zope.testrunner-compatible test runner that finds memory leaks.

The public API mirrors zope.testrunner 8.3: ``run`` and ``run_internal`` take
the same arguments, ``leakrunner.layer.UnitTests`` is the layer of tests
that declare none, and ``leakrunner.interfaces`` has ``EndRun`` (and zope's
interfaces, with zope.interface). The work is done by the Rust extension
``leakrunner._leakrunner``, which refuses to load into an interpreter flavour
(release, Py_DEBUG, trace-refs) it was not built for.
"""

import os
import sys

from leakrunner import interfaces, layer
from leakrunner._leakrunner import __version__, build_info

__all__ = ["__version__", "build_info", "interfaces", "layer", "run", "run_internal"]

# pdb.set_trace as it is now, when pdb is imported already (importing it here
# would slow every start down): a run puts it back, as zope.testrunner does,
# so that a test's pdb.set_trace() enters the real debugger even when the
# runner runs inside a doctest, whose own debugger writes to the terminal
# instead of the current sys.stdout. See _debug.restore_set_trace. (A
# doctest's debugger is a bound method: not the real one.)
_pdb_set_trace = getattr(sys.modules.get("pdb"), "set_trace", None)
if hasattr(_pdb_set_trace, "__self__"):
    _pdb_set_trace = None


def _script_parts(args=None):
    """The command that re-runs this test runner in a child process.

    Children are used for layers whose tearDown is not supported and for -j.
    """
    script = (args or sys.argv)[0] if (args or sys.argv) else ""
    if script and os.path.exists(script) and not script.endswith("__main__.py"):
        return [os.path.abspath(script)]
    return ["-m", "leakrunner"]


def run_internal(defaults=None, args=None, script_parts=None, cwd=None, warnings=None):
    """Run the tests and return True if any failed (zope.testrunner's contract).

    With ``-D``, leaving the debugger after a test module failed to import
    raises ``leakrunner.interfaces.EndRun``, as zope.testrunner does.

    ``defaults`` is a list of command-line tokens parsed before ``args``;
    ``args`` defaults to ``sys.argv`` (whose first item, the program name,
    is ignored).
    """
    from leakrunner import _leakrunner

    if script_parts is None:
        script_parts = _script_parts(args)
    if cwd is None:
        cwd = os.getcwd()
    return _leakrunner.run_internal(defaults, args, script_parts, cwd, warnings)


def run(defaults=None, args=None, script_parts=None, cwd=None, warnings=None):
    """Run the tests and exit the process: status 1 if any failed, else 0.

    Ctrl-C stops the run after the test it interrupts; the layers set up are
    torn down, the partial summary is printed, and the status is 130. Leaving
    the debugger (``-D``) after an import failure ends the run with status 1
    (zope.testrunner lets its EndRun out as a traceback).
    """
    try:
        failed = run_internal(defaults, args, script_parts=script_parts, cwd=cwd, warnings=warnings)
    except interfaces.EndRun:
        sys.exit(1)
    except KeyboardInterrupt:
        sys.stderr.write("leakrunner: interrupted by Ctrl-C; the results above are partial\n")
        sys.exit(130)
    sys.exit(int(failed))
