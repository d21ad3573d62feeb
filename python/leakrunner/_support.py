"""The parts of a run that must be Python: formatting live exceptions, the
warnings and logging set-up, doctest integration, per-test output buffers,
thread snapshots and terminal queries.

The Rust runner calls these; they hold no state between calls, so nothing
here keeps Python objects alive between the iterations leak hunting measures.
"""

import io
import logging
import os
import sys
import threading
import traceback
import warnings

from leakrunner import _tb
from leakrunner.interfaces import EndRun


class DocTestFailureException(AssertionError):
    """Raised by doctest test cases on failure; its first argument is the
    complete doctest report, printed as is."""


class UnexpectedSuccess(Exception):
    """Stands for an unexpected success in the error report."""


# zope.testrunner prints these exception names in its reports; tools that
# read the output expect the same names.
DocTestFailureException.__module__ = "zope.testrunner.exceptions"
UnexpectedSuccess.__module__ = "zope.testrunner.runner"

DOCTEST_TEMPLATE = """
File "%s", line %s, in %s

%s
Want:
%s
Got:
%s
"""


def format_test_exception(exc_type, exc_value, tb):
    """The report of a test's exception, as zope's ``format_traceback``."""
    return test_exception_report(exc_type, exc_value, tb)[1]


def test_exception_report(exc_type, exc_value, tb):
    """``(kind, report)``: zope's ``format_traceback``, and which of its cases
    made the report ("doctest", "template" or "traceback"), which zope's
    colour formatter prints each its own way."""
    # By name: zope.testrunner, when test code imports it, installs its own
    # class of the same name on doctest.DocTestCase.
    if type(exc_value).__name__ == "DocTestFailureException":
        return "doctest", exc_value.args[0]
    doctest = sys.modules.get("doctest")
    if doctest is not None and isinstance(exc_value, doctest.DocTestFailure):
        return "template", DOCTEST_TEMPLATE % (
            exc_value.test.filename,
            exc_value.test.lineno + exc_value.example.lineno + 1,
            exc_value.test.name,
            exc_value.example.source,
            exc_value.example.want,
            exc_value.got,
        )
    return "traceback", "".join(traceback.format_exception(exc_type, exc_value, tb))


def format_import_exception(exc_type, exc_value, tb):
    """An import failure, formatted by whatever ``traceback`` does now (zope
    reports these before it installs its own traceback style)."""
    return "".join(traceback.format_exception(exc_type, exc_value, tb))


def unexpected_success_report():
    return format_test_exception(UnexpectedSuccess, UnexpectedSuccess(), None)


class warnings_enabled:
    """zope's ``_enabled_warnings``: the run's warning filter."""

    def __init__(self, action):
        self.action = action
        self.catcher = warnings.catch_warnings()

    def __enter__(self):
        self.catcher.__enter__()
        if self.action:
            warnings.simplefilter(self.action)
            if self.action in ("default", "always"):
                warnings.filterwarnings(
                    "module",
                    category=DeprecationWarning,
                    message=r"Please use assert\w+ instead.",
                )
        return self

    def __exit__(self, *exc_info):
        return self.catcher.__exit__(*exc_info)


class _NullHandler(logging.Handler):
    def emit(self, record):
        pass


def setup_logging():
    """``log.ini`` (or ``$ZOPE_TESTRUNNER_LOG_INI``) configures logging;
    without one, logging is silenced. ``$LOGGING`` sets the root level."""
    logini = os.environ.get("ZOPE_TESTRUNNER_LOG_INI")
    if logini is not None and not os.path.exists(logini):
        warnings.warn(
            "ERROR: file specified by envvar ZOPE_TESTRUNNER_LOG_INI` does not exist",
            stacklevel=1,
        )
        logini = None
    if logini is None:
        logini = "log.ini"
    logini = os.path.abspath(logini)
    if os.path.exists(logini):
        from logging import config as logging_config

        logging_config.fileConfig(logini, disable_existing_loggers=False)
        os.environ["ZOPE_TESTRUNNER_LOG_INI"] = logini
    else:
        logging.getLogger().addHandler(_NullHandler())
        logging.basicConfig()
    if "LOGGING" in os.environ:
        logging.getLogger().setLevel(int(os.environ["LOGGING"]))


