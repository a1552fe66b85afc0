"""The canned queries ``planex serve`` offers: search, KPI targets of one indicator, one measure
compared across plans, and the indicators found. Each needs the SQL functions of
``extract.use.serve_functions``."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from extract import store
from extract.store.search_tables import INDEX, PLACES, TEXTS

SEARCH_LIMIT = 200
"""Rows the canned search returns (best first); Datasette does not page canned queries."""


def canned_queries(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Datasette canned queries for the tables present (each needs the planex SQL functions).

    - ``search`` (``:q``, optional ``:kind``, ``:branch``): sentences matching the query, best
      first (bm25), with plan, branch, section path, page and the match marked in 【】 — the hits
      of ``extract.use.search.search`` itself, through the SQL function ``planex_search``, so the
      served search takes the same path at the same speed (``/-/planex/search`` is the page an
      analyst uses: ``extract.use.serve_search``);
    - ``kpi_by_indicator`` (``:indicator``: an id such as generic_share, its label or a spelling):
      one row per plan and target year, the plan's first record (as the wide KPI export);
    - ``compare_measure`` (``:heading``): the section of every plan whose heading is most like
      it (numbering and field tags ignored, similarity ≥ ``extract.use.compare.MIN_SCORE``);
    - ``indicators``: the canonical indicators found, with their labels and counts.

    Each row's ``evidence`` column (``kind/id``) is a link to the record's evidence page
    (``extract.use.serve_evidence``); the SQL is shown on request only (``hide_sql``).
    """
    from extract.use.compare import MIN_SCORE

    tables = set(db.table_names())
    queries: dict[str, dict[str, Any]] = {}
    if {TEXTS, PLACES, INDEX, store.PLANS} <= tables:
        kinds = [r[0] for r in db.execute(f"select distinct kind from {PLACES} order by 1")]
        sections = store.SECTIONS in tables
        hit = "json_extract(h.value, '$.{}')".format
        queries["search"] = {
            "title": "Search the plans' sentences",
            "description": (
                "Full-text search in Japanese (planex's query language: 健診 禁煙 = both words, "
                '健診 OR 検診, -歯科 excludes, "…" a phrase): the search of planex search, best matches '
                f"first, at most {SEARCH_LIMIT}; a sentence found twice in a plan (a program's purpose is "
                "also its section's text) is shown once. Optional: kind "
                f"({', '.join(kinds) or 'heading, section, …'}; several with commas) and branch (北海道)."
            ),
            "params": ["q", "kind", "branch"],
            "hide_sql": True,
            "sql": f"""select p.title as plan, {hit("insurer")} as insurer, {hit("branch")} as branch,
  {hit("section") if sections else "null"} as section, {hit("page")} as page, {hit("kind")} as kind,
  {hit("snippet")} as snippet, {hit("sentence")} as sentence, {hit("score")} as score,
  {hit("plan_id")} as plan_id,
  replace({hit("kind")}, 'heading', 'section') || '/' || {hit("ref_id")} as evidence
from json_each(planex_search(:q, :kind, :branch, {SEARCH_LIMIT})) h
left join {store.PLANS} p on p.id = {hit("plan_id")}
order by h.key""",
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
            "hide_sql": True,
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
  k.raw_text, k.records, k.plan_id, 'kpi/' || k.id as evidence
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
            "hide_sql": True,
            "sql": f"""with scored as (
  select s.rowid as seq, s.*, planex_heading_score(s.heading, :heading) as score
  from {store.SECTIONS} s where :heading != ''
), best as (
  select *, row_number() over (partition by plan_id order by score desc, level, seq) as n
  from scored where score >= {MIN_SCORE}
)
select p.insurer, p.branch, p.plan_type, p.title as plan, replace(b.path, char(10), ' ') as section,
  trim(b.label || ' ' || b.heading) as heading, round(b.score, 3) as score, b.page_start, b.page_end,
  b.text, b.plan_id, 'section/' || b.id as evidence
from best b join {store.PLANS} p on p.id = b.plan_id
where b.n = 1
order by p.insurer, p.branch, p.id""",
        }
    return queries
