"""``--subunit`` and ``--subunit-v2``: leakrunner's stream and zope.testrunner's
(written through python-subunit and testtools), side by side on testrunner-ex.

Only what differs between two runs of the same program is normalised: times
(v1 ``time:`` lines, v2 packet timestamps), thread idents and addresses in
details, the refcount numbers of ``-r``; plus the divergences the README
accepts (the name of the unit-test layer, zope.testrunner's own runner.py
frames in a layer's failure). v2 streams are parsed with python-subunit's
``ByteStreamToStreamResult`` and compared packet by packet; tags are sets
there (zope writes them in ``set`` order, leakrunner sorted), everything else
as written. Our v2 stream must also parse without error and summarise as a
valid run in testtools' ``StreamSummary``.
"""

import io
import marshal
import re
import sys

import pytest
from sidebyside import assert_same_as_zope, run_module, unchanged

subunit = pytest.importorskip("subunit")
testtools = pytest.importorskip("testtools")
pytest.importorskip("zope.testrunner")

P = ["--path", "testrunner-ex"]

SCENARIOS = {
    "default": P,
    "vv": [*P, "-vv"],
    "layer-kitchen": [*P, "--layer", "Kitchen"],
    # zope dies on a second failing subtest of one test under --buffer
    # (which subunit forces): those of test_outcomes are left out here.
    "failing": [*P, "--tests-pattern", "^failing$", "-t", "!test_subtest"],
    "failing-unexpected": [
        *P,
        "--tests-pattern",
        "^failing$",
        "-m",
        "test_outcomes",
        "-t",
        "expect",
    ],
    "broken": [*P, "--tests-pattern", "^broken$"],
    "broken-with-layers": [*P, "--tests-pattern", "^(tests|broken)$", "--layer", "Foundation"],
    "badlayers": [*P, "--tests-pattern", "^badlayers$"],
    "noisy": [*P, "--tests-pattern", "^noisy$"],
    "noisy-vv": [*P, "--tests-pattern", "^noisy$", "-vv"],
    "list-tests": [*P, "--list-tests"],
    "list-tests-broken": [*P, "--list-tests", "--tests-pattern", "^broken$"],
    "ntd": [*P, "--tests-pattern", "^ntd$", "--layer", "Anchor"],
    "ntd-all": [*P, "--tests-pattern", "^ntd$", "-a", "2"],
    "repeat": [*P, "-N", "2", "--layer", "Pantry"],
    "threads": [*P, "--tests-pattern", "^threads$"],
    "stop-on-error": [*P, "--tests-pattern", "^(tests|failing)$", "-x"],
    "two-diffs": [*P, "--ndiff", "--udiff"],
    "parallel": [*P, "-j2", "--layer", "house.fixtures"],
    "parallel-all": [*P, "-j3", "--tests-pattern", "^(tests|ntd|badlayers)$"],
    "shuffle": [*P, "--shuffle", "--shuffle-seed", "3"],
    "cycles-vvvv": [*P, "--tests-pattern", "^cycles$", "-vvvv", "--gc-after-test"],
    "ignore-new-thread": [*P, "--tests-pattern", "^threads$", "--ignore-new-thread", "ignorable"],
    "no-such-layer": [*P, "--layer", "NoSuchLayer"],
}

# Seconds each version of a scenario takes on the trace-refs build, for those
# that take long (see conftest.py).
SLOW = {"parallel-all": 85}

# Scenarios also run with unbuffered stdout: where text (a layer's print)
# lands between the protocol's bytes depends on the text layer's buffering.
UNBUFFERED = {"default", "ntd", "noisy", "two-diffs"}

DEBUG_BUILD = hasattr(sys, "gettotalrefcount")
REFCOUNTS = [*P, "--tests-pattern", "^leak(layers)?$", "-N", "2", "-r"]


def run(module, args, unbuffered=False):
    """The run's status and its stdout and stderr as bytes."""
    return run_module(module, args, raw=True, PYTHONUNBUFFERED="1" if unbuffered else None)


def both(args, unbuffered=False):
    return run("zope.testrunner", args, unbuffered), run("leakrunner", args, unbuffered)


# -- normalising ------------------------------------------------------------

_TIME_LINE = re.compile(rb"time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}Z\n")
_TEXT = [
    (re.compile(r"zope\.testrunner\.layer\.UnitTests"), "leakrunner.layer.UnitTests"),
    (re.compile(r"\b0x[0-9a-f]+"), "0xN"),
    (re.compile(r"(started(?: daemon)?) \d+"), r"\1 N"),
]
# zope.testrunner's own frames in a layer's failure (an accepted divergence).
_ZOPE_RUNNER_FRAME = re.compile(
    r'  File "[^"]*/zope/testrunner/runner\.py", line \d+, in \w+\n(    .*\n)*'
)
# The numbers of -r depend on the runner's own allocations.
_NUMERIC_DETAILS = {"sys-refcounts", "changes"}


