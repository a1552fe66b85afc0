"""The canned queries ``planex serve`` offers: search, KPI targets of one indicator, one measure
compared across plans, and the indicators found. Each needs the SQL functions of
``extract.use.serve_functions``."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from extract import store
from extract.store.search_index import INDEX, SENTENCES

SEARCH_LIMIT = 200
"""Rows the canned search returns (best first); Datasette does not page canned queries."""


def canned_queries(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Datasette canned queries for the tables present (each needs the planex SQL functions).

    - ``search`` (``:q``, optional ``:kind``, ``:branch``): sentences matching the query, best
      first (bm25), with plan, branch, section path, page and the match marked in 【】;
    - ``kpi_by_indicator`` (``:indicator``: an id such as generic_share, its label or a spelling):
      one row per plan and target year, the plan's first record (as the wide KPI export);
    - ``compare_measure`` (``:heading``): the section of every plan whose heading is most like
      it (numbering and field tags ignored, similarity ≥ ``extract.use.compare.MIN_SCORE``);
    - ``indicators``: the canonical indicators found, with their labels and counts.
    """
    from extract.use.compare import MIN_SCORE

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
