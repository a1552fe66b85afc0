"""The best sentences from the shortest matches and the repeats (``extract.use.ranking``) against
FTS5's bm25 over every match, on the corpus loaded by the real loader.

The reference is FTS5 itself — ``order by rank, rowid`` over every match — never the code
under test; the ranks must be equal to the last bit, not rounded.
"""

from __future__ import annotations

import pytest
import sqlite_utils

from extract.store import search_terms
from extract.use import index_reads, ranking
from extract.use.search import parse_query, to_match

QUERIES = [
    "健診", "受診勧奨", "禁煙", "健診 禁煙", "健診 OR 検診", "健診 -歯科", "(禁煙 OR 喫煙) 支援",
    "保健指導 NOT 特定", '"北海道 薬剤師会"', "被扶養者 特定健診", "ジェネリック医薬品の使用促進",
    "KPI", "100", "目的", "の推進", "する",
    "データヘルス計画", "重症化予防 OR 糖尿病", "実施 -(健診 OR 保健)", "事業",
]  # fmt: skip


def fts5_ranking(db: sqlite_utils.Database, query: str, k: int) -> list[tuple[int, float]]:
    sql = "select rowid, rank from search_index where search_index match ? order by rank, rowid limit ?"
    return [tuple(r) for r in db.execute(sql, [to_match(parse_query(query)), k])]


@pytest.mark.parametrize("k", [1, 20, 300])
def test_the_best_sentences_are_fts5s_best_with_its_ranks(db: sqlite_utils.Database, k: int) -> None:
    for query in QUERIES:
        node = parse_query(query)
        found = ranking.top_texts(db, node, to_match(node), k)
        assert found == fts5_ranking(db, query, k), query


def test_a_common_word_is_ranked_from_a_fraction_of_its_matches(db: sqlite_utils.Database) -> None:
    """健診 stands in about 1,400 sentences of the corpus: the best 20 are found, and known to be
    the best, after reading the shortest matches and the sentences repeating it."""
    node = parse_query("健診")
    read: dict[str, int] = {}
    found = ranking.top_texts(db, node, to_match(node), 20, stats=read)
    matches = db.execute("select count(*) from search_index where search_index match '\"健診\"'").fetchone()[
        0
    ]
    assert found == fts5_ranking(db, "健診", 20)
    assert matches > 1000 and read["sentences"] < matches / 4


@pytest.mark.parametrize("query", ["健診", "保健指導 NOT 特定", "健診 OR 検診", "被扶養者 特定健診"])
def test_a_filter_keeps_the_best_of_the_sentences_it_passes(db: sqlite_utils.Database, query: str) -> None:
    kept = {r[0] for r in db.execute("select text_id from search_places where kind = 'program'")}
    node = parse_query(query)
    found = ranking.top_texts(db, node, to_match(node), 20, (" and p.kind = ?", ["program"]))
    every = [(i, r) for i, r in fts5_ranking(db, query, 100_000) if i in kept]
    assert found == every[:20] and every


@pytest.mark.parametrize("query", ["健診 実施", "保健 事業", "健診 -歯科", "受診勧奨", "保健指導 NOT 特定"])
def test_the_repeats_are_checked_a_batch_at_a_time(db: sqlite_utils.Database, query: str) -> None:
    """The sentences repeating a phrase's rarest token are checked — do they match a query of
    two parts, do they hold a phrase of two tokens or more twice — in one statement a batch,
    not once for each sentence read."""
    node = parse_query(query)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        found = ranking.top_texts(db, node, to_match(node), 20)
    finally:
        db.conn.set_trace_callback(None)
    batches = [s for s in statements if "from search_repeats where term = " in s and "limit" in s]
    checks = [s for s in statements if "instr(b, " in s]
    assert found == fts5_ranking(db, query, 20)
    assert batches and 0 < len(checks) <= len(batches)


def test_repeats_not_holding_a_phrase_twice_are_not_scored(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A phrase's rarest token repeated in a sentence mostly stands outside the phrase: such
    sentences are dropped by the batch check, so fewer sentences are scored, with the same
    best sentences as without the check."""
    query = "ジェネリック医薬品の使用促進"
    node = parse_query(query)
    checked: dict[str, int] = {}
    found = ranking.top_texts(db, node, to_match(node), 20, stats=checked)
    unchecked: dict[str, int] = {}
    monkeypatch.setattr(ranking, "standing", lambda *args: None)
    without = ranking.top_texts(db, node, to_match(node), 20, stats=unchecked)
    assert without == found == fts5_ranking(db, query, 20)
    assert checked["sentences"] < unchecked["sentences"]


@pytest.mark.parametrize("query", ["健", "KPI*", "(健診 禁煙) OR 喫煙", "健診 -(歯科 検診)"])
def test_a_prefix_or_an_or_of_groups_is_left_to_fts5(db: sqlite_utils.Database, query: str) -> None:
    node = parse_query(query)
    assert ranking.top_texts(db, node, to_match(node), 20) is None


def test_a_sentence_id_holds_its_fts5_length(db: sqlite_utils.Database) -> None:
    """bm25's length of every sentence (FTS5's own count, its docsize record) is the one its id
    starts with, and FTS5's totals are what the ranking reads."""
    lengths = {}
    for text_id, size in db.execute("select id, sz from search_index_docsize"):
        pos, total = 0, 0
        while pos < len(size):
            value, pos = index_reads.varint(size, pos)
            total += value
        lengths[text_id] = total
    assert len(lengths) == db["search_texts"].count
    assert all(search_terms.length_of(i) == n for i, n in lengths.items())
    assert index_reads.averages(db) == (len(lengths), sum(lengths.values()))


WEIGHED_WHOLE = ["保健指導 実施率", "健診 受診", "保健 事業", "健診 OR 検診", "重症化予防 OR 糖尿病"]


@pytest.mark.parametrize("query", WEIGHED_WHOLE)
def test_a_match_is_bounded_as_a_whole_sentence(db: sqlite_utils.Database, query: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """An unread sentence is weighed whole — one length for all its phrases — so the search stops
    sooner than if each phrase were weighed at the length that suits it best, with the same best
    sentences."""
    node = parse_query(query)
    whole: dict[str, int] = {}
    found = ranking.top_texts(db, node, to_match(node), 20, stats=whole)
    apart: dict[str, int] = {}
    apart_bound = lambda scorer, q, streams: (ranking._bound(scorer, q, streams), None, streams[0].last)  # noqa: E731
    monkeypatch.setattr(ranking, "_held", apart_bound)
    separately = ranking.top_texts(db, node, to_match(node), 20, stats=apart)
    assert separately == found == fts5_ranking(db, query, 20)
    assert whole["sentences"] < apart["sentences"]
