"""Datasette metadata for a planex database: a title and description for every table, column
descriptions from the pydantic models in ``schemas/`` (hand-written only where a model has none),
facets, full-text search and the canned queries (``extract.use.serve_queries``).

Table-driven (:data:`TABLES`): a table absent from the database (``programs`` and
``health_issues`` in an older one) is left out, and so is a column.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlite_utils

from extract import store
from extract.store.search_tables import INDEX, PLACES, PLAN_KEYS, SENTENCES, TEXTS
from extract.use.serve_queries import canned_queries

COMMON_COLUMNS = {
    "doc_id": "Document id: SHA-256 of the PDF's bytes (documents.id).",
    "plan_id": "The plan (plans.id): a whole PDF, or one branch plan of a compilation.",
    "section_id": "The section (sections.id).",
    "page": "1-based page number in the PDF.",
    "page_no": "1-based page number in the PDF.",
    "page_start": "First page (1-based, in the PDF).",
    "page_end": "Last page (1-based, in the PDF).",
}


@dataclass(frozen=True)
class TableSpec:
    """How one planex table is described to Datasette."""

    name: str
    title: str
    description: str
    models: tuple[str, ...] = ()
    """``module:Class`` pydantic models whose Field descriptions describe the columns (the first
    that describes a column wins); a model that cannot be imported is skipped."""
    columns: Mapping[str, str] = field(default_factory=dict)
    """Descriptions of the columns the models leave undescribed."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Other Datasette table metadata: facets, label_column, fts_table, sort …"""


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        store.DOCUMENTS,
        "Documents",
        "One row per PDF loaded: its file, size, page count and text quality.",
        ("schemas.records:ParsedDocument",),
        {
            "id": "SHA-256 of the file's bytes (the same file under two names is one document).",
            "file_name": "File name as loaded.",
            "path": "Path the file was loaded from.",
            "sha256": "SHA-256 of the file's bytes.",
            "pages": "Number of pages.",
            "bytes": "File size in bytes.",
            "title": "Title from the PDF's metadata or first page.",
            "text_quality": "ok, ocr (a scan read by OCR), mixed (some pages unreadable or read by OCR), "
            "garbled (a font without a usable Unicode map) or no_text (a scan not read by OCR).",
            "ocr": "1: read with planex load --ocr (pages without a text layer were OCR'd).",
            "loaded_at": "When it was loaded (UTC).",
            "planex_version": "planex version that loaded it.",
        },
        {"label_column": "file_name", "facets": ["text_quality"]},
    ),
    TableSpec(
        store.PAGES,
        "Pages",
        "One row per page: normalized and raw text, and whether it could be read.",
        ("schemas.records:Page",),
        {
            "quality": "ok, ocr (no text layer, read by OCR), garbled (unreadable font) or no_text (a scan "
            "not OCR'd, or a blank page).",
            "reader": "Library that read the page: pymupdf, pdfplumber as a fallback, or tesseract (OCR).",
            "ocr_confidence": "Tesseract's mean word confidence (0-100) on a page read by OCR.",
            "width": "Page width in points.",
            "height": "Page height in points.",
        },
        {"facets": ["quality"]},
    ),
    TableSpec(
        store.LINES,
        "Lines",
        "One row per line as laid out on the page, with its box and font size.",
        ("schemas.records:Line",),
        {
            "line_no": "1-based line number on the page.",
            "x0": "Left edge (points).",
            "y0": "Top edge (points).",
            "x1": "Right edge (points).",
            "y1": "Bottom edge (points).",
            "vertical": "縦書き: a vertical run.",
        },
    ),
    TableSpec(
        store.PLANS,
        "Plans",
        "One row per plan: a whole PDF, or one branch plan of a compilation (協会けんぽ's 47 branches).",
        ("schemas.plans:Plan",),
        {
            "insurer_type": "協会けんぽ, 健保組合, 共済組合, 国保組合, 市町村国保 or other.",
            "plan_type": "business_plan (事業計画), data_health_plan (データヘルス計画), "
            "tokutei_kenshin_plan (特定健康診査等実施計画) or other.",
            "period_start": "First fiscal year of a multi-year plan.",
            "period_end": "Last fiscal year of a multi-year plan.",
            "garbled_pages": "Pages flagged garbled, not parsed (a JSON list).",
            "ocr_pages": "Pages read by OCR (a JSON list): check their records first.",
        },
        {"label_column": "title", "facets": ["insurer_type", "plan_type", "fiscal_year"]},
    ),
    TableSpec(
        store.SECTIONS,
        "Sections",
        "The numbered (or otherwise marked) sections of each plan, with their body text.",
        ("schemas.plans:Section",),
        {"parent_id": "The enclosing section (sections.id), empty at the top level."},
        {"label_column": "heading", "facets": ["level"]},
    ),
    TableSpec(
        store.KPIS,
        "KPIs and targets",
        "One row per KPI or numeric target, with its value, year and the sentence it was read from. "
        "See the canned query kpi_by_indicator to line one indicator up across plans.",
        ("schemas.kpis:Kpi",),
        {
            "kind": "kpi (under a KPI label), output / outcome (アウトプット / アウトカム), "
            "otherwise target.",
            "comparator": ">= 以上, <= 以下, = a plain value, > 超, < 未満, yoy>= 対前年度以上, "
            "yoy<= 対前年度以下, reduce_by, increase_by, do (a commitment with no number).",
            "value": "The target value (a percentage as 80.0 with unit %).",
            "unit": "Unit of the value.",
            "target_year": "Fiscal year the target is for.",
            "baseline_value": "Value of the baseline year.",
            "baseline_year": "Fiscal year of the baseline.",
            "population": "Whom it counts, in the plan's words, when the target says.",
        },
        {"facets": ["indicator_id", "population_norm", "kind", "target_year"]},
    ),
    TableSpec(
        store.PROGRAMS,
        "Programs (保健事業)",
        "One row per 保健事業: its name, target population, purpose, budget and evaluation, as written.",
        ("schemas.programs:Program",),
        {"source": "How it was read: step_report, step_table, chapter, measure or method."},
        {"label_column": "name", "facets": ["source", "category", "population"]},
    ),
    TableSpec(
        store.HEALTH_ISSUES,
        "Health issues (健康課題)",
        "One row per 健康課題 a plan states, with the direction of its measures and the programs "
        "it leads to.",
        ("schemas.programs:HealthIssue",),
        {},
        {"label_column": "issue"},
    ),
    TableSpec(
        "evidence",
        "Evidence",
        "Where each record was read: one row per (section, KPI, program or health issue, line of the page "
        "it was read from). Open a record's page with its lines boxed from the page column of its table.",
        (),
        {
            "kind": "section, kpi, program or health_issue: the table of ref_id.",
            "ref_id": "The record's id in its own table.",
            "line_no": "The line (lines.line_no) on the page.",
        },
        {"facets": ["kind"]},
    ),
    TableSpec(
        store.LOAD_ERRORS,
        "Load errors",
        "One row per file that failed on its latest load, and why.",
        ("schemas.records:LoadError",),
        {
            "file_name": "File name.",
            "path": "Path of the file.",
            "sha256": "SHA-256 of its bytes, if read.",
            "kind": "encrypted, empty, not_pdf, malformed, truncated, timeout, no_text or partial "
            "(a later stage failed: pages stored, the records of the stage named missing).",
            "message": "What went wrong.",
            "at": "When (UTC).",
            "planex_version": "The planex that failed on it (its rerun skips the file, --force does not).",
        },
        {"facets": ["kind"]},
    ),
    TableSpec(
        SENTENCES,
        "Search sentences",
        "One row per sentence of the plans where it stands, the unit of full-text search (a view of "
        "search_places with their sentences). The search box takes planex's query language (健診 禁煙, "
        "健診 OR 検診, -歯科, \"…\"); the canned query 'search' ranks the hits and shows their plan and "
        "section.",
        ("schemas.search:Hit",),
        {
            "id": "The place's id (search_places.id): reading order within a document.",
            "text_id": "The distinct sentence (search_texts.id), its rowid in the FTS5 index search_index.",
            "ref_id": "Id of the row in its own table (a section, a KPI, a program).",
            "body_tokens": "The sentence's search tokens: character bigrams (extract/store/bigrams.py).",
            "padding": "Filler tokens that rank a short sentence as if it were longer (generated).",
            "repeats": "1: a record's sentence its section already holds (counted once by --by).",
        },
        {"fts_table": INDEX, "fts_pk": "text_id", "facets": ["kind"]},
    ),
    TableSpec(
        TEXTS,
        "Search texts",
        "Each distinct sentence once, as indexed by FTS5 (search_index): a sentence that the template "
        "of a compilation repeats in every branch plan is stored and ranked once.",
        (),
        {
            "id": "The sentence's id, also its rowid in search_index.",
            "key": "A 64-bit hash of the sentence and its tokens, to find it when it comes again.",
            "sentence": "The sentence (normalized text).",
            "body_tokens": "The sentence's search tokens: character bigrams (extract/store/bigrams.py).",
            "padding": "Filler tokens that rank a short sentence as if it were longer (generated).",
        },
    ),
    TableSpec(
        PLACES,
        "Search places",
        "Where each sentence of search_texts stands: one row per place (the view search_sentences "
        "shows them with their sentences).",
        ("schemas.search:Hit",),
        {
            "id": "The place's id: reading order within a document.",
            "text_id": "The sentence (search_texts.id).",
            "plan_key": "The plan (search_plans.key).",
            "ref_id": "Id of the row in its own table (a section, a KPI, a program).",
            "repeats": "1: a record's sentence its section already holds (counted once by --by).",
        },
        {"facets": ["kind"]},
    ),
    TableSpec(
        PLAN_KEYS,
        "Search plans",
        "A small integer key per plan for search_places, and how many places each plan has.",
        (),
        {"key": "The plan's key in search_places.", "places": "Places (sentences) of the plan."},
    ),
)


