"""zope.testrunner's command line on this interpreter's own argparse.

leakrunner reads ordinary command lines in Rust (``src/options``). The
others, a ``--help``, a mistake, or a form whose meaning changed between
argparse releases, come here: the parser is built from the option table of
``src/options/spec.rs``, handed over as plain data, and argparse parses, or
prints its help or its error, as it does under zope.testrunner. Every
message is therefore this interpreter's argparse's, in its wording, layout
and colours, on releases newer than leakrunner knows too.
"""

import argparse
import os

_parsers = {}


def _parser(table, prog, cwd):
    """The ArgumentParser for ``table`` and the actions that take one value.

    Kept per ``(prog, cwd)`` for callers that parse many command lines (the
    tests); with ``prog`` None argparse names the program from the process
    as it is when the parser is built, so that one is built each time.
    """
    if prog is None:
        return _build(table, prog, cwd)
    if (prog, cwd) not in _parsers:
        _parsers[prog, cwd] = _build(table, prog, cwd)
    return _parsers[prog, cwd]


def _build(table, prog, cwd):
    description, groups, actions = table
    parser = argparse.ArgumentParser(prog=prog, description=description)
    used = {action[8] for action in actions}
    containers = {None: parser}
    for title, text in groups:
        if title in used:
            containers[title] = parser.add_argument_group(title, text)
    return parser, _add_actions(containers, actions, cwd)


def _add_actions(containers, actions, cwd):
    """Adds ``actions`` (table rows) to their groups; returns the actions
    that take one value, with whether they append."""

    def abspath(path):
        return os.path.normpath(os.path.join(cwd, path))

    types = {"int": int, "float": float, "abspath": abspath}
    single = []
    for flags, dest, kind, nargs, type_, choices, metavar, default, group, help_ in actions:
        options = {
            "action": kind,
            "nargs": nargs,
            "type": types.get(type_),
            "choices": choices,
            "metavar": metavar,
        }
        options = {key: value for key, value in options.items() if value is not None}
        if kind == "store_const":
            options["const"] = None
        names = flags if flags else [dest]
        if flags:
            options["dest"] = dest
        action = containers[group].add_argument(*names, default=default, help=help_, **options)
        if flags and nargs is None and kind in ("store", "append"):
            single.append((action, kind == "append"))
    return single


def add_own_options(parser, table, cwd):
    """Adds leakrunner's own option groups of ``table`` to ``parser``
    (zope.testrunner's), so that tests can compare the two parsers on the
    same command line."""
    _description, groups, actions = table
    zope_groups = {group.title for group in parser._action_groups}
    own = {title: text for title, text in groups if title not in zope_groups}
    containers = {title: parser.add_argument_group(title, text) for title, text in own.items()}
    _add_actions(containers, [a for a in actions if a[8] in own], cwd)


def parse(table, prog, cwd, defaults, args):
    """``parse_args(defaults)``, then ``args`` on top, as zope's ``get_options``.

    Returns ``(True, vars(namespace))``, or ``(False, status)`` once argparse
    has printed its help (0) or its error (2). ``prog`` None is argparse's
    default; ``cwd`` is what the path options are made absolute against.
    """
    parser, single = _parser(table, prog, cwd)
    try:
        namespace = parser.parse_args(defaults) if defaults else None
        namespace = parser.parse_args(args, namespace)
        # Before 3.11.8 and 3.12.2 (gh-109475) argparse drops an explicit
        # `--` value (`--layer=--`) and stores an empty list, on which zope
        # fails later: report the missing value instead.
        for action, appended in single:
            value = getattr(namespace, action.dest)
            if (appended and [] in (value or ())) or (not appended and value == []):
                message = str(argparse.ArgumentError(action, "expected one argument"))
                parser.error(message)
    except SystemExit as exit:
        return False, exit.code
    return True, vars(namespace)


def error(table, prog, message):
    """``parser.error(message)``: the usage and ``PROG: error: MESSAGE`` on
    stderr; returns the exit status."""
    try:
        _parser(table, prog, os.getcwd())[0].error(message)
    except SystemExit as exit:
        return exit.code
