"""Rebuild the search index from what the database holds (``planex reindex``).

For a database loaded before the index existed, or after the tokenizer or the sentence rules
changed: the sentences are made again from the stored ``sections``, ``lines``, ``pages``,
``programs``, ``health_issues`` and ``kpis`` rows, the way the loader makes them from a reading
(``extract.store.search_index``), and stored as the writer stores them
(``extract.store.search_tables``).
"""

from __future__ import annotations

import json

import sqlite_utils

from extract.store import schema, search_tables
from extract.store.search_index import PageLine, record_sentence_rows, section_sentence_rows
from schemas.kpis import Kpi
from schemas.programs import HealthIssue, Program
from schemas.records import Page


def rebuild_index(db: sqlite_utils.Database) -> int:
    """Rebuild every document's sentences from the ``sections``, ``lines``, ``programs``,
    ``health_issues`` and ``kpis`` tables.

    In one transaction; the triggers are set aside meanwhile and FTS5 rebuilds its index from the
    sentence table in one pass, which is much faster than row by row. Returns the number of
    sentences (places) indexed.
    """
    schema.ensure_schema(db)
    total = 0
    with db.atomic():
        order = db.execute(  # the order they were loaded in, so equal scores keep their order
            f"select d.id from {schema.DOCUMENTS} d left join (select doc_id, min(key) as first "
            f"from {search_tables.PLAN_KEYS} group by doc_id) k on k.doc_id = d.id "
            "order by k.first is null, k.first, d.id"
        ).fetchall()
        search_tables.clear(db)
        for (doc_id,) in order:
            rows = stored_sentence_rows(db, doc_id)
            search_tables.insert_sentences(db, rows, index=False)
            total += len(rows)
        search_tables.finish_rebuild(db)
    return total


def stored_lines(
    db: sqlite_utils.Database, doc_id: str, pages: tuple[int, int] | None = None
) -> list[PageLine]:
    """A document's lines on its readable pages (those from ``pages[0]`` to ``pages[1]`` if
    given), in page order (as ``parsed_page_lines`` reads a parsed document)."""
    lines = []
    first, last = pages or (0, 1 << 30)
    for page, text, x1, size, vertical, y0, y1, cell in db.execute(
        f"select l.page_no, l.text, l.x1, l.size, l.vertical, l.y0, l.y1, l.cell from {schema.LINES} l "
        f"join {schema.PAGES} p on p.doc_id = l.doc_id and p.page_no = l.page_no "
        "where l.doc_id = ? and p.quality != 'garbled' and l.page_no between ? and ? "
        "order by l.page_no, l.line_no",
        [doc_id, first, last],
    ):
        box = json.loads(cell) if cell else None
        where = (box["table"], box["row"], box["col"]) if box else None
        text = (text or "").strip()
        lines.append(PageLine(page, text, x1, size, bool(vertical), where, y0 or 0.0, y1 or 0.0))
    return lines


def stored_sentence_rows(db: sqlite_utils.Database, doc_id: str) -> list[tuple]:
    """A stored document's sentence rows (``search_tables.SENTENCE_COLUMNS``), made again."""
    lines = stored_lines(db, doc_id)
    columns = ",".join(schema.SECTION_COLUMNS)
    sections = db.execute(
        f"select {columns} from {schema.SECTIONS} where doc_id = ? order by rowid", [doc_id]
    ).fetchall()
    rows = section_sentence_rows(doc_id, lines, sections)
    ids = {(plan, path): sid for sid, plan, _parent, _level, _label, _heading, path, *_ in sections}
    stored_pages = db.execute(f"select page_no, text from {schema.PAGES} where doc_id=?", [doc_id])
    pages = [Page.model_construct(page_no=n, text=text or "") for n, text in stored_pages]
    programs = _stored(db, schema.PROGRAMS, Program, doc_id, ids)
    issues = _stored(db, schema.HEALTH_ISSUES, HealthIssue, doc_id, ids)
    kpis = _stored(db, schema.KPIS, Kpi, doc_id, ids)
    return rows + record_sentence_rows(doc_id, pages, programs, issues, kpis, rows, lines)


def _stored(
    db: sqlite_utils.Database, table: str, model: type, doc_id: str, section_ids: dict
) -> list[tuple]:
    """A document's stored records of ``table`` as (model, section id) pairs; ``section_ids`` maps
    (plan id, section path) to the section's id, as the loader maps each plan's own paths."""
    if table not in db.table_names():
        return []
    found = []
    for row in db.query(f"select * from {table} where doc_id = ? order by rowid", [doc_id]):
        for name in schema.LIST_COLUMNS & row.keys():
            row[name] = json.loads(row[name] or "[]")
        record = model.model_validate(row)
        found.append((record, section_ids.get((record.plan_id, record.section))))  # paths repeat per plan
    return found
