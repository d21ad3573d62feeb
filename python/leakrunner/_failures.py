"""How a failure reads: zope's reports of test, layer and import exceptions
(tracebacks in zope's format, doctest reports), JUnit's view of them, and the
doctest reporting flags of --ndiff/--udiff/--cdiff.

Called from the Rust runner (src/helpers.rs); nothing here keeps state
between calls.
"""

import io
import sys
import traceback

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
