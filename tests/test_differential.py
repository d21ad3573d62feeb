"""leakrunner and zope.testrunner 8.3 side by side on testrunner-ex.

Each scenario runs both runners with the same interpreter, arguments and
environment, and compares stdout, stderr and the exit status after
normalising only what tests/normalize.py allows.
"""

import pytest
from sidebyside import assert_same_as_zope

P = ["--path", "testrunner-ex"]
FAILING = [*P, "--tests-pattern", "^failing$"]

SCENARIOS = {
    # plain runs and verbosity
    "default": P,
    "quiet": [*P, "-q"],
    "v": [*P, "-v"],
    "vv": [*P, "-vv"],
    "vvv": [*P, "-vvv"],
    "progress": [*P, "-p"],
    "progress-v": [*P, "-pv", "--layer", "Kitchen"],
    "progress-vv": [*P, "-pvv", "--layer", "Kitchen"],
    "progress-vvv": [*P, "-p", "-vvv", "-u"],
    # layers
    "layer-kitchen": [*P, "--layer", "Kitchen"],
    "layer-pantry": [*P, "--layer", "Pantry", "-vv"],
    "layer-instance": [*P, "--layer", "Workshop", "-vv"],
    "layer-two": [*P, "--layer", "Loft", "--layer", "Cellar"],
    "layer-not": [*P, "--layer", "!house.layers"],
    "layer-not-unit": [*P, "--layer", "!UnitTests", "--layer", "!Foundation"],
    "layer-zope-unit-name": [*P, "--layer", "zope.testrunner.layer.UnitTests"],
    "unit": [*P, "-u"],
    "non-unit": [*P, "-f"],
    "unit-and-non-unit": [*P, "-u", "-f"],
    # selection
    "module": [*P, "-m", "test_rooms"],
    "module-not": [*P, "-m", "!house", "-m", "!units.tests"],
    "module-lookahead": [*P, "-m", "units(?!.nested)", "-vv"],
    "test-filter": [*P, "-vv", "-t", "Kitchen", "-t", "!diamond"],
    "test-not": [*P, "-t", "!trail", "-t", "!test_"],
    "doc-files": [*P, "-vv", "-t", "[.](rst|txt)$"],
    "positional": [*P, "-vv", "nested", "test_s"],
    "positional-dot": [*P, "-vv", ".", "grüße"],
    "never-collected": [*P, "-t", "never_collected", "-t", "orphan"],
    "s-dotted": [*P, "-s", "house.tests", "-m", "upstairs"],
    "s-dir": [*P, "-vv", "-s", "testrunner-ex/units/nested/"],
    "s-two": [
        *P,
        "-s",
        "units",
        "-s",
        "house.tests",
        "-m",
        "test_outbuildings",
        "-m",
        "units.tests",
    ],
    "s-annex-no-knit": [*P, "-s", "annex", "-vv"],
    "tests-pattern": [
        *P,
        "--tests-pattern",
        "^(tests|failing)$",
        "-m",
        "outcomes",
        "-m",
        "units.tests",
    ],
    "test-file-pattern": [*P, "-vv", "--test-file-pattern", "^test_s"],
    "suite-name": [*P, "-vv", "-m", "test_alt_suite", "--suite-name", "alternate_suite"],
    "suite-name-loader": [*P, "-s", "units.nested", "--suite-name", "alternate_suite"],
    "ignore-dir": [*P, "--ignore_dir", "nested", "--ignore_dir", "annex", "-u"],
    "knit": [*P, "--package-path", "testrunner-ex/knit-ins", "annex", "-vv", "-u"],
    "knit-s": [*P, "--package-path", "testrunner-ex/knit-ins", "annex", "-s", "annex"],
    "knit-s-sub": [*P, "--package-path", "testrunner-ex/knit-ins", "annex", "-s", "annex.stitched"],
    "side-path": ["--path", "testrunner-ex/side-path"],
    "side-test-path": ["--test-path", "testrunner-ex/side-path"],
    "two-paths": [*P, "--path", "testrunner-ex/side-path", "-m", "sidecar", "-m", "annex"],
    "level-2": [*P, "-a", "2"],
    "level-3": [*P, "-a", "3", "-u"],
    "level-0": [*P, "-a", "0", "-u"],
    "level-all": [*P, "--all"],
    "only-level-2": [*P, "-vv", "--only-level", "2"],
    "only-level-5": [*P, "-vv", "--only-level", "5"],
    "list-tests": [*P, "--list-tests"],
    "list-tests-layer": [*P, "--list-tests", "--layer", "Pantry", "-a", "2"],
    "list-tests-broken": [*P, "--list-tests", "--tests-pattern", "^broken$"],
    "require-unique": [*P, "--require-unique"],
    "dupes": [*P, "-vv", "--tests-pattern", "^dupes$"],
    "unique-with-module": [*P, "--require-unique", "-m", "units"],
    # outcomes and reports
    "failing": FAILING,
    "failing-v": [*FAILING, "-v"],
    "failing-vv": [*FAILING, "-vv", "-m", "test_errors"],
    "failing-vvv": [*FAILING, "-vvv", "-m", "test_outcomes"],
    "failing-p": [*FAILING, "-p", "-m", "test_asserts"],
    "failing-pv": [*FAILING, "-pv", "-m", "test_asserts"],
    "stop-on-error": [*P, "--tests-pattern", "^(tests|failing)$", "-x"],
    "stop-on-error-vv": [*FAILING, "-x", "-vv"],
    "doctest-plain": [*FAILING, "-m", "test_doctests"],
    "ndiff": [*FAILING, "-t", "recipe", "--ndiff"],
    "udiff": [*FAILING, "-t", "recipe", "--udiff"],
    "cdiff": [*FAILING, "-t", "recipe", "--cdiff"],
    "first-failure": [*FAILING, "-t", "recipe", "-1"],
    "two-diffs": [*FAILING, "--ndiff", "--udiff"],
    "noisy": [*P, "--tests-pattern", "^noisy$"],
    "buffer": [*P, "--tests-pattern", "^noisy$", "--buffer"],
    "buffer-vv": [*P, "--tests-pattern", "^noisy$", "--buffer", "-vv"],
    "repeat": [*P, "-N", "3"],
    "repeat-failing": [*P, "-v", "-N", "3", "--tests-pattern", "^failing$", "-m", "test_asserts"],
    "broken": [*P, "--tests-pattern", "^broken$"],
    "broken-v": [*P, "--tests-pattern", "^broken$", "-v"],
    "broken-with-layers": [
        *P,
        "--tests-pattern",
        "^(tests|broken)$",
        "--layer",
        "Foundation",
        "--layer",
        "Garage",
    ],
    # layers that cannot be torn down, and failing layers
    "ntd-last": [*P, "--tests-pattern", "^ntd$", "--layer", "Anchor"],
    "badlayers": [*P, "--tests-pattern", "^badlayers$"],
    "badlayers-v": [*P, "--tests-pattern", "^badlayers$", "-v"],
    "leaklayers": [*P, "--tests-pattern", "^leak(layers)?$", "-N4"],
    # garbage collection, threads, shuffling, bytecode
    "gc-threshold": [*P, "-u", "--gc", "700", "--gc", "10"],
    "gc-disabled": [*P, "-u", "-g", "0"],
    "gc-too-many": [*P, "-g1", "-g2", "-g3", "-g4"],
    "gc-option": [*P, "-u", "-G", "DEBUG_UNCOLLECTABLE"],
    "gc-after-test-v": [*P, "--tests-pattern", "^cycles$", "-v", "--gc-after-test"],
    "gc-after-test-vvv": [*P, "--tests-pattern", "^cycles$", "-vvv", "--gc-after-test"],
    "gc-after-test-cycles": [*P, "--tests-pattern", "^cycles$", "-vvvv", "--gc-after-test"],
    "shuffle": [*P, "-u", "-vv", "--shuffle", "--shuffle-seed", "42", "-m", "units.tests"],
    "shuffle-all-layers": [*P, "--shuffle", "--shuffle-seed", "0", "-vv"],
    "shuffle-list": [*P, "--list-tests", "--shuffle", "--shuffle-seed", "7"],
    "keepbytecode": [*P, "-k"],
    "new-threads": [*P, "--tests-pattern", "^threads$", "-vv"],
    "ignore-new-thread": [*P, "--tests-pattern", "^threads$", "--ignore-new-thread", "ignorable"],
    # colour (-c): zope's ColorfulOutputFormatter
    "color": [*P, "-c"],
    "color-then-no-color": [*P, "-c", "-C"],
    "auto-color-not-a-tty": [*P, "--auto-color", "-vv"],
    "color-slow-test-vvv": [*P, "--slow-test", "0", "-c", "-vvv"],
    "color-vvv": [*P, "-c", "-vvv", "--layer", "Kitchen"],
    "color-skips-vv": [*P, "-c", "-vv", "-u"],
    "color-skips-vvv": [*P, "-c", "-vvv", "-u"],
    "color-failing": [*FAILING, "-c"],
    "color-failing-vvv": [*FAILING, "-c", "-vvv"],
    "color-doctests": [*FAILING, "-c", "-m", "test_doctests"],
    "color-ndiff": [*FAILING, "-c", "-t", "recipe", "--ndiff"],
    "color-udiff": [*FAILING, "-c", "-t", "recipe", "--udiff"],
    "color-cdiff": [*FAILING, "-c", "-t", "recipe", "--cdiff"],
    "color-two-diffs": [*FAILING, "-c", "--ndiff", "--udiff"],
    "color-badlayers": [*P, "-c", "--tests-pattern", "^badlayers$", "-v"],
    "color-broken": [*P, "-c", "--tests-pattern", "^broken$"],
    "color-ntd-last": [*P, "-c", "--tests-pattern", "^ntd$", "--layer", "Anchor", "-vv"],
    "color-progress": [*P, "-c", "-p"],
    "color-progress-vvv": [*P, "-c", "-p", "-vvv", "-u"],
    "color-failing-progress": [*FAILING, "-c", "-p", "-m", "test_asserts"],
    "color-buffer": [*P, "-c", "--tests-pattern", "^noisy$", "--buffer", "-vv"],
    # options that stop before running
    "repeat-needed-for-r": [*P, "-r"],
    "help": ["--help"],
    "unknown-option": [*P, "--bogus"],
    "bad-int": [*P, "-N", "x"],
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_as_zope(zope_available, name):
    assert_same_as_zope(SCENARIOS[name])


@pytest.mark.parametrize("auto_path", [[], ["--auto-path"]])
def test_package_outside_the_test_paths(zope_available, auto_path):
    # --auto-path adds a --package directory that lies outside every test
    # path; without it, such a directory is not searched.
    args = ["--test-path", "testrunner-ex/units", "-s", "house", *auto_path]
    zope, _ = assert_same_as_zope(args, PYTHONPATH="testrunner-ex")
    assert ("Running house.layers" in zope.out) == bool(auto_path)
