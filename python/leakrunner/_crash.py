"""Crash isolation: descriptors the tests cannot close, for faulthandler and
for a child process's results channel and standard streams.

A test may close descriptors 1 and 2, write bytes to them, or replace
``sys.stdout``; a C extension may kill the process. faulthandler and the
child's channel therefore write to duplicates numbered high (out of the way
of tests that close or reuse low numbers) and not inherited by processes the
tests start.
"""

import faulthandler
import fcntl
import os
import signal
import sys

# Duplicates are numbered from here (or as low as the system allows).
_LOW = 200

# The signal a parent sends a child that ran too long: faulthandler dumps
# every thread's stack to the channel, then the parent kills the child.
DUMP_SIGNAL = signal.SIGUSR2

# Streams replaced by protect_stdout: kept alive, for their finalizers
# would close the descriptors under them.
_replaced = []


def protected_dup(fd):
    """A duplicate of ``fd``, numbered high, closed on exec."""
    try:
        return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, _LOW)
    except OSError:
        return os.dup(fd)  # non-inheritable too


def stderr_dup():
    """A protected duplicate of descriptor 2, or None when it is closed."""
    try:
        return protected_dup(2)
    except OSError:
        return None


def open_channel(path):
    """Opens a child's results channel for appending, on a protected
    descriptor."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        return protected_dup(fd)
    finally:
        os.close(fd)


def take_env(name):
    """Reads and removes an environment variable: a test that starts another
    leakrunner must not hand it this process's channel."""
    return os.environ.pop(name, None)


def enable_faulthandler(fd, dump_signal):
    """faulthandler on ``fd`` for every thread; with ``dump_signal``, also
    a stack dump on DUMP_SIGNAL. Returns whether it was on before."""
    was_enabled = faulthandler.is_enabled()
    faulthandler.enable(file=fd, all_threads=True)
    if dump_signal:
        faulthandler.register(DUMP_SIGNAL, file=fd, all_threads=True)
    return was_enabled


def disable_faulthandler(was_enabled, dump_signal):
    """Undoes enable_faulthandler: faulthandler goes back to stderr when it
    was on before the run."""
    if dump_signal:
        faulthandler.unregister(DUMP_SIGNAL)
    faulthandler.disable()
    if was_enabled:
        try:
            faulthandler.enable(file=sys.__stderr__, all_threads=True)
        except (AttributeError, ValueError, OSError, RuntimeError):
            pass


def _stream_like(fd, model, line_buffering=False):
    # As the interpreter makes its standard streams: buffered to the
    # descriptor's block size, with the model's encoding and buffering.
    return open(
        fd,
        "w",
        buffering=1 if line_buffering or model.line_buffering else -1,
        encoding=model.encoding,
        errors=model.errors,
        newline="\n",
        closefd=True,
    )


def protect_stdout(line_buffering=True):
    """Moves ``sys.stdout`` (and ``sys.__stdout__``) onto a protected
    duplicate of descriptor 1 and returns it: the runner's console output
    then survives a test that closes descriptor 1 or replaces sys.stdout,
    and goes to the same pipe as before. Line-buffered: what a test printed
    before it crashed reaches the parent (the parent reads lines, so the
    output it shows is the same)."""
    old = sys.stdout
    old.flush()
    new = _stream_like(protected_dup(old.fileno()), old, line_buffering=line_buffering)
    _replaced.append(old)
    sys.stdout = sys.__stdout__ = new
    return new


def protected_stderr():
    """A stream on a protected duplicate of descriptor 2, for the child's
    report to its parent (zope's protocol)."""
    model = sys.__stderr__ or sys.stderr
    model.flush()
    return _stream_like(protected_dup(model.fileno()), model)
