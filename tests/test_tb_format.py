"""Differential tests: leakrunner._tb against zope.exceptions / zope.testrunner.

Every case raises a real exception and checks that ``leakrunner._tb`` gives
exactly (byte for byte, list element for list element) what zope.testrunner
gives: ``TextExceptionFormatter(limit=None, with_filenames=True)`` for plain
formatting, ``zope.testrunner.tb_format`` for the ``traceback`` replacements
(calling forms, chains, print_exc, doctest, logging).

Run before the package is built with
``PYTHONPATH=python python -m pytest tests/test_tb_format.py``.
"""

import contextlib
import doctest
import importlib.util
import io
import logging
import pathlib
import sys
import traceback
import unittest

import pytest

zexc = pytest.importorskip("zope.exceptions.exceptionformatter")

try:
    from zope.testrunner import tb_format as ztb
except ImportError:  # zope.testrunner not installed: adapter tests are skipped
    ztb = None

needs_ztb = pytest.mark.skipif(ztb is None, reason="zope.testrunner not installed")


def _load_tb():
    try:
        from leakrunner import _tb
    except Exception:  # e.g. source checkout without the compiled extension
        path = pathlib.Path(__file__).resolve().parents[1] / "python" / "leakrunner" / "_tb.py"
        spec = importlib.util.spec_from_file_location("_leakrunner_tb_under_test", path)
        _tb = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_tb)
    return _tb


_tb = _load_tb()


# -- helpers -----------------------------------------------------------------


def catch(fn, *args, **kw):
    """Call fn, return the exc_info triple of the exception it raises."""
    try:
        fn(*args, **kw)
    except BaseException as e:  # noqa: B036
        return type(e), e, e.__traceback__
    raise AssertionError(f"{fn!r} did not raise")


def zope_format(t, v, tb):
    """How zope.testrunner formats: tb_format -> TextExceptionFormatter."""
    return zexc.format_exception(t, v, tb, limit=None, with_filenames=True)


