"""Store: a document's reading (``extract.pipeline.DocumentReading``) in; its rows in one SQLite
database out, one transaction per document, with the search index over its sentences.

``schema`` (tables, columns, the checks that a file is a planex database), ``rows`` (a reading as
rows, built in the loader's workers), ``writer`` (writes them, records failures), ``search_index``
(sentences, bigram tokens, FTS5; ``bigrams``), ``reindex`` (the index rebuilt from stored rows),
``catalogue`` (the indicator catalogue the database's KPIs are mapped with, and remapping them).
The names below are the database's API, as ``from extract import store; store.open_db(path)``.
"""

from extract.store.catalogue import Remapped, remap_kpis, store_catalogue, stored_catalogue
from extract.store.reindex import rebuild_index
from extract.store.rows import DocumentRows, document_rows, record_row
from extract.store.schema import (
    DERIVED_TABLES,
    DOCUMENTS,
    HEALTH_ISSUE_COLUMNS,
    HEALTH_ISSUES,
    KPI_COLUMNS,
    KPIS,
    LINE_COLUMNS,
    LINES,
    LIST_COLUMNS,
    LOAD_ERRORS,
    PAGE_COLUMNS,
    PAGES,
    PLAN_COLUMNS,
    PLANS,
    PROGRAM_COLUMNS,
    PROGRAMS,
    SCHEMA_VERSION,
    SECTION_COLUMNS,
    SECTIONS,
    SETTINGS,
    DatabaseProblem,
    check_database,
    ensure_schema,
    open_db,
)
from extract.store.writer import (
    CRASHED,
    delete_document,
    info,
    known_failures,
    known_ids,
    newer_documents,
    now,
    record_error,
    write_document,
)

__all__ = [
    "CRASHED", "DERIVED_TABLES", "DOCUMENTS", "HEALTH_ISSUES", "HEALTH_ISSUE_COLUMNS", "KPIS",
    "KPI_COLUMNS", "LINES", "LINE_COLUMNS", "LIST_COLUMNS", "LOAD_ERRORS", "PAGES", "PAGE_COLUMNS", "PLANS",
    "PLAN_COLUMNS", "PROGRAMS", "PROGRAM_COLUMNS", "SCHEMA_VERSION", "SECTIONS", "SECTION_COLUMNS",
    "SETTINGS", "DatabaseProblem", "DocumentRows", "Remapped", "check_database", "delete_document",
    "document_rows", "ensure_schema", "info", "known_failures", "known_ids", "newer_documents", "now",
    "open_db", "rebuild_index", "record_error", "record_row", "remap_kpis", "store_catalogue",
    "stored_catalogue", "write_document",
]  # fmt: skip
