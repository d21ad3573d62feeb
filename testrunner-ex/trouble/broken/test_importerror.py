"""Raises ImportError at import time."""

import unittest  # noqa: F401

from trouble.broken import no_such_module  # noqa: F401