def norm_text(text):
    for pattern, replacement in _TEXT:
        text = pattern.sub(replacement, text)
    return _ZOPE_RUNNER_FRAME.sub("", text)


def norm_detail(name, text):
    if name in _NUMERIC_DETAILS:
        return re.sub(r"-?\d+", "N", text)
    return norm_text(text)


_V1_DETAIL = re.compile(rb"Content-Type: [^\n]*\n([^\n]*)\n")

# --profile: the statistics profile each runner's own code as well as the
# tests, so they are checked for what they are (a pstats dump that has the
# tests in it) and then compared as a name.
PROFILE = "profiler-stats"


def norm_profile(data):
    stats = marshal.loads(data)
    functions = {function for (_file, _line, function) in stats}
    assert {"test_diamond_test_setup_order", "test_both_bases_up"} <= functions
    return "<pstats dump>"


def norm_v1(data):
    """The v1 stream with times blanked and each multipart detail's content
    normalised and chunk-encoded again (its length changes)."""
    data = _TIME_LINE.sub(b"time: T\n", data)
    out = []
    pos = 0
    while True:
        m = _V1_DETAIL.search(data, pos)
        if m is None:
            out.append(norm_text(data[pos:].decode("utf-8")).encode("utf-8"))
            return b"".join(out)
        out.append(norm_text(data[pos : m.end()].decode("utf-8")).encode("utf-8"))
        p = m.end()
        body = b""
        while True:
            eol = data.index(b"\r\n", p)
            size = int(data[p:eol], 16)
            p = eol + 2
            if size == 0:
                break
            body += data[p : p + size]
            p += size
        name = m.group(1).decode()
        if name == PROFILE:
            body = norm_profile(body).encode("utf-8")
        else:
            body = norm_detail(name, body.decode("utf-8")).encode("utf-8")
        out.append(b"%X\r\n%s0\r\n" % (len(body), body) if body else b"0\r\n")
        pos = p


class Recorder(testtools.StreamResult):
    """Every ``status()`` call, as its keyword arguments."""

    def __init__(self):
        super().__init__()
        self.events = []

    def status(self, **kwargs):
        self.events.append(kwargs)


def parse_v2(data):
    recorder = Recorder()
    subunit.ByteStreamToStreamResult(io.BytesIO(data), non_subunit_name="stdout").run(recorder)
    return recorder.events


def norm_v2(data):
    """The v2 packets as comparable tuples: timestamps blanked, tags sorted,
    file contents normalised, non-subunit bytes gathered, zope.testrunner's
    runner.py frames (one traceback piece each) dropped."""
    events = []
    for e in parse_v2(data):
        e = dict(e)
        if e.get("timestamp") is not None:
            e["timestamp"] = "T"
        if e.get("test_id") is not None:
            e["test_id"] = norm_text(e["test_id"])
        if e.get("test_tags") is not None:
            e["test_tags"] = sorted(norm_text(t) for t in e["test_tags"])
        name = e.get("file_name")
        if name == PROFILE:
            # One packet per chunk read from the file, then an empty one that
            # ends it: one packet with the whole dump here.
            if events and dict(events[-1]).get("file_name") == PROFILE:
                events[-1]["file_bytes"] += bytes(e["file_bytes"])
                events[-1]["eof"] = e.get("eof")
            else:
                e["file_bytes"] = bytes(e["file_bytes"])
                events.append(e)
            continue
        if name is not None:
            text = bytes(e["file_bytes"]).decode("utf-8", "replace")
            if name == "traceback" and text and not norm_text(text):
                continue
            e["file_bytes"] = norm_detail(name, text)
            if name == "stdout" and events and events[-1].get("file_name") == "stdout":
                events[-1]["file_bytes"] += e["file_bytes"]
                continue
        events.append(e)
    for e in events:
        if e.get("file_name") == PROFILE:
            e["file_bytes"] = norm_profile(e["file_bytes"])
    return [tuple(sorted(e.items())) for e in events]


def assert_valid_v2(data):
    """python-subunit parses the whole stream (CRCs, lengths, flags) without
    a parser error, and testtools can summarise it."""
    events = parse_v2(data)
    assert not [e for e in events if e.get("test_id") == "subunit.parser"]
    summary = testtools.StreamSummary()
    summary.startTestRun()
    subunit.ByteStreamToStreamResult(io.BytesIO(data), non_subunit_name="stdout").run(summary)
    summary.stopTestRun()
    return summary


def compare(version, args, unbuffered=False):
    flag = "--subunit" if version == 1 else "--subunit-v2"
    args = [*args, flag]
    _, ours = assert_same_as_zope(
        args,
        results=both(args, unbuffered),
        out=(lambda data: norm_v1(data).decode()) if version == 1 else norm_v2,
        err=lambda data: norm_text(data.decode()),
    )
    if version == 2:
        assert_valid_v2(ours.out)
    return ours.out


