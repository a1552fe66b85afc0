"""Browse a planex database in Datasette: titles, column descriptions, Japanese search, canned queries.

``planex serve --db plans.db`` runs Datasette in this process (uvicorn, 127.0.0.1 by default)
with three things a bare ``datasette plans.db`` lacks:

- **metadata** (``extract.use.serve_metadata.datasette_metadata``): a title and description for
  every planex table and column descriptions taken from the pydantic models in ``schemas/``
  (hand-written only where a model has none). Table-driven: a table absent from the database
  (``programs`` and ``health_issues`` in an older one) is left out, and so is a column.
- **a plugin** (``extract.use.serve_functions.PlanexPlugin``, registered in-process, no
  ``--plugins-dir``) whose ``prepare_connection`` hook adds SQL functions to every connection:
  ``planex_match(q)`` turns a user's query into our FTS5 MATCH expression
  (``extract.use.search.parse_query`` + ``to_match``), ``planex_snippet``,
  ``planex_heading_score``, ``planex_indicator_id`` and ``planex_target``.
- **canned queries** (``extract.use.serve_queries.canned_queries``): search sentences, KPI
  targets of an indicator across plans, one measure compared across plans, and the list of
  indicators.
- **pages of its own** (``extract.use.serve_evidence.EvidencePlugin``): every record's evidence
  (its page drawn with its lines boxed, beside its fields, and the original PDF), linked from
  every KPI, program, health issue, section and search hit; the search page an analyst expects
  (``extract.use.serve_search``: filters with counts, the words marked, no SQL); a plan against
  its previous version (``extract.use.serve_diff``).

Why canned queries, and not just Datasette's search box: the FTS5 index ``search_index`` holds
Python-made character bigrams (``extract.store.bigrams``), not words, so the text a user types must
be turned into a phrase of bigrams before it reaches MATCH. Datasette's table search
(``?_search=``) wraps each space-separated word in quotes (``escape_fts``) and matches that:
受診勧奨 becomes the single token "受診勧奨", which is in no row (the rows hold the bigrams 受診 診勧 勧奨).
The plugin therefore also replaces ``escape_fts`` with ``planex_match`` on the connections of
the served database, so the search box of ``search_sentences`` (configured with
``fts_table``/``fts_pk``) works — but a table page can only filter rows of that one table, in
row order, with bigram token columns on show. The canned ``search`` query ranks by bm25 and
joins each sentence with its plan and section path, which is what a reader wants; the KPI and
comparison questions span several tables and need Python (indicator spellings, heading
similarity), so they are canned queries too.

Datasette 0.65 (the current stable release) reads everything — titles, ``fts_table``, canned
queries — from metadata; Datasette 1.0 moves configuration to ``datasette.yaml``, hence the
``<1`` pin in pyproject.toml.
"""

from __future__ import annotations

import errno
import os
import socket
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

import sqlite_utils

from extract import store
from extract.use.serve_evidence import TEMPLATES, registered_pages
from extract.use.serve_functions import quiet_client_errors, registered_plugin
from extract.use.serve_metadata import datasette_metadata

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
DEFAULT_SETTINGS: dict[str, Any] = {"sql_time_limit_ms": 5000}
"""Datasette's default of one second is short for ranking every match of a common word."""


class ServeError(RuntimeError):
    """The database cannot be served; the message tells the user why."""


def check_database(db_path: str | Path) -> Path:
    """The database's path, if it is a planex database this planex can read as it is;
    :class:`ServeError` otherwise (missing, not SQLite, another program's database, from a newer
    planex, or from an older one that must be converted first: see ``store.check_database``).
    Nothing is written: the file may be a shared, read-only copy."""
    path = Path(db_path)
    try:
        store.check_database(path)
        with closing(store.connect_read_only(path)) as conn:
            names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    except store.DatabaseProblem as exc:
        raise ServeError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise ServeError(f"{path} is not an SQLite database ({exc})") from None
    if store.PLANS not in names:
        raise ServeError(f"{path} is not a planex database (no '{store.PLANS}' table)")
    return path


def build_datasette(db_path: str | Path, settings: Mapping[str, Any] | None = None):
    """A Datasette instance serving the database with planex metadata (the plugin must be
    registered while it runs: :func:`registered_plugin`). Returns ``(datasette, name)``.

    Datasette opens a database it may change with ``mode=ro`` for reading; where the file or its
    folder cannot be written (a read-only share), it is served as immutable instead, which is
    the only way SQLite reads a WAL database whose ``-shm`` file it cannot create.
    """
    from datasette.app import Datasette

    path = check_database(db_path)
    name = path.stem
    served = str(path.resolve())
    writable = os.access(path.resolve().parent, os.W_OK) and os.access(path, os.W_OK)
    ds = Datasette(
        [served] if writable else [],
        immutables=[] if writable else [served],
        metadata=datasette_metadata(path, name),
        settings={**DEFAULT_SETTINGS, **(settings or {})},
        template_dir=str(TEMPLATES),
    )
    if name not in ds.databases:  # e.g. a file called _memory.db
        raise ServeError(f"Datasette names this database {list(ds.databases)}; rename the file")
    return ds, name


def _check_port(host: str, port: int) -> None:
    """Fail early, with a readable message, if the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            why = "in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise ServeError(f"cannot listen on {host}:{port}: {why} (try another --port)") from None


def serve(
    db_path: str | Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "info",
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the database with Datasette at ``http://host:port/`` until interrupted (Ctrl-C).

    In this process: uvicorn runs Datasette's ASGI app, as ``datasette serve`` does, and the
    plugin is registered with Datasette's plugin manager for as long as the server runs. The
    database is opened read-only. ``on_ready`` is called with the database's URL before serving.
    """
    import uvicorn

    ds, name = build_datasette(db_path, settings)
    _check_port(host, port)
    with closing(store.connect_read_only(db_path)) as conn:  # the catalogue the database keeps
        catalogue = store.stored_catalogue(sqlite_utils.Database(conn))
    with registered_plugin({name}, catalogue), registered_pages(name), quiet_client_errors():
        if on_ready is not None:
            shown = f"[{host}]" if ":" in host else host
            on_ready(f"http://{shown}:{port}/{name}")
        uvicorn.run(ds.app(), host=host, port=port, log_level=log_level, lifespan="on")
