"""The pure-Python census leakrunner's Rust census is measured against.

``TrackRefs`` is zope.testrunner 8.3's ``zope.testrunner.refcount.TrackRefs``
with only what Python 3 needs fixed: no ``types.InstanceType`` (old-style
classes are gone, so every object is keyed by ``type(o)``), and builtins
titled by their bare name (their ``__module__`` is ``'builtins'``, not
``'__builtin__'``). Everything else is zope's: one ``gc.collect()``, one
``sys.getobjects(0)``, ``sys.getrefcount(o) - 3`` per object, the
``'<dummy key>'`` skip, counts keyed by type, and the sorted delta of
(title, instances, refs) against the previous census.

zope.testrunner's own ``-r -v`` cannot run on Python 3
(``types.InstanceType`` is gone), so this is the stand-in for it. Run as a
script, this module runs zope.testrunner with ``TrackRefs`` replaced by this
one: ``python bench/pytrackrefs.py <zope.testrunner arguments>``.
"""

import gc
import sys


class TrackRefs:
    """Object to track reference counts across test runs."""

    def __init__(self):
        self.type2count = {}
        self.type2all = {}
        self.delta = None
        self.n = 0
        self.update()
        self.delta = None

    def update(self):
        gc.collect()
        self.census()

    def census(self):
        """All of ``update`` after its ``gc.collect()``."""
        obs = sys.getobjects(0)
        type2count = {}
        type2all = {}
        n = 0
        for o in obs:
            if type(o) is str and o == "<dummy key>":
                # avoid dictionary madness
                continue

            all = sys.getrefcount(o) - 3
            n += all

            t = type(o)

            if t in type2count:
                type2count[t] += 1
                type2all[t] += all
            else:
                type2count[t] = 1
                type2all[t] = all

        ct = [
            (
                type_or_class_title(t),
                type2count[t] - self.type2count.get(t, 0),
                type2all[t] - self.type2all.get(t, 0),
            )
            for t in type2count
        ]
        ct += [
            (
                type_or_class_title(t),
                -self.type2count[t],
                -self.type2all[t],
            )
            for t in self.type2count
            if t not in type2count
        ]
        ct.sort()
        self.delta = ct
        self.type2count = type2count
        self.type2all = type2all
        self.n = n

    def output(self):
        printed = False
        s1 = s2 = 0
        for t, delta1, delta2 in self.delta:
            if delta1 or delta2:
                if not printed:
                    print("    Leak details, changes in instances and refcounts by type/class:")
                    print("    %-55s %6s %6s" % ("type/class", "insts", "refs"))
                    print("    %-55s %6s %6s" % ("-" * 55, "-----", "----"))
                    printed = True
                print("    %-55s %6d %6d" % (t, delta1, delta2))
                s1 += delta1
                s2 += delta2

        if printed:
            print("    %-55s %6s %6s" % ("-" * 55, "-----", "----"))
            print("    %-55s %6s %6s" % ("total", s1, s2))

        self.delta = None


def type_or_class_title(t):
    module = getattr(t, "__module__", "builtins")
    if module in ("builtins", "__builtin__"):
        return t.__name__
    return f"{module}.{t.__name__}"


def main():
    import zope.testrunner
    import zope.testrunner.refcount
    import zope.testrunner.runner

    zope.testrunner.refcount.TrackRefs = TrackRefs
    zope.testrunner.runner.TrackRefs = TrackRefs
    sys.argv[0] = "zope-testrunner"
    zope.testrunner.run()


if __name__ == "__main__":
    main()
