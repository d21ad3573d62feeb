"""zope.testrunner's own doctest suite, run against leakrunner.

zope.testrunner 8.3 specifies its behaviour in doctest documents
(``zope/testrunner/tests/*.rst``, with the sample trees beside them). This
test gets the 8.3 wheel with pip at test time (pinned by version and hash,
cached in ~/.cache/leakrunner/wheels; nothing of zope's is committed),
unpacks it, and runs each document in a process of its own with the name
``zope.testrunner`` bound to leakrunner (tests/zope_doctests/), set up by
zope's own harness (its ``tests/test_doctest.py``: which documents this
interpreter runs, their checkers, flags, set-up and tear-down).

zope's harness itself runs under a zope.testrunner, whose traceback style
stays installed for the whole run: run_document.py installs the same style
around the document (the documents expect it where an inner run restores
it). And leakrunner's name for the unit-test layer is read as zope's (a
divergence in README.md); nothing else of the checking is changed.

A document fails when any of its examples fails, except the examples listed
below with their reason. An example listed that passes fails too, so that the
lists only ever hold what still differs.

To run one document (here on the release interpreter; ``-s`` prints its
counts of passing, failing and excluded examples)::

    .venvs/release/bin/python -m pytest -p no:cacheprovider -n 0 -q -s \\
        "tests/test_zope_doctests.py::test_zope_document[testrunner-layers-buff.rst]"

or by hand, from the wheel unpacked in DIR (``unzip -d DIR
~/.cache/leakrunner/wheels/zope_testrunner-8.3-py3-none-any.whl``), which
writes every example's outcome and difference to report.json::

    cd DIR && PYTHONPATH=$CHECKOUT/tests/zope_doctests $CHECKOUT/.venvs/release/bin/python \\
        $CHECKOUT/tests/zope_doctests/run_document.py zope/testrunner \\
        testrunner-layers-buff.rst report.json

(``--unbound`` before ``zope/testrunner``, without that PYTHONPATH, runs the
document with zope.testrunner itself: what fails for zope on this
interpreter.)
"""

import fcntl
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile

import pytest
from sidebyside import ROOT, runner_env

VERSION = "8.3"
WHEEL = f"zope_testrunner-{VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "33e73eb4dcfe064605ae9b8152ea1456931e1176aa49a2b2b9f51fef20ba71de"
CACHE = pathlib.Path(os.environ.get("LEAKRUNNER_CACHE", pathlib.Path.home() / ".cache/leakrunner"))
BINDING = ROOT / "tests" / "zope_doctests"

if hasattr(sys, "getobjects"):
    FLAVOUR = "tracerefs"
elif hasattr(sys, "gettotalrefcount"):
    FLAVOUR = "pydebug"
else:
    FLAVOUR = "release"
DEBUG = FLAVOUR != "release"

# The documents zope's harness (tests/test_doctest.py) runs, and about how
# many seconds each takes on the slower debug build, when it is more than a
# few (the slow marker; 3.11's pydebug is the slower for these). Which of
# them a given interpreter runs is the harness's choice: the leak documents
# on debug builds, testrunner-leaks-err.rst and testrunner-subunit-err.rst
# where the feature is missing, testrunner-coverage-win32.rst on Windows. Not
# run: testrunner-discovery.rst and testrunner.rst (zope's harness does not
# run them either) and the docstrings of zope's modules (its internals).
DOCUMENTS = {
    "testrunner-arguments.rst": 0,
    "testrunner-colors.rst": 0,
    "testrunner-coverage-win32.rst": 0,
    "testrunner-coverage.rst": 0,
    "testrunner-debugging-import-failure.rst": 0,
    "testrunner-debugging-layer-setup.rst": 0,
    "testrunner-debugging-nonprintable-exc.rst": 0,
    "testrunner-debugging.rst": 0,
    "testrunner-edge-cases.rst": 6,
    "testrunner-errors.rst": 12,
    "testrunner-expected-failures.rst": 0,
    "testrunner-gc-after-test.rst": 16,
    "testrunner-gc.rst": 5,
    "testrunner-knit.rst": 0,
    "testrunner-layers-api.rst": 0,
    "testrunner-layers-buff.rst": 0,
    "testrunner-layers-cantfind.rst": 0,
    "testrunner-layers-cwd.rst": 0,
    "testrunner-layers-instances.rst": 0,
    "testrunner-layers-ntd.rst": 0,
    "testrunner-layers-topological-sort.rst": 0,
    "testrunner-layers.rst": 5,
    "testrunner-leaks-err.rst": 0,
    "testrunner-leaks.rst": 0,
    "testrunner-nestedcode.rst": 0,
    "testrunner-new-threads.rst": 0,
    "testrunner-profiling-cprofiler.rst": 0,
    "testrunner-profiling.rst": 0,
    "testrunner-progress.rst": 0,
    "testrunner-repeat.rst": 0,
    "testrunner-report-skipped.rst": 0,
    "testrunner-shuffle.rst": 0,
    "testrunner-simple.rst": 0,
    "testrunner-stops-when-stop-on-error.rst": 0,
    "testrunner-subprocess-errors.rst": 5,
    "testrunner-subtest.rst": 0,
    "testrunner-subunit-err.rst": 0,
    "testrunner-subunit-leaks.rst": 0,
    "testrunner-subunit-v2.rst": 5,
    "testrunner-subunit.rst": 5,
    "testrunner-test-selection.rst": 0,
    "testrunner-verbose.rst": 0,
    "testrunner-wo-source.rst": 0,
}

