"""The build guard and build_info(): an extension runs only in the
interpreter flavour it was built for, and says what leak signals it has."""

import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import leakrunner
import pytest
from sidebyside import ROOT, run_leakrunner

FLAVOUR = os.environ.get("LEAKRUNNER_FLAVOUR")


def expected_flavour():
    if FLAVOUR:
        return FLAVOUR
    if hasattr(sys, "getobjects"):
        return "tracerefs"
    return "pydebug" if hasattr(sys, "gettotalrefcount") else "release"


def test_build_info_reports_this_interpreter():
    info = leakrunner.build_info()
    flavour = expected_flavour()
    signals = info["signals"]
    assert info["built_for"] == {
        "python": "%d.%d" % sys.version_info[:2],
        "py_debug": flavour != "release",
        "trace_refs": flavour == "tracerefs",
        "ext_suffix": info["built_for"]["ext_suffix"],
        "executable": info["built_for"]["executable"],
    }
    assert info["running"]["py_debug"] == (flavour != "release")
    assert info["running"]["trace_refs"] == (flavour == "tracerefs")
    assert signals["total_refcount"] == (flavour != "release")
    assert signals["getobjects"] == (flavour == "tracerefs")
    assert signals["allocated_blocks"] is True
    assert info["built_for"]["ext_suffix"] in leakrunner._leakrunner.__file__
    # The same facts straight from the interpreter.
    assert signals["total_refcount"] == hasattr(sys, "gettotalrefcount")
    assert signals["getobjects"] == hasattr(sys, "getobjects")


def test_version_prints_the_build_report():
    status, out, err = run_leakrunner(["--version"])
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == "leakrunner version %s" % leakrunner.__version__
    flavour = {"release": "release", "pydebug": "pydebug", "tracerefs": "pydebug+trace-refs"}[
        expected_flavour()
    ]
    assert "built for:   CPython %d.%d %s" % (*sys.version_info[:2], flavour) in out
    assert ("total refcount (-r): yes" in out) == (expected_flavour() != "release")
    assert ("getobjects (exact -r -v census): yes" in out) == (expected_flavour() == "tracerefs")


def release_wheel():
    wheels = sorted((ROOT / "target" / "wheels" / "release").glob("leakrunner-*.whl"))
    return wheels[-1] if wheels else None


def test_release_build_refused_by_debug_interpreter(tmp_path):
    debug = shutil.which("python3.11-dbg")
    wheel = release_wheel()
    if debug is None or wheel is None:
        pytest.skip("needs python3.11-dbg and the release wheel (make venv-release)")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(tmp_path)
    extension = list((tmp_path / "leakrunner").glob("_leakrunner.cpython-311-*.so"))
    assert extension, "the release wheel has no release-suffixed extension"
    # Debian's debug interpreter loads release-suffixed extensions too: that is
    # exactly the mix-up the guard exists for.
    proc = subprocess.run(
        [
            debug,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, sys.argv[1]); import leakrunner",
            tmp_path,
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    message = proc.stderr.strip().splitlines()[-1]
    assert message.startswith(
        "ImportError: leakrunner's extension module was built for CPython 3.11 release"
    )
    assert "but this interpreter is CPython 3.11 pydebug" in message
    assert "Rebuild leakrunner for this interpreter" in message
    assert "--force-reinstall" in message


def test_package_layout():
    package = pathlib.Path(leakrunner.__file__).parent
    for name in ("__init__.py", "__main__.py", "layer.py", "_support.py", "_tb.py", "_cmdline.py"):
        assert (package / name).is_file(), name
    from leakrunner.layer import UnitTests

    assert UnitTests.__module__ + "." + UnitTests.__name__ == "leakrunner.layer.UnitTests"


def test_typing_stub_names_what_the_extension_exports():
    import ast

    from leakrunner import _leakrunner

    package = pathlib.Path(leakrunner.__file__).parent
    assert (package / "py.typed").is_file()
    stub = ast.parse((package / "_leakrunner.pyi").read_text())

    def names(body):
        found = set()
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                found.add(node.name)
            elif isinstance(node, ast.AnnAssign):
                found.add(node.target.id)
        return found

    # The test hooks exist only in builds with the test-hooks feature; names
    # of an underscore and a capital are the stub's own typing helpers.
    hooks = {"_census", "_census_selftest", "_option_table", "_parse_options"}
    exported = {n for n in dir(_leakrunner) if not n.startswith("__")} - hooks
    typed = {n for n in names(stub.body) if not (n[0] == "_" and n[1].isupper())}
    assert typed == exported | {"__version__"}
    (result,) = [n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "TestResult"]
    assert names(result.body) == {n for n in vars(_leakrunner.TestResult) if not n.startswith("__")}
