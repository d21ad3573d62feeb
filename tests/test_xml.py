"""``--xml DIR``: leakrunner's JUnit reports against zope.testrunner's.

Both runners run the same scenario on testrunner-ex from the checkout root
(the suite names of doctest files depend on the current directory), each
with its own ``--xml`` directory. Every report file must be byte for byte
zope's after normalising only the ``time=`` and ``timestamp=`` values, once
leakrunner's deliberate differences (README, "Compatibility") are undone:

* skipped tests are recorded (``<skipped message=...>`` and a ``skipped=``
  count on the suite); zope leaves them out;
* layer set-up and tear-down errors are recorded as a ``setUp`` or
  ``tearDown`` error test in a suite named after the layer;
* a failing subtest is named after its test, in its test's suite; zope files
  it under unittest's private ``_SubTest`` class with a mangled name.

Those additions are checked on their own.
"""

import re
import xml.etree.ElementTree as ET

import pytest
from sidebyside import run_leakrunner, run_zope

P = ["--path", "testrunner-ex"]
FAILING = [*P, "--tests-pattern", "^failing$"]

SCENARIOS = {
    "default": P,
    "failing": FAILING,
    "broken": [*P, "--tests-pattern", "^broken$"],
    "doctests": [*P, "-t", "[.](rst|txt)$", "-t", "units[.]arith"],
    "doctests-failing": [*FAILING, "-m", "test_doctests"],
    "subtests": [*FAILING, "-m", "test_outcomes"],
    "badlayers": [*P, "--tests-pattern", "^badlayers$"],
    "repeat": [*P, "-N2"],
    "repeat-failing": [*P, "-N2", "--tests-pattern", "^(failing|broken|badlayers)$"],
    "everything": [*P, "--tests-pattern", "^(tests|failing|broken|badlayers|noisy)$", "-a", "3"],
    "buffer": [*P, "--tests-pattern", "^(noisy|failing)$", "--buffer", "-m", "noisy|asserts"],
    "stop-on-error": [*P, "--tests-pattern", "^(tests|failing)$", "-x"],
    "ntd": [*P, "--tests-pattern", "^ntd$", "-a", "2"],
}

# What the deliberate additions must be, per scenario.
UNIT_SKIPS = [
    (("units.tests.Skipping", "test_decorated"), "decorated away"),
    (("units.tests.Skipping", "test_skip_inside"), "decided at run time"),
    (("units.tests.Skipping", "test_skip_if"), "condition holds"),
    (("units.tests.SkippedClass", "test_one"), "whole class skipped"),
    (("units.tests.SkippedClass", "test_two"), "whole class skipped"),
]
SKIPS = {
    "default": UNIT_SKIPS,
    "everything": UNIT_SKIPS,
    "repeat": UNIT_SKIPS * 2,
    # Recorded by the child that runs the layer, as zope's children record
    # (and write) their tests.
    "ntd": [
        (
            ("trouble.ntd.DinghyTests", "test_skipped_in_child"),
            "skips in a subprocess are not reported back",
        )
    ],
}
LAYER_ERRORS = {
    # (suite, test name): (type, message, last line of the stack)
    ("trouble.badlayers.Crumbly", "setUp"): (
        "<class 'RuntimeError'>",
        "the mortar is still wet",
        "    raise RuntimeError('the mortar is still wet')",
    ),
    ("trouble.badlayers.Rubble", "setUp"): (
        "<class 'RuntimeError'>",
        "the mortar is still wet",
        "    raise RuntimeError('the mortar is still wet')",
    ),
    ("trouble.badlayers.Shaky", "tearDown"): (
        "<class 'ValueError'>",
        "the floor gave way",
        "    raise ValueError('the floor gave way')",
    ),
}
SUBTEST_SUITE = "unittest.case._SubTest"

