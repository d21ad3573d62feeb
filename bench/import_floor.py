"""The import floor of discovery: import every test module and load its tests, nothing else.

Run by bench/run.py in a tree's directory: ``python import_floor.py src``. Walks
``src`` for ``test*.py`` modules in packages (as unittest discovery selects
them), imports each, calls ``unittest.defaultTestLoader.loadTestsFromModule``
(which zope.testrunner and leakrunner also call for a module without
``test_suite``), and prints ``COUNT <tests>``. No selection patterns, layers,
sorting or output per test: the work any runner of these modules has to do.
"""

import importlib
import os
import sys
import unittest


def module_names(src):
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        if dirpath == src or "__init__.py" not in filenames:
            if dirpath != src:
                dirnames[:] = []
            continue
        package = os.path.relpath(dirpath, src).replace(os.sep, ".")
        for name in sorted(filenames):
            if name.startswith("test") and name.endswith(".py"):
                yield f"{package}.{name[:-3]}"


def main():
    src = os.path.abspath(sys.argv[1])
    sys.path.insert(0, src)
    loader = unittest.defaultTestLoader
    count = 0
    for name in module_names(src):
        count += loader.loadTestsFromModule(importlib.import_module(name)).countTestCases()
    print("COUNT", count)


if __name__ == "__main__":
    main()
