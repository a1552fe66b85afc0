"""Browse a planex database in Datasette: titles, column descriptions, Japanese search, canned queries.

``planex serve --db plans.db`` runs Datasette in this process (uvicorn, 127.0.0.1 by default)
with three things a bare ``datasette plans.db`` lacks:

- **metadata** (:func:`datasette_metadata`): a title and description for every planex table
  and column descriptions taken from the pydantic models in ``schemas/`` (hand-written only
  where a model has none). Table-driven: a table absent from the database (``programs`` and
  ``health_issues`` in an older one) is left out, and so is a column.
- **a plugin** (:class:`PlanexPlugin`, registered in-process, no ``--plugins-dir``) whose
  ``prepare_connection`` hook adds SQL functions to every connection: ``planex_match(q)`` turns
  a user's query into our FTS5 MATCH expression (``extract.search.parse_query`` +
  ``to_match``), ``planex_snippet``, ``planex_heading_score``, ``planex_indicator_id`` and
  ``planex_target``.
- **canned queries** (:func:`canned_queries`): search sentences, KPI targets of an indicator
  across plans, one measure compared across plans, and the list of indicators.

Why canned queries, and not just Datasette's search box: the FTS5 index ``search_index`` holds
Python-made character bigrams (``extract.bigrams``), not words, so the text a user types must
be turned into a phrase of bigrams before it reaches MATCH. Datasette's table search
(``?_search=``) wraps each space-separated word in quotes (``escape_fts``) and matches that:
受診勧奨 becomes the single token "受診勧奨", which is in no row (the rows hold the bigrams 受診 診勧 勧奨).
The plugin therefore also replaces ``escape_fts`` with ``planex_match`` on the connections of
the served database, so the search box of ``search_sentences`` (configured with
``fts_table``/``fts_pk``) works — but a table page can only filter rows of that one table, in
row order, with bigram token columns on show. The canned ``search`` query ranks by bm25 and
joins each sentence with its plan and section path, which is what a reader wants; the KPI and
comparison questions span several tables and need Python (indicator spellings, heading
similarity), so they are canned queries too.

Datasette 0.65 (the current stable release) reads everything — titles, ``fts_table``, canned
queries — from metadata; Datasette 1.0 moves configuration to ``datasette.yaml``, hence the
``<1`` pin in pyproject.toml.
"""

from __future__ import annotations

import errno
import importlib
import socket
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils
from datasette import hookimpl

from extract import store
from extract.search_index import INDEX, SENTENCES

if TYPE_CHECKING:
    from extract.indicators import Catalogue

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
DEFAULT_SETTINGS: dict[str, Any] = {"sql_time_limit_ms": 5000}
"""Datasette's default of one second is short for ranking every match of a common word."""
SEARCH_LIMIT = 200
"""Rows the canned search returns (best first); Datasette does not page canned queries."""
NO_MATCH = '"\ue001"'
"""An FTS5 expression that matches nothing: a private-use character, which the tokenizer never
emits (the padding column holds U+E000 only). What :func:`planex_match` returns for a query with
nothing to search for: an SQL function cannot hand Datasette a readable error message, and an
empty query is what a canned query's form runs with before the user types anything."""


class ServeError(RuntimeError):
    """The database cannot be served; the message tells the user why."""


# --- SQL functions ---------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _parsed(query: str):
    from extract.search import SearchError, highlighter, parse_query, to_match

    try:
        node = parse_query(query)
        return to_match(node), highlighter(node)
    except SearchError:
        return None


def planex_match(query: object) -> str:
    """The FTS5 MATCH expression of a user's query (``extract.search`` query language).

    ``受診勧奨`` → ``"受診 診勧 勧奨"`` (a phrase of bigrams); a query with nothing to search for (empty,
    punctuation only, excluded words only, too long) → :data:`NO_MATCH`, which matches no row.
    """
    parsed = _parsed(str(query)) if query is not None else None
    return parsed[0] if parsed else NO_MATCH


def planex_snippet(sentence: object, query: object) -> str | None:
    """The sentence around the query's first match, matches marked 【like this】."""
    from extract.search import marks_in, snippet

    if sentence is None:
        return None
    text = str(sentence)
    parsed = _parsed(str(query)) if query is not None else None
    return snippet(text, marks_in(text, parsed[1] if parsed else None))


