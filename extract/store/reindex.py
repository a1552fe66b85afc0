"""Rebuild the search index from what the database holds (``planex reindex``).

For a database loaded before the index existed, or after the tokenizer changed: the sentences are
made again from the stored ``sections``, ``lines``, ``pages``, ``programs``, ``health_issues`` and
``kpis`` rows, the way the loader makes them from a reading (``extract.store.search_index``).
"""

from __future__ import annotations

import json

import sqlite_utils

from extract.store import schema
from extract.store.search_index import (
    INDEX,
    SENTENCE_COLUMNS,
    SENTENCES,
    TRIGGERS,
    PageLine,
    ensure_schema,
    record_sentence_rows,
    section_sentence_rows,
)
from schemas.kpis import Kpi
from schemas.programs import HealthIssue, Program
from schemas.records import Page


def rebuild_index(db: sqlite_utils.Database) -> int:
    """Rebuild every document's sentences from the ``sections``, ``lines``, ``programs`` and
    ``health_issues`` tables.

    For databases loaded before the index existed, or after the tokenizer changed. In one
    transaction; the triggers are set aside meanwhile and FTS5 rebuilds its index from the
    sentence table in one pass, which is much faster than row by row. Returns the number of
    sentences indexed.
    """
    ensure_schema(db)
    columns = ",".join(schema.SECTION_COLUMNS)
    marks = ",".join("?" * len(SENTENCE_COLUMNS))
    insert = f"insert into {SENTENCES} ({','.join(SENTENCE_COLUMNS)}) values ({marks})"
    total = 0
    with db.atomic():
        for suffix in ("ad", "au"):
            db.execute(f"drop trigger if exists {SENTENCES}_{suffix}")
        db.execute(f"delete from {SENTENCES}")
        for (doc_id,) in db.execute(f"select id from {schema.DOCUMENTS} order by id").fetchall():
            lines = [
                PageLine(page, (text or "").strip(), x1, size, bool(vertical))
                for page, text, x1, size, vertical in db.execute(
                    f"select l.page_no, l.text, l.x1, l.size, l.vertical from {schema.LINES} l "
                    f"join {schema.PAGES} p on p.doc_id = l.doc_id and p.page_no = l.page_no "
                    "where l.doc_id = ? and p.quality != 'garbled' order by l.page_no, l.line_no",
                    [doc_id],
                )
            ]
            sections = db.execute(
                f"select {columns} from {schema.SECTIONS} where doc_id = ? order by rowid", [doc_id]
            ).fetchall()
            rows = section_sentence_rows(doc_id, lines, sections)
            ids = {path: sid for sid, _plan, _parent, _level, _label, _heading, path, *_ in sections}
            stored_pages = db.execute(f"select page_no, text from {schema.PAGES} where doc_id=?", [doc_id])
            pages = [Page.model_construct(page_no=n, text=text or "") for n, text in stored_pages]
            programs = _stored(db, schema.PROGRAMS, Program, doc_id, ids)
            issues = _stored(db, schema.HEALTH_ISSUES, HealthIssue, doc_id, ids)
            kpis = _stored(db, schema.KPIS, Kpi, doc_id, ids)
            rows += record_sentence_rows(doc_id, pages, programs, issues, kpis, rows)
            db.conn.executemany(insert, rows)
            total += len(rows)
        db.execute(f"insert into {INDEX}({INDEX}) values ('rebuild')")
        for trigger in TRIGGERS:
            db.execute(trigger)
    return total


def _stored(
    db: sqlite_utils.Database, table: str, model: type, doc_id: str, section_ids: dict
) -> list[tuple]:
    """A document's stored records of ``table`` as (model, section id) pairs."""
    if table not in db.table_names():
        return []
    found = []
    for row in db.query(f"select * from {table} where doc_id = ? order by rowid", [doc_id]):
        for name in schema.LIST_COLUMNS & row.keys():
            row[name] = json.loads(row[name] or "[]")
        record = model.model_validate(row)
        found.append((record, section_ids.get(record.section)))
    return found
