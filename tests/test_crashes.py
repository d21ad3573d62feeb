"""Fault injection: a test (or a layer's set-up or tear-down) that crashes
its process, hangs, floods its output, writes bytes to it, closes it or
replaces it. Each cell of the matrix is a fault in one place of a small tree
run with -j: the report must name the test or the layer method and how it
ended, every other test's result must be counted, the tests after it must
run, and the exit status must say the run failed.

The faults that do not end the process (output floods and the like) end the
faulting test with a failure after the fault, which must reach the report
whole, under the test's name, like every other result.

The full matrix runs on the release interpreter; the debug ones (slower to
start) run a diagonal of it, every fault and every place at least once.
"""

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from conftest import runner_env

TOTAL = re.compile(r"^Total: (\d+) tests, (\d+) failures, (\d+) errors and (\d+) skipped in ", re.M)
# Seconds a child may run in the hang cells; the other children of those
# runs must start and finish well within it, even on a loaded machine.
TIMEOUT = 4

# Each fault, as statements run in place (`where` names the place).
FAULTS = {
    "segfault": "import ctypes; ctypes.string_at(0)",
    "abort": "os.abort()",
    "exit": "os._exit(3)",
    "sigkill": (
        "subprocess.run([sys.executable, '-c', "
        "'import os, sys; os.kill(int(sys.argv[1]), 9)', str(os.getpid())]); "
        "time.sleep(60)"
    ),
    "hang": "time.sleep(60)",
    "flood": (
        "line = 'x' * 1023 + '\\n'\n"
        "for _ in range(100):\n"
        "    sys.stdout.write(line * 1024)\n"
        "sys.stdout.flush()\n"
        "raise AssertionError('after flood in ' + where)"
    ),
    "garbage": (
        "os.write(1, bytes(range(256)) * 64 + b'\\xff\\xfe\\x00\\r')\n"
        "raise AssertionError('after garbage in ' + where)"
    ),
    "closed": (
        "sys.stdout.flush()\n"
        "os.close(1)\n"
        "os.close(2)\n"
        "raise AssertionError('after closed in ' + where)"
    ),
    "stdout": ("sys.stdout = io.StringIO()\nraise AssertionError('after stdout in ' + where)"),
}
# How the report says each lethal fault ended the child.
ENDINGS = {
    "segfault": "was killed by signal 11 (SIGSEGV)",
    "abort": "was killed by signal 6 (SIGABRT)",
    "exit": "exited with status 3",
    "sigkill": "was killed by signal 9 (SIGKILL)",
    "hang": f"ran longer than the {TIMEOUT} seconds allowed (LEAKRUNNER_CHILD_TIMEOUT) "
    "and was killed",
}
# The first line of the stack faulthandler writes, where there is one.
STACKS = {
    "segfault": "Fatal Python error: Segmentation fault",
    "abort": "Fatal Python error: Aborted",
    "hang": "(most recent call first):",
}
PLACES = ["first", "middle", "last", "setUp", "tearDown"]
FAULTY_TESTS = {"first": "test_1_first", "middle": "test_2_middle", "last": "test_3_last"}
FULL = os.environ.get("LEAKRUNNER_FLAVOUR", "release") == "release"
# Seconds a cell takes on the trace-refs build, where more than a few (see
# conftest.py); the hang cells are timing-sensitive: every other child of
# the run must be done within TIMEOUT.
MARKS = {
    "hang": [pytest.mark.slow(2 * TIMEOUT), pytest.mark.alone],
    "flood": [pytest.mark.slow(15)],
}
CELLS = [
    pytest.param(fault, where, marks=MARKS.get(fault, []))
    for i, fault in enumerate(sorted(FAULTS))
    for j, where in enumerate(PLACES)
    if FULL or (i - j) % len(PLACES) == 0
]