# Timing-sensitive documents (they check when output arrives): run alone.
ALONE = {"testrunner-layers-buff.rst"}


class Excluded:
    """Why an example is expected to fail, and on which interpreters
    (``only``: a set of flavours; None for all)."""

    def __init__(self, reason, only=None):
        self.reason = reason
        self.only = only

    def applies(self):
        return self.only is None or FLAVOUR in self.only


def _examples(document, reason, *lines):
    """The examples of ``document`` starting at ``lines``, all for ``reason``."""
    return {(document, line): reason for line in lines}


# Examples that differ for good: (document, line of the example's first
# ">>>") -> why. Examples that only fail because an earlier one of their
# group did (a name it failed to define) share its reason. README.md has the
# same list.
INTERNALS = "zope's internals, not its API: "
EXCLUDED = {
    **_examples(
        "testrunner-colors.rst",
        INTERNALS + "zope.testrunner.formatter.ColorfulOutputFormatter",
        228,
        229,
        230,
    ),
    **_examples(
        "testrunner-coverage.rst",
        INTERNALS + "zope.testrunner.coverage.TestIgnore, zope.testrunner.find.test_dirs",
        *(112, 113, 114, 115, 120, 122, 124, 126, 132, 141, 143),
    ),
    **_examples(
        "testrunner-layers-api.rst",
        INTERNALS + "zope.testrunner.runner.Runner, options.get_options, find.name_from_layer",
        *(103, 119, 120, 121, 139, 140, 158, 159, 181, 215, 245, 246, 264),
    ),
    **_examples(
        "testrunner-layers-instances.rst",
        INTERNALS + "zope.testrunner.runner.Runner, options.get_options",
        *(76, 92, 93, 94, 113, 114, 132, 133, 155),
    ),
    **_examples(
        "testrunner-layers-topological-sort.rst",
        INTERNALS + "zope.testrunner.runner.Runner, options.get_options, find.name_from_layer",
        *(5, 6, 7, 64, 65),
    ),
    **_examples(
        "testrunner-debugging-import-failure.rst",
        INTERNALS + "the debugger stops in zope.testrunner's own find.py;"
        " leakrunner's debugger stops in its own frames",
        36,
        61,
    ),
    **_examples(
        "testrunner-layers-cantfind.rst",
        INTERNALS + "a child's end of zope's parent-child protocol (--resume-layer run"
        " in-process, its report on stderr); leakrunner's children report to their"
        " parent their own way",
        31,
        42,
    ),
    # Debug builds only: zope's harness runs the leak documents there.
    **_examples(
        "testrunner-leaks.rst",
        "fails with zope.testrunner 8.3 too: the document's total (68 tests) is not"
        " what its sample tree gives (52), and a change in the reference total may be"
        " negative, which its pattern does not read",
        19,
    ),
    **_examples(
        "testrunner-leaks.rst",
        "-r -v: zope.testrunner raises AttributeError on Python 3 (a divergence in"
        " README.md); the document's table is Python 2's (classobj rows)",
        84,
    ),
    **_examples(
        "testrunner-subunit-leaks.rst",
        "fails with zope.testrunner 8.3 too: zope writes time: lines before the"
        " tests, which the document does not expect",
        30,
    ),
    **_examples(
        "testrunner-subunit-leaks.rst",
        "-r -v: zope.testrunner raises AttributeError on Python 3 (a divergence in"
        " README.md); the document also expects no time: lines, as line 30",
        69,
    ),
}


