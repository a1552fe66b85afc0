"""The database's tables: their names and columns, created through sqlite-utils, and the checks
that a file is a planex database this planex can use.

Other tools and notebooks read these names, so they are part of the interface:

- ``documents`` (``id`` = SHA-256 of the file's bytes, ``file_name``, ``path``, ``sha256``, ``pages``,
  ``bytes``, ``title``, ``text_quality``, ``loaded_at``, ``planex_version``, ``truncated``: 1 for
  a file cut short, of which the pages that could be recovered were loaded)
- ``pages`` (``doc_id``, ``page_no``, ``text``, ``raw_text``, ``quality`` …)
- ``lines`` (``doc_id``, ``page_no``, ``line_no``, text, raw text, box, font size, bold, vertical,
  ``role`` (text, label, header), ``cell`` (JSON: table, row, col, spans and box, or null))
- ``load_errors`` (``file_name``, ``path``, ``sha256``, ``kind``, ``message``, ``at``,
  ``planex_version``): one row per file path that failed on its latest load.
- ``plans``, ``sections``, ``kpis``, ``programs``, ``health_issues``: the records, in the columns
  below; the search tables are ``extract.store.search_tables``'s.
- ``evidence`` (``kind``, ``ref_id``, ``doc_id``, ``page_no``, ``line_no``): the lines each section
  and record was read from (``extract.store.evidence_lines``).

The database runs in WAL mode so readers are not blocked by a load. It records its schema version
in SQLite's ``user_version`` (:data:`SCHEMA_VERSION`): a database written by a newer planex is
refused with a message instead of being misread or changed (:func:`check_database`,
:func:`open_db`).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from extract import __version__
from extract.store import evidence_lines, search_tables

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
EVIDENCE = evidence_lines.EVIDENCE
"""One row per (record, line it was read from): ``extract.store.evidence_lines``."""
DERIVED_TABLES = [EVIDENCE, HEALTH_ISSUES, PROGRAMS, KPIS, SECTIONS, PLANS, LINES, PAGES]
"""Tables whose rows belong to one document (children first, for deletion)."""

SCHEMA_VERSION = 8
"""The database layout this planex writes, kept in ``PRAGMA user_version``; raise it with every
change of tables or columns (0: a database from before the version was recorded; 2: KPI records
gained ``indicator_rule``, ``population_norm`` and ``sources``, and the ``settings`` table came;
3: OCR -- ``pages.ocr_confidence``, ``documents.ocr``, ``plans.ocr_pages`` and an ``ocr`` flag on
sections, KPIs, programs and health issues; 4: ``load_errors.planex_version``, so that a rerun
skips files that failed for a reason of their own; 5: the search index keeps each distinct
sentence once, ``search_sentences`` became a view; 6: the ``evidence`` table, the lines each
record was read from, found for the records already stored when a database is converted; 7: a
sentence's id starts with its length, and ``search_terms``, ``search_repeats`` and ``search_state``
let a search rank the shortest matches first, ``extract.store.search_terms``; the KPIs'
``total_value`` and ``target_text``; 8: ``search_plans`` holds a copy of each plan's insurer, branch,
type and years, what a search filters on)."""

OCR_COLUMNS: tuple[tuple[str, str, type], ...] = (
    ("documents", "ocr", int), ("pages", "ocr_confidence", float), ("plans", "ocr_pages", str),
    ("sections", "ocr", int), ("kpis", "ocr", int), ("programs", "ocr", int), ("health_issues", "ocr", int),
)  # fmt: skip
"""Columns that came with OCR (schema 3), added to a database from before it:
``documents.ocr`` 1 when the document was read with ``--ocr``; ``pages.ocr_confidence`` Tesseract's
mean word confidence (0-100) on a page read by OCR (``quality = 'ocr'``), else null;
``plans.ocr_pages`` the plan's pages read by OCR (a JSON list); ``ocr`` 1 on a record read from
a page read by OCR (a section or program: any of its pages)."""
SQLITE_HEADER = b"SQLite format 3\x00"


class DatabaseProblem(Exception):
    """``--db`` names something planex cannot use; the message says what to do instead.

    ``usage`` is true when the argument itself is wrong (a missing file, a PDF, another
    program's database): the command line exits with status 2 then, and 1 otherwise.
    """

    def __init__(self, message: str, *, usage: bool) -> None:
        super().__init__(message)
        self.usage = usage


def check_database(path: str | Path, *, create: bool = False, upgrade: bool = False) -> None:
    """Raise :class:`DatabaseProblem` unless ``path`` is a planex database this planex can use.

    With ``create`` (``planex load``) a missing or empty file is fine: it becomes a new
    database, provided its folder exists. A database from an older planex is refused unless it
    is about to be converted (``create`` or ``upgrade``): reading must not change it. Reads
    nothing but the file's header and schema, and writes nothing (the file may sit on a
    read-only share).
    """
    path = Path(path)
    if path.is_dir():
        raise DatabaseProblem(f"{path} is a folder, not a database file (--db names a file)", usage=True)
    if not path.exists():
        if create:
            if not path.parent.is_dir():
                raise DatabaseProblem(
                    f"no folder {path.parent} for the database {path.name} (create it first)", usage=True
                )
            return
        raise DatabaseProblem(f"no database at {path} ({_make_one(path)})", usage=True)
    try:
        with path.open("rb") as fh:
            head = fh.read(512)
    except OSError as exc:
        raise DatabaseProblem(f"cannot read {path}: {exc.strerror or exc}", usage=False) from None
    if not head:
        if create:
            return
        raise DatabaseProblem(
            f"{path} is an empty file, not a planex database ({_make_one(path)})", usage=True
        )
    if not head.startswith(SQLITE_HEADER):
        raise DatabaseProblem(_not_a_database(path, head, create), usage=True)
    try:
        conn = sqlite3.connect(_read_only_uri(path), uri=True)
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
    if not (create or upgrade) and version < SCHEMA_VERSION:
        raise DatabaseProblem(
            f"{path} was written by an older planex (database schema {version}; this planex "
            f"{__version__} reads schema {SCHEMA_VERSION}) and must be converted once before it can be "
            f"read: planex upgrade --db {path} (this changes the file: convert a copy if it is shared)",
            usage=False,
        )


def _make_one(path: Path) -> str:
    return f"create one with: planex load FOLDER --db {path}"


_FILE_KINDS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive (an Excel or Word file?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)


def _what_file(head: bytes) -> str:
    """What a file that is not an SQLite database looks like, from its first bytes."""
    for magic, kind in _FILE_KINDS:
        if head.startswith(magic):
            return kind
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "a binary file of another program"
    return "a text file"


def _not_a_database(path: Path, head: bytes, create: bool) -> str:
    """The message for ``--db`` naming a file that is not SQLite: what it is and what to do."""
    kind = _what_file(head)
    if kind == "a PDF":
        return (f"{path} is a PDF, not a database: --db names the database file "
                f"(load PDFs with: planex load {path} --db plans.db)")  # fmt: skip
    if create:
        return (f"{path} is {kind}, not an SQLite database: planex will not overwrite it. "
                f"Give --db a new file name (e.g. --db {path.with_name('plans.db')}) or the planex "
                "database you loaded before")  # fmt: skip
    return f"{path} is {kind}, not an SQLite database: --db names a planex database file ({_make_one(path)})"


def _check_version(path: str | Path, version: int) -> None:
    if version > SCHEMA_VERSION:
        raise DatabaseProblem(
            f"{path} was written by a newer planex (database schema {version}; this planex "
            f"{__version__} knows up to {SCHEMA_VERSION}): upgrade planex, or use another --db",
            usage=False,
        )


def _read_only_uri(path: Path) -> str:
    """An SQLite URI opening ``path`` for reading only, which never writes to it or beside it.

    ``mode=ro`` where the folder can be written (SQLite may still need to create the ``-shm``
    file of a WAL database there, which changes nothing in the database); ``immutable=1`` on a
    read-only medium or a folder of another user, where SQLite could make no ``-shm`` file and a
    WAL database would not open at all. The path is percent-encoded, so ``?``, ``#`` and ``%`` in
    a file name are read as part of it.
    """
    path = path.resolve()
    writable = os.access(path.parent, os.W_OK) and os.access(path, os.W_OK)
    return path.as_uri() + ("?mode=ro" if writable else "?mode=ro&immutable=1")


def connect_read_only(path: str | Path) -> sqlite3.Connection:
    """A plain sqlite3 connection that can only read ``path`` (see :func:`_read_only_uri`)."""
    return sqlite3.connect(_read_only_uri(Path(path)), uri=True, check_same_thread=False)


def open_db(path: str | Path, *, read_only: bool = False) -> sqlite_utils.Database:
    """Open a planex database with every table in place; with ``read_only``, only to read it.

    For writing (``planex load``, ``upgrade``, ``reindex``, ``kpis remap``) the file is created
    if needed, set to WAL and brought up to this planex's schema. For reading, nothing is
    written, not even a schema check: the file may be a shared copy nobody may change. A
    database from an older planex is then refused with a message saying how to convert it
    (:func:`check_database`).

    Raises :class:`DatabaseProblem` for a database written by a newer planex (schema version),
    and, when reading, for anything :func:`check_database` refuses.
    """
    if read_only:
        check_database(path)
        return sqlite_utils.Database(connect_read_only(path))
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
            "ocr": int,
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
            "ocr_confidence": float,
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
        {"file_name": str, "path": str, "sha256": str, "kind": str, "message": str, "at": str,
         "planex_version": str},
        pk="path",
        if_not_exists=True,
    )  # fmt: skip
    if "planex_version" not in db[LOAD_ERRORS].columns_dict:  # a database from before schema 4
        db[LOAD_ERRORS].add_column("planex_version", str)
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
            "ocr_pages": str,
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
            "ocr": int,
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
            "total_value": float,
            "target_text": str,
            "population": str,
            "raw_text": str,
            "indicator_rule": str,
            "population_norm": str,
            "sources": str,
            "context": str,
            "ocr": int,
        },
        pk="id",
        foreign_keys=[("plan_id", PLANS, "id"), ("doc_id", DOCUMENTS, "id")],
        if_not_exists=True,
    )
    kpi_columns = set(db[KPIS].columns_dict)
    for column in ("indicator_rule", "population_norm", "sources", "context"):  # from before schema 2
        if column not in kpi_columns:
            db[KPIS].add_column(column, str)
    for column, kind in (("total_value", float), ("target_text", str)):  # from before schema 7
        if column not in kpi_columns:
            db[KPIS].add_column(column, kind)
    db[SETTINGS].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    _add_ocr_columns(db)
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
    search_tables.ensure_schema(db)  # full-text search (extract/store/search_tables.py)
    evidence_lines.ensure_schema(db)  # the lines each record was read from
    if db.execute("pragma user_version").fetchone()[0] < SCHEMA_VERSION:
        db.execute(f"pragma user_version = {SCHEMA_VERSION}")


def _add_ocr_columns(db: sqlite_utils.Database) -> None:
    """The columns of :data:`OCR_COLUMNS` a table created by an older planex lacks."""
    for table, column, kind in OCR_COLUMNS:
        if db[table].exists() and column not in db[table].columns_dict:
            db[table].add_column(column, kind)


PLAN_COLUMNS = ("id", "doc_id", "number", "insurer", "insurer_type", "branch", "plan_type", "fiscal_year",
                "period_start", "period_end", "title", "page_start", "page_end", "garbled_pages",
                "ocr_pages")  # fmt: skip
SECTION_COLUMNS = ("id", "plan_id", "parent_id", "level", "label", "heading", "path", "page_start",
                   "page_end", "text", "doc_id", "ocr")  # fmt: skip
KPI_COLUMNS = ("id", "doc_id", "plan_id", "page", "section", "program", "kind", "indicator",
               "indicator_id", "comparator", "value", "unit", "target_year", "baseline_value",
               "baseline_year", "actual_value", "population", "raw_text", "indicator_rule",
               "population_norm", "sources", "context", "ocr", "total_value", "target_text")  # fmt: skip
PROGRAM_COLUMNS = ("id", "doc_id", "plan_id", "number", "source", "section", "page_start", "page_end", "name",
                   "category", "new", "key_program", "purpose", "summary", "population", "sex", "age_from",
                   "age_to", "sites", "budget_thousand_yen", "settled_thousand_yen", "method", "structure",
                   "actions", "evaluation", "status", "success_factors", "obstacles", "kpi_ids",
                   "raw_text", "ocr")  # fmt: skip
HEALTH_ISSUE_COLUMNS = ("id", "doc_id", "plan_id", "number", "page", "section", "issue", "direction",
                        "priority", "programs", "program_ids", "raw_text", "ocr")  # fmt: skip
LIST_COLUMNS = {"actions", "kpi_ids", "programs", "program_ids", "sources"}
"""Columns holding a list, stored as a JSON array (sqlite-utils and Datasette read them as such)."""
_SQL_TYPES: dict[str, type] = {
    "number": int, "page_start": int, "page_end": int, "page": int, "age_from": int, "age_to": int,
    "new": bool, "key_program": bool, "priority": bool, "budget_thousand_yen": float,
    "settled_thousand_yen": float, "ocr": bool,
}  # fmt: skip


PAGE_COLUMNS = ("doc_id", "page_no", "text", "raw_text", "quality", "reader", "garble_ratio", "width",
                "height", "ocr_confidence")  # fmt: skip
LINE_COLUMNS = ("doc_id", "page_no", "line_no", "text", "raw_text", "x0", "y0", "x1", "y1", "size", "bold",
                "vertical", "role", "cell")  # fmt: skip
