"""The global set-up of a run that must be Python: warnings, logging, the
garbage collector's settings, the terminal's size and colours, and the JUnit
XML directory.

Called from the Rust runner (src/helpers.rs).
"""

import io
import logging
import os
import sys
import warnings


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


def xml_setup(directory):
    """``--xml DIR``: the resolved directory, created now (zope creates it
    before the run), the host name, and local time's offset from UTC."""
    import pathlib
    import socket
    import time

    folder = pathlib.Path(directory).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder), socket.gethostname(), time.localtime().tm_gmtoff