_TIMES = re.compile(r'\b(time|timestamp)="[^"]*"')
_HEADER = re.compile(r"<testsuite ([^>]*)>\n  <properties />\n")
_FOOTER = "  <system-out />\n  <system-err />\n</testsuite>"
# A test case: empty, or with one child element. Text and attribute values
# are escaped, so a literal "</testcase>" only ever closes a case.
_CASE = re.compile(r"  <testcase [^>]*/>\n|  <testcase [^>]*>\n.*?\n  </testcase>\n", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def normalize(text):
    return _TIMES.sub(r'\1="X"', text)


def reports(directory):
    """{file name: text} of DIR/testreports, read as bytes (ASCII)."""
    folder = directory / "testreports"
    assert folder.is_dir()
    out = {}
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        assert data.isascii(), path.name
        out[path.name] = data.decode("ascii")
    return out


def split(text):
    """(testsuite attributes as a list of pairs, [case texts])."""
    header = _HEADER.match(text)
    assert header, text[:200]
    assert text.endswith(_FOOTER)
    body = text[header.end() : -len(_FOOTER)]
    cases = _CASE.findall(body)
    assert "".join(cases) == body
    return _ATTR.findall(header.group(1)), cases


def case_attrs(case):
    return dict(_ATTR.findall(case[: case.index(">")]))


def unescape(value):
    return ET.fromstring(f'<a v="{value}" />').get("v")


def join(attrs, cases):
    header = " ".join(f'{k}="{v}"' for k, v in attrs)
    return f"<testsuite {header}>\n  <properties />\n{''.join(cases)}{_FOOTER}"


def recount(attrs, cases):
    """The suite attributes zope would write for these cases."""
    counts = {
        "tests": len(cases),
        "errors": sum("\n    <error " in c for c in cases),
        "failures": sum("\n    <failure " in c for c in cases),
    }
    return [(k, str(counts.get(k, v))) for k, v in attrs if k != "skipped"]


def undo_additions(ours):
    """Our reports as zope would have written them, and what was taken out:
    ({file: text}, [(suite, case)] skipped, [(suite, case)] layer errors)."""
    as_zope = {}
    skipped, layer_errors, subtests = [], [], []
    hostname = None
    for name, text in ours.items():
        attrs, cases = split(text)
        suite = dict(attrs)["name"]
        hostname = dict(attrs)["hostname"]
        assert name == f"{suite}.xml"
        kept = []
        for case in cases:
            a = case_attrs(case)
            if "\n    <skipped " in case:
                skipped.append((suite, case))
            elif a["classname"] == suite and a["name"] in ("setUp", "tearDown"):
                layer_errors.append((suite, case))
            elif " " in a["name"] and not a["name"].endswith((".rst", ".txt")):
                # A subtest: unittest ids of tests have no spaces, subtests
                # add " (params)" or " [message]". zope's name is the id cut
                # after the length of "unittest.case._SubTest.".
                test_id = f"{unescape(a['classname'])}.{unescape(a['name'])}"
                mangled = test_id[len(SUBTEST_SUITE) + 1 :]
                mangled = ET.tostring(ET.Element("a", {"v": mangled})).decode()[6:-4]
                case = case.replace(
                    f'classname="{a["classname"]}" name="{a["name"]}"',
                    f'classname="{SUBTEST_SUITE}" name="{mangled}"',
                    1,
                )
                subtests.append(case)
            else:
                kept.append(case)
        if kept:
            as_zope[name] = join(recount(attrs, kept), kept)
    if subtests:
        attrs = [
            ("tests", ""),
            ("errors", ""),
            ("failures", ""),
            ("hostname", hostname),
            ("name", SUBTEST_SUITE),
            ("time", "X"),
            ("timestamp", "X"),
        ]
        as_zope[f"{SUBTEST_SUITE}.xml"] = join(recount(attrs, subtests), subtests)
    return as_zope, skipped, layer_errors


def sorted_cases(text):
    """zope files subtests of every test in one suite, in run order; ours
    are spread over their tests' suites, so only the set can be compared."""
    attrs, cases = split(text)
    return attrs, sorted(cases)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_reports_are_zopes(zope_available, tmp_path, name):
    args = SCENARIOS[name]
    z_dir, l_dir = tmp_path / "zope", tmp_path / "leakrunner"
    z_status, z_out, z_err = run_zope([*args, "--xml", str(z_dir)])
    l_status, l_out, l_err = run_leakrunner([*args, "--xml", str(l_dir)])
    assert l_status == z_status, l_err
    assert "Traceback" not in l_err or "Traceback" in z_err, l_err

    theirs, ours = reports(z_dir), reports(l_dir)
    assert theirs, "zope wrote no report"
    for text in ours.values():
        ET.fromstring(text)  # well-formed
    for text in theirs.values():
        ET.fromstring(text)

    as_zope, skipped, layer_errors = undo_additions(ours)
    assert sorted(as_zope) == sorted(theirs)
    for file, text in theirs.items():
        expected, got = normalize(text), normalize(as_zope[file])
        if file == f"{SUBTEST_SUITE}.xml":
            expected, got = sorted_cases(expected), sorted_cases(got)
        assert got == expected, file

    check_skips(name, ours, skipped)
    check_layer_errors(name, layer_errors)


def check_skips(name, ours, skipped):
    """Each skipped test is a <skipped message=reason> case in its class's
    suite, counted in ``skipped=`` and ``tests=``."""
    expected = SKIPS.get(name, [])
    got = []
    for suite, case in skipped:
        a = case_attrs(case)
        assert a["classname"] == suite
        assert float(a["time"]) >= 0
        skip = re.fullmatch(
            r'  <testcase [^>]*>\n    <skipped message="([^"]*)" />\n  </testcase>\n', case
        )
        assert skip, case
        got.append(((suite, unescape(a["name"])), unescape(skip.group(1))))
    assert sorted(got) == sorted(expected)
    for text in ours.values():
        attrs, cases = split(text)
        attrs = dict(attrs)
        n_skipped = sum("\n    <skipped " in c for c in cases)
        assert attrs.get("skipped") == (str(n_skipped) if n_skipped else None)
        assert attrs["tests"] == str(len(cases))
        # Our attribute sits after zope's counts.
        if n_skipped:
            assert list(attrs)[:4] == ["tests", "errors", "failures", "skipped"]


def check_layer_errors(name, layer_errors):
    """A failing layer set-up or tear-down is an error test named after the
    method, in a suite (and class) named after the layer."""
    runs = {"badlayers": 1, "repeat-failing": 1, "everything": 1}.get(name, 0)
    got = {}
    for suite, case in layer_errors:
        error = re.fullmatch(
            r'  <testcase classname="([^"]*)" name="(\w+)" time="([^"]*)">\n'
            r'    <error message="([^"]*)" type="([^"]*)">(.*)</error>\n  </testcase>\n',
            case,
            re.S,
        )
        assert error, case
        classname, method, time, message, type_, text = error.groups()
        assert classname == suite and float(time) >= 0
        text = ET.fromstring(f"<a>{text}</a>").text
        message, type_ = unescape(message), unescape(type_)
        assert text.startswith(message + "\n\n")
        # The layer's own frames only: no runner frames around them.
        assert text.count('  File "') == 1, text
        got.setdefault((suite, method), []).append((type_, message, text.rstrip("\n")))
    assert sorted(got) == sorted(LAYER_ERRORS) if runs else got == {}
    for key, values in got.items():
        type_, message, last_line = LAYER_ERRORS[key]
        assert len(values) == runs
        for t, m, text in values:
            assert (t, m) == (type_, message)
            assert text.endswith(last_line)
            assert "/testrunner-ex/trouble/badlayers.py" in text
