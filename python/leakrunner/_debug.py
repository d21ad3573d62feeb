"""-D and pdb: the post-mortem debugger on a failure, a test run under the
debugger, the real ``pdb.set_trace`` put back for each run, and the stand-in
stdin of a child process. Leaving the debugger raises EndRun.

Called from the Rust runner (src/helpers.rs).
"""

import io
import sys
import traceback

from leakrunner.interfaces import EndRun


def restore_set_trace():
    """Puts the real ``pdb.set_trace`` back (zope's SelfTest feature): the
    one there when leakrunner was imported; without it, a doctest's debugger
    is replaced with the stdlib function's own equivalent."""
    pdb = sys.modules.get("pdb")
    if pdb is None:
        return
    import leakrunner

    real = leakrunner._pdb_set_trace
    if real is not None:
        pdb.set_trace = real
    elif isinstance(getattr(pdb.set_trace, "__self__", None), pdb.Pdb):
        pdb.set_trace = _set_trace


def _set_trace(*, header=None):
    """``pdb.set_trace()``: a fresh debugger on the current streams, from the
    caller's frame."""
    debugger = sys.modules["pdb"].Pdb()
    if header is not None:
        debugger.message(header)
    debugger.set_trace(sys._getframe().f_back)


class FakeInputContinueGenerator:
    """stdin of a child process: ``pdb.set_trace()`` continues at once."""

    def readline(self):
        print("c\n")
        print("*" * 70)
        print("Can't use pdb.set_trace when running a layer as a subprocess!")
        print("*" * 70)
        print()
        return "c\n"

    def close(self):
        pass


def _print_doctest_location(err):
    # pdb's own location format, which editors follow.
    filename = err.test.filename
    if filename.endswith(".pyc"):
        filename = filename[:-1]
    print(f"> {filename}({err.test.lineno + err.example.lineno + 1})_()")


def _debugger():
    """ipdb when it is installed and stdin is a real terminal, else pdb."""
    try:
        import ipdb
    except ImportError:
        ipdb = None
    if ipdb is not None and hasattr(sys.stdin, "isatty") and sys.stdin.isatty():
        try:
            sys.stdin.fileno()
        except (AttributeError, io.UnsupportedOperation):
            pass
        else:
            return ipdb
    import pdb

    return pdb


def post_mortem(exc_type, exc_value, tb, test=None):
    """``-D``: the exception, then the debugger at the frame that raised it;
    leaving the debugger ends the run (EndRun).

    For a test's exception, unittest's result first trims the traceback at
    the first unittest frame after the test's own (for failures), in place;
    zope's result is a unittest result, so its debugger starts there."""
    exc_info = (exc_type, exc_value, tb)
    if test is not None:
        import unittest

        unittest.TestResult()._exc_info_to_string(exc_info, test)
    doctest = sys.modules.get("doctest")
    if doctest is not None and isinstance(exc_value, doctest.UnexpectedException):
        exc_info = exc_value.exc_info
        if exc_info[2].tb_frame.f_code.co_filename == "<string>":
            _print_doctest_location(exc_value)
    elif doctest is not None and isinstance(exc_value, doctest.DocTestFailure):
        _print_doctest_location(exc_value)
        # Give the debugger a frame inside the doctest's namespace.
        try:
            exec(
                'raise ValueError("Expected and actual output are different")', exc_value.test.globs
            )
        except BaseException:
            exc_info = sys.exc_info()
    print("".join(traceback.format_exception_only(exc_info[0], exc_info[1])))
    tb = exc_info[2]
    if tb is None:
        # Raised by the runner itself (a module without a valid test
        # suite): give the debugger this frame to stand in.
        try:
            raise exc_info[1]
        except BaseException:
            tb = sys.exc_info()[2]
    _debugger().post_mortem(tb)
    raise EndRun()


def debug_test(test, result):
    """Runs one test under ``-D``: with ``test.debug()``, so its exception
    reaches the debugger with its frames intact (failures become errors)."""
    import unittest

    expecting_failure = getattr(test, "__unittest_expecting_failure__", False) or getattr(
        getattr(test, test._testMethodName), "__unittest_expecting_failure__", False
    )
    result.startTest(test)
    state = test.__dict__.copy()
    try:
        try:
            test.debug()
        except KeyboardInterrupt:
            raise
        except unittest.SkipTest as e:
            result.addSkip(test, str(e))
        except BaseException:
            exc_type, exc_value, tb = sys.exc_info()
            exc_info = (exc_type, exc_value, tb.tb_next)
            del tb
            if expecting_failure:
                result.addExpectedFailure(test, exc_info)
            else:
                result.addError(test, exc_info)
        else:
            if expecting_failure:
                result.addUnexpectedSuccess(test)
            else:
                result.addSuccess(test)
    finally:
        result.stopTest(test)
    test.__dict__.clear()
    test.__dict__.update(state)