def setup_doctest(ndiff, udiff, cdiff, first_failure):
    """Configures doctest for the run, if the tests use it (doctest suites
    import it while they are collected): failures reported as zope reports
    them, and the reporting flags of the diff options."""
    doctest = sys.modules.get("doctest")
    if doctest is None:
        return
    doctest.DocTestCase.failureException = DocTestFailureException
    doctest.set_unittest_reportflags(0)
    flags = 0
    if ndiff:
        flags = doctest.REPORT_NDIFF
    elif udiff:
        flags = doctest.REPORT_UDIFF
    elif cdiff:
        flags = doctest.REPORT_CDIFF
    if first_failure:
        flags |= doctest.REPORT_ONLY_FIRST_FAILURE
    if flags:
        doctest.set_unittest_reportflags(flags)


class _BufferedStream(io.TextIOWrapper):
    """A standard stream stand-in for ``--buffer`` (has ``.buffer``)."""

    def getvalue(self):
        return self.buffer.getvalue().decode(encoding=self.encoding, errors=self.errors)


def make_buffer():
    return _BufferedStream(io.BytesIO(), newline="\n", write_through=True)


def take_buffer(stream):
    value = stream.getvalue()
    stream.seek(0)
    stream.truncate(0)
    return value


class _DummyThread:
    def __init__(self, ident):
        self.ident = ident
        self.name = "Dummy-%s" % ident

    def __repr__(self):
        return "DummyThread %s, started, daemon" % self.ident

    def is_alive(self):
        return True


def new_threads(before, ignore_patterns):
    """repr() of the list of threads running now that were not in ``before``
    and whose name matches none of ``ignore_patterns`` (``re.match``), or
    None."""
    import re

    known = {t.ident: t for t in threading.enumerate()}
    found = []
    before = set(before)
    for ident in sys._current_frames():
        if ident in before:
            continue
        thread = known.get(ident) or _DummyThread(ident)
        if not thread.is_alive():
            continue
        if any(re.match(p, thread.name) for p in ignore_patterns):
            continue
        found.append(thread)
    return repr(found) if found else None


def terminal_number(name, default):
    """curses ``tigetnum(name)``, or ``default`` without a terminal."""
    try:
        import curses
    except ImportError:
        sys.modules["curses"] = None
        return default
    expected = (curses.error, TypeError, AttributeError, io.UnsupportedOperation)
    try:
        curses.setupterm()
    except expected:
        return default
    try:
        return curses.tigetnum(name)
    except expected:
        return default


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


def install_tracebacks():
    _tb.install()


def uninstall_tracebacks():
    _tb.uninstall()


def format_layer_exception(exc_type, exc_value, tb):
    """A layer set-up or tear-down failure, as ``traceback.print_exc()``
    prints it during the run (zope's ``handle_layer_failure``)."""
    f = io.StringIO()
    traceback.print_exception(exc_type, exc_value, tb, limit=None, file=f, chain=True)
    return f.getvalue()


def set_gc_threshold(values):
    """``--gc``: sets the threshold; returns the old one."""
    import gc

    old = gc.get_threshold()
    gc.set_threshold(*values)
    return old


def set_gc_debug(names):
    """``-G``: ORs the named flags into ``gc.set_debug``; returns the old
    flags, or raises ValueError naming a flag this Python's gc lacks."""
    import gc

    flags = 0
    for name in names:
        flag = getattr(gc, name, None)
        if flag is None:
            raise ValueError(name)
        flags |= flag
    old = gc.get_debug()
    gc.set_debug(flags)
    return old


def restore_gc(threshold, debug):
    import gc

    if threshold is not None:
        gc.set_threshold(*threshold)
    if debug is not None:
        gc.set_debug(debug)


def default_shuffle_seed():
    import time

    return int(time.time() * 256)


def repr_lines(obj, max_width=75, max_lines=5):
    """An object as at most ``max_lines`` lines of at most ``max_width``
    characters (for the --gc-after-test cycle report)."""
    import pprint

    try:
        text = pprint.pformat(obj)
    except Exception:
        text = f"{obj.__class__} instance at 0x{id(obj):x}"
    lines = text.split("\n", max_lines)
    if len(lines) > max_lines:
        lines[-1] = "..."
    return [line if len(line) <= max_width else line[: max_width - 3] + "..." for line in lines]


def _strongly_connected(nodes, edges):
    """Tarjan's algorithm, iteratively: the components with a cycle."""
    index = {}
    low = {}
    on_stack = set()
    stack = []
    found = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in edges[node]:
                        found.append(component)
    return found


