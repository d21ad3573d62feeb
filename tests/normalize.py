"""What the differential tests normalise before comparing the two runners.

Timings, the module name of the layer of unit tests
(``zope.testrunner.layer.UnitTests`` is ``leakrunner.layer.UnitTests`` here),
and like timings, values that differ between two runs of the same program
(object ids and addresses, thread idents); plus the accepted divergences
listed in the README, each a plain bug of zope.testrunner's.
"""

import re

_TIMES = [
    (re.compile(r"\d+ minutes \d+\.\d{3} seconds"), "N.NNN seconds"),
    (re.compile(r"\d+\.\d{3} seconds"), "N.NNN seconds"),
    (re.compile(r"\(\d+\.\d{3} s\)"), "(N.NNN s)"),
    (re.compile(r"\bid=\d+"), "id=N"),
    (re.compile(r"\b0x[0-9a-f]+"), "0xN"),
    (re.compile(r"(started(?: daemon)?) \d+"), r"\1 N"),
    (re.compile(r"\bDummyThread \d+"), "DummyThread N"),
]

# Accepted divergence: in a layer's setUp/tearDown failure zope's traceback
# shows zope.testrunner's own runner.py frames; leakrunner has none to show.
_ZOPE_RUNNER_FRAME = re.compile(
    r'  File "[^"]*/zope/testrunner/runner\.py", line \d+, in \w+\n(    .*\n)?'
)


def normalize(text):
    for pattern, replacement in _TIMES:
        text = pattern.sub(replacement, text)
    text = text.replace("zope.testrunner.layer.UnitTests", "leakrunner.layer.UnitTests")
    text = _ZOPE_RUNNER_FRAME.sub("", text)
    return text