TREE = """\
import io
import os
import subprocess
import sys
import time
import unittest

MARKS = {marks!r}


def mark(name):
    with open(MARKS, "a") as f:
        f.write(name + "\\n")


def fault(where):
{fault}


class A_Before:
    @classmethod
    def setUp(cls):
        pass


class B_Faulty:
    @classmethod
    def setUp(cls):
        if {in_setup}:
            fault("setUp")

    @classmethod
    def tearDown(cls):
        if {in_teardown}:
            fault("tearDown")


class C_After:
    @classmethod
    def setUp(cls):
        pass


class BeforeTests(unittest.TestCase):
    layer = A_Before

    def test_pass(self):
        mark("before.test_pass")

    def test_error(self):
        mark("before.test_error")
        raise RuntimeError("an error before")


class FaultyTests(unittest.TestCase):
    layer = B_Faulty

    def test_1_first(self):
        mark("faulty.test_1_first")
        if {where!r} == "first":
            fault("test_1_first")

    def test_2_middle(self):
        mark("faulty.test_2_middle")
        if {where!r} == "middle":
            fault("test_2_middle")

    def test_3_last(self):
        mark("faulty.test_3_last")
        if {where!r} == "last":
            fault("test_3_last")


class AfterTests(unittest.TestCase):
    layer = C_After

    def test_pass(self):
        mark("after.test_pass")

    def test_fail(self):
        mark("after.test_fail")
        self.fail("a failure after")

    @unittest.skip("skipped after")
    def test_skip(self):
        mark("after.test_skip")
"""


def make_tree(tmp_path, fault, where):
    root = tmp_path / "tree"
    root.mkdir()
    marks = tmp_path / "marks.txt"
    (root / "crashtests.py").write_text(
        TREE.format(
            marks=str(marks),
            fault=textwrap.indent(FAULTS[fault], "    "),
            in_setup=where == "setUp",
            in_teardown=where == "tearDown",
            where=where,
        )
    )
    return root, marks


def run(root, *args, **env):
    """leakrunner on a tree; output decoded leniently (some cells write
    bytes that are no UTF-8), through files (some write 100 MB)."""
    out_path, err_path = root.parent / "stdout", root.parent / "stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "leakrunner",
                "--test-path",
                str(root),
                "--tests-pattern",
                "^crashtests$",
                *args,
            ],
            cwd=root,
            env=runner_env(**env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            timeout=240,
        )
    decode = lambda p: p.read_bytes().decode("utf-8", "replace")  # noqa: E731
    return proc.returncode, decode(out_path), decode(err_path)


def section(out, title):
    """The names listed under `Tests with errors:` (or failures) at -v, at
    the end of the output."""
    match = re.search(rf"^{title}:\n((?:   .*\n)*)", out[-20000:], re.M)
    return sorted(line.strip() for line in match.group(1).splitlines()) if match else []


def totals(out):
    return TOTAL.search(out[-20000:]).groups()


def name(test, cls="FaultyTests"):
    return f"{test} (crashtests.{cls}.{test})"


@pytest.mark.parametrize("fault,where", CELLS)
def test_fault_matrix(tmp_path, fault, where):
    root, marks = make_tree(tmp_path, fault, where)
    env = {"LEAKRUNNER_CHILD_TIMEOUT": str(TIMEOUT)} if fault == "hang" else {}
    status, out, err = run(root, "-j2", "-v", **env)
    lethal = fault in ENDINGS

    assert status == 1, out[-3000:]
    # Who ran: every test of the tree, save the faulty layer's when its
    # set-up failed; the tests after the faulty one included.
    ran = marks.read_text().split()
    faulty = [f"faulty.{t}" for t in sorted(FAULTY_TESTS.values())]
    others = ["after.test_fail", "after.test_pass", "before.test_error", "before.test_pass"]
    expected_marks = others + ([] if where == "setUp" else faulty)
    assert sorted(ran) == sorted(expected_marks)

    # The culprit, as the report names it.
    if where in FAULTY_TESTS:
        culprit = name(FAULTY_TESTS[where])
    else:
        culprit = f"Layer: crashtests.B_Faulty.{where}"
    errors = [name("test_error", "BeforeTests")]
    failures = [name("test_fail", "AfterTests")]
    if lethal or where not in FAULTY_TESTS:
        errors.append(culprit)
    else:
        failures.append(culprit)
    assert section(out, "Tests with errors") == sorted(errors)
    assert section(out, "Tests with failures") == sorted(failures)
    tests = 5 if where == "setUp" else 8
    assert totals(out) == (str(tests), str(len(failures)), str(len(errors)), "1")

    if lethal:
        doing = (
            f"while running {culprit}"
            if where in FAULTY_TESTS
            else f"in crashtests.B_Faulty.{where}"
        )
        assert f"The subprocess for crashtests.B_Faulty {ENDINGS[fault]} {doing}." in out
        if fault in STACKS:
            assert STACKS[fault] in out
            frame = FAULTY_TESTS.get(where, where)
            assert re.search(rf'File ".*crashtests.py", line \d+ in {frame}\n', out)
        if where in ("first", "middle"):
            assert (
                f"The rest of crashtests.B_Faulty runs in a new subprocess, after {culprit}." in out
            )
        # The banner comes after the layer's own output, before the next
        # layer's.
        banner = out.index("The subprocess for crashtests.B_Faulty")
        assert out.index("Running crashtests.B_Faulty tests:") < banner
        assert banner < out.index("Running crashtests.C_After tests:")
    else:
        assert "The subprocess for" not in out
        # The failure's own report came through, whatever the test did to
        # its output.
        what = f"after {fault} in {FAULTY_TESTS.get(where, where)}"
        assert f"AssertionError: {what}" in out
        if where in FAULTY_TESTS:
            assert f"Failure in test {culprit}" in out


