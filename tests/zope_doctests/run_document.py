"""Runs one of zope.testrunner's doctest documents with ``zope.testrunner``
bound to leakrunner, and writes what each example did as JSON.

    python run_document.py [--unbound] ZOPE_TESTRUNNER_DIR DOCUMENT REPORT_JSON

ZOPE_TESTRUNNER_DIR is the ``zope/testrunner`` directory of an unpacked
zope.testrunner wheel. Its ``tests/test_doctest.py`` builds the suite, as it
does for zope's own runs: which documents this interpreter runs (the leak
documents on debug builds only, and so on), and each document's checker,
option flags, set-up and tear-down. This file only loads that module under a
name of its own (``zope.testrunner`` is leakrunner here), and runs one
document's examples, recording each one's outcome instead of stopping.

The one change to zope's checking: the unit-test layer is named
``leakrunner.layer.UnitTests`` in leakrunner's output (an accepted divergence,
README.md), and is read as zope's name before the comparison.

The process must start with this directory on PYTHONPATH (sitecustomize.py
binds the name); with ``--unbound`` (and without that PYTHONPATH), zope's own
runner runs the document instead, which shows what fails for zope itself on
this interpreter. The report is ``{"document": ..., "ran": bool, "examples":
[{"line", "source", "outcome", "detail"}]}``; ``ran`` is false when this
interpreter's suite has no such document, and ``outcome`` is "pass", "fail"
(output differs) or "error" (an unexpected exception).
"""

import doctest
import importlib
import json
import os
import sys
import types
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
# The documents' own name for the runner's script (``testrunner_script``):
# children started from it run leakrunner, bound as zope.testrunner.
SCRIPT = os.path.join(HERE, "zope-testrunner")
# A package name for zope's files that no installed package uses.
PACKAGE = "_zope_testrunner_files"

OURS, ZOPES = "leakrunner.layer.UnitTests", "zope.testrunner.layer.UnitTests"


def _renormalizing_stub():
    """zope.testing's ``renormalizing``, which zope's harness imports, when
    zope.testing is not installed: an output checker that rewrites both the
    expected and the actual output with each (regex, replacement) pair, or
    each callable, before comparing them, and shows the rewritten texts in a
    failure's difference."""

    class RENormalizing(doctest.OutputChecker):
        def __init__(self, patterns=None):
            self.transformers = [
                p if callable(p) else (lambda text, p=p: p[0].sub(p[1], text))
                for p in patterns or ()
            ]

        def _both(self, want, got):
            for transform in self.transformers:
                want, got = transform(want), transform(got)
            return want, got

        def check_output(self, want, got, optionflags):
            if want == got:
                return True
            want, got = self._both(want, got)
            return doctest.OutputChecker.check_output(self, want, got, optionflags)

        def output_difference(self, example, got, optionflags):
            if not example.want.strip():
                return doctest.OutputChecker.output_difference(self, example, got, optionflags)
            original = example.want
            example.want, got = self._both(example.want, got)
            try:
                return doctest.OutputChecker.output_difference(self, example, got, optionflags)
            finally:
                example.want = original

    module = types.ModuleType("zope.testing.renormalizing")
    module.RENormalizing = module.OutputChecker = RENormalizing
    return module


def _load_harness(zope_dir):
    """zope's ``tests/test_doctest.py``, imported as ``PACKAGE.tests.test_doctest``
    so that its relative imports and module-relative paths find zope's files."""
    try:
        import zope.testing.renormalizing  # noqa: F401
    except ImportError:
        import zope

        renormalizing = _renormalizing_stub()
        testing = types.ModuleType("zope.testing")
        testing.__path__ = []
        testing.renormalizing = renormalizing
        sys.modules["zope.testing"] = testing
        sys.modules["zope.testing.renormalizing"] = renormalizing
        zope.testing = testing
    package = types.ModuleType(PACKAGE)
    package.__path__ = [zope_dir]
    sys.modules[PACKAGE] = package
    return importlib.import_module(PACKAGE + ".tests.test_doctest")