def planex_sentence_key(sentence: object) -> str:
    """A sentence as compared for repeats: without its leading bullet and spaces."""
    from extract.search import sentence_key

    return sentence_key(str(sentence or ""))


@lru_cache(maxsize=64)
def _heading_key(text: str) -> str:
    from extract.compare import heading_key

    return heading_key(text)


def planex_heading_score(heading: object, wanted: object) -> float:
    """0..1: how alike a section heading and the heading asked for are (as ``planex compare``)."""
    from extract.compare import heading_key, similarity

    if heading is None or wanted is None:
        return 0.0
    return similarity(_heading_key(str(wanted)), heading_key(str(heading)))


def planex_indicator_id(text: object, catalogue: Catalogue | None = None) -> str | None:
    """The canonical indicator id of ``text``: an id (generic_share), its Japanese label, or any
    spelling the catalogue's names know (ジェネリック医薬品使用割合); ``None`` if none. The served
    database's catalogue (with the user's indicators) when :func:`register_functions` is given it."""
    from extract.indicators import builtin_catalogue

    return (catalogue or builtin_catalogue()).id_of_text(str(text or ""))


def planex_indicator_label(indicator_id: object, catalogue: Catalogue | None = None) -> str | None:
    from extract.indicators import builtin_catalogue

    return (catalogue or builtin_catalogue()).labels().get(str(indicator_id or ""))


def planex_population(text: object) -> str | None:
    """A normalized population (insured, dependents, all) from itself or the plan's words
    (被保険者, 組合員, 被扶養者, 家族, 全体 …); ``None`` if none."""
    from extract.indicators import POPULATIONS, normalized_population

    wanted = str(text or "").strip()
    return wanted if wanted in POPULATIONS else normalized_population(wanted)


def planex_target(comparator: object, value: object, unit: object) -> str:
    """A target as a reader writes it: 80%以上, 対前年度以上, 実施 (as the wide KPI export)."""
    from extract.export import target_text

    return target_text({"comparator": comparator, "value": value, "unit": unit})


SQL_FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "planex_match": (1, planex_match),
    "planex_snippet": (2, planex_snippet),
    "planex_sentence_key": (1, planex_sentence_key),
    "planex_heading_score": (2, planex_heading_score),
    "planex_indicator_id": (1, planex_indicator_id),
    "planex_indicator_label": (1, planex_indicator_label),
    "planex_population": (1, planex_population),
    "planex_target": (3, planex_target),
}
_CATALOGUE_FUNCTIONS = {"planex_indicator_id", "planex_indicator_label"}


def register_functions(
    conn: sqlite3.Connection, *, table_search: bool = False, catalogue: Catalogue | None = None
) -> None:
    """Add the planex SQL functions to a connection; with ``table_search``, also replace
    Datasette's ``escape_fts`` with :func:`planex_match` (see the module docstring). The
    indicator functions use ``catalogue`` (the served database's), planex's own by default."""
    for name, (arity, fn) in SQL_FUNCTIONS.items():
        if catalogue is not None and name in _CATALOGUE_FUNCTIONS:
            fn = partial(fn, catalogue=catalogue)
        conn.create_function(name, arity, fn, deterministic=True)
    if table_search:
        conn.create_function("escape_fts", 1, planex_match, deterministic=True)


class PlanexPlugin:
    """The Datasette plugin, registered in-process by :func:`registered_plugin`.

    ``trylast``: Datasette's own ``prepare_connection`` (which registers ``escape_fts``) must
    run first, so that ours replaces it on the served planex databases.
    """

    __name__ = "planex"  # Datasette lists plugins by name (/-/plugins)

    def __init__(self, databases: set[str], catalogue: Catalogue | None = None) -> None:
        self.databases = databases
        self.catalogue = catalogue

    @hookimpl(trylast=True)
    def prepare_connection(self, conn: sqlite3.Connection, database: str) -> None:
        register_functions(conn, table_search=database in self.databases, catalogue=self.catalogue)


