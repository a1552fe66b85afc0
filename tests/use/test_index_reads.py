"""The reads of the ranking (``extract.use.index_reads``) against FTS5's own data, on the corpus
loaded by the real loader: its MATCH for what a query matches, and its ``fts5vocab`` instance
table (every token's offset in every sentence) for how often a phrase stands in a sentence."""

from __future__ import annotations

from collections import defaultdict

import pytest
import sqlite_utils

from extract.use import index_reads
from extract.use.search import parse_query, to_match


def phrase_counts(db: sqlite_utils.Database, tokens: tuple[str, ...]) -> dict[int, int]:
    """Each sentence's instances of the phrase, from the offsets FTS5 stored for its tokens
    (overlapping instances count: FTS5 counts an instance at every offset where one starts)."""
    db.execute("create virtual table if not exists temp.vocab using fts5vocab(main, search_index, instance)")
    offsets: dict[tuple[int, str], set[int]] = defaultdict(set)
    rows = db.execute(
        "select doc, term, offset from temp.vocab where col = 'body_tokens' and term in "
        f"({', '.join('?' * len(set(tokens)))})", list(set(tokens)),
    ).fetchall()  # fmt: skip
    for doc, term, offset in rows:
        offsets[(doc, term)].add(offset)
    docs = {doc for doc, _, _ in rows}
    return {doc: n for doc in docs
            if (n := sum(all(o + j in offsets[(doc, t)] for j, t in enumerate(tokens))
                         for o in offsets[(doc, tokens[0])]))}  # fmt: skip


def matching(db: sqlite_utils.Database, query: str) -> set[int]:
    sql = "select rowid from search_index where search_index match ?"
    return {row[0] for row in db.execute(sql, [to_match(parse_query(query))])}


def words(query: str) -> tuple[str, ...]:
    return parse_query(query).tokens  # type: ignore[union-attr]


CASES = [
    # (query, its items — ORs of phrases —, its negated phrases, the phrase whose repeats are checked)
    ("受診勧奨", [["受診勧奨"]], [], "受診勧奨"),
    ('"100 100"', [['"100 100"']], [], '"100 100"'),
    ("保健指導 NOT 特定", [["保健指導"]], ["特定"], "保健指導"),
    ("健診 実施", [["健診"], ["実施"]], [], "健診"),
    ("特定健診 OR 保健指導", [["特定健診", "保健指導"]], [], "特定健診"),
    ("健診 -歯科", [["健診"]], ["歯科"], "健診"),
]


@pytest.mark.parametrize(("query", "items", "negated", "phrase"), CASES)
def test_standing_keeps_the_matches_holding_the_phrase_twice(
    db: sqlite_utils.Database, query: str, items: list[list[str]], negated: list[str], phrase: str
) -> None:
    """Of every sentence, the check keeps those matching the query and holding the phrase twice
    or more (overlapping instances counted, as in 100 100 100)."""
    tokens = words(phrase)
    items_tokens = [[words(p) for p in item] for item in items]
    check = index_reads.standing(db, items_tokens, [words(p) for p in negated], tokens)
    counts = phrase_counts(db, tokens)
    # a token's repeats hold it as often as their count (the caller reads them at a count):
    # only whether they match is checked; a longer phrase's are any sentences
    twice = 2 if len(tokens) > 1 else 1
    expected = {doc for doc, n in counts.items() if n >= twice} & matching(db, query)
    assert check is not None and expected  # every case has sentences to find
    every = [row[0] for row in db.execute("select id from search_texts order by id")]
    ids = every if len(tokens) > 1 else sorted(counts)
    found = set().union(*(check(ids[i : i + 1000]) for i in range(0, len(ids), 1000)))
    assert found == expected


def test_the_repeats_of_a_one_token_query_need_no_check(db: sqlite_utils.Database) -> None:
    """A token's repeats at a count hold it that many times, and it is the whole query."""
    assert index_reads.standing(db, [[("健診",)]], [], ("健診",)) is None
    assert index_reads.standing(db, [[("健診",), ("検診",)]], [], ("健診",)) is None
