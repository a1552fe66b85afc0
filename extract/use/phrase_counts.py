"""A phrase's number of sentences — bm25's IDF of it — counted beside the search that needs it.

FTS5 counts the sentences of a phrase of two tokens or more by reading its matches: 30–80 ms for
the commonest phrases at a plan cycle's scale, most of what a search for one of them costs. The
best sentences of a query with one phrase to rank do not depend on it (bm25 multiplies every
score by the same IDF), so :mod:`extract.use.ranking` ranks them with an IDF of 1 while the count
runs in threads of their own, each on a connection of its own over half of the sentences
(shorter and longer than the average; SQLite lets go of Python's lock while it reads, so they
share the machine's cores), and scales the ranks when all are done.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

import sqlite_utils

from extract.store.schema import connect_read_only
from extract.store.search_tables import INDEX
from extract.store.search_terms import LENGTH_SHIFT

THREADS = 2
"""Threads counting, each over its share of the sentences (this machine has two cores)."""
_POOL = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="planex-phrase-count")


def database_file(db: sqlite_utils.Database) -> str | None:
    """The file of the database's main schema (``None``: a database in memory)."""
    row = db.execute("pragma database_list").fetchone()
    return row[2] or None if row else None


def count_beside(db: sqlite_utils.Database, match: str, split_length: int) -> Callable[[], int] | None:
    """A call giving the number of sentences matching ``match``, counted meanwhile in other
    threads, those shorter than ``split_length`` tokens in one and the others in the other;
    ``None`` where another connection would not see what this one sees (a transaction of its
    own is open, or the database is in memory): the caller counts it itself."""
    if db.conn.in_transaction:
        return None
    path = database_file(db)
    if path is None:
        return None
    split = max(split_length, 1) << LENGTH_SHIFT
    parts = [_POOL.submit(_count, path, match, "m.rowid < ?", split),
             _POOL.submit(_count, path, match, "m.rowid >= ?", split)]  # fmt: skip
    return lambda: sum(part.result() for part in parts)


def _count(path: str, match: str, where: str, split: int) -> int:
    """The count on a connection opened for it and closed after (about a millisecond): one kept
    open would outlive the caller's and hold the database's write-ahead log, which a file
    copied, deleted or made again in its place would then read."""
    with closing(connect_read_only(path)) as conn:
        sql = f"select count(*) from {INDEX} m where {INDEX} match ? and {where}"
        return conn.execute(sql, [match, split]).fetchone()[0]
