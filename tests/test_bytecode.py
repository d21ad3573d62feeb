"""--usecompiled, --keepbytecode and the removal of stale bytecode, side by
side with zope.testrunner on fresh copies of a small tree."""

import compileall
import shutil

import pytest
from sidebyside import SAMPLE, Result, assert_same_as_zope, run_leakrunner, run_zope


def sourceless_tree(root):
    """units/ with every test module compiled in the legacy layout (the
    .pyc beside the .py) and the test modules' sources removed."""
    tree = root / "tree"
    shutil.copytree(SAMPLE / "units", tree / "units", ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(str(tree), legacy=True, quiet=1)
    for path in tree.rglob("*.py"):
        if path.name.startswith("test") or path.name == "__init__.py":
            path.unlink()
    return tree


def stale_tree(root):
    tree = root / "tree"
    shutil.copytree(SAMPLE / "units", tree / "units", ignore=shutil.ignore_patterns("__pycache__"))
    (tree / "units" / "gone.pyc").write_bytes(b"stale")
    (tree / "units" / "nested" / "also_gone.pyo").write_bytes(b"stale")
    return tree


def both(make_tree, tmp_path, args):
    """Runs each runner on its own fresh copy of the tree (runs change it):
    their results, with the tree's path written TREE, and the two trees."""
    results, trees = [], []
    for name, run in (("zope", run_zope), ("leakrunner", run_leakrunner)):
        tree = make_tree(tmp_path / name)
        status, out, err = run(["--path", str(tree), *args])
        results.append(
            Result(status, out.replace(str(tree), "TREE"), err.replace(str(tree), "TREE"))
        )
        trees.append(tree)
    return results, trees


@pytest.mark.parametrize(
    "args", [["--usecompiled", "-vv"], ["--usecompiled", "-vv", "-m", "nested"]]
)
def test_usecompiled_runs_sourceless_modules(zope_available, tmp_path, args):
    (z, ours), _ = both(sourceless_tree, tmp_path, args)
    assert "Ran " in z.out and z.status == 0, z.out + z.err
    assert_same_as_zope(args, results=(z, ours))


def test_without_usecompiled_sourceless_modules_are_not_found(zope_available, tmp_path):
    results, _ = both(sourceless_tree, tmp_path, ["-k"])
    assert_same_as_zope(["-k"], results=results, err=None)


def test_stale_bytecode_is_removed(zope_available, tmp_path):
    (z, ours), trees = both(stale_tree, tmp_path, ["-u"])
    assert "Removing stale bytecode file TREE/units/gone.pyc" in z.out
    assert_same_as_zope(["-u"], results=(z, ours), err=None)
    for tree in trees:
        assert not (tree / "units" / "gone.pyc").exists()
        assert not (tree / "units" / "nested" / "also_gone.pyo").exists()


def test_keepbytecode_keeps_it(zope_available, tmp_path):
    (z, ours), trees = both(stale_tree, tmp_path, ["-u", "--keepbytecode"])
    assert "Removing stale" not in ours.out
    assert_same_as_zope(["-u", "--keepbytecode"], results=(z, ours), err=None, status=False)
    for tree in trees:
        assert (tree / "units" / "gone.pyc").exists()
