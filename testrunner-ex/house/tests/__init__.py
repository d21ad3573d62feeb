# A tests package two directories below the test path: its test_*.py
# modules are collected.  helpers.py does not match ^test and is not.
