"""A phrase's sentences counted beside the search (``extract.use.phrase_counts``), on the corpus
loaded by the real loader: the count is FTS5's own, and none is made where another connection
would not see what the search's connection sees."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlite_utils

from extract import store
from extract.use import phrase_counts


def fts5_count(db: sqlite_utils.Database, match: str) -> int:
    return db.execute("select count(*) from search_index where search_index match ?", [match]).fetchone()[0]


def test_a_phrase_is_counted_beside_as_fts5_counts_it(db: sqlite_utils.Database) -> None:
    for match in ('"受診 診勧 勧奨"', '"保健 健指 指導"', '"ジェ ェネ ネリ リッ ック"'):
        counting = phrase_counts.count_beside(db, match, 20)
        assert counting is not None
        assert counting() == fts5_count(db, match) > 0, match


def test_a_read_only_database_is_counted_on_a_read_only_connection(db_path: Path) -> None:
    reader = store.open_db(db_path, read_only=True)
    counting = phrase_counts.count_beside(reader, '"受診 診勧 勧奨"', 20)
    assert counting is not None and counting() == fts5_count(reader, '"受診 診勧 勧奨"')
    reader.close()


def test_nothing_is_counted_beside_an_open_transaction_or_a_database_in_memory(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "t.db")
    with db.atomic():
        db.execute("insert into settings (key, value) values ('x', 'y')")
        assert phrase_counts.count_beside(db, '"健診"', 20) is None  # another connection would not see it
    assert phrase_counts.count_beside(db, '"健診"', 20) is not None
    db.close()
    memory = sqlite_utils.Database(memory=True)
    assert phrase_counts.database_file(memory) is None
    assert phrase_counts.count_beside(memory, '"健診"', 20) is None


def test_no_connection_outlives_the_search(db_path: Path, tmp_path: Path) -> None:
    """A counting connection kept open would hold the write-ahead log of a database its caller
    has closed: a file made again in its place (a copy, a reload) would then read the old log."""
    from extract.use.search import search

    copy = tmp_path / "copy.db"
    shutil.copy(db_path, copy)
    db = store.open_db(copy)
    assert search(db, "受診勧奨", limit=5)  # a phrase of three tokens: counted beside
    db.close()
    assert not Path(f"{copy}-wal").exists() and not Path(f"{copy}-shm").exists()
