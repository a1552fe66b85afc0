"""Store: a document's reading (``extract.pipeline.DocumentReading``) in; its rows in one SQLite
database out, one transaction per document, with the search index over its sentences.

``schema`` (tables, columns, opening a database to write or only to read, the checks that a file
is a planex database), ``rows`` (a reading as rows, built in the loader's workers), ``writer``
(writes them, records failures), ``search_index`` (sentences, bigram tokens, FTS5; ``bigrams``),
``reindex`` (the index rebuilt from stored rows), ``catalogue`` (the indicator catalogue the
database's KPIs are mapped with, and remapping them). The names below are the database's API, as
``from extract import store; store.open_db(path)``.

The names are imported from their modules when first used (PEP 562), not when the package is:
a command that only reads the database (``planex search``) then never loads the modules that
build rows and sentences, nor what they import (the schemas, the indicator catalogue).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ imports on demand
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
        connect_read_only,
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

_MODULES = {
    "catalogue": ("Remapped", "remap_kpis", "store_catalogue", "stored_catalogue"),
    "reindex": ("rebuild_index",),
    "rows": ("DocumentRows", "document_rows", "record_row"),
    "schema": (
        "DERIVED_TABLES", "DOCUMENTS", "HEALTH_ISSUE_COLUMNS", "HEALTH_ISSUES", "KPI_COLUMNS", "KPIS",
        "LINE_COLUMNS", "LINES", "LIST_COLUMNS", "LOAD_ERRORS", "PAGE_COLUMNS", "PAGES", "PLAN_COLUMNS",
        "PLANS", "PROGRAM_COLUMNS", "PROGRAMS", "SCHEMA_VERSION", "SECTION_COLUMNS", "SECTIONS", "SETTINGS",
        "DatabaseProblem", "check_database", "connect_read_only", "ensure_schema", "open_db",
    ),
    "writer": (
        "CRASHED", "delete_document", "info", "known_failures", "known_ids", "newer_documents", "now",
        "record_error", "write_document",
    ),
}  # fmt: skip
_MODULE_OF = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "CRASHED",
    "DERIVED_TABLES",
    "DOCUMENTS",
    "HEALTH_ISSUES",
    "HEALTH_ISSUE_COLUMNS",
    "KPIS",
    "KPI_COLUMNS",
    "LINES",
    "LINE_COLUMNS",
    "LIST_COLUMNS",
    "LOAD_ERRORS",
    "PAGES",
    "PAGE_COLUMNS",
    "PLANS",
    "PLAN_COLUMNS",
    "PROGRAMS",
    "PROGRAM_COLUMNS",
    "SCHEMA_VERSION",
    "SECTIONS",
    "SECTION_COLUMNS",
    "SETTINGS",
    "DatabaseProblem",
    "DocumentRows",
    "Remapped",
    "check_database",
    "connect_read_only",
    "delete_document",
    "document_rows",
    "ensure_schema",
    "info",
    "known_failures",
    "known_ids",
    "newer_documents",
    "now",
    "open_db",
    "rebuild_index",
    "record_error",
    "record_row",
    "remap_kpis",
    "store_catalogue",
    "stored_catalogue",
    "write_document",
]
"""Every name of the API; each is one of :data:`_MODULES`' (a test keeps the two alike)."""


def __getattr__(name: str) -> Any:
    """The API name ``name``, imported from its module on first use (then kept as an attribute)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