def crash_tree(tmp_path):
    """Six layers, three of which crash (first, middle and last test)."""
    root = tmp_path / "tree"
    root.mkdir()
    marks = tmp_path / "marks.txt"
    lines = [
        "import ctypes, os, unittest",
        f"MARKS = {str(marks)!r}",
        "def mark(n):",
        "    with open(MARKS, 'a') as f: f.write(n + '\\n')",
    ]
    crashes = {"L1": (0, "ctypes.string_at(0)"), "L3": (1, "os.abort()"), "L5": (3, "os._exit(4)")}
    for layer in ["L0", "L1", "L2", "L3", "L4", "L5"]:
        lines += [f"class {layer}:", "    @classmethod", "    def setUp(cls): pass"]
        lines += [f"class T{layer}(unittest.TestCase):", f"    layer = {layer}"]
        for i in range(4):
            lines.append(f"    def test_{i}(self):")
            lines.append(f"        mark('{layer}.{i}')")
            if crashes.get(layer, (None,))[0] == i:
                lines.append(f"        {crashes[layer][1]}")
            elif i == 2 and layer in ("L0", "L4"):
                lines.append("        self.fail('fails')")
        lines.append(f"    @unittest.skip('s')\n    def test_skip(self): mark('{layer}.skip')")
    (root / "crashtests.py").write_text("\n".join(lines) + "\n")
    return root, marks


def test_several_layers_crash_under_j4(tmp_path):
    root, marks = crash_tree(tmp_path)
    status, out, err = run(root, "-j4", "-v")
    assert status == 1
    # Every test ran once, the skipped ones aside.
    ran = sorted(marks.read_text().split())
    assert ran == sorted(f"L{n}.{i}" for n in range(6) for i in range(4))
    assert section(out, "Tests with failures") == sorted(
        [name("test_2", "TL0"), name("test_2", "TL4")]
    )
    assert section(out, "Tests with errors") == sorted(
        [name("test_0", "TL1"), name("test_1", "TL3"), name("test_3", "TL5")]
    )
    # 30 tests ran or crashed (skipped ones count as run, as in zope).
    assert totals(out) == ("30", "2", "3", "6")
    for layer, ending in [
        ("L1", "was killed by signal 11 (SIGSEGV) while running test_0"),
        ("L3", "was killed by signal 6 (SIGABRT) while running test_1"),
        ("L5", "exited with status 4 while running test_3"),
    ]:
        assert f"The subprocess for crashtests.{layer} {ending} " in out
    # Each layer's output (banners included) stays in layer order.
    starts = [out.index(f"Running crashtests.L{n} tests:") for n in range(6)]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    "fault,where",
    [("segfault", "middle"), ("abort", "first"), ("segfault", "setUp")],
)
def test_in_process_a_fatal_signal_names_what_was_running(tmp_path, fault, where):
    root, marks = make_tree(tmp_path, fault, where)
    status, out, err = run(root)
    assert status == -{"segfault": 11, "abort": 6}[fault]
    doing = (
        f"while running {name(FAULTY_TESTS[where])}"
        if where in FAULTY_TESTS
        else f"in crashtests.B_Faulty.{where}"
    )
    assert f"leakrunner: fatal signal {doing}\n{STACKS[fault]}" in err
    frame = FAULTY_TESTS.get(where, where)
    assert re.search(rf'File ".*crashtests.py", line \d+ in {frame}\n', err)