# -- side by side -------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.slow(SLOW[n])) if n in SLOW else n
        for n in sorted(SCENARIOS)
    ],
)
def test_same_stream_as_zope(name, version):
    compare(version, SCENARIOS[name])


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("name", sorted(UNBUFFERED))
def test_same_stream_as_zope_unbuffered(name, version):
    compare(version, SCENARIOS[name], unbuffered=True)


GARBAGE_TESTS = """\
import gc
import unittest


class LeavesGarbage(unittest.TestCase):
    def test_leaves_garbage(self):
        gc.garbage.append("left behind")

    def test_after_it(self):
        pass
"""


@pytest.fixture(scope="module")
def garbage_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("garbage")
    (root / "garbagetests.py").write_text(GARBAGE_TESTS)
    return root


@pytest.mark.parametrize("version", [1, 2])
def test_garbage_same_stream_as_zope(garbage_tree, version):
    # A test that leaves gc.garbage: test_garbage after each test, and
    # garbage() after each iteration.
    args = ["--path", str(garbage_tree), "--tests-pattern", "^garbagetests$", "-N", "2"]
    out = compare(version, args)
    assert b"zope:garbage" in out


@pytest.mark.skipif(not DEBUG_BUILD, reason="-r needs a --with-pydebug build")
@pytest.mark.parametrize("version", [1, 2])
def test_refcounts_same_stream_as_zope(version):
    out = compare(version, REFCOUNTS)
    assert (b"zope:refcounts" in out) and (b"sys-refcounts" in out)


@pytest.mark.skipif(not DEBUG_BUILD, reason="-r needs a --with-pydebug build")
def test_detailed_refcounts_track_the_census():
    # zope.testrunner 8.3 crashes on -r -v; leakrunner reports the census
    # as the `track` detail zope would write (its `str(track.delta)`).
    status, out, _ = run("leakrunner", [*REFCOUNTS, "-v", "--subunit-v2"])
    assert status == 0
    tracks = [
        bytes(e["file_bytes"]).decode()
        for e in parse_v2(out)
        if e.get("file_name") == "track" and e.get("test_id") == "zope:refcounts"
    ]
    assert tracks
    assert all(t.startswith("[") and t.endswith("]") for t in tracks)


# -- our stream on its own -----------------------------------------------------


def test_v2_stream_is_valid_and_summarises():
    _, out, _ = run("leakrunner", [*P, "--subunit-v2"])
    summary = assert_valid_v2(out)
    assert summary.wasSuccessful()
    assert summary.testsRun > 41
    _, out, _ = run("leakrunner", [*P, "--tests-pattern", "^failing$", "--subunit-v2"])
    summary = assert_valid_v2(out)
    assert not summary.wasSuccessful()
    assert summary.failures or summary.errors


def test_second_failing_subtest_is_reported():
    # zope.testrunner raises AttributeError (its --buffer restores the
    # streams twice); leakrunner reports both failing subtests.
    args = [*P, "--tests-pattern", "^failing$", "-m", "test_outcomes", "-t", "message"]
    status, out, err = run("leakrunner", [*args, "--subunit"])
    assert status == 1
    assert (
        b"failure: trouble.failing.test_outcomes.Outcomes.test_subtest_with_message [second]" in out
    )
    assert b"error: trouble.failing.test_outcomes.Outcomes.test_subtest_with_message [third]" in out
    assert b"Traceback" not in err
    status, out, err = run("leakrunner", [*args, "--subunit-v2"])
    ids = {e.get("test_id") for e in parse_v2(out) if e.get("test_status") == "fail"}
    assert "trouble.failing.test_outcomes.Outcomes.test_subtest_with_message [third]" in ids


def test_too_many_gc_options_v1():
    # zope's error() of v1 is plain text on stdout. (Its v2 error packet is
    # not written: leakrunner checks -g before the reporter exists.)
    compare(1, [*P, "-g1", "-g2", "-g3", "-g4"])


def test_both_flags_refused_like_zope():
    args = [*P, "--subunit", "--subunit-v2"]
    assert_same_as_zope(args, results=both(args), out=unchanged, err=unchanged)


@pytest.mark.parametrize("version", [1, 2])
def test_profiler_stats_in_the_stream(tmp_path, version):
    # zope's subunit formatter sends --profile's statistics as a
    # zope:profiler_stats pseudo-test carrying the pstats dump, after the
    # layers' tear-down; the console prints pstats' table instead.
    args = [*P, "--layer", "Kitchen", "--profile", "cProfile", "--profile-directory", str(tmp_path)]
    out = compare(version, args)
    if version == 1:
        tail = out[out.index(b"test: zope:profiler_stats") :]
        assert tail.startswith(
            b"test: zope:profiler_stats\ntags: zope:profiler_stats\n"
            b"successful: zope:profiler_stats [ multipart\n"
            b"Content-Type: application/x-binary-profile\nprofiler-stats\n"
        )
