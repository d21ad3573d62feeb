"""test_suite() itself raises (the traceback is dropped in the report)."""


def test_suite():
    raise RuntimeError('cannot build the suite')
