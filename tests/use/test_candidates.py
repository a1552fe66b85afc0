"""The query path under the filters (``extract.use.candidates``) against one plain query.

The reference is written here, independently of the code under test: every match of the FTS5
index joined with the places, plans and sections and the filters in plain SQL, ordered by rank
then place, each sentence once per plan — all matches ranked, no candidates, no probes, no
deepening. Every strategy (filter first, probe, match first) must give exactly its hits, in its
order, and ``--by`` exactly its counts and best sentences.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import sqlite_utils

from extract.read.normalize import normalize_text
from extract.store.search_index import sentence_key
from extract.use import candidates
from extract.use.search import Filters as SearchFilters
from extract.use.search import parse_query, scope, search, search_by, to_match

QUERIES = [
    "健診", "禁煙", "健診 禁煙", "受診勧奨", "健", "KPI*", "ジェネリック医薬品の使用促進",
    "被扶養者 特定健診", "健診 OR 検診", "健診 -歯科", "(禁煙 OR 喫煙) 支援", '"北海道 薬剤師会"',
    '"ジェネリック 医薬品"', "保健指導 NOT 特定", "100", "ナッジ", "重症化予防", "通知率", "目的",
]  # fmt: skip


@dataclass(frozen=True)
class Case:
    filters: dict
    sql: str  # the same filter in plain SQL on plans p, sections sec, places pl

    def __str__(self) -> str:
        return json.dumps(self.filters, ensure_ascii=False)


CASES = [
    Case({}, ""),
    Case({"branch": "北海道"}, "and p.branch = '北海道'"),
    Case({"insurer": "協会けんぽ"},
         "and (instr(p.insurer, '協会けんぽ') > 0 or p.insurer_type = '協会けんぽ')"),
    Case({"year": 2021}, "and (p.fiscal_year = 2021 or (p.period_start <= 2021 and p.period_end >= 2021))"),
    Case({"plan_type": "data_health_plan"}, "and p.plan_type = 'data_health_plan'"),
    Case({"section": "ジェネリック"}, "and instr(test_squash(sec.path), 'ジェネリック') > 0"),
    Case({"kind": "program,kpi"}, "and pl.kind in ('program', 'kpi')"),
    Case({"kind": "heading"}, "and pl.kind = 'heading'"),
    Case({"branch": "大分", "kind": "section"}, "and p.branch in ('大分', '大分県') and pl.kind = 'section'"),
    Case({"insurer": "健保組合", "section": "保健事業"},
         "and (instr(p.insurer, '健保組合') > 0 or p.insurer_type = '健保組合') "
         "and instr(test_squash(sec.path), '保健事業') > 0"),
]  # fmt: skip
STRATEGIES = ["filter-first", "probe", "match-first"]


def _squash(text: str | None) -> str:
    return "".join(normalize_text(text or "").split())


def reference_rows(db: sqlite_utils.Database, query: str, case: Case) -> list[dict]:
    """Every matching place under the filter, best first (rank, then sentence id, then place id)."""
    db.conn.create_function("test_squash", 1, _squash, deterministic=True)
    sql = f"""select pl.id, pl.kind, pl.page, pl.repeats, t.sentence, k.plan_id, p.insurer, p.branch,
            sec.path, i.rank
        from search_index i join search_texts t on t.id = i.rowid
        join search_places pl on pl.text_id = t.id join search_plans k on k.key = pl.plan_key
        join plans p on p.id = k.plan_id left join sections sec on sec.id = pl.section_id
        where search_index match ? {case.sql}
        order by i.rank, t.id, pl.id"""
    names = ["id", "kind", "page", "repeats", "sentence", "plan_id", "insurer", "branch", "path", "rank"]
    return [dict(zip(names, row, strict=True)) for row in db.execute(sql, [to_match(parse_query(query))])]


def reference_search(db: sqlite_utils.Database, query: str, case: Case, limit: int) -> list[tuple]:
    seen, out = set(), []
    for row in reference_rows(db, query, case):
        key = (row["plan_id"], sentence_key(row["sentence"]))
        if key not in seen:
            seen.add(key)
            out.append((row["plan_id"], row["sentence"], row["page"], row["kind"], round(-row["rank"], 3)))
    return out[:limit]


def reference_by(db: sqlite_utils.Database, query: str, case: Case) -> list[tuple]:
    groups: dict[tuple, dict] = {}
    for row in reference_rows(db, query, case):  # best first: a group's first row is its best
        group = groups.setdefault((row["insurer"], row["branch"]), {"hits": 0, "plans": set(), "best": row})
        group["hits"] += 1 if case.filters.get("kind") else 1 - row["repeats"]
        group["plans"].add(row["plan_id"])
    out = [(insurer, branch, g["hits"], len(g["plans"]), g["best"]["sentence"], g["best"]["page"],
            round(-g["best"]["rank"], 3)) for (insurer, branch), g in groups.items()]  # fmt: skip
    return sorted(out, key=lambda g: (-g[2], -g[6], g[0] or "", g[1] or ""))


@pytest.mark.parametrize("how", STRATEGIES)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_path_gives_the_plain_querys_hits_in_its_order(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch, case: Case, how: str
) -> None:
    monkeypatch.setattr(candidates, "strategy", lambda scope: how)
    for query in QUERIES:
        for limit in (20, 300):
            expected = reference_search(db, query, case, limit)
            hits = search(db, query, limit=limit, **case.filters)
            found = [(h.plan_id, h.sentence, h.page, h.kind, h.score) for h in hits]
            assert found == expected, (query, limit)


@pytest.mark.parametrize("how", STRATEGIES)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_by_branch_counts_every_match_as_the_plain_query_does(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch, case: Case, how: str
) -> None:
    monkeypatch.setattr(candidates, "strategy", lambda scope: how)
    for query in QUERIES:
        groups = search_by(db, query, "branch", **case.filters)
        found = [(g.insurer, g.branch, g.hits, g.plans, g.sentence, g.page, g.score) for g in groups]
        assert found == reference_by(db, query, case), query


def test_a_selective_filter_is_applied_first_and_ranks_only_its_sentences(db: sqlite_utils.Database) -> None:
    """北海道 holds one plan of 41: only the sentences standing in it are ranked; 協会けんぽ holds 35,
    and the places of the best matches are checked (with a kind filter too, the matches are
    probed); without a plan or kind filter every match is ranked."""
    match = to_match(parse_query("健診"))
    hokkaido = scope(db, SearchFilters(branch="北海道"))
    assert candidates.strategy(hokkaido) == "filter-first"
    assert candidates.strategy(scope(db, SearchFilters(insurer="協会けんぽ"))) == "match-first"
    assert candidates.strategy(scope(db, SearchFilters(insurer="協会けんぽ", kind="section"))) == "probe"
    assert candidates.strategy(scope(db, SearchFilters(kind="program"))) == "probe"
    assert candidates.strategy(scope(db, SearchFilters(section="ジェネリック"))) == "match-first"
    ranked = {t for t, _ in candidates.ranked_texts(db, match, hokkaido)}
    everything = {t for t, _ in candidates.ranked_texts(db, match, scope(db, SearchFilters()))}
    in_plan = {r[0] for r in db.execute(
        "select distinct pl.text_id from search_places pl join search_plans k on k.key = pl.plan_key "
        "join plans p on p.id = k.plan_id where p.branch = '北海道'")}  # fmt: skip
    assert ranked == everything & in_plan
    assert 0 < len(ranked) < len(everything) / 10