@lru_cache(maxsize=32)
def _model_descriptions(spec: str) -> dict[str, str]:
    module, _, name = spec.partition(":")
    try:
        model = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return {}
    return {n: f.description for n, f in model.model_fields.items() if f.description}


def column_descriptions(spec: TableSpec, columns: list[str]) -> dict[str, str]:
    """Descriptions of the table's columns: the models' Field descriptions first, then the spec's
    own, then :data:`COMMON_COLUMNS`; columns nobody describes are left out."""
    out = {}
    for column in columns:
        for source in [*(_model_descriptions(m) for m in spec.models), spec.columns, COMMON_COLUMNS]:
            if source.get(column):
                out[column] = source[column]
                break
    return out


def _as_db(db: sqlite_utils.Database | str | Path) -> sqlite_utils.Database:
    if isinstance(db, sqlite_utils.Database):
        return db
    return sqlite_utils.Database(store.connect_read_only(db))


def _columns(db: sqlite_utils.Database, table: str) -> list[str]:
    """A table's columns, generated ones included (``table_info`` leaves them out)."""
    return [r[1] for r in db.execute(f"pragma table_xinfo([{table}])") if r[6] != 1]


def _db_name(db: sqlite_utils.Database) -> str:
    rows = db.execute("pragma database_list").fetchall()
    path = next((r[2] for r in rows if r[1] == "main"), "")
    return Path(path).stem if path else "planex"