def gc_cycles():
    """The cycles a test left: collected with DEBUG_SAVEALL, grouped into
    strongly connected components, each object as ``repr_lines``. Empties
    ``gc.garbage`` again."""
    import gc

    old = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        garbage = list(gc.garbage)
        del gc.garbage[:]
    finally:
        gc.set_debug(old)
    if not garbage:
        return None
    by_id = {id(o): o for o in garbage}
    edges = {
        key: [id(r) for r in gc.get_referents(o) if id(r) in by_id] for key, o in by_id.items()
    }
    cycles = [
        [repr_lines(by_id[key]) for key in component]
        for component in _strongly_connected(list(by_id), edges)
    ]
    del garbage, by_id, edges
    return cycles or None


def exception_detail(exc_type, exc_value, tb):
    """An exception as a JUnit report describes it: ``str`` of its type and
    of itself, and the stdlib's frames (``traceback.format_tb``)."""
    return str(exc_type), str(exc_value), "".join(traceback.format_tb(tb))


def test_exception_detail(test, exc_type, exc_value, tb):
    """``exception_detail`` of a test's exception, with the frames zope's
    report shows. zope keeps the traceback and formats it at the end of the
    run, after unittest's ``TestResult`` cut it in place: when the type is
    the test's ``failureException``, the traceback ends before the first
    unittest frame (``assertEqual``, ``fail``) that follows the test's own."""
    limit = None
    if exc_type is getattr(test, "failureException", None):
        in_unittest = []
        entry = tb
        while entry is not None:
            in_unittest.append("__unittest" in entry.tb_frame.f_globals)
            entry = entry.tb_next
        start = 0
        while start < len(in_unittest) and in_unittest[start]:
            start += 1
        end = start
        while end < len(in_unittest) and not in_unittest[end]:
            end += 1
        if start < end < len(in_unittest):
            limit = end
    stack = "".join(traceback.format_tb(tb, limit=limit))
    return str(exc_type), str(exc_value), stack


def _suite_name_parts(filename):
    """The parts of a doctest file's path below the current directory, cut
    at the first directory with a dot in its name (zope's naming)."""
    import pathlib

    file_parts = pathlib.Path(filename).parts
    cwd_parts = pathlib.Path.cwd().parts
    common = 0
    for common in range(min(len(file_parts), len(cwd_parts))):
        if file_parts[common] != cwd_parts[common]:
            break
    if common >= len(file_parts) - 1:
        return [file_parts[-1]]
    parts = []
    for part in reversed(file_parts[common:-1]):
        if "." in part:
            break
        parts.insert(0, part)
    parts.append(file_parts[-1])
    return parts


def identity(test):
    """(id, suite, classname, name): ``test.id()`` and the JUnit names zope's
    ``--xml`` output gives the test."""
    test_id = test.id()
    doctest = sys.modules.get("doctest")
    if doctest is not None and isinstance(test, doctest.DocFileCase):
        parts = _suite_name_parts(test._dt_test.filename)
        return test_id, "doctest-" + "-".join(parts), ".".join(parts[:-1]), test._dt_test.name
    if doctest is not None and isinstance(test, doctest.DocTestCase):
        dotted = test._dt_test.name.split(".")
        suite = ".".join(dotted[:-1])
        return test_id, suite, suite, dotted[-1]
    manuel = sys.modules.get("manuel.testing")
    if manuel is not None and isinstance(test, manuel.TestCase):
        parts = _suite_name_parts(test.regions.location)
        return test_id, "manuel-" + "-".join(parts), ".".join(parts[:-1]), parts[-1]
    # A subtest is named after the test it belongs to (zope names it after
    # unittest's private _SubTest class and cuts its id in the wrong place).
    owner = test
    if type(test).__name__ == "_SubTest" and type(test).__module__ == "unittest.case":
        owner = test.test_case
    classname = f"{owner.__module__}.{owner.__class__.__name__}"
    name = test_id[len(classname) + 1 :] if test_id.startswith(classname + ".") else test_id
    return test_id, classname, classname, name


def xml_setup(directory):
    """``--xml DIR``: the resolved directory, created now (zope creates it
    before the run), the host name, and local time's offset from UTC."""
    import pathlib
    import socket
    import time

    folder = pathlib.Path(directory).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder), socket.gethostname(), time.localtime().tm_gmtoff


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
