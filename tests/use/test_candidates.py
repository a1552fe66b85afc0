"""The query path under the filters (``extract.use.candidates``) against one plain query.

The reference is written here, independently of the code under test: every match of the FTS5
index joined with the places, plans and sections and the filters in plain SQL, ordered by rank
then place, each sentence once per plan — all matches ranked, no candidates, no probes, no
deepening. Every strategy (filter first, probe, match first) must give exactly its hits, in its
order, and ``--by`` exactly its counts and best sentences.

Nor is the query translated by the code under test: each query of the test has its MATCH
expression written here by hand (a Japanese word as the phrase of its character pairs, the index's
tokens), and what that expression finds is checked against the stored sentences themselves (the
sentences that hold the word, read with ``in``), so that a bug in the query parser, in its
translation or in the index's tokens shows.
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlite_utils

from extract.read.normalize import normalize_text
from extract.store.search_index import sentence_key
from extract.use import candidates
from extract.use.search import Filters as SearchFilters
from extract.use.search import scope, search, search_by


def pairs(word: str) -> str:
    """A kana/kanji word as a phrase of the index's tokens: its overlapping pairs of characters."""
    return '"' + " ".join(a + b for a, b in itertools.pairwise(word)) + '"'


_JAPANESE = "\u3041-\u3096\u309d-\u30fa\u30fc-\u30ff\u3005-\u3007\u3400-\u9fff\uf900-\ufaff"
_LAYOUT_SPACE = re.compile(f"(?<=[{_JAPANESE}]) +(?=[{_JAPANESE}])")


def _text(sentence: str) -> str:
    """A stored sentence as a query word is looked for in it: NFKC, and without the spaces that
    stand between two Japanese characters (layout: justification, a line joined)."""
    return _LAYOUT_SPACE.sub("", unicodedata.normalize("NFKC", sentence))


def has(*words: str) -> Callable[[str], bool]:
    return lambda s: all(w in _text(s) for w in words)


def word(w: str, prefix: bool = False) -> Callable[[str], bool]:
    """A Latin word or a number, whole (``100`` is not in 1000), or as the start of one."""
    end = "" if prefix else "(?![0-9a-z])"
    pattern = re.compile(f"(?<![0-9a-z]){re.escape(w.lower())}{end}")
    return lambda s: pattern.search(_text(s).lower()) is not None


QUERIES: dict[str, tuple[str, Callable[[str], bool]]] = {
    "健診": ('"健診"', has("健診")),
    "禁煙": ('"禁煙"', has("禁煙")),
    "健診 禁煙": ('"健診" AND "禁煙"', has("健診", "禁煙")),
    "受診勧奨": (pairs("受診勧奨"), has("受診勧奨")),
    "健": ('"健" *', has("健")),
    "KPI*": ('"kpi" *', word("kpi", prefix=True)),
    "ジェネリック医薬品の使用促進": (pairs("ジェネリック医薬品の使用促進"),
                                     has("ジェネリック医薬品の使用促進")),
    "被扶養者 特定健診": (f'{pairs("被扶養者")} AND {pairs("特定健診")}', has("被扶養者", "特定健診")),
    "健診 OR 検診": ('"健診" OR "検診"', lambda s: has("健診")(s) or has("検診")(s)),
    "健診 -歯科": ('"健診" NOT "歯科"', lambda s: has("健診")(s) and not has("歯科")(s)),
    "(禁煙 OR 喫煙) 支援": ('("禁煙" OR "喫煙") AND "支援"',
                           lambda s: (has("禁煙")(s) or has("喫煙")(s)) and has("支援")(s)),
    '"北海道 薬剤師会"': (pairs("北海道薬剤師会"), has("北海道薬剤師会")),
    '"ジェネリック 医薬品"': (pairs("ジェネリック医薬品"), has("ジェネリック医薬品")),
    "保健指導 NOT 特定": (f'{pairs("保健指導")} NOT "特定"',
                          lambda s: has("保健指導")(s) and not has("特定")(s)),
    "100": ('"100"', word("100")),
    "ナッジ": (pairs("ナッジ"), has("ナッジ")),
    "重症化予防": (pairs("重症化予防"), has("重症化予防")),
    "通知率": (pairs("通知率"), has("通知率")),
    "目的": ('"目的"', has("目的")),
}  # fmt: skip
"""Each query of the test, its MATCH expression written by hand, and what a sentence it finds
holds (a word's characters in a row, a number whole)."""


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
    return [dict(zip(names, row, strict=True)) for row in db.execute(sql, [QUERIES[query][0]])]


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


@pytest.mark.parametrize("query", QUERIES)
def test_each_hand_written_match_finds_the_sentences_that_hold_the_query(
    db: sqlite_utils.Database, query: str
) -> None:
    """The reference's MATCH expressions against the sentences themselves: what the index finds
    for a query is what a reader finds in the stored text (and there is something to find)."""
    match, holds = QUERIES[query]
    sql = "select rowid from search_index where search_index match ?"
    found = {row[0] for row in db.execute(sql, [match])}
    wanted = {i for i, sentence in db.execute("select id, sentence from search_texts") if holds(sentence)}
    assert found == wanted and found, (query, len(found), len(wanted))


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
    match = QUERIES["健診"][0]
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


@pytest.mark.parametrize("how", STRATEGIES)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_path_where_fts5_ranks_every_match_gives_the_plain_querys_hits(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch, case: Case, how: str
) -> None:
    """The paths above rank most queries from the shortest matches (``extract.use.ranking``);
    these are FTS5 ranking every match, as for a prefix or a filter that keeps few, each forced."""
    monkeypatch.setattr(candidates, "SHORTEST_FIRST", False)
    monkeypatch.setattr(candidates, "strategy", lambda scope: how)
    for query in QUERIES:
        hits = search(db, query, limit=20, **case.filters)
        found = [(h.plan_id, h.sentence, h.page, h.kind, h.score) for h in hits]
        assert found == reference_search(db, query, case, 20), query


SECTION_ROUNDS = [("受診勧奨", "目標", 1), ("被扶養者 特定健診", "健診", 2), ("保健指導 NOT 特定", "評価", 1)]


@pytest.mark.parametrize(("word", "section", "phrases"), SECTION_ROUNDS)
def test_a_phrase_is_counted_once_however_often_a_section_filter_asks_for_more(
    db: sqlite_utils.Database, word: str, section: str, phrases: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A section filter is checked on the places of the best sentences, and the ranking asked
    again for more while the page is not full; the phrase's count (bm25's IDF, as costly as the
    ranking) is made once for the search, and the hits are those of the plain query."""
    from extract.use import ranking

    calls = {"rankings": 0, "counts": 0}
    top_texts, count_beside = ranking.top_texts, ranking.count_beside

    def ranked(*args, **kwargs):  # the real ranking, counted
        calls["rankings"] += 1
        return top_texts(*args, **kwargs)

    def counted(*args, **kwargs):  # the real count, counted
        calls["counts"] += 1
        return count_beside(*args, **kwargs)

    monkeypatch.setattr(ranking, "top_texts", ranked)
    monkeypatch.setattr(ranking, "count_beside", counted)
    case = Case({"section": section}, f"and instr(test_squash(sec.path), '{section}') > 0")
    hits = search(db, word, **case.filters)
    assert calls["rankings"] >= 2 and calls["counts"] == phrases
    found = [(h.plan_id, h.sentence, h.page, h.kind, h.score) for h in hits]
    assert found == reference_search(db, word, case, 20) and found
