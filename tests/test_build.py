"""The build guard and build_info(): an extension runs only in the
interpreter flavour it was built for, and says what leak signals it has."""

import importlib.machinery
import os
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile

import leakrunner
import pytest
from sidebyside import ROOT, run_leakrunner

FLAVOUR = os.environ.get("LEAKRUNNER_FLAVOUR")
FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def expected_flavour():
    """release, pydebug, tracerefs or ftdebug: the kind of the flavour the
    Makefile names (``pydebug314`` is a pydebug, ``ftdebug315`` a free-threaded
    debug build), else what this interpreter is."""
    if FLAVOUR:
        return re.sub(r"\d+$", "", FLAVOUR)
    if hasattr(sys, "getobjects"):
        return "tracerefs"
    if FREE_THREADED:
        return "ftdebug"
    return "pydebug" if hasattr(sys, "gettotalrefcount") else "release"


def abi_tag():
    """The tag of this interpreter's extension suffix: cpython-311, cpython-315td."""
    return "cpython-%d%d%s" % (*sys.version_info[:2], sys.abiflags)


# What -r -v counts, by kind of flavour.
CENSUS = {
    "release": "none (needs a --with-pydebug build)",
    "pydebug": "objects the garbage collector tracks and what they reach",
    "ftdebug": "objects the garbage collector tracks and what they reach",
    "tracerefs": "every live object (sys.getobjects)",
}


def test_build_info_reports_this_interpreter():
    info = leakrunner.build_info()
    flavour = expected_flavour()
    signals = info["signals"]
    assert info["built_for"] == {
        "python": "%d.%d" % sys.version_info[:2],
        "py_debug": flavour != "release",
        "trace_refs": flavour == "tracerefs",
        "free_threaded": flavour == "ftdebug",
        "abi": abi_tag(),
        "ext_suffix": info["built_for"]["ext_suffix"],
        "executable": info["built_for"]["executable"],
    }
    assert info["running"]["py_debug"] == (flavour != "release")
    assert info["running"]["trace_refs"] == (flavour == "tracerefs")
    assert info["running"]["free_threaded"] == (flavour == "ftdebug")
    assert info["running"]["abi"] == abi_tag()
    assert signals["total_refcount"] == (flavour != "release")
    assert signals["getobjects"] == (flavour == "tracerefs")
    assert signals["allocated_blocks"] is True
    assert signals["world_stopped_census"] == (flavour == "ftdebug")
    assert signals["census"] == CENSUS[flavour]
    assert info["built_for"]["ext_suffix"] in leakrunner._leakrunner.__file__
    assert abi_tag() in info["built_for"]["ext_suffix"]
    # The same facts straight from the interpreter.
    assert signals["total_refcount"] == hasattr(sys, "gettotalrefcount")
    assert signals["getobjects"] == hasattr(sys, "getobjects")
    assert info["running"]["free_threaded"] == FREE_THREADED


def test_version_prints_the_build_report():
    status, out, err = run_leakrunner(["--version"])
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == "leakrunner version %s" % leakrunner.__version__
    flavour = {
        "release": "release",
        "pydebug": "pydebug",
        "tracerefs": "pydebug+trace-refs",
        "ftdebug": "free-threaded pydebug",
    }[expected_flavour()]
    assert "built for:   CPython %d.%d %s" % (*sys.version_info[:2], flavour) in out
    assert ("total refcount (-r): yes" in out) == (expected_flavour() != "release")
    assert ("getobjects (exact -r -v census): yes" in out) == (expected_flavour() == "tracerefs")
    assert "-r -v census: %s\n" % leakrunner.build_info()["signals"]["census"] in out
    # A free-threaded build says what it cannot give.
    assert ("free-threaded: the census stops the world" in out) == FREE_THREADED


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
        "ImportError: leakrunner's extension module was built for CPython 3.11 release "
        "[cpython-311]"
    )
    assert "but this interpreter is CPython 3.11 pydebug [cpython-311d]" in message
    assert "Rebuild leakrunner for this interpreter" in message
    assert "--force-reinstall" in message


def other_flavours_wheels():
    """The wheels `make venvs` built for the other flavours, by flavour."""
    wheels = {}
    for folder in sorted((ROOT / "target" / "wheels").glob("*")):
        found = sorted(folder.glob("leakrunner-*.whl"))
        if found and folder.name != FLAVOUR:
            wheels[folder.name] = found[-1]
    return wheels


def test_other_flavours_builds_never_load_here(tmp_path):
    """Every other flavour's build is refused by this interpreter: by the guard
    when the interpreter would load its extension (an extension suffix it
    accepts), else by the import system, which finds no extension for it. A
    free-threaded interpreter must never load a GIL build or the reverse: the
    object header differs, so only the `t` in the suffix keeps them apart."""
    wheels = other_flavours_wheels()
    if not FLAVOUR or not wheels:
        pytest.skip("needs the wheels of the other flavours (make venvs, LEAKRUNNER_FLAVOUR)")
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    for flavour, wheel in wheels.items():
        target = tmp_path / flavour
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(target)
        (extension,) = (target / "leakrunner").glob("_leakrunner.*.so")
        loadable = any(extension.name.endswith(suffix) for suffix in suffixes if suffix != ".so")
        proc = subprocess.run(
            [
                sys.executable,
                "-I",
                "-c",
                "import sys; sys.path.insert(0, sys.argv[1]); import leakrunner",
                target,
            ],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 1, (flavour, proc.returncode, proc.stderr)
        message = proc.stderr.strip().splitlines()[-1]
        if loadable:
            assert message.startswith(
                "ImportError: leakrunner's extension module was built for CPython"
            ), (flavour, message)
            built = re.search(r"cpython-\d+[td]*", extension.name).group(0)
            running = "CPython %d.%d" % sys.version_info[:2]
            assert "[%s], but this interpreter is %s" % (built, running) in message, message
            assert "[%s] (%s)" % (abi_tag(), sys.executable) in message, (flavour, message)
        else:
            assert message.startswith(("ImportError", "ModuleNotFoundError")), (flavour, message)
            assert "_leakrunner" in message, (flavour, message)


def test_package_layout():
    package = pathlib.Path(leakrunner.__file__).parent
    for name in (
        "__init__.py",
        "__main__.py",
        "layer.py",
        "_failures.py",
        "_session.py",
        "_pertest.py",
        "_debug.py",
        "_tb.py",
        "_cmdline.py",
    ):
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
    hooks = {
        "_census",
        "_census_selftest",
        "_leak_sample",
        "_option_table",
        "_orphan_scan",
        "_parse_options",
        "_referrer_walk",
    }
    exported = {n for n in dir(_leakrunner) if not n.startswith("__")} - hooks
    typed = {n for n in names(stub.body) if not (n[0] == "_" and n[1].isupper())}
    assert typed == exported | {"__version__"}
    (result,) = [n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "TestResult"]
    assert names(result.body) == {n for n in vars(_leakrunner.TestResult) if not n.startswith("__")}