def _cases(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _cases(item)
        else:
            yield item


def find_case(harness, document):
    """The DocFileCase zope's ``test_suite()`` builds for ``document``, or None.

    The suite also runs the docstrings of zope's own modules
    (``DocTestSuite('zope.testrunner.options')`` and the like): those are
    zope's internals, not its API, and are left out."""
    real = doctest.DocTestSuite
    doctest.DocTestSuite = lambda *args, **kw: unittest.TestSuite()
    try:
        suite = harness.test_suite()
    finally:
        doctest.DocTestSuite = real
    for case in _cases(suite):
        if case._dt_test.name == document:
            return case
    return None


class _ZopesLayerName(doctest.OutputChecker):
    """The document's checker, reading leakrunner's unit-test layer name as zope's."""

    def __init__(self, checker):
        self.checker = checker or doctest.OutputChecker()

    def check_output(self, want, got, optionflags):
        return self.checker.check_output(want, got.replace(OURS, ZOPES), optionflags)

    def output_difference(self, example, got, optionflags):
        return self.checker.output_difference(example, got.replace(OURS, ZOPES), optionflags)


class _Recorder(doctest.DocTestRunner):
    """Records every example's outcome and goes on with the next."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.outcomes = []

    def _record(self, test, example, outcome, detail=""):
        self.outcomes.append(
            {
                "line": test.lineno + example.lineno + 1,
                "source": example.source,
                "outcome": outcome,
                "detail": detail,
            }
        )

    def report_start(self, out, test, example):
        pass

    def report_success(self, out, test, example, got):
        self._record(test, example, "pass")

    def report_failure(self, out, test, example, got):
        detail = self._checker.output_difference(example, got, self.optionflags)
        self._record(test, example, "fail", detail)

    def report_unexpected_exception(self, out, test, example, exc_info):
        self._record(test, example, "error", doctest._exception_traceback(exc_info))


def run(zope_dir, document, unbound=False):
    """Runs ``document`` as zope's DocFileCase would, example by example,
    with what the documents expect of the runner that runs them: zope's
    harness runs under zope.testrunner, whose features stay installed for
    the whole run (an inner run restores them when it ends)."""
    if unbound:
        # zope.testrunner's SelfTest feature keeps the pdb.set_trace it found
        # when it was imported, to put it back for each run: under zope's
        # harness that was before doctest replaced it for the document.
        importlib.import_module("zope.testrunner.runner")
    # The outer runner's traceback style (zope.exceptions'), which an inner
    # run restores when it ends: the documents expect its "Traceback (most
    # recent call last):" line on import failures reported then.
    from leakrunner import _tb

    with _tb.installed():
        return _run(zope_dir, document)


def _run(zope_dir, document):
    harness = _load_harness(zope_dir)
    case = find_case(harness, document)
    if case is None:
        return {"document": document, "ran": False, "examples": []}
    sys.argv = [SCRIPT]
    test = case._dt_test
    # zope's set-up replaces doctest's output spoof, which the runner
    # creates when it is made: so the set-up comes first.
    case.setUp()
    try:
        runner = _Recorder(
            checker=_ZopesLayerName(case._dt_checker),
            optionflags=case._dt_optionflags,
            verbose=False,
        )
        runner.DIVIDER = "-" * 70
        stdout = sys.stdout
        try:
            runner.run(test, out=lambda text: None, clear_globs=False)
        finally:
            sys.stdout = stdout
    finally:
        case.tearDown()
    return {"document": document, "ran": True, "examples": runner.outcomes}


def main():
    args = sys.argv[1:]
    unbound = "--unbound" in args
    zope_dir, document, report = [a for a in args if a != "--unbound"]
    import leakrunner
    import zope.testrunner

    # Without the binding, zope's own runner would run the examples: only
    # asked for with --unbound (how zope itself fares on this interpreter).
    if (zope.testrunner is leakrunner) == unbound:
        sys.exit(
            "zope.testrunner is leakrunner, and --unbound was given"
            if unbound
            else "zope.testrunner is not bound to leakrunner: is sitecustomize.py on PYTHONPATH?"
        )
    result = run(os.path.abspath(zope_dir), document, unbound)
    with open(report, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
