"""The SQLite store: one database file, tables created through sqlite-utils.

Other tools and notebooks read these names, so they are part of the interface:

- ``documents`` (``id`` = SHA-256 of the file's bytes, ``file_name``, ``path``, ``sha256``, ``pages``,
  ``bytes``, ``title``, ``text_quality``, ``loaded_at``, ``planex_version``, ``truncated``: 1 for
  a file cut short, of which the pages that could be recovered were loaded)
- ``pages`` (``doc_id``, ``page_no``, ``text``, ``raw_text``, ``quality`` …)
- ``lines`` (``doc_id``, ``page_no``, ``line_no``, text, raw text, box, font size, bold, vertical,
  ``role`` (text, label, header), ``cell`` (JSON: table, row, col, spans and box, or null))
- ``load_errors`` (``file_name``, ``path``, ``sha256``, ``kind``, ``message``, ``at``): one row per
  file path that failed on its latest load.

Each document is written in one transaction, so an interrupted load never leaves half a
document behind; the database runs in WAL mode so readers are not blocked by a load.

The database records its schema version in SQLite's ``user_version`` (:data:`SCHEMA_VERSION`):
a database written by a newer planex is refused with a message instead of being misread or
changed (:func:`check_database`, :func:`open_db`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from extract import __version__, search_index
from extract.indicators import Catalogue, catalogue_from
from schemas.records import LoadError, ParsedDocument

DOCUMENTS = "documents"
PAGES = "pages"
LINES = "lines"
LOAD_ERRORS = "load_errors"
PLANS = "plans"
SECTIONS = "sections"
KPIS = "kpis"
PROGRAMS = "programs"
HEALTH_ISSUES = "health_issues"
SETTINGS = "settings"
"""One row per setting of the database (``key``, ``value``): ``indicators`` holds the user's
indicator catalogue (TOML) its KPI records were mapped with, ``indicators_source`` its file name."""
DERIVED_TABLES = [HEALTH_ISSUES, PROGRAMS, KPIS, SECTIONS, PLANS, LINES, PAGES]
"""Tables whose rows belong to one document (children first, for deletion)."""

SCHEMA_VERSION = 2
"""The database layout this planex writes, kept in ``PRAGMA user_version``; raise it with every
change of tables or columns (0: a database from before the version was recorded; 2: KPI records
gained ``indicator_rule``, ``population_norm`` and ``sources``, and the ``settings`` table came)."""
SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseProblem(Exception):
    """``--db`` names something planex cannot use; the message says what to do instead.

    ``usage`` is true when the argument itself is wrong (a missing file, a PDF, another
    program's database): the command line exits with status 2 then, and 1 otherwise.
    """

    def __init__(self, message: str, *, usage: bool) -> None:
        super().__init__(message)
        self.usage = usage


def check_database(path: str | Path, *, create: bool = False) -> None:
    """Raise :class:`DatabaseProblem` unless ``path`` is a planex database this planex can use.

    With ``create`` (``planex load``) a missing or empty file is fine: it becomes a new
    database, provided its folder exists. Reads nothing but the file's header and schema.
    """
    path = Path(path)
    make_one = f"create one with: planex load FOLDER --db {path}"
    if path.is_dir():
        raise DatabaseProblem(f"{path} is a folder, not a database file (--db names a file)", usage=True)
    if not path.exists():
        if create:
            if not path.parent.is_dir():
                raise DatabaseProblem(
                    f"no folder {path.parent} for the database {path.name} (create it first)", usage=True
                )
            return
        raise DatabaseProblem(f"no database at {path} ({make_one})", usage=True)
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseProblem(f"cannot read {path}: {exc.strerror or exc}", usage=False) from None
    if not head:
        if create:
            return
        raise DatabaseProblem(f"{path} is an empty file, not a planex database ({make_one})", usage=True)
    if head.startswith(b"%PDF-"):
        raise DatabaseProblem(
            f"{path} is a PDF, not a database: --db names the database file "
            f"(load PDFs with: planex load {path} --db plans.db)", usage=True,
        )  # fmt: skip
    if head != SQLITE_HEADER:
        raise DatabaseProblem(
            f"{path} is not an SQLite database: --db names a planex database file ({make_one})", usage=True
        )
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        try:
            version = conn.execute("pragma user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseProblem(
            f"cannot read the database {path}: {exc} (a damaged copy? load the PDFs again into a new --db)",
            usage=False,
        ) from None
    _check_version(path, version)
    if DOCUMENTS not in tables and (tables or not create):
        raise DatabaseProblem(
            f"{path} is an SQLite database but not a planex database (no '{DOCUMENTS}' table): "
            "choose another --db", usage=True,
        )  # fmt: skip


def _check_version(path: str | Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise DatabaseProblem(
            f"{path} was written by a newer planex (database schema {version}; this planex "
            f"{__version__} knows up to {SCHEMA_VERSION}): upgrade planex, or use another --db",
            usage=False,
        )


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


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) a planex database with every table in place.

    Raises :class:`DatabaseProblem` for a database written by a newer planex (schema version).
    """
    db = sqlite_utils.Database(path)
    try:
        _check_version(path, db.execute("pragma user_version").fetchone()[0])
        db.enable_wal()
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        ensure_schema(db)
    except BaseException:
        db.close()
        raise
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the tables, columns and indexes that do not exist yet, and record the schema version."""
    db[DOCUMENTS].create(
        {
            "id": str,
            "file_name": str,
            "path": str,
            "sha256": str,
            "pages": int,
            "bytes": int,
            "title": str,
            "text_quality": str,
            "loaded_at": str,
            "planex_version": str,
            "truncated": int,
        },
        pk="id",
        if_not_exists=True,
    )
    if "truncated" not in db[DOCUMENTS].columns_dict:  # a database from before schema 1
        db[DOCUMENTS].add_column("truncated", int)
    db[PAGES].create(
        {
            "doc_id": str,
            "page_no": int,
            "text": str,
            "raw_text": str,
            "quality": str,
            "reader": str,
            "garble_ratio": float,
            "width": float,
            "height": float,
        },
        pk=("doc_id", "page_no"),
        foreign_keys=[("doc_id", DOCUMENTS, "id")],
        if_not_exists=True,
    )
    db[LINES].create(
        {
            "doc_id": str,
            "page_no": int,
            "line_no": int,
            "text": str,
            "raw_text": str,
            "x0": float,
            "y0": float,
            "x1": float,
            "y1": float,
            "size": float,
            "bold": int,
            "vertical": int,
            "role": str,
            "cell": str,
        },
        pk=("doc_id", "page_no", "line_no"),
        foreign_keys=[("doc_id", DOCUMENTS, "id")],
        if_not_exists=True,
    )
    line_columns = {row[1] for row in db.execute(f"pragma table_info({LINES})").fetchall()}
    for column in ("role", "cell"):  # a database from before the reader knew table cells
        if column not in line_columns:
            db.execute(f"alter table {LINES} add column {column} text")
    db[LOAD_ERRORS].create(
        {"file_name": str, "path": str, "sha256": str, "kind": str, "message": str, "at": str},
        pk="path",
        if_not_exists=True,
    )
    db[PLANS].create(
        {
            "id": str,
            "doc_id": str,
            "number": int,
            "insurer": str,
            "insurer_type": str,
            "branch": str,
            "plan_type": str,
            "fiscal_year": int,
            "period_start": int,
            "period_end": int,
            "title": str,
            "page_start": int,
            "page_end": int,
            "garbled_pages": str,
        },
        pk="id",
        foreign_keys=[("doc_id", DOCUMENTS, "id")],
        if_not_exists=True,
    )
    db[SECTIONS].create(
        {
            "id": str,
            "plan_id": str,
            "parent_id": str,
            "level": int,
            "label": str,
            "heading": str,
            "path": str,
            "page_start": int,
            "page_end": int,
            "text": str,
            "doc_id": str,
        },
        pk="id",
        foreign_keys=[("plan_id", PLANS, "id"), ("doc_id", DOCUMENTS, "id")],
        if_not_exists=True,
    )
    db[KPIS].create(
        {
            "id": str,
            "doc_id": str,
            "plan_id": str,
            "page": int,
            "section": str,
            "program": str,
            "kind": str,
            "indicator": str,
            "indicator_id": str,
            "comparator": str,
            "value": float,
            "unit": str,
            "target_year": int,
            "baseline_value": float,
            "baseline_year": int,
            "actual_value": float,
            "population": str,
            "raw_text": str,
            "indicator_rule": str,
            "population_norm": str,
            "sources": str,
            "context": str,
        },
        pk="id",
        foreign_keys=[("plan_id", PLANS, "id"), ("doc_id", DOCUMENTS, "id")],
        if_not_exists=True,
    )
    kpi_columns = set(db[KPIS].columns_dict)
    for column in ("indicator_rule", "population_norm", "sources", "context"):  # from before schema 2
        if column not in kpi_columns:
            db[KPIS].add_column(column, str)
    db[SETTINGS].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db[PROGRAMS].create(
        {c: _SQL_TYPES.get(c, str) for c in PROGRAM_COLUMNS},
        pk="id",
        foreign_keys=[("plan_id", PLANS, "id"), ("doc_id", DOCUMENTS, "id")],
        if_not_exists=True,
    )
    db[HEALTH_ISSUES].create(
        {c: _SQL_TYPES.get(c, str) for c in HEALTH_ISSUE_COLUMNS},
        pk="id",
        foreign_keys=[("plan_id", PLANS, "id"), ("doc_id", DOCUMENTS, "id")],
        if_not_exists=True,
    )
    db[PROGRAMS].create_index(["doc_id"], if_not_exists=True)
    db[HEALTH_ISSUES].create_index(["doc_id"], if_not_exists=True)
    db[KPIS].create_index(["doc_id"], if_not_exists=True)
    db[KPIS].create_index(["indicator_id"], if_not_exists=True)
    db[KPIS].create_index(["indicator_id", "population_norm"], if_not_exists=True)
    db[PLANS].create_index(["doc_id"], if_not_exists=True)
    db[SECTIONS].create_index(["plan_id"], if_not_exists=True)
    db[SECTIONS].create_index(["doc_id"], if_not_exists=True)
    db[PAGES].create_index(["quality"], if_not_exists=True)
    db[LOAD_ERRORS].create_index(["kind"], if_not_exists=True)
    search_index.ensure_schema(db)  # sentences for full-text search (extract/search_index.py)
    if db.execute("pragma user_version").fetchone()[0] < SCHEMA_VERSION:
        db.execute(f"pragma user_version = {SCHEMA_VERSION}")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def known_ids(db: sqlite_utils.Database) -> set[str]:
    """Ids (content hashes) of the documents already loaded by this version of planex.

    A document loaded by another version is read again by the next load: a newer planex
    extracts more (programs came with 0.2.0), and the rerun replaces it whole.
    """
    sql = f"select id from {DOCUMENTS} where planex_version = ?"
    return {row[0] for row in db.execute(sql, [__version__]).fetchall()}


def delete_document(db: sqlite_utils.Database, doc_id: str) -> None:
    """Remove a document and everything derived from it (within the caller's transaction)."""
    search_index.delete_document(db, doc_id)
    for table in DERIVED_TABLES:
        db.execute(f"delete from {table} where doc_id = ?", [doc_id])
    db.execute(f"delete from {DOCUMENTS} where id = ?", [doc_id])


PLAN_COLUMNS = ("id", "doc_id", "number", "insurer", "insurer_type", "branch", "plan_type", "fiscal_year",
                "period_start", "period_end", "title", "page_start", "page_end", "garbled_pages")  # fmt: skip
SECTION_COLUMNS = ("id", "plan_id", "parent_id", "level", "label", "heading", "path", "page_start",
                   "page_end", "text", "doc_id")  # fmt: skip
KPI_COLUMNS = ("id", "doc_id", "plan_id", "page", "section", "program", "kind", "indicator",
               "indicator_id", "comparator", "value", "unit", "target_year", "baseline_value",
               "baseline_year", "actual_value", "population", "raw_text", "indicator_rule",
               "population_norm", "sources", "context")  # fmt: skip
PROGRAM_COLUMNS = ("id", "doc_id", "plan_id", "number", "source", "section", "page_start", "page_end", "name",
                   "category", "new", "key_program", "purpose", "summary", "population", "sex", "age_from",
                   "age_to", "sites", "budget_thousand_yen", "settled_thousand_yen", "method", "structure",
                   "actions", "evaluation", "status", "success_factors", "obstacles", "kpi_ids",
                   "raw_text")  # fmt: skip
HEALTH_ISSUE_COLUMNS = ("id", "doc_id", "plan_id", "number", "page", "section", "issue", "direction",
                        "priority", "programs", "program_ids", "raw_text")  # fmt: skip
LIST_COLUMNS = {"actions", "kpi_ids", "programs", "program_ids", "sources"}
"""Columns holding a list, stored as a JSON array (sqlite-utils and Datasette read them as such)."""
_SQL_TYPES: dict[str, type] = {
    "number": int, "page_start": int, "page_end": int, "page": int, "age_from": int, "age_to": int,
    "new": bool, "key_program": bool, "priority": bool, "budget_thousand_yen": float,
    "settled_thousand_yen": float,
}  # fmt: skip


def record_row(record: Any, columns: tuple[str, ...]) -> tuple:
    """A pydantic record as a row in ``columns`` order, lists as JSON text."""
    values = record.model_dump()
    return tuple(
        json.dumps(values[c], ensure_ascii=False) if c in LIST_COLUMNS else values[c] for c in columns
    )


PAGE_COLUMNS = ("doc_id", "page_no", "text", "raw_text", "quality", "reader", "garble_ratio", "width",
                "height")  # fmt: skip
LINE_COLUMNS = ("doc_id", "page_no", "line_no", "text", "raw_text", "x0", "y0", "x1", "y1", "size", "bold",
                "vertical", "role", "cell")  # fmt: skip


@dataclass
class DocumentRows:
    """A parsed document as rows ready to insert, table by table, in column order.

    Built in the worker process (:func:`document_rows`), so that the single writer, the parent,
    only executes inserts: rows pickle far faster than pydantic models.
    """

    doc_id: str
    sha256: str
    bytes: int
    title: str
    text_quality: str
    pages: int
    characters: int
    truncated: bool = False
    tables: dict[str, tuple[tuple[str, ...], list[tuple]]] = field(default_factory=dict)


def document_rows(parsed: ParsedDocument, catalogue: Catalogue | None = None) -> DocumentRows:
    """Rows of every table for one document: pages, lines, plans, sections and records (KPIs
    mapped with the indicator ``catalogue``, planex's own by default)."""
    from extract.plans import read_document  # the structure stage runs where the rows are built

    doc_id = parsed.id
    plan_rows, section_rows, kpi_rows, program_rows, issue_rows = [], [], [], [], []
    programs, issues, kpis = [], [], []
    for reading in read_document(parsed, catalogue=catalogue):
        plan, sections = reading.plan, reading.sections
        kpi_rows.extend(record_row(k, KPI_COLUMNS) for k in reading.kpis)
        program_rows.extend(record_row(p, PROGRAM_COLUMNS) for p in reading.programs)
        issue_rows.extend(record_row(h, HEALTH_ISSUE_COLUMNS) for h in reading.health_issues)
        section_ids = {s.path: s.id for s in sections}
        programs.extend((p, section_ids.get(p.section)) for p in reading.programs)
        issues.extend((h, section_ids.get(h.section)) for h in reading.health_issues)
        kpis.extend((k, section_ids.get(k.section)) for k in reading.kpis)
        values = plan.model_dump()
        values["garbled_pages"] = json.dumps(plan.garbled_pages)
        plan_rows.append(tuple(values[c] for c in PLAN_COLUMNS))
        section_rows.extend(
            (s.id, s.plan_id, s.parent_id, s.level, s.label, s.heading, s.path, s.page_start, s.page_end,
             s.text, doc_id)
            for s in sections
        )  # fmt: skip
    pages = [
        (doc_id, p.page_no, p.text, p.raw_text, p.quality, p.reader, p.garble_ratio, p.width, p.height)
        for p in parsed.pages
    ]
    lines = [
        (doc_id, p.page_no, n, ln.text, ln.raw_text, ln.x0, ln.y0, ln.x1, ln.y1, ln.size,
         int(ln.bold), int(ln.vertical), ln.role, ln.cell.model_dump_json() if ln.cell else None)
        for p in parsed.pages
        for n, ln in enumerate(p.lines, start=1)
    ]  # fmt: skip
    page_lines = search_index.parsed_page_lines(parsed.pages)
    sentences = search_index.section_sentence_rows(doc_id, page_lines, section_rows)
    sentences += search_index.record_sentence_rows(doc_id, parsed.pages, programs, issues, kpis, sentences)
    return DocumentRows(
        doc_id=doc_id,
        sha256=parsed.sha256,
        bytes=parsed.bytes,
        title=parsed.title,
        text_quality=parsed.text_quality,
        pages=len(parsed.pages),
        characters=sum(len(p.text) for p in parsed.pages),
        truncated=parsed.truncated,
        tables={
            PAGES: (PAGE_COLUMNS, pages),
            LINES: (LINE_COLUMNS, lines),
            PLANS: (PLAN_COLUMNS, plan_rows),
            SECTIONS: (SECTION_COLUMNS, section_rows),
            KPIS: (KPI_COLUMNS, kpi_rows),
            PROGRAMS: (PROGRAM_COLUMNS, program_rows),
            HEALTH_ISSUES: (HEALTH_ISSUE_COLUMNS, issue_rows),
            search_index.SENTENCES: (search_index.SENTENCE_COLUMNS, sentences),
        },
    )


def write_document(
    db: sqlite_utils.Database,
    parsed: ParsedDocument | DocumentRows,
    path: Path,
    error: LoadError | None = None,
) -> None:
    """Write one document, replacing an earlier copy, in a single transaction.

    ``error`` records, in the same transaction, why a stored document is still a failure (a scan
    with no text); otherwise any earlier error of this path is cleared.
    """
    rows = parsed if isinstance(parsed, DocumentRows) else document_rows(parsed)
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
            }
        )
        for table, (columns, values) in rows.tables.items():
            marks = ",".join("?" * len(columns))
            db.conn.executemany(f"insert into {table} ({','.join(columns)}) values ({marks})", values)
        search_index.index_document(db, rows.doc_id)  # the document's sentences into FTS5, in one go
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
        if not name.startswith(("sqlite_", search_index.INDEX)) and "_fts" not in name  # FTS tables are noise
    }

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


