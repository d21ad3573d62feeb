"""side-path/ is skipped by the walk under --path testrunner-ex (its name is
not an identifier).  Use it as its own test root:

--path testrunner-ex/side-path       found and importable
--test-path testrunner-ex/side-path  found but not on sys.path: the import
                                     fails (ModuleNotFoundError)
"""
