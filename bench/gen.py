"""Synthetic test trees in zope.testrunner's conventions, for the benchmarks.

A tree is described by a handful of numbers (``TreeSpec``) and written under
``bench/trees/<name>/``::

    <name>/stamp.json            the parameters (and generator version) it was built from
    <name>/src/bench_layers.py   L layers in a hierarchy (class layers, classmethods)
    <name>/src/bench_heap.py     the optional large live heap, built at import
    <name>/src/bpkgNNN/__init__.py
    <name>/src/bpkgNNN/test_mMMMM.py   one TestCase class of T trivial tests each
    <name>/src/bpkgNNN/doc_mMMMM.txt   D doctest files, loaded by their module's load_tests

Modules are ``test_*.py`` inside packages that have an ``__init__.py``, with
standard ``unittest.TestCase`` classes, so ``python -m unittest discover -s
src -t src -p 'test*.py'`` finds exactly the modules that the zope-style
runners find with ``--path=src --tests-pattern=^test_
--test-file-pattern=^test_``. Doctest files are loaded through the
``load_tests`` protocol, which unittest's loader honours for all three.

Half of the modules (the odd ones) put their class in one of the layers,
round robin; the rest run in zope's UnitTests layer. unittest ignores the
``layer`` attribute, so there the same tests simply run without layers.

K of the trivial tests leak: each run of one appends a fresh dict holding a
fresh list to a module-level list, which ``-N 3 -r`` reports. With
``leak_types`` each leaking test leaks an instance of a class of its own
module instead (``LeakedNNNNN``), so that two leaking tests leak different
types (what leak attribution must tell apart).

Generation is deterministic: the same spec gives byte-identical files. A
tree whose ``stamp.json`` matches the spec is reused as it is.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys
import tempfile

GENERATOR_VERSION = 1
HERE = os.path.dirname(os.path.abspath(__file__))
TREES = os.path.join(HERE, "trees")

# The test-selection options that make zope.testrunner (and leakrunner) pick
# the modules unittest discovery picks; relative to the tree's directory.
ZOPE_SELECT = ["--path=src", "--tests-pattern=^test_", "--test-file-pattern=^test_"]
UNITTEST_SELECT = ["discover", "-s", "src", "-t", "src", "-p", "test*.py"]


@dataclasses.dataclass(frozen=True)
class TreeSpec:
    """P packages x M modules x T tests, L layers, D doctests, K leaks, H heap objects."""

    packages: int
    modules: int
    tests: int
    layers: int = 0
    doctests: int = 0
    leaks: int = 0
    heap: int = 0
    # Each leaking test leaks an instance of its own class, not a dict and a list.
    leak_types: bool = False

    @property
    def n_modules(self) -> int:
        return self.packages * self.modules

    @property
    def n_tests(self) -> int:
        """Every test the runners run: the trivial ones and one per doctest file."""
        return self.n_modules * self.tests + self.doctests

    @property
    def name(self) -> str:
        return (
            f"p{self.packages}-m{self.modules}-t{self.tests}-l{self.layers}"
            f"-d{self.doctests}-k{self.leaks}-h{self.heap}"
            f"{'-typed' if self.leak_types else ''}"
        )

    def describe(self) -> str:
        parts = [
            f"{self.packages} packages x {self.modules} modules x {self.tests} tests",
            f"{self.n_modules:,} test modules",
            f"{self.n_tests:,} tests",
            f"{self.layers} layers",
            f"{self.doctests} doctest files",
            f"{self.leaks} leaking tests"
            + (" (each leaking a type of its own)" if self.leak_types else ""),
        ]
        if self.heap:
            parts.append(f"live heap of ~{self.heap:,} extra objects")
        return ", ".join(parts)

    def stamp(self) -> dict:
        return {"generator": GENERATOR_VERSION, **dataclasses.asdict(self)}


def _spread(count: int, total: int) -> set[int]:
    """``count`` indices out of ``range(total)``, evenly spread, deterministic."""
    count = min(count, total)
    if count <= 0:
        return set()
    return {(i * total) // count for i in range(count)}


def leaking_modules(spec: TreeSpec) -> list[str]:
    """The dotted names of the test modules whose first test leaks, in order."""
    return [
        f"bpkg{index // spec.modules:03d}.test_m{index:05d}"
        for index in sorted(_spread(spec.leaks, spec.n_modules))
    ]


def _layers_source(n: int) -> str:
    lines = [
        '"""Benchmark layers: a binary hierarchy, L0 at the root."""',
        "",
        "import bench_heap  # noqa: F401  (the live heap, if any, exists before any test)",
        "",
        "SETUPS = []",
        "",
    ]
    for i in range(n):
        base = f"(L{(i - 1) // 2})" if i else ""
        lines += [
            "",
            f"class L{i}{base}:",
            "    @classmethod",
            "    def setUp(cls):",
            f"        SETUPS.append({i})",
            "",
            "    @classmethod",
            "    def tearDown(cls):",
            "        pass",
            "",
            "    @classmethod",
            "    def testSetUp(cls):",
            "        pass",
            "",
            "    @classmethod",
            "    def testTearDown(cls):",
            "        pass",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def _heap_source(n: int) -> str:
    # Each round creates about ten objects of mixed types, all kept alive.
    return f'''"""A large live heap of mixed objects, built at import ({n:,} objects)."""

LEAKS = []


class Node:
    def __init__(self, i, payload):
        self.i = i
        self.payload = payload


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b


def _build(n):
    heap = []
    for i in range(n // 10):
        s = "s%d" % i
        big = i + (1 << 40)
        f = i + 0.5
        t = (big, f)
        lst = [s, t]
        d = {{"k": lst}}
        heap.append(Node(i, d))
        heap.append(Slotted(s.encode(), frozenset((big,))))
    return heap


HEAP = _build({n})
'''


def _module_source(spec: TreeSpec, pkg: int, mod: int, index: int, leak: bool, doc: bool) -> str:
    lines = [
        f'"""Benchmark test module {index}."""',
        "",
        "import unittest",
        "",
        "import bench_heap",
        "import bench_layers",
    ]
    if doc:
        lines += ["import doctest", "import sys"]
    if leak and spec.leak_types:
        lines += [
            "",
            "",
            f"class Leaked{index:05d}:",
            '    """What the leaking test of this module leaks: a type of its own."""',
        ]
    lines += ["", "", f"class TestM{index:05d}(unittest.TestCase):"]
    if spec.layers and index % 2 == 1:
        lines.append(f"    layer = bench_layers.L{(index // 2) % spec.layers}")
    for t in range(spec.tests):
        lines.append("")
        lines.append(f"    def test_{t:03d}(self):")
        if leak and t == 0 and spec.leak_types:
            lines.append(f"        bench_heap.LEAKS.append(Leaked{index:05d}())")
        elif leak and t == 0:
            lines.append("        bench_heap.LEAKS.append({'leak': [len(bench_heap.LEAKS)]})")
        else:
            lines.append("        pass")
    if doc:
        lines += [
            "",
            "",
            "def load_tests(loader, tests, pattern):",
            f"    doc = doctest.DocFileSuite('doc_m{index:05d}.txt',",
            "                               package=sys.modules[__name__])",
            "    tests.addTests(doc)",
            "    return tests",
        ]
    return "\n".join(lines) + "\n"


DOCTEST = """A benchmark doctest file.

    >>> 1 + 1
    2
    >>> sorted({'b': 1, 'a': 2})
    ['a', 'b']
