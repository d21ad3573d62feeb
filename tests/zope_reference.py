"""zope.testrunner as the reference for leakrunner's command line.

zope's own runner, run as ``python -m zope.testrunner`` would be, with
leakrunner's own options (``--leaks`` and friends, a help group of their
own) added to its parser from leakrunner's option table, so that ``--help``
and the usage line of an error compare whole. The table comes as JSON in
``LEAKRUNNER_OPTION_TABLE`` (written by the test session), and
``leakrunner/_cmdline.py`` is loaded by path: nothing of leakrunner's
extension is imported into zope's process.
"""

import importlib.util
import json
import os
import pathlib
import runpy
import sys

# As under `python -m zope.testrunner`, which argparse names the program by.
sys.argv[0] = importlib.util.find_spec("zope.testrunner.__main__").origin

import zope.testrunner.options as zopts  # noqa: E402

table_file = os.environ.get("LEAKRUNNER_OPTION_TABLE")
if table_file:
    source = (
        pathlib.Path(__file__).resolve().parent.parent / "python" / "leakrunner" / "_cmdline.py"
    )
    spec = importlib.util.spec_from_file_location("_leakrunner_cmdline", source)
    cmdline = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cmdline)
    cmdline.add_own_options(
        zopts.parser, json.loads(pathlib.Path(table_file).read_text()), os.getcwd()
    )

runpy.run_module("zope.testrunner", run_name="__main__", alter_sys=True)
