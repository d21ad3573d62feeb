"""A package whose __path__ is extended with ../knit-ins.

knit-ins/ is not an identifier, so the directory walk under --path never
enters it.  Its modules are importable as annex.<name>, and
``--package-path testrunner-ex/knit-ins annex`` makes the runner search it
for tests and name the modules annex.<...>.
"""

import os

__path__.append(
    os.path.normpath(os.path.join(os.path.dirname(__file__), os.pardir,
                                  'knit-ins')))