def outcome(fn):
    """(result or raised exception, captured stdout, captured stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result = ("returned", fn())
        except Exception as e:
            result = ("raised", type(e), str(e))
    return result, out.getvalue(), err.getvalue()


def _shape(text):
    """First and last line of a side-channel traceback (its middle contains
    the formatter's own frames, which necessarily differ)."""
    lines = text.splitlines()
    return (lines[0], lines[-1]) if lines else ()


def assert_same(ref_fn, our_fn):
    ref, ref_out, ref_err = outcome(ref_fn)
    got, got_out, got_err = outcome(our_fn)
    assert got == ref
    # Internal errors (unprintable __traceback_info__, failing supplements)
    # are reported with traceback.print_exc(); compare all but the frames.
    assert _shape(got_out) == _shape(ref_out)
    assert _shape(got_err) == _shape(ref_err)
    return ref, ref_out + ref_err


@contextlib.contextmanager
def zope_patch():
    feature = ztb.Traceback(None)
    feature.global_setup()
    try:
        yield
    finally:
        feature.global_teardown()


# -- exception producers ------------------------------------------------------


def _nested_a():
    return _nested_b(1)


def _nested_b(x):
    return _nested_c(x, 0)


def _nested_c(x, y):
    return x / y


def _generator():
    yield 1
    raise KeyError("in generator")


class _Klass:
    def method(self):
        return self._helper(3)

    def _helper(self, n):
        raise ValueError(f"from method {n}")

    @classmethod
    def cmethod(cls):
        raise TypeError("from classmethod")

    @staticmethod
    def smethod():
        return [][1]

    @property
    def prop(self):
        return {}["missing"]


def _add3(a, b, c):
    return a + b + c


def _multiline_call():
    return _add3(
        1,
        2,
        "three",
    )


# fmt: off
def _multiline_expression(x=None):
    value = (
        1
        + 2
        + x
    )
    return value
# fmt: on


def _class_body():
    class Inner:
        attr = 1 / 0

    return Inner


def _with_info(info):
    def fails():
        __traceback_info__ = info  # noqa: F841
        raise RuntimeError("with info")

    return catch(fails)


class _Unprintable:
    def __str__(self):
        raise ValueError("cannot str me")

    __repr__ = __str__


class _Formatted:
    def __str__(self):
        return "via str"

    def __format__(self, spec):
        return "via format"


class Supplement:
    def __init__(self, attrs):
        self.__dict__.update(attrs)


def _with_supplement(spec, info=None):
    def fails():
        __traceback_supplement__ = spec  # noqa: F841
        __traceback_info__ = info  # noqa: F841
        raise LookupError("with supplement")

    return catch(fails)


def _boom():
    raise ValueError("supplement factory failed")


def _module_supplement(local_none=False):
    source = (
        "def fails():\n"
        + ("    __traceback_supplement__ = None\n" if local_none else "")
        + "    raise NameError('module level')\n"
    )
    ns = {
        "__name__": "generated",
        "__traceback_supplement__": (Supplement, {"expression": "module-level", "line": 9}),
    }
    exec(compile(source, "<generated module>", "exec"), ns)
    return catch(ns["fails"])


def _missing_source(filename):
    ns = {"__name__": "nosource"}
    code = "def outer():\n    inner()\ndef inner():\n    raise IndexError('no source here')\n"
    exec(compile(code, filename, "exec"), ns)
    return catch(ns["outer"])


def _deep(n):
    if n == 0:
        raise ArithmeticError("bottom")
    return _deep(n - 1)


def _recurse(n):
    return _recurse(n + 1)


def _marked():
    __exception_formatter__ = 1  # noqa: F841
    return _nested_a()


class _BadStr(Exception):
    def __str__(self):
        raise RuntimeError("no str for you")


class _BadNotes(Exception):
    @property
    def __notes__(self):
        raise RuntimeError("notes exploded")


def _noted():
    e = ValueError("with notes")
    e.add_note("first note")
    e.add_note("second\nnote, two lines")
    raise e


def _group():
    raise ExceptionGroup("several", [ValueError(1), TypeError("two")])


def _chained_cause():
    try:
        _nested_a()
    except ZeroDivisionError as e:
        raise KeyError("outer") from e


def _chained_context():
    try:
        {}["x"]
    except KeyError:
        try:
            raise OSError("middle")
        except OSError:
            _Klass().method()


def _suppressed():
    try:
        {}["x"]
    except KeyError:
        raise AttributeError("suppressed") from None


class _LocalError(Exception):
    class Nested(Exception):
        pass


def _raise(exc):
    raise exc


SUPP_FULL = {
    "source_url": "http://example.com/template.pt",
    "line": 12,
    "column": 7,
    "expression": "python: a / b",
    "warnings": ["first warning", "second warning"],
    "getInfo": lambda: "Extra info\n  indented second line",
}

CASES = {
    "nested_functions": lambda: catch(_nested_a),
    "generator": lambda: catch(lambda: list(_generator())),
    "generator_expression": lambda: catch(lambda: sum(1 / x for x in (1, 0))),
    "list_comprehension": lambda: catch(lambda: [1 / x for x in (2, 0)]),
    "method": lambda: catch(_Klass().method),
    "classmethod": lambda: catch(_Klass.cmethod),
    "staticmethod": lambda: catch(_Klass.smethod),
    "property": lambda: catch(lambda: _Klass().prop),
    "class_body": lambda: catch(_class_body),
    "multiline_call": lambda: catch(_multiline_call),
    "multiline_expression": lambda: catch(_multiline_expression),
    "info_str": lambda: _with_info("some info"),
    "info_multiline": lambda: _with_info("line one\nline two"),
    "info_tuple": lambda: _with_info(("a", 1, None)),
    "info_dict": lambda: _with_info({"key": ["v"]}),
    "info_falsy": lambda: _with_info(0),
    "info_empty_str": lambda: _with_info(""),
    "info_none": lambda: _with_info(None),
    "info_unprintable": lambda: _with_info(_Unprintable()),
    "info_unicode": lambda: _with_info("caf\xe9 \u2603"),
    "info_custom_format": lambda: _with_info(_Formatted()),
    "supplement_custom_format": lambda: _with_supplement(
        (Supplement, {"source_url": _Formatted(), "line": _Formatted(), "column": 1})
    ),
    "supplement_full": lambda: _with_supplement((Supplement, SUPP_FULL), info="and info"),
    "supplement_line_only": lambda: _with_supplement((Supplement, {"line": 5})),
    "supplement_line_current": lambda: _with_supplement((Supplement, {"line": -1, "column": 0})),
    "supplement_column_only": lambda: _with_supplement((Supplement, {"line": 0, "column": 4})),
    "supplement_column_none": lambda: _with_supplement((Supplement, {"line": 2, "column": None})),
    "supplement_empty": lambda: _with_supplement((Supplement, {})),
    "supplement_str_warnings": lambda: _with_supplement((Supplement, {"warnings": "ab"})),
    "supplement_bad_line": lambda: _with_supplement((Supplement, {"line": (1, 2)}), info="kept"),
    "supplement_getinfo_empty": lambda: _with_supplement((Supplement, {"getInfo": lambda: ""})),
    "supplement_getinfo_raises": lambda: _with_supplement(
        (Supplement, {"expression": "kept", "getInfo": _boom})
    ),
    "supplement_getinfo_not_str": lambda: _with_supplement((Supplement, {"getInfo": lambda: 42})),
    "supplement_factory_raises": lambda: _with_supplement((_boom,), info="still here"),
    "supplement_not_subscriptable": lambda: _with_supplement(5),
    "supplement_empty_tuple": lambda: _with_supplement(()),
    "supplement_module_level": lambda: _module_supplement(),
    "supplement_local_none_hides_global": lambda: _module_supplement(local_none=True),
    "missing_source_file": lambda: _missing_source("/nonexistent/dir/module.py"),
    "missing_source_string": lambda: _missing_source("<string>"),
    "str_raises": lambda: catch(_raise, _BadStr("x")),
    "notes_property_raises": lambda: catch(_raise, _BadNotes("x")),
    "syntax_error_compile": lambda: catch(compile, "x = (1,\n", "<bad>", "exec"),
    "syntax_error_def": lambda: catch(compile, "def f(:\n    pass\n", "fake.py", "exec"),
    "syntax_error_manual": lambda: catch(
        _raise, SyntaxError("bad thing", ("f.py", 3, 5, "  bad code here\n", 3, 9))
    ),
    "syntax_error_bare": lambda: catch(_raise, SyntaxError()),
    "indentation_error": lambda: catch(compile, "if 1:\nx = 1\n", "ind.py", "exec"),
    "notes": lambda: catch(_noted),
    "exception_group": lambda: catch(_group),
    "keyerror_repr": lambda: catch(_raise, KeyError("quoted 'key'")),
    "no_message": lambda: catch(_raise, _LocalError.Nested()),
    "multiline_message": lambda: catch(_raise, ValueError("one\ntwo\n")),
    "chained_cause": lambda: catch(_chained_cause),
    "chained_context": lambda: catch(_chained_context),
    "suppressed_context": lambda: catch(_suppressed),
    "recursion_marker": lambda: catch(_marked),
    "deep_stack": lambda: catch(_deep, 40),
    "recursion_error": lambda: catch(_recurse, 0),
    "system_exit": lambda: catch(sys.exit, 3),
    "lambda_and_exec": lambda: catch(exec, "f = lambda: 1 / 0\nf()\n", {"__name__": "x"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_format_exception_matches_zope(name):
    t, v, tb = CASES[name]()
    ref, _ = assert_same(lambda: zope_format(t, v, tb), lambda: _tb.format_exception(t, v, tb))
    assert ref[0] == "returned" or name.startswith("supplement_")
    if ztb is not None:
        assert outcome(lambda: ztb.format_exception(t, v, tb))[0] == ref
    if ref[0] == "returned":
        assert _tb.format_traceback((t, v, tb)) == "".join(ref[1])
    # Without a traceback the header is still there.
    assert_same(lambda: zope_format(t, v, None), lambda: _tb.format_exception(t, v, None))


def test_case_count():
    assert len(CASES) >= 25


def test_side_channel_report():
    """Unprintable __traceback_info__: the value is left out, and the error
    is reported through traceback.print_exc() like zope.exceptions does."""
    t, v, tb = CASES["info_unprintable"]()
    (kind, lines), side = assert_same(
        lambda: zope_format(t, v, tb), lambda: _tb.format_exception(t, v, tb)
    )
    assert "__traceback_info__" not in "".join(lines)
    assert side.rstrip().endswith("ValueError: cannot str me")


def test_no_caret_lines_and_no_repeat_compression():
    t, v, tb = CASES["recursion_error"]()
    text = "".join(_tb.format_exception(t, v, tb))
    assert "Previous line repeated" not in text
    assert "entries omitted, because limit is 200." in text
    assert "^^^" not in "".join(_tb.format_exception(*CASES["multiline_call"]()))


@pytest.mark.parametrize("limit", [0, 1, 2, 3, 7, -1, -50, None, 1000])
def test_tracebacklimit(monkeypatch, limit):
    t, v, tb = catch(_deep, 12)
    monkeypatch.setattr(sys, "tracebacklimit", limit, raising=False)
    assert_same(lambda: zope_format(t, v, tb), lambda: _tb.format_exception(t, v, tb))


def test_limit_argument_ignored():
    t, v, tb = catch(_deep, 5)
    assert _tb.format_exception(t, v, tb, limit=1) == zope_format(t, v, tb)
    assert _tb.format_exception(t, v, tb, 2) == zope_format(t, v, tb)


# -- zope.testrunner.tb_format adapter: calling forms and chains --------------


def _forms():
    t, v, tb = catch(_chained_context)
    cyc_t, cyc, cyc_tb = catch(_nested_a)
    other = OSError("cycle partner")
    cyc.__context__ = other
    other.__context__ = cyc
    return {
        "positional": ((t, v, tb), {}),
        "single_exception": ((v,), {}),
        "keywords": ((v,), {"value": v, "tb": tb}),
        "keywords_tb_none": ((t,), {"value": v, "tb": None}),
        "limit_keyword": ((v,), {"limit": 1}),
        "chain_false": ((t, v, tb), {"chain": False}),
        "chain_true": ((t, v, tb), {"chain": True}),
        "chain_true_single": ((v,), {"chain": True}),
        "chain_tb_none": ((t, v, None), {"chain": True}),
        "chain_cause": (catch(_chained_cause), {"chain": True}),
        "chain_suppressed": (catch(_suppressed), {"chain": True}),
        "chain_cycle": ((cyc,), {"chain": True}),
        "none": ((None,), {}),
        "none_chain": ((None,), {"chain": True}),
        "none_triple": ((None, None, None), {}),
        "only_value": ((v,), {"value": v}),
        "only_tb": ((v,), {"tb": tb}),
        "not_an_exception": (("oops",), {}),
        "str_value": ((t, "a message\n", None), {}),
        "str_value_chain": ((t, "a message\n", None), {"chain": True}),
        "unknown_keyword": ((v,), {"colorize": True}),
    }


FORMS = _forms()


@needs_ztb
@pytest.mark.parametrize("form", sorted(FORMS))
def test_format_exception_calling_forms(form):
    args, kw = FORMS[form]
    assert_same(
        lambda: ztb.format_exception(*args, **kw), lambda: _tb.format_exception(*args, **kw)
    )


@needs_ztb
@pytest.mark.parametrize("form", sorted(FORMS))
def test_print_exception_calling_forms(form):
    args, kw = FORMS[form]

    def call(fn):
        def inner():
            buf = io.StringIO()
            fn(*args, file=buf, **kw)
            return buf.getvalue()

        return inner

    assert_same(call(ztb.print_exception), call(_tb.print_exception))
    # file=None writes to sys.stdout
    assert_same(lambda: ztb.print_exception(*args, **kw), lambda: _tb.print_exception(*args, **kw))


def _in_except(fn):
    try:
        _chained_context()
    except Exception:
        return fn()


@needs_ztb
@pytest.mark.parametrize(
    "call",
    [
        lambda: traceback.print_exc(),
        lambda: traceback.format_exc(),
        lambda: traceback.format_exc(chain=False),
        lambda: traceback.print_exc(chain=False),
        lambda: traceback.format_exception(*sys.exc_info()),
        lambda: traceback.print_exception(*sys.exc_info()),
        lambda: traceback.format_exception(sys.exc_info()[1]),
        lambda: traceback.print_exception(sys.exc_info()[1], file=sys.stderr),
    ],
    ids=[
        "print_exc",
        "format_exc",
        "format_exc_nochain",
        "print_exc_nochain",
        "format_exception",
        "print_exception",
        "format_exception_single",
        "print_exception_stderr",
    ],
)
def test_patched_traceback_module(call):
    def under(patch):
        def inner():
            with patch():
                return _in_except(call)

        return inner

    assert_same(under(zope_patch), under(_tb.installed))


@needs_ztb
def test_patched_logging():
    def under(patch):
        def inner():
            buf = io.StringIO()
            logger = logging.getLogger("leakrunner.test_tb_format")
            handler = logging.StreamHandler(buf)
            logger.addHandler(handler)
            logger.propagate = False
            try:
                with patch():
                    _in_except(lambda: logger.exception("it failed"))
            finally:
                logger.removeHandler(handler)
            return buf.getvalue()

        return inner

    ref, _ = assert_same(under(zope_patch), under(_tb.installed))
    assert "Traceback (most recent call last):" in ref[1]


DOCTEST = """
>>> def boom():
...     __traceback_info__ = "doctest info"
...     raise ValueError("from doctest")
>>> boom()
>>> def gen():
...     yield 1
...     raise KeyError(
...         "multi-line"
...     )
>>> list(gen())
>>> 1 + 1
3
>>> raise SyntaxError("bad", ("<doctest>", 1, 2, "x y", 1, 3))
>>> try:
...     boom()
... except ValueError as e:
...     raise TypeError("chained") from e
"""


@needs_ztb
def test_doctest_exception_raised_section():
    def under(patch):
        def inner():
            parser = doctest.DocTestParser()
            test = parser.get_doctest(DOCTEST, {}, "tbcase", "tbcase.txt", 0)
            runner = doctest.DocTestRunner(verbose=False)
            buf = io.StringIO()
            with patch():
                runner.run(test, out=buf.write)
            return buf.getvalue()

        return inner

    ref, _ = assert_same(under(zope_patch), under(_tb.installed))
    assert "   - __traceback_info__: doctest info" in ref[1]


class _Tests(unittest.TestCase):
    __test__ = False  # run by test_unittest_frames, not collected by pytest

    def test_fail(self):
        self.assertEqual([1, 2], [1, 3])

    def test_error(self):
        _Klass().method()

    def test_subtests(self):
        for i in range(2):
            with self.subTest(i=i):
                self.assertTrue(i == 0, "only zero")

    def test_cleanup(self):
        self.addCleanup(_nested_a)


class _SetUpFails(unittest.TestCase):
    __test__ = False

    def setUp(self):
        __traceback_info__ = "in setUp"  # noqa: F841
        raise RuntimeError("setUp failed")

    def test_nothing(self):
        pass


class _Collect(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.pairs = []

    def _record(self, err):
        t, v, tb = err
        self.pairs.append((zope_format(t, v, tb), _tb.format_exception(t, v, tb)))

    def addError(self, test, err):
        self._record(err)

    def addFailure(self, test, err):
        self._record(err)

    def addSubTest(self, test, subtest, err):
        if err is not None:
            self._record(err)


@pytest.mark.parametrize(
    "test",
    [
        _Tests("test_fail"),
        _Tests("test_error"),
        _Tests("test_subtests"),
        _Tests("test_cleanup"),
        _SetUpFails("test_nothing"),
    ],
    ids=str,
)
def test_unittest_frames(test):
    result = _Collect()
    test.run(result)
    assert result.pairs
    for ref, got in result.pairs:
        assert got == ref
        assert any("unittest" in entry and "case.py" in entry for entry in ref)


def test_install_nests_and_restores():
    original = (traceback.format_exception, traceback.print_exception)
    with _tb.installed():
        assert traceback.format_exception is _tb.format_exception
        with _tb.installed():
            assert traceback.print_exception is _tb.print_exception
        assert traceback.format_exception is _tb.format_exception
        assert traceback.print_exception is _tb.print_exception
    assert (traceback.format_exception, traceback.print_exception) == original
    _tb.uninstall()  # unbalanced: harmless
    assert (traceback.format_exception, traceback.print_exception) == original


@needs_ztb
def test_install_interleaved_with_zope():
    original = traceback.format_exception
    _tb.install()
    try:
        with zope_patch():
            assert traceback.format_exception is ztb.format_exception
        assert traceback.format_exception is _tb.format_exception
    finally:
        _tb.uninstall()
    assert traceback.format_exception is original


@needs_ztb
def test_unprintable_info_while_handling_recurses_like_zope():
    """zope.exceptions reports the str() failure with print_exc(), whose chain
    includes the exception being handled, whose formatting fails again...:
    format_exc() ends in RecursionError. We reproduce that, not fix it."""

    def fails():
        __traceback_info__ = _Unprintable()  # noqa: F841
        raise KeyError("k")

    def under(patch):
        def inner():
            with patch():
                try:
                    fails()
                except KeyError:
                    return traceback.format_exc()

        return inner

    ref = outcome(under(zope_patch))[0]
    got = outcome(under(_tb.installed))[0]
    assert ref[:2] == got[:2] == ("raised", RecursionError)
