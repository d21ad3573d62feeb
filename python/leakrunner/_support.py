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
    # By name: zope.testrunner, when test code imports it, installs its own
    # class of the same name on doctest.DocTestCase.
    if type(exc_value).__name__ == "DocTestFailureException":
        return exc_value.args[0]
    doctest = sys.modules.get("doctest")
    if doctest is not None and isinstance(exc_value, doctest.DocTestFailure):
        return DOCTEST_TEMPLATE % (
            exc_value.test.filename,
            exc_value.test.lineno + exc_value.example.lineno + 1,
            exc_value.test.name,
            exc_value.example.source,
            exc_value.example.want,
            exc_value.got,
        )
    return "".join(traceback.format_exception(exc_type, exc_value, tb))


def format_import_exception(exc_type, exc_value, tb):
    """An import failure, formatted by whatever ``traceback`` does now (zope
    reports these before it installs its own traceback style)."""
    return "".join(traceback.format_exception(exc_type, exc_value, tb))


def format_current_exception():
    """The exception being handled, as ``traceback.print_exc`` prints it."""
    f = io.StringIO()
    traceback.print_exc(file=f)
    return f.getvalue()


def unexpected_success_report():
    return format_test_exception(UnexpectedSuccess, UnexpectedSuccess(), None)


def bad_suite_error(message):
    """A TypeError as zope reports a module without a valid test suite."""
    return format_import_exception(TypeError, TypeError(message), None)


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


def terminal_columns():
    """``shutil.get_terminal_size().columns`` without importing shutil."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    try:
        lines = int(os.environ["LINES"])
    except (KeyError, ValueError):
        lines = 0
    if columns <= 0 or lines <= 0:
        try:
            size = os.get_terminal_size(sys.__stdout__.fileno())
        except (AttributeError, ValueError, OSError):
            size = os.terminal_size((80, 24))
        if columns <= 0:
            columns = size.columns or 80
    return columns


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


def thread_idents():
    """The idents of the running threads, ``_thread`` ones included."""
    return list(sys._current_frames())


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
