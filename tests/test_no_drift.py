"""The runner must not perturb what it measures: on a debug build, tests that
keep nothing show change=0 in every iteration leak hunting reports, and the
runner code creates no Python attribute-name strings per call (CPython 3.13
interns such names as immortal strings, one per call: a slow leak that
`-r` would blame on the tests)."""

import pathlib
import re
import sys

import pytest
from sidebyside import ROOT, run_leakrunner

TREE = ROOT / "tests" / "trees" / "drift"


@pytest.mark.skipif(not hasattr(sys, "gettotalrefcount"), reason="needs a debug build")
@pytest.mark.parametrize("verbosity", [[], ["--buffer"], ["-p"]])
def test_runner_shows_zero_refcount_drift(verbosity):
    status, out, err = run_leakrunner(
        ["--path", str(TREE), "--tests-pattern", "^drifttests$", "-N", "6", "-r", *verbosity]
    )
    assert status == 0, out + err
    changes = [int(m) for m in re.findall(r"sys refcount=\d+ +change=(-?\d+)", out)]
    # Two layers, iterations 2..6 reported for each.
    assert len(changes) == 10, out
    assert changes == [0] * 10, out


def test_runner_code_interns_attribute_names():
    pattern = re.compile(
        r'\.(getattr|getattr_opt|hasattr|setattr|call_method0|call_method1|import)\("'
    )
    offenders = []
    for path in sorted((ROOT / "src" / "runner").glob("*.rs")) + [ROOT / "src" / "pyio.rs"]:
        for number, line in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "use intern!(py, ...) for Python names:\n" + "\n".join(offenders)