def test_a_shuffled_layer_resumes_in_the_same_order(tmp_path):
    root, marks = make_tree(tmp_path, "segfault", "middle")
    status, out, err = run(root, "-j2", "-v", "--shuffle")
    assert status == 1
    # Whatever the order, each test ran exactly once.
    ran = marks.read_text().split()
    assert len(ran) == len(set(ran)) == 7
    assert totals(out) == ("8", "1", "2", "1")


def test_a_crash_during_leaks_keeps_the_samples(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    (root / "crashtests.py").write_text(
        textwrap.dedent(
            """\
            import ctypes, unittest
            runs = []
            class L:
                @classmethod
                def setUp(cls): pass
            class T(unittest.TestCase):
                layer = L
                def test_a(self): pass
                def test_b(self):
                    runs.append(1)
                    if len(runs) == 4:
                        ctypes.string_at(0)
                def test_c(self): pass
            """
        )
    )
    report = tmp_path / "leaks.json"
    status, out, err = run(root, "-j2", "--leaks", "-N", "6", "--leak-report", str(report))
    assert status == 1
    assert "The subprocess for crashtests.L was killed by signal 11 (SIGSEGV)" in out
    assert "crashtests.L: incomplete, not every iteration ran\n" in out
    # The baseline and the three iterations before the crash, judged as
    # incomplete; then the rest of the layer, resumed in a new child.
    layers = [
        (layer["incomplete"], len(layer["iterations"]))
        for layer in json.loads(report.read_text())["layers"]
        if layer["layer"] == "crashtests.L"
    ]
    assert layers == [(True, 4), (False, 7)]


def test_the_channel_is_not_handed_to_the_tests(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    (root / "crashtests.py").write_text(
        textwrap.dedent(
            """\
            import os, unittest
            class L:
                @classmethod
                def setUp(cls): pass
            class T(unittest.TestCase):
                layer = L
                def test_env(self):
                    self.assertNotIn("LEAKRUNNER_CHILD_CHANNEL", os.environ)
            """
        )
    )
    status, out, err = run(root, "-j2")
    assert status == 0, out
    assert os.environ.get("LEAKRUNNER_CHILD_CHANNEL") is None


def test_one_child_at_a_time_after_a_layer_that_cannot_be_torn_down(tmp_path):
    """Children shown line by line as they print (no -j): the banner
    follows the crashed child's output and precedes the resumed one's."""
    root = tmp_path / "tree"
    root.mkdir()
    (root / "crashtests.py").write_text(
        textwrap.dedent(
            """\
            import ctypes, unittest
            class A:
                @classmethod
                def setUp(cls): pass
                @classmethod
                def tearDown(cls): raise NotImplementedError
            class B:
                @classmethod
                def setUp(cls): pass
            class C:
                @classmethod
                def setUp(cls): pass
            class TA(unittest.TestCase):
                layer = A
                def test_a(self): pass
            class TB(unittest.TestCase):
                layer = B
                def test_1(self): print("one ran")
                def test_2(self):
                    print("two crashes")
                    ctypes.string_at(0)
                def test_3(self): print("three ran")
            class TC(unittest.TestCase):
                layer = C
                def test_c(self): self.fail("c fails")
            """
        )
    )
    status, out, err = run(root)
    assert status == 1
    banner = out.index(
        "The subprocess for crashtests.B was killed by signal 11 (SIGSEGV) "
        "while running test_2 (crashtests.TB.test_2)."
    )
    # What the crashed test printed, the banner, then the resumed child's
    # output (its set-up included).
    set_ups = [m.start() for m in re.finditer(r"  Set up crashtests\.B in ", out)]
    assert len(set_ups) == 2
    assert set_ups[0] < out.index("two crashes") < banner < set_ups[1] < out.index("three ran")
    assert out.index("three ran") < out.index("Running crashtests.C tests:")
    assert totals(out) == ("5", "1", "1", "0")