"""


def generate(spec: TreeSpec, root: str = TREES, force: bool = False) -> str:
    """Write the tree for ``spec`` (unless an identical one exists); return its path."""
    path = os.path.join(root, spec.name)
    stamp_path = os.path.join(path, "stamp.json")
    if not force and os.path.exists(stamp_path):
        with open(stamp_path) as f:
            if json.load(f) == spec.stamp():
                return path
    os.makedirs(root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{spec.name}.", dir=root)
    try:
        src = os.path.join(tmp, "src")
        os.makedirs(src)
        _write(os.path.join(src, "bench_layers.py"), _layers_source(spec.layers))
        _write(os.path.join(src, "bench_heap.py"), _heap_source(spec.heap))
        leaks = _spread(spec.leaks, spec.n_modules)
        docs = _spread(spec.doctests, spec.n_modules)
        if spec.doctests > spec.n_modules:
            raise ValueError("at most one doctest file per module")
        for pkg in range(spec.packages):
            pdir = os.path.join(src, f"bpkg{pkg:03d}")
            os.makedirs(pdir)
            _write(os.path.join(pdir, "__init__.py"), "")
            for mod in range(spec.modules):
                index = pkg * spec.modules + mod
                source = _module_source(spec, pkg, mod, index, index in leaks, index in docs)
                _write(os.path.join(pdir, f"test_m{index:05d}.py"), source)
                if index in docs:
                    _write(os.path.join(pdir, f"doc_m{index:05d}.txt"), DOCTEST)
        _write(os.path.join(tmp, "stamp.json"), json.dumps(spec.stamp(), indent=2) + "\n")
        if os.path.exists(path):
            shutil.rmtree(path)
        os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-P", "--packages", type=int, default=1, help="packages")
    parser.add_argument("-M", "--modules", type=int, default=1, help="test modules per package")
    parser.add_argument("-T", "--tests", type=int, default=1, help="trivial tests per module")
    parser.add_argument("-L", "--layers", type=int, default=0, help="layers")
    parser.add_argument("-D", "--doctests", type=int, default=0, help="doctest files")
    parser.add_argument("-K", "--leaks", type=int, default=0, help="leaking tests")
    parser.add_argument("-H", "--heap", type=int, default=0, help="extra live objects")
    parser.add_argument(
        "--leak-types", action="store_true", help="each leaking test leaks a type of its own"
    )
    parser.add_argument("--force", action="store_true", help="regenerate even if stamped")
    parser.add_argument("--root", default=TREES)
    args = parser.parse_args(argv)
    spec = TreeSpec(
        args.packages,
        args.modules,
        args.tests,
        args.layers,
        args.doctests,
        args.leaks,
        args.heap,
        args.leak_types,
    )
    print(generate(spec, args.root, args.force))
    print(spec.describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
