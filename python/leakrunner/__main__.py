"""``python -m leakrunner``: the zope-testrunner command line."""

from leakrunner import run

if __name__ == "__main__":
    run()
