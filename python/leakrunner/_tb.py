"""Traceback formatting in the style of zope.testrunner (zope.exceptions).

zope.testrunner formats errors with zope.exceptions' ``TextExceptionFormatter``
(``limit=None, with_filenames=True``) and, for the duration of a run, replaces
``traceback.format_exception`` / ``traceback.print_exception`` with adapters
around it (``zope.testrunner.tb_format``), so doctest's "Exception raised:"
sections, logging and ``traceback.print_exc()`` use that style as well.

This module reproduces that text byte for byte without importing zope:

* a header line, always (also when there is no traceback);
* one entry per traceback frame: ``  File "<file>", line <n>, in <name>``, the
  stripped source line when linecache has it (no caret lines), then the lines
  of a ``__traceback_supplement__`` (frame locals first, then globals) and the
  ``__traceback_info__`` of the frame;
* ``sys.tracebacklimit`` (default 200) cuts entries out of the middle;
  the ``limit`` argument is ignored, as in zope.testrunner;
* the exception-only part comes from ``traceback.format_exception_only``;
* chained exceptions are only followed when ``chain`` is true, with
  zope.testrunner's quirks: ``format_exception(..., chain=True)`` returns the
  innermost (first) exception of the chain only, ``print_exception`` prints all.

This module must stay importable without the compiled extension.
"""

import contextlib
import linecache
import sys
import threading
import traceback

__all__ = [
    "format_exception",
    "format_traceback",
    "install",
    "installed",
    "print_exception",
    "uninstall",
]

_HEADER = "Traceback (most recent call last):\n"
_RECURSION = "(Recursive formatException() stopped, trying traceback.format_tb)\n"
_OMITTED = (
    "...\n"
    "{0} entries omitted, because limit is {1}.\n"
    "Set sys.tracebacklimit or TextExceptionFormatter.limit to a higher"
    " value to see omitted entries\n"
    "..."
)
_SUPPLEMENT = "__traceback_supplement__"
_INFO = "__traceback_info__"
# Frames with a true local of this name are exception formatters (zope.exceptions
# uses the same marker); their tracebacks are not formatted recursively.
_MARKER = "__exception_formatter__"

# Same sentinel object as the stdlib when it has one, so that callers passing
# it explicitly behave as with zope.testrunner (which imports it from there).
_sentinel = getattr(traceback, "_sentinel", object())
_CAUSE_MESSAGE = getattr(
    traceback,
    "_cause_message",
    "\nThe above exception was the direct cause of the following exception:\n\n",
)
_CONTEXT_MESSAGE = getattr(
    traceback,
    "_context_message",
    "\nDuring handling of the above exception, another exception occurred:\n\n",
)


def _value_tb(exc, value, tb):
    """Resolve the (exc, value, tb) calling forms of the 3.10+ traceback API."""
    if (value is _sentinel) != (tb is _sentinel):
        raise ValueError("Both or neither of value and tb must be given")
    if value is not _sentinel:
        return value, tb
    if exc is None:
        return None, None
    if isinstance(exc, BaseException):
        return exc, exc.__traceback__
    raise TypeError(f"Exception expected for value, {type(exc).__name__} found")


def _chain(exc, tb):
    """(value, tb) pairs of the exception chain, innermost first, with the
    cause/context messages (as str values) in between."""
    items = []
    seen = set()
    while True:
        seen.add(exc)
        context = exc.__context__
        cause = exc.__cause__
        items.append((exc, tb or exc.__traceback__))
        tb = None
        if cause is not None and cause not in seen:
            items.append((_CAUSE_MESSAGE, None))
            exc = cause
        elif context is not None and not exc.__suppress_context__ and context not in seen:
            items.append((_CONTEXT_MESSAGE, None))
            exc = context
        else:
            break
    items.reverse()
    return items


def _supplement_lines(supplement, tb):
    # %-formatting on purpose: a tuple value must fail (and drop the supplement)
    # exactly as it does in zope.exceptions.
    lines = []
    url = getattr(supplement, "source_url", None)
    if url is not None:
        lines.append(f"   - {url}")
    line = getattr(supplement, "line", 0)
    if line == -1:
        line = tb.tb_lineno
    column = getattr(supplement, "column", -1)
    if line:
        if column is not None and column >= 0:
            lines.append(f"   - Line {line}, Column {column}")
        else:
            lines.append("   - Line %s" % line)  # noqa: UP031
    elif column is not None and column >= 0:
        lines.append("   - Column %s" % column)  # noqa: UP031
    expression = getattr(supplement, "expression", None)
    if expression:
        lines.append("   - Expression: %s" % expression)  # noqa: UP031
    warnings = getattr(supplement, "warnings", None)
    if warnings:
        lines.extend("   - Warning: %s" % w for w in warnings)  # noqa: UP031
    get_info = getattr(supplement, "getInfo", None)
    if get_info is not None:
        try:
            info = get_info()
            if info:
                lines.append(info)  # verbatim; a non-str fails in the join below
        except Exception:
            traceback.print_exc()
    return lines


