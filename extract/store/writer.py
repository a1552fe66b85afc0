"""Writing the database: one document per transaction, the errors of the files that failed, and
what is already there.

Each document is written in one transaction (:func:`write_document`), so an interrupted load
never leaves half a document behind. A document's id is its content hash; the documents this
version of planex loaded are skipped by the next load (:func:`known_ids`).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from extract import __version__
from extract.store import search_tables
from extract.store.rows import DocumentRows, document_rows
from extract.store.schema import DERIVED_TABLES, DOCUMENTS, LOAD_ERRORS, PAGES
from schemas.records import LoadError

if TYPE_CHECKING:
    from extract.pipeline import DocumentReading


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def newer_documents(db: sqlite_utils.Database) -> str | None:
    """The newest planex version that loaded a document, if newer than this one (a load would
    replace its readings with older ones)."""
    versions = [r[0] for r in db.execute(f"select distinct planex_version from {DOCUMENTS}") if r[0]]
    newest = max(versions, key=_version_key, default=None)
    if newest is not None and _version_key(newest) > _version_key(__version__):
        return newest
    return None


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def known_ids(db: sqlite_utils.Database, *, ocr: bool = False) -> set[str]:
    """Ids (content hashes) of the documents already loaded by this version of planex.

    A document loaded by another version is read again by the next load: a newer planex
    extracts more (programs came with 0.2.0), and the rerun replaces it whole. With ``ocr`` (a
    load with ``--ocr``), a document read without OCR that has pages without text is not known:
    reading it with OCR gives more. A document read with OCR stays known to a load without it
    (what OCR read is kept; ``--force`` reads it again as asked).
    """
    sql = f"select id from {DOCUMENTS} where planex_version = ?"
    if ocr:
        sql += (f" and (ocr = 1 or not exists (select 1 from {PAGES} p where p.doc_id = {DOCUMENTS}.id"
                " and p.quality = 'no_text'))")
    return {row[0] for row in db.execute(sql, [__version__]).fetchall()}


RETRIED_KINDS = ("timeout",)
"""Failures a rerun tries again: they depend on the machine (its load, the timeout given), not
only on the file's bytes. A crash of the reader is tried again too (see :data:`CRASHED`)."""
CRASHED = "the PDF reader crashed"
"""How a crashed reader's failure begins (kind ``malformed``): killed for memory, maybe."""


def known_failures(db: sqlite_utils.Database) -> dict[str, LoadError]:
    """Files that failed on an earlier load by this version of planex for a reason of their own
    (encrypted, empty, not a PDF, malformed, truncated), by content hash: reading the same bytes
    again with the same planex would fail the same way, so a rerun skips them (``--force`` does
    not). Timeouts and crashes of the reader are not listed: they are tried again."""
    rows = db.execute(
        f"select * from {LOAD_ERRORS} where planex_version = ? and sha256 is not null "
        f"and kind not in ({','.join('?' * len(RETRIED_KINDS))}) and substr(message, 1, ?) != ?",
        [__version__, *RETRIED_KINDS, len(CRASHED), CRASHED],
    )
    columns = [d[0] for d in rows.description]
    failures = (LoadError(**dict(zip(columns, row, strict=True))) for row in rows.fetchall())
    return {failure.sha256: failure for failure in failures if failure.sha256}


def delete_document(db: sqlite_utils.Database, doc_id: str) -> None:
    """Remove a document and everything derived from it (within the caller's transaction)."""
    search_tables.delete_document(db, doc_id)
    for table in DERIVED_TABLES:
        db.execute(f"delete from {table} where doc_id = ?", [doc_id])
    db.execute(f"delete from {DOCUMENTS} where id = ?", [doc_id])


def write_document(
    db: sqlite_utils.Database,
    document: DocumentReading | DocumentRows,
    path: Path,
    error: LoadError | None = None,
) -> None:
    """Write one document (its reading, or the rows of it), replacing an earlier copy, in a
    single transaction.

    ``error`` records, in the same transaction, why a stored document is still a failure (a scan
    with no text); otherwise any earlier error of this path is cleared.
    """
    rows = document if isinstance(document, DocumentRows) else document_rows(document)
    with db.atomic():
        delete_document(db, rows.doc_id)
        db[DOCUMENTS].insert(
            {
                "id": rows.doc_id,
                "file_name": path.name,
                "path": str(path),
                "sha256": rows.sha256,
                "pages": rows.pages,
                "bytes": rows.bytes,
                "title": rows.title,
                "text_quality": rows.text_quality,
                "loaded_at": now(),
                "planex_version": __version__,
                "truncated": int(rows.truncated),
                "ocr": int(rows.ocr),
            }
        )
        for table, (columns, values) in rows.tables.items():
            if table == search_tables.SENTENCES:  # each distinct sentence stored and indexed once
                assert columns == search_tables.SENTENCE_COLUMNS, columns
                search_tables.insert_sentences(db, values)
                continue
            marks = ",".join("?" * len(columns))
            db.conn.executemany(f"insert into {table} ({','.join(columns)}) values ({marks})", values)
        db.execute(f"delete from {LOAD_ERRORS} where path = ?", [str(path)])
        if error is not None:
            db[LOAD_ERRORS].insert(error.model_dump(mode="json"), pk="path")


def record_error(db: sqlite_utils.Database, error: LoadError) -> None:
    """Record (or update) the latest failure of a file; one row per path."""
    with db.atomic():
        db[LOAD_ERRORS].upsert(error.model_dump(mode="json"), pk="path")


def info(db: sqlite_utils.Database) -> dict[str, Any]:
    """Counts per table, per page quality, per document quality and per error kind, and how many
    documents were loaded from files cut short (``truncated``)."""
    tables = {
        name: db[name].count
        for name in db.table_names()
        if not name.startswith(("sqlite_", "search_")) and "_fts" not in name  # FTS tables are noise
    }
    # the search index: its sentences as they stand in the plans, and the distinct ones indexed
    for name in (search_tables.SENTENCES, search_tables.TEXTS):
        tables[name] = db.execute(f"select count(*) from {name}").fetchone()[0]

    def tally(sql: str) -> dict[str, int]:
        return dict(Counter({row[0]: row[1] for row in db.execute(sql).fetchall()}))

    return {
        "tables": tables,
        "pages_by_quality": tally(f"select quality, count(*) from {PAGES} group by quality"),
        "documents_by_quality": tally(
            f"select text_quality, count(*) from {DOCUMENTS} group by text_quality"
        ),
        "errors_by_kind": tally(f"select kind, count(*) from {LOAD_ERRORS} group by kind"),
        "documents_truncated": db.execute(f"select count(*) from {DOCUMENTS} where truncated").fetchone()[0],
    }
