"""planex: read published Japanese health-insurer plan PDFs into a typed SQLite database.

The pipeline flows one way, one package a stage (docs/internals.md, "The stages"):
``read`` (bytes → pages, lines, cells, normalized text) → ``structure`` (plans, metadata,
section trees) → ``records`` (KPIs, programs, health issues) — run in order by
``pipeline.read_document`` — → ``store`` (rows in SQLite, the search index) → ``use`` (bulk
loading, search, compare, exports, Datasette) → ``cli`` (the ``planex`` command). ``evaluate``
scores readings against hand-written gold. Record types live in ``schemas``.
"""

__version__ = "0.5.0"


def _import_sqlite_utils_lean() -> None:
    """Import sqlite-utils without pandas and NumPy, which it imports whenever they are installed.

    It uses them for one thing: to name the SQL type of a pandas or NumPy value in a table it
    creates by guessing. planex never hands it either (its tables have declared columns, its
    values are Python's), yet the two cost about 0.4 s of every command's start (``make bench``
    measures ``planex search`` from a cold start), more than the search itself. They are hidden
    during that one import only; any later ``import pandas`` works as usual.
    """
    import sys

    if "sqlite_utils" in sys.modules:
        return
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # its import raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


_import_sqlite_utils_lean()
