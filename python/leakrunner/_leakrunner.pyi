"""Types of ``leakrunner._leakrunner``, the Rust extension (src/lib.rs).

The test hooks (``_census``, ``_census_selftest``, ``_parse_options``,
``_option_table``) are left out: they exist only in builds with the
``test-hooks`` cargo feature (the venvs of tools/venv.sh), not in an
installed leakrunner.
"""

import unittest
from collections.abc import Sequence
from types import TracebackType
from typing import Final, TypedDict, final

__version__: Final[str]

class _BuiltFor(TypedDict):
    python: str
    py_debug: bool
    trace_refs: bool
    ext_suffix: str
    executable: str

class _Running(TypedDict):
    python: str
    executable: str
    py_debug: bool
    trace_refs: bool
    flavour: str

class _Signals(TypedDict):
    total_refcount: bool
    getobjects: bool
    allocated_blocks: bool

class _BuildInfo(TypedDict):
    leakrunner: str
    built_for: _BuiltFor
    running: _Running
    signals: _Signals

def build_info() -> _BuildInfo:
    """What the extension was built for, what runs it, and which leak
    signals are available."""

def run_internal(
    defaults: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    script_parts: Sequence[str] | None = None,
    cwd: str | None = None,
    warnings: str | None = None,
) -> bool:
    """Runs the tests; returns True if any failed."""

def report_main(argv: Sequence[str]) -> tuple[int, str, str]:
    """``python -m leakrunner.report``: runs its command line (program name
    first); returns the exit status and what to write to stdout and stderr."""

_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

@final
class TestResult:
    """The result the runner hands to each layer's tests (``unittest``'s
    protocol); made by the runner only."""

    @property
    def testsRun(self) -> int: ...
    @property
    def shouldStop(self) -> bool: ...
    @property
    def failfast(self) -> bool: ...
    @property
    def buffer(self) -> bool: ...
    def startTest(self, test: unittest.TestCase) -> None: ...
    def stopTest(self, test: unittest.TestCase) -> None: ...
    def addSuccess(self, _test: unittest.TestCase) -> None: ...
    def addSkip(self, test: unittest.TestCase, reason: str) -> None: ...
    def addError(self, test: unittest.TestCase, err: _ExcInfo) -> None: ...
    def addFailure(self, test: unittest.TestCase, err: _ExcInfo) -> None: ...
    def addSubTest(
        self, test: unittest.TestCase, subtest: unittest.TestCase, err: _ExcInfo | None
    ) -> None: ...
    def addExpectedFailure(self, _test: unittest.TestCase, _err: _ExcInfo) -> None: ...
    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None: ...
    def addDuration(self, _test: unittest.TestCase, _elapsed: float) -> None: ...
    def stop(self) -> None: ...
    def wasSuccessful(self) -> bool: ...