# --- the indicator catalogue -----------------------------------------------------------------------


def stored_catalogue(db: sqlite_utils.Database) -> Catalogue:
    """The indicator catalogue the database's KPI records are mapped with: planex's own, extended
    by the user's catalogue stored by ``planex load --indicators`` or ``planex kpis remap``."""
    if SETTINGS not in db.table_names():
        return catalogue_from()
    rows = dict(db.execute(f"select key, value from {SETTINGS} where key like 'indicators%'").fetchall())
    return catalogue_from(rows.get("indicators") or "", rows.get("indicators_source") or "")


def store_catalogue(db: sqlite_utils.Database, catalogue: Catalogue) -> None:
    """Keep the user's catalogue in the database, so that later loads map new documents alike."""
    with db.atomic():
        db.execute(f"delete from {SETTINGS} where key like 'indicators%'")
        if catalogue.user_text:
            db[SETTINGS].insert_all(
                [{"key": "indicators", "value": catalogue.user_text},
                 {"key": "indicators_source", "value": catalogue.user_source}],
                pk="key",
            )  # fmt: skip


@dataclass
class Remapped:
    """What ``planex kpis remap`` changed."""

    records: int = 0
    changed: int = 0
    mapped: int = 0


def remap_kpis(db: sqlite_utils.Database, catalogue: Catalogue) -> Remapped:
    """Map every stored KPI record again with ``catalogue`` (canonical id, rule, normalized
    population), from the columns the records keep — no PDF is read — in one transaction; the
    catalogue is stored with them (:func:`store_catalogue`)."""
    result = Remapped()
    updates = []
    rows = db.execute(
        f"select id, indicator, program, section, context, population, unit, comparator, indicator_id, "
        f"indicator_rule, population_norm from {KPIS}"
    ).fetchall()
    for ident, indicator, program, section, context, population, unit, comparator, *old in rows:
        match = catalogue.map(
            indicator or "", program=program, section=section or "", context=context, population=population,
            unit=unit or "", comparator=comparator or "",
        )  # fmt: skip
        new = (match.indicator_id or "", match.rule, match.population_norm)
        result.records += 1
        result.mapped += bool(match.indicator_id)
        if new != (old[0] or "", old[1], old[2]):
            result.changed += 1
            updates.append((*new, ident))
    with db.atomic():  # the records and the catalogue they were mapped with, together
        sql = f"update {KPIS} set indicator_id = ?, indicator_rule = ?, population_norm = ? where id = ?"
        db.conn.executemany(sql, updates)
        store_catalogue(db, catalogue)
    return result
