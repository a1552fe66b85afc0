"""planex: read published Japanese health-insurer plan PDFs into a typed SQLite database.

The pipeline flows one way, one package a stage (README, "How planex is built"):
``read`` (bytes → pages, lines, cells, normalized text) → ``structure`` (plans, metadata,
section trees) → ``records`` (KPIs, programs, health issues) — run in order by
``pipeline.read_document`` — → ``store`` (rows in SQLite, the search index) → ``use`` (bulk
loading, search, compare, exports, Datasette) → ``cli`` (the ``planex`` command). ``evaluate``
scores readings against hand-written gold. Record types live in ``schemas``.
"""

__version__ = "0.5.0"
