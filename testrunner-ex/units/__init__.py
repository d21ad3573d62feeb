"""Unit tests (no layer): the tests.py module and the nested tests package."""
