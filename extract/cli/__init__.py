"""The command line: arguments in; the library's records and messages printed or written out (the
``planex`` command, a thin layer over ``extract.use`` and ``extract.store``).

``common`` holds the app, the consoles, ``--db`` and the one-line errors; each other module holds
a group of commands and registers them on import, in the order ``planex --help`` lists them.
"""

# isort: off
from extract.cli import load  # noqa: F401  load, info, documents
from extract.cli import browse  # noqa: F401  plans, show, programs
from extract.cli import search  # noqa: F401  search, compare, reindex, serve
from extract.cli import diff  # noqa: F401  diff
from extract.cli import export  # noqa: F401  the kpis and export groups
from extract.cli.common import app
# isort: on

__all__ = ["app"]