def datasette_metadata(db: sqlite_utils.Database | str | Path, name: str | None = None) -> dict[str, Any]:
    """Datasette (0.65) metadata for a planex database: titles, descriptions, column
    descriptions, facets, full-text search and canned queries.

    ``db`` is an open database or a path (opened read-only); ``name`` is the database's name in
    Datasette, by default the file name without its extension (as Datasette names it).
    """
    database = _as_db(db)
    try:
        name = name or _db_name(database)
        present = set(database.table_names()) | set(database.view_names())
        tables = {}
        for spec in TABLES:
            if spec.name not in present:
                continue
            columns = _columns(database, spec.name)
            tables[spec.name] = {
                "title": spec.title,
                "description": spec.description,
                "columns": column_descriptions(spec, columns),
                **{k: v for k, v in spec.extra.items() if k != "fts_table" or v in present},
            }
        queries = canned_queries(database)
    finally:
        if database is not db:
            database.close()
    return {
        "title": "planex: Japanese health-insurer plans",
        "description": (
            "Plans of Japanese health insurers (事業計画, データヘルス計画, 特定健康診査等実施計画) "
            "read from their PDFs by planex. Start with the canned queries: search, kpi_by_indicator, "
            "compare_measure."
        ),
        "databases": {
            name: {
                "description": "Documents → plans → sections, KPIs and search sentences.",
                "tables": tables,
                "queries": queries,
            }
        },
    }