def _expected_failures(document):
    """{line: reason} for the examples of ``document`` expected to fail here."""
    expected = {}
    for (doc, line), why in EXCLUDED.items():
        if doc != document:
            continue
        why = why if isinstance(why, Excluded) else Excluded(why)
        if why.applies():
            expected[line] = why.reason
    return expected


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def zope_wheel():
    """The zope.testrunner wheel, from the cache or from pip, hash checked.

    Under pytest-xdist every worker asks: a lock on the cache directory
    makes one download it and the others wait for it."""
    wheels = CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    wheel = wheels / WHEEL
    with open(wheels / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not wheel.exists() or _sha256(wheel) != WHEEL_SHA256:
            with tempfile.TemporaryDirectory(dir=wheels) as tmp:
                requirement = pathlib.Path(tmp) / "requirements.txt"
                requirement.write_text(f"zope.testrunner=={VERSION} --hash=sha256:{WHEEL_SHA256}\n")
                proc = subprocess.run(
                    [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
                    + ["--require-hashes", "-r", str(requirement), "-d", tmp, "-q"],
                    capture_output=True,
                    text=True,
                )
                got = pathlib.Path(tmp) / WHEEL
                if proc.returncode != 0 or not got.exists():
                    pytest.fail(f"pip could not download {WHEEL}:\n{proc.stdout}{proc.stderr}")
                if _sha256(got) != WHEEL_SHA256:
                    pytest.fail(f"{WHEEL} does not have the pinned hash {WHEEL_SHA256}")
                shutil.move(got, wheel)
    return wheel


def run_document(wheel, document, tmp_path):
    """Unpacks the wheel into ``tmp_path`` (a fresh copy per document: the
    documents write byte code, and some change files) and runs ``document``
    in a process of its own; returns the report run_document.py wrote."""
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp_path / "wheel")
    zope_dir = tmp_path / "wheel" / "zope" / "testrunner"
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, str(BINDING / "run_document.py"), str(zope_dir), document, str(report)],
        cwd=tmp_path / "wheel",
        env=runner_env(PYTHONPATH=str(BINDING)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if not report.exists():
        pytest.fail(
            f"{document} did not finish (status {proc.returncode}):\n"
            f"--- stdout\n{proc.stdout[-5000:]}\n--- stderr\n{proc.stderr[-5000:]}"
        )
    return json.loads(report.read_text())


def _marks(document):
    marks = []
    if DOCUMENTS[document]:
        marks.append(pytest.mark.slow(DOCUMENTS[document]))
    if document in ALONE:
        marks.append(pytest.mark.alone)
    return marks


def _first_line(source):
    return source.splitlines()[0] if source else ""


@pytest.mark.parametrize(
    "document", [pytest.param(d, marks=_marks(d), id=d) for d in sorted(DOCUMENTS)]
)
def test_zope_document(zope_wheel, document, tmp_path):
    result = run_document(zope_wheel, document, tmp_path)
    if not result["ran"]:
        pytest.skip(f"zope's harness does not run {document} on this interpreter")
    expected = _expected_failures(document)
    examples = result["examples"]
    lines = {e["line"] for e in examples}
    unexpected, stale, counts = [], [], {"pass": 0, "fail": 0, "excluded": 0}
    for e in examples:
        failed = e["outcome"] != "pass"
        if failed and e["line"] in expected:
            counts["excluded"] += 1
        elif failed:
            counts["fail"] += 1
            unexpected.append(e)
        elif e["line"] in expected:
            counts["pass"] += 1
            stale.append(e)
        else:
            counts["pass"] += 1
    unknown = sorted(set(expected) - lines)
    print(f"{FLAVOUR} {document}: {json.dumps(counts)}")
    problems = []
    for e in unexpected:
        problems.append(
            f"line {e['line']} fails: {_first_line(e['source'])}\n{e['outcome']}:\n{e['detail']}"
        )
    for e in stale:
        problems.append(
            f"line {e['line']} passes, remove it from the list "
            f"({expected[e['line']]}): {_first_line(e['source'])}"
        )
    for line in unknown:
        problems.append(f"line {line} is listed but is no example of {document}")
    assert not problems, f"{document} on {FLAVOUR}:\n\n" + "\n\n".join(problems)