def _format_entry(tb, f_locals):
    """The text (without final newline) for one traceback entry."""
    frame = tb.tb_frame
    lineno = tb.tb_lineno
    code = frame.f_code
    filename = code.co_filename
    f_globals = frame.f_globals
    # %d: a line number of None raises, as in zope.exceptions
    lines = ['  File "%s", line %d, in %s' % (filename, lineno, code.co_name)]  # noqa: UP031

    linecache.lazycache(filename, f_globals)
    source = linecache.getline(filename, lineno)
    if source:
        lines.append("    " + source.strip())

    if _SUPPLEMENT in f_locals:
        spec = f_locals[_SUPPLEMENT]
    elif _SUPPLEMENT in f_globals:
        spec = f_globals[_SUPPLEMENT]
    else:
        spec = None
    if spec is not None:
        factory = spec[0]
        args = spec[1:]
        try:
            lines.extend(_supplement_lines(factory(*args), tb))
        except Exception:
            traceback.print_exc()

    try:
        info = f_locals.get(_INFO, None)
        if info is not None:
            lines.append(f"   - __traceback_info__: {info}")
    except Exception:
        traceback.print_exc()

    return "\n".join(lines)


def _format(etype, value, tb):
    __exception_formatter__ = 1  # noqa: F841 -- recursion marker, see _MARKER
    entries = []
    while tb is not None:
        f_locals = tb.tb_frame.f_locals
        if f_locals.get(_MARKER):
            entries.append(_RECURSION)
            entries.extend(traceback.format_tb(tb))
            break
        entries.append(_format_entry(tb, f_locals) + "\n")
        tb = tb.tb_next

    limit = getattr(sys, "tracebacklimit", 200)
    if limit is not None and len(entries) > limit:
        # Keep both ends, replace the middle with a note.
        cut = len(entries) - limit
        start = len(entries) // 2 - cut // 2
        entries[start : start + cut] = [_OMITTED.format(cut, limit)]

    try:
        last = "".join(traceback.format_exception_only(etype, value))
    except Exception:
        last = str(value)
    return [_HEADER, *entries, last]


def format_exception(t, value=_sentinel, tb=_sentinel, limit=None, chain=None):
    """zope.testrunner's replacement for ``traceback.format_exception``.

    Returns a list of strings (or ``value`` itself when it is a str).
    ``limit`` is ignored; with a true ``chain`` only the innermost exception
    of the chain is formatted.
    """
    v, tb = _value_tb(t, value, tb)
    if chain:
        v, tb = _chain(v, tb)[0]
    if isinstance(v, str):
        return v
    return _format(t, v, tb)


def print_exception(t, value=_sentinel, tb=_sentinel, limit=None, file=None, chain=None):
    """zope.testrunner's replacement for ``traceback.print_exception``.

    Writes to ``sys.stdout`` (not stderr) when ``file`` is None; with a true
    ``chain`` the whole chain is printed.
    """
    v, tb = _value_tb(t, value, tb)
    items = _chain(v, tb) if chain else [(v, tb)]
    if file is None:
        file = sys.stdout
    for v, tb in items:
        file.writelines(format_exception(t, v, tb, limit))


def format_traceback(exc_info):
    """The report text for a (non-doctest) test error or failure."""
    return "".join(format_exception(*exc_info))


_saved = []
_lock = threading.Lock()


def install():
    """Make ``traceback.format_exception``/``print_exception`` use this style.

    Calls nest: each ``install()`` must be matched by one ``uninstall()``,
    which restores what was there before the matching ``install()``.
    """
    with _lock:
        _saved.append((traceback.format_exception, traceback.print_exception))
        traceback.format_exception = format_exception
        traceback.print_exception = print_exception


def uninstall():
    """Undo the most recent ``install()`` (no-op when nothing is installed)."""
    with _lock:
        if _saved:
            traceback.format_exception, traceback.print_exception = _saved.pop()


@contextlib.contextmanager
def installed():
    """Context manager around ``install()``/``uninstall()``."""
    install()
    try:
        yield
    finally:
        uninstall()
