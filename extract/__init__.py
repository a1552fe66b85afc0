"""planex: read published Japanese health-insurer plan PDFs into a typed SQLite database.

The pipeline flows one way, one module a stage:
``pdf`` (bytes → pages and lines) → ``normalize`` → ``store`` (SQLite), driven by ``loader``.
"""

__version__ = "0.4.0"
