"""Around each test: its output buffers (--buffer), the threads and cycles it
leaves behind, and its identity as JUnit and subunit name it.

Called from the Rust runner (src/helpers.rs); nothing here keeps Python
objects alive between the iterations leak hunting measures.
"""

import io
import sys
import threading


class _BufferedStream(io.TextIOWrapper):
    """A standard stream stand-in for ``--buffer`` (has ``.buffer``)."""

    def getvalue(self):
        return self.buffer.getvalue().decode(encoding=self.encoding, errors=self.errors)


def make_buffer():
    return _BufferedStream(io.BytesIO(), newline="\n", write_through=True)


def take_buffer(stream):
    value = stream.getvalue()
    stream.seek(0)
    stream.truncate(0)
    return value


class _DummyThread:
    def __init__(self, ident):
        self.ident = ident
        self.name = "Dummy-%s" % ident

    def __repr__(self):
        return "DummyThread %s, started, daemon" % self.ident

    def is_alive(self):
        return True


def new_threads(before, ignore_patterns):
    """repr() of the list of threads running now that were not in ``before``
    and whose name matches none of ``ignore_patterns`` (``re.match``), or
    None."""
    import re

    known = {t.ident: t for t in threading.enumerate()}
    found = []
    before = set(before)
    for ident in sys._current_frames():
        if ident in before:
            continue
        thread = known.get(ident) or _DummyThread(ident)
        if not thread.is_alive():
            continue
        if any(re.match(p, thread.name) for p in ignore_patterns):
            continue
        found.append(thread)
    return repr(found) if found else None


def repr_lines(obj, max_width=75, max_lines=5):
    """An object as at most ``max_lines`` lines of at most ``max_width``
    characters (for the --gc-after-test cycle report)."""
    import pprint

    try:
        text = pprint.pformat(obj)
    except Exception:
        text = f"{obj.__class__} instance at 0x{id(obj):x}"
    lines = text.split("\n", max_lines)
    if len(lines) > max_lines:
        lines[-1] = "..."
    return [line if len(line) <= max_width else line[: max_width - 3] + "..." for line in lines]


def _strongly_connected(nodes, edges):
    """Tarjan's algorithm, iteratively: the components with a cycle."""
    index = {}
    low = {}
    on_stack = set()
    stack = []
    found = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in edges[node]:
                        found.append(component)
    return found


def gc_cycles():
    """The cycles a test left: collected with DEBUG_SAVEALL, grouped into
    strongly connected components, each object as ``repr_lines``. Empties
    ``gc.garbage`` again."""
    import gc

    old = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        garbage = list(gc.garbage)
        del gc.garbage[:]
    finally:
        gc.set_debug(old)
    if not garbage:
        return None
    by_id = {id(o): o for o in garbage}
    edges = {
        key: [id(r) for r in gc.get_referents(o) if id(r) in by_id] for key, o in by_id.items()
    }
    cycles = [
        [repr_lines(by_id[key]) for key in component]
        for component in _strongly_connected(list(by_id), edges)
    ]
    del garbage, by_id, edges
    return cycles or None


def _suite_name_parts(filename):
    """The parts of a doctest file's path below the current directory, cut
    at the first directory with a dot in its name (zope's naming)."""
    import pathlib

    file_parts = pathlib.Path(filename).parts
    cwd_parts = pathlib.Path.cwd().parts
    common = 0
    for common in range(min(len(file_parts), len(cwd_parts))):
        if file_parts[common] != cwd_parts[common]:
            break
    if common >= len(file_parts) - 1:
        return [file_parts[-1]]
    parts = []
    for part in reversed(file_parts[common:-1]):
        if "." in part:
            break
        parts.insert(0, part)
    parts.append(file_parts[-1])
    return parts


def identity(test):
    """(id, suite, classname, name): ``test.id()`` and the JUnit names zope's
    ``--xml`` output gives the test."""
    test_id = test.id()
    doctest = sys.modules.get("doctest")
    if doctest is not None and isinstance(test, doctest.DocFileCase):
        parts = _suite_name_parts(test._dt_test.filename)
        return test_id, "doctest-" + "-".join(parts), ".".join(parts[:-1]), test._dt_test.name
    if doctest is not None and isinstance(test, doctest.DocTestCase):
        dotted = test._dt_test.name.split(".")
        suite = ".".join(dotted[:-1])
        return test_id, suite, suite, dotted[-1]
    manuel = sys.modules.get("manuel.testing")
    if manuel is not None and isinstance(test, manuel.TestCase):
        parts = _suite_name_parts(test.regions.location)
        return test_id, "manuel-" + "-".join(parts), ".".join(parts[:-1]), parts[-1]
    # A subtest is named after the test it belongs to (zope names it after
    # unittest's private _SubTest class and cuts its id in the wrong place).
    owner = test
    if type(test).__name__ == "_SubTest" and type(test).__module__ == "unittest.case":
        owner = test.test_case
    classname = f"{owner.__module__}.{owner.__class__.__name__}"
    name = test_id[len(classname) + 1 :] if test_id.startswith(classname + ".") else test_id
    return test_id, classname, classname, name
