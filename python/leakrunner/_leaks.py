"""What leak hunting needs of Python between iterations.

``clear_caches`` empties the caches the interpreter and the standard library
fill as tests run, so that a cache filling up is not read as a leak. Only
modules already imported are touched: importing one here would itself show
as growth.
"""

import sys


def _clear_abc_caches():
    # Runs after every iteration over every class of the process: the loop
    # is kept to the bare minimum (bound methods, one id() per class).
    abc = sys.modules.get("abc")
    if abc is None:
        return
    meta = abc.ABCMeta
    subclasses = type.__subclasses__  # a metaclass may override __subclasses__
    seen = set()
    stack = [object]
    pop, push, mark = stack.pop, stack.append, seen.add
    while stack:
        for sub in subclasses(pop()):
            key = id(sub)
            if key in seen:
                continue
            mark(key)
            push(sub)
            if isinstance(sub, meta):
                clear = getattr(sub, "_abc_caches_clear", None)
                if clear is not None:
                    try:
                        clear()
                    except Exception:  # noqa: BLE001 - a broken ABC must not stop the hunt
                        pass


def _call(module_name, attribute, *path):
    module = sys.modules.get(module_name)
    if module is None:
        return
    target = getattr(module, attribute, None)
    for name in path:
        target = getattr(target, name, None)
    if callable(target):
        try:
            target()
        except Exception:  # noqa: BLE001 - best effort, as for every cache here
            pass


def clear_caches():
    """Empty the known caches, as CPython's own leak hunt does between runs."""
    _call("re", "purge")
    _call("struct", "_clearcache")
    _call("linecache", "clearcache")
    _call("fnmatch", "_compile", "cache_clear")
    _call("urllib.parse", "clear_cache")
    _call("ctypes", "_reset_cache")
    _call("importlib", "invalidate_caches")
    _call("filecmp", "clear_cache")
    _call("zipimport", "_zip_directory_cache", "clear")
    _call("functools", "_find_impl", "cache_clear")
    typing = sys.modules.get("typing")
    if typing is not None:
        for cleanup in getattr(typing, "_cleanups", ()):
            try:
                cleanup()
            except Exception:  # noqa: BLE001
                pass
    inspect = sys.modules.get("inspect")
    if inspect is not None:
        for name in ("_filesbymodname", "modulesbyfile"):
            cache = getattr(inspect, name, None)
            if isinstance(cache, dict):
                cache.clear()
    doctest = sys.modules.get("doctest")
    if doctest is not None:
        doctest.master = None
    _clear_abc_caches()
    clear_type_cache = getattr(sys, "_clear_internal_caches", None) or getattr(
        sys, "_clear_type_cache", None
    )
    if clear_type_cache is not None:
        clear_type_cache()


def thread_count():
    """Live Python threads (0 when threading was never imported)."""
    threading = sys.modules.get("threading")
    return threading.active_count() if threading is not None else 1
