"""What the differential tests normalise before comparing the two runners.

Timings, the module name of the layer of unit tests
(``zope.testrunner.layer.UnitTests`` is ``leakrunner.layer.UnitTests`` here),
and like timings, values that differ between two runs of the same program
(object ids and addresses, thread idents); plus the accepted divergences
listed in the README, each a plain bug of zope.testrunner's.
"""

import re

# With -c the numbers of a time are wrapped in colour codes, e.g.
# "\x1b[32m0.000\x1b[0m seconds" or "(\x1b[1;35m0.000 s\x1b[0m)": only the
# digits are normalised, the codes around them must still agree.
_CODE = r"(\x1b\[[0-9;]*m)"

_TIMES = [
    (
        re.compile(_CODE + r"\d+" + _CODE + r" minutes \1\d+\.\d{3}\2 seconds"),
        r"\1N.NNN\2 seconds",
    ),
    (re.compile(_CODE + r"\d+\.\d{3}" + _CODE + " seconds"), r"\1N.NNN\2 seconds"),
    (re.compile(r"\(" + _CODE + r"\d+\.\d{3} s" + _CODE + r"\)"), r"(\1N.NNN s\2)"),
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