@contextmanager
def registered_plugin(databases: set[str], catalogue: Catalogue | None = None) -> Iterator[PlanexPlugin]:
    """Register :class:`PlanexPlugin` with Datasette's plugin manager while the block runs."""
    from datasette.plugins import pm

    plugin = PlanexPlugin(databases, catalogue)
    pm.register(plugin, name="planex")
    try:
        yield plugin
    finally:
        pm.unregister(plugin)


@contextmanager
def quiet_client_errors() -> Iterator[None]:
    """No traceback in the server log for a client's mistake while the block runs.

    Datasette 0.65's default error handler prints a traceback, with every local variable, for
    each error it answers — a 404 for a missing table or a 400 for a broken SQL query included —
    whenever rich is installed (planex's command line needs rich). The response (the status and
    the message) is the same without it; an unexpected error (500) still prints its traceback.
    """
    from datasette import handle_exception

    rich = handle_exception.rich
    handle_exception.rich = None
    try:
        yield
    finally:
        handle_exception.rich = rich


# --- metadata --------------------------------------------------------------------------------

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
            "text_quality": "ok, mixed (some pages unreadable), garbled (a font without a usable "
            "Unicode map) or no_text (a scan).",
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
            "quality": "ok, garbled (unreadable font) or no_text (a scan or a blank page).",
            "reader": "Library that read the page: pymupdf, or pdfplumber as a fallback.",
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
        store.LOAD_ERRORS,
        "Load errors",
        "One row per file that failed on its latest load, and why.",
        ("schemas.records:LoadError",),
        {
            "file_name": "File name.",
            "path": "Path of the file.",
            "sha256": "SHA-256 of its bytes, if read.",
            "kind": "encrypted, empty, not_pdf, malformed, timeout or no_text.",
            "message": "What went wrong.",
            "at": "When (UTC).",
        },
        {"facets": ["kind"]},
    ),
    TableSpec(
        SENTENCES,
        "Search sentences",
        "One row per sentence of the plans, the unit of full-text search. The search box takes "
        "planex's query language (健診 禁煙, 健診 OR 検診, -歯科, \"…\"); the canned query 'search' "
        "ranks the hits and shows their plan and section.",
        ("schemas.search:Hit",),
        {
            "id": "Row id, also the rowid in the FTS5 index search_index.",
            "ref_id": "Id of the row in its own table (a section, a KPI, a program).",
            "body_tokens": "The sentence's search tokens: character bigrams (extract/bigrams.py).",
            "padding": "Filler tokens that rank a short sentence as if it were longer (generated).",
        },
        {"fts_table": INDEX, "fts_pk": "id", "facets": ["kind"]},
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
    return sqlite_utils.Database(read_only(db))


def read_only(path: str | Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)


def _columns(db: sqlite_utils.Database, table: str) -> list[str]:
    """A table's columns, generated ones included (``table_info`` leaves them out)."""
    return [r[1] for r in db.execute(f"pragma table_xinfo([{table}])") if r[6] != 1]


def _db_name(db: sqlite_utils.Database) -> str:
    rows = db.execute("pragma database_list").fetchall()
    path = next((r[2] for r in rows if r[1] == "main"), "")
    return Path(path).stem if path else "planex"


def canned_queries(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Datasette canned queries for the tables present (each needs the planex SQL functions).

    - ``search`` (``:q``, optional ``:kind``, ``:branch``): sentences matching the query, best
      first (bm25), with plan, branch, section path, page and the match marked in 【】;
    - ``kpi_by_indicator`` (``:indicator``: an id such as generic_share, its label or a spelling):
      one row per plan and target year, the plan's first record (as the wide KPI export);
    - ``compare_measure`` (``:heading``): the section of every plan whose heading is most like
      it (numbering and field tags ignored, similarity ≥ ``extract.compare.MIN_SCORE``);
    - ``indicators``: the canonical indicators found, with their labels and counts.
    """
    from extract.compare import MIN_SCORE

    tables = set(db.table_names())
    queries: dict[str, dict[str, Any]] = {}
    if {SENTENCES, INDEX, store.PLANS} <= tables:
        columns = set(db[SENTENCES].columns_dict)
        kinds = []
        if "kind" in columns:
            kinds = [r[0] for r in db.execute(f"select distinct kind from {SENTENCES} order by 1")]
        kind = "s.kind" if kinds else "null"
        kind_filter = (
            "where :kind = '' or instr(',' || replace(:kind, ' ', '') || ',', ',' || s.kind || ',') > 0"
            if kinds
            else ""
        )
        sections = store.SECTIONS in tables and "section_id" in columns
        queries["search"] = {
            "title": "Search the plans' sentences",
            "description": (
                "Full-text search in Japanese (planex's query language: 健診 禁煙 = both words, "
                '健診 OR 検診, -歯科 excludes, "…" a phrase). Best matches first, at most '
                f"{SEARCH_LIMIT}; a sentence found twice in a plan (a program's purpose is also its "
                f"section's text) is shown once. Optional: kind ({', '.join(kinds)}; several with "
                "commas) and branch (北海道)."
            ),
            "params": ["q", "kind", "branch"] if kinds else ["q", "branch"],
            "sql": f"""with m as (
  select rowid as id, rank from {INDEX} where {INDEX} match planex_match(:q)
), hits as (
  select s.id, s.plan_id, s.section_id, s.page, {kind} as kind, s.sentence, m.rank,
    row_number() over (partition by s.plan_id, planex_sentence_key(s.sentence) order by m.rank, s.id) as n
  from m join {SENTENCES} s on s.id = m.id
  {kind_filter}
)
select p.title as plan, p.insurer, p.branch,
  {"replace(sec.path, char(10), ' ')" if sections else "null"} as section, h.page, h.kind,
  planex_snippet(h.sentence, :q) as snippet, h.sentence, round(-h.rank, 3) as score, h.plan_id
from hits h
left join {store.PLANS} p on p.id = h.plan_id
{f"left join {store.SECTIONS} sec on sec.id = h.section_id" if sections else ""}
where h.n = 1 and (:branch = '' or instr(p.branch, replace(replace(:branch, '支部', ''), ' ', '')) > 0)
order by h.rank, h.id
limit {SEARCH_LIMIT}""",
        }
    if {store.KPIS, store.PLANS} <= tables:
        norm = "k.population_norm" if "population_norm" in set(db[store.KPIS].columns_dict) else "null"
        queries["kpi_by_indicator"] = {
            "title": "KPI targets of one indicator, across plans",
            "description": (
                "indicator: a canonical id (generic_share, tokutei_kenshin_rate …), its Japanese label or a "
                "spelling; population (optional): insured, dependents or all (or 被保険者, 組合員, 被扶養者, "
                "家族, 全体). One row per plan, normalized population and target year: a 共済組合's 組合員 "
                "and a 健保組合's 被保険者 are both insured. A plan stating one target twice (two programs) "
                "shows the first by page — 'records' counts them. See the query 'indicators'."
            ),
            "params": ["indicator", "population"],
            "sql": f"""with k as (
  select k.*, {norm} as norm,
    row_number() over (partition by k.plan_id, {norm}, k.target_year order by k.page, k.id) as n,
    count(*) over (partition by k.plan_id, {norm}, k.target_year) as records
  from {store.KPIS} k
  where k.indicator_id != '' and k.indicator_id = coalesce(planex_indicator_id(:indicator), :indicator)
    and (coalesce(:population, '') = '' or {norm} = planex_population(:population))
)
select p.insurer, p.branch, p.plan_type, p.title as plan, k.norm as population_norm, k.target_year,
  planex_target(k.comparator, k.value, k.unit) as target, k.value, k.unit, k.comparator,
  k.baseline_value, k.baseline_year, k.actual_value, k.population, k.indicator, k.page, k.section,
  k.raw_text, k.records, k.plan_id
from k join {store.PLANS} p on p.id = k.plan_id
where k.n = 1
order by p.insurer, p.branch, p.id, k.norm, k.target_year""",
        }
        queries["indicators"] = {
            "title": "Canonical KPI indicators found",
            "description": (
                "Indicator ids (and normalized populations) for kpi_by_indicator, with how many plans "
                "set a target for each."
            ),
            "sql": f"""select indicator_id, planex_indicator_label(indicator_id) as label,
  {norm.removeprefix("k.")} as population_norm, count(distinct plan_id) as plans, count(*) as records
from {store.KPIS} where indicator_id != ''
group by indicator_id, {norm.removeprefix("k.")} order by plans desc, indicator_id, population_norm""",
        }
    if {store.SECTIONS, store.PLANS} <= tables:
        queries["compare_measure"] = {
            "title": "One measure compared across plans",
            "description": (
                "heading: a section heading, e.g. ジェネリック医薬品の使用促進. The most similar section of "
                "each plan (numbering such as ３． ③ (3) and tags such as 〈Ⅱ、Ⅲ〉 ignored), with its own "
                "text. `planex compare` also adds subsections and finds measures kept as lines inside a "
                "section."
            ),
            "params": ["heading"],
            "sql": f"""with scored as (
  select s.rowid as seq, s.*, planex_heading_score(s.heading, :heading) as score
  from {store.SECTIONS} s where :heading != ''
), best as (
  select *, row_number() over (partition by plan_id order by score desc, level, seq) as n
  from scored where score >= {MIN_SCORE}
)
select p.insurer, p.branch, p.plan_type, p.title as plan, replace(b.path, char(10), ' ') as section,
  trim(b.label || ' ' || b.heading) as heading, round(b.score, 3) as score, b.page_start, b.page_end,
  b.text, b.plan_id
from best b join {store.PLANS} p on p.id = b.plan_id
where b.n = 1
order by p.insurer, p.branch, p.id""",
        }
    return queries


def datasette_metadata(db: sqlite_utils.Database | str | Path, name: str | None = None) -> dict[str, Any]:
    """Datasette (0.65) metadata for a planex database: titles, descriptions, column
    descriptions, facets, full-text search and canned queries.

    ``db`` is an open database or a path (opened read-only); ``name`` is the database's name in
    Datasette, by default the file name without its extension (as Datasette names it).
    """
    database = _as_db(db)
    try:
        name = name or _db_name(database)
        present = set(database.table_names())
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


# --- serving ---------------------------------------------------------------------------------


def check_database(db_path: str | Path) -> Path:
    """The database's path, if it is a planex database; :class:`ServeError` otherwise (missing,
    not SQLite, another program's database, from a newer planex: see ``store.check_database``)."""
    path = Path(db_path)
    try:
        store.check_database(path)
        with read_only(path) as conn:
            names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    except store.DatabaseProblem as exc:
        raise ServeError(str(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise ServeError(f"{path} is not an SQLite database ({exc})") from None
    if store.PLANS not in names:
        raise ServeError(f"{path} is not a planex database (no '{store.PLANS}' table)")
    return path


def build_datasette(db_path: str | Path, settings: Mapping[str, Any] | None = None):
    """A Datasette instance serving the database with planex metadata (the plugin must be
    registered while it runs: :func:`registered_plugin`). Returns ``(datasette, name)``."""
    from datasette.app import Datasette

    path = check_database(db_path)
    name = path.stem
    ds = Datasette(
        [str(path.resolve())],
        metadata=datasette_metadata(path, name),
        settings={**DEFAULT_SETTINGS, **(settings or {})},
    )
    if name not in ds.databases:  # e.g. a file called _memory.db
        raise ServeError(f"Datasette names this database {list(ds.databases)}; rename the file")
    return ds, name


def _check_port(host: str, port: int) -> None:
    """Fail early, with a readable message, if the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            why = "in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise ServeError(f"cannot listen on {host}:{port}: {why} (try another --port)") from None


def serve(
    db_path: str | Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    settings: Mapping[str, Any] | None = None,
    log_level: str = "info",
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the database with Datasette at ``http://host:port/`` until interrupted (Ctrl-C).

    In this process: uvicorn runs Datasette's ASGI app, as ``datasette serve`` does, and the
    plugin is registered with Datasette's plugin manager for as long as the server runs. The
    database is opened read-only. ``on_ready`` is called with the database's URL before serving.
    """
    import uvicorn

    ds, name = build_datasette(db_path, settings)
    _check_port(host, port)
    with closing(read_only(Path(db_path))) as conn:  # the database's own catalogue names its indicators
        catalogue = store.stored_catalogue(sqlite_utils.Database(conn))
    with registered_plugin({name}, catalogue), quiet_client_errors():
        if on_ready is not None:
            shown = f"[{host}]" if ":" in host else host
            on_ready(f"http://{shown}:{port}/{name}")
        uvicorn.run(ds.app(), host=host, port=port, log_level=log_level, lifespan="on")
