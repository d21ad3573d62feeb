"""Imported lazily by lazy_import's test, the first time it runs."""

TABLE = {i: str(i) for i in range(200)}


class Thing:
    pass


THINGS = [Thing() for _ in range(10)]
