"""What a search needs to rank the best sentences first without ranking every match: each
sentence's length in its id, each token's number of sentences, and the sentences repeating a token.

FTS5's bm25 scores a sentence from two things of its own — how often each phrase of the query
stands in it (``f``) and its length in tokens (``D``, the padding included) — and from three of
the whole index: the number of sentences, their average length, and each phrase's number of
sentences (its IDF). Ranking every match is what made a search cost as much as its commonest
word's matches (docs/internals.md, "The search index"). So:

- a sentence's id is ``D << 40 | n`` (:func:`text_id`): ``n`` the order it was first stored in,
  ``D`` its FTS5 length. FTS5 reads a query's matches in id order, so shortest first: a sentence
  holding each phrase once scores the less the longer it is, and the first matches read are the
  best of those, in the order of equal scores (shorter, then first stored);
- ``search_terms`` holds each token's number of sentences (``df``, what FTS5 counts for a
  one-token phrase's IDF by reading all its matches) and ``search_state`` the counter ``n``;
- ``search_repeats`` lists, for each token, the sentences holding it two or more times (``tf``),
  by ``tf`` then id: the only sentences where a phrase can stand more than once, and so score
  better than their length says. A sentence holds 1.6 such tokens on average.

``extract.use.ranking`` reads them to rank a query's best sentences exactly as bm25 over every
match would. They are kept with ``search_texts``: new sentences add to them, a deleted one
takes its part away, a rebuild counts the tokens from FTS5 itself (``fts5vocab``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import sqlite_utils

TERMS = "search_terms"
REPEATS = "search_repeats"
STATE = "search_state"
LENGTH_SHIFT = 40
"""A sentence id is its FTS5 length shifted by this many bits, plus the order it was stored in."""
ORDER_MASK = (1 << LENGTH_SHIFT) - 1
MIN_LENGTH = 20
"""Sentences are ranked as if at least this many tokens long (see ``search_tables.MIN_LENGTH``)."""
FILLER = "\ue000"
"""The token that pads a short sentence (``search_tables``)."""

SCHEMA = (
    f"""create table if not exists {TERMS} (
        term text primary key,
        df integer not null
    ) without rowid""",
    f"""create table if not exists {REPEATS} (
        term text not null,
        tf integer not null,
        text_id integer not null,
        primary key (term, tf, text_id)
    ) without rowid""",
    f"""create table if not exists {STATE} (
        name text primary key,
        value integer not null
    )""",
)


def length(sentence: str, tokens: str) -> int:
    """A sentence's length as FTS5 counts it for bm25: its tokens, and the padding that counts
    a short sentence as :data:`MIN_LENGTH` tokens (``search_tables``' generated column)."""
    return len(tokens.split()) + max(0, MIN_LENGTH - len(sentence))


def text_id(sentence: str, tokens: str, order: int) -> int:
    """The id of a sentence stored ``order``-th: its length first, so that FTS5 reads the
    shortest matches first."""
    return length(sentence, tokens) << LENGTH_SHIFT | order


def length_of(text_id: int) -> int:
    return text_id >> LENGTH_SHIFT


def ensure_schema(db: sqlite_utils.Database) -> None:
    for statement in SCHEMA:
        db.execute(statement)


def next_order(db: sqlite_utils.Database, count: int) -> int:
    """The order number of the first of ``count`` new sentences (the counter raised past them)."""
    row = db.execute(f"select value from {STATE} where name = 'order'").fetchone()
    first = row[0] if row else 1
    db.execute(f"insert or replace into {STATE} (name, value) values ('order', ?)", [first + count])
    return first


def repeated(tokens: str) -> list[tuple[str, int]]:
    """The tokens standing two or more times in a sentence's tokens, with their counts."""
    return [(t, n) for t, n in Counter(tokens.split()).items() if n > 1]


def add(db: sqlite_utils.Database, texts: Sequence[tuple[int, str]], *, count: bool = True) -> None:
    """New sentences, as (id, tokens): their repeated tokens listed and (``count``) their tokens
    counted; a rebuild counts them all at the end instead (:func:`count_all`)."""
    db.conn.executemany(
        f"insert or ignore into {REPEATS} (term, tf, text_id) values (?, ?, ?)",
        [(t, n, i) for i, tokens in texts for t, n in repeated(tokens)],
    )
    if count:
        _count(db, texts, 1)


def remove(db: sqlite_utils.Database, texts: Sequence[tuple[int, str]]) -> None:
    """Sentences about to be deleted, as (id, tokens): their part taken away."""
    db.conn.executemany(
        f"delete from {REPEATS} where term = ? and tf = ? and text_id = ?",
        [(t, n, i) for i, tokens in texts for t, n in repeated(tokens)],
    )
    _count(db, texts, -1)


def _count(db: sqlite_utils.Database, texts: Iterable[tuple[int, str]], sign: int) -> None:
    df: Counter[str] = Counter()
    for _, tokens in texts:
        df.update(set(tokens.split()))
    db.conn.executemany(
        f"insert into {TERMS} (term, df) values (?, ?) "
        "on conflict (term) do update set df = df + excluded.df",
        [(t, sign * n) for t, n in df.items()],
    )
    if sign < 0:
        db.execute(f"delete from {TERMS} where df <= 0")


def clear(db: sqlite_utils.Database) -> None:
    for table in (TERMS, REPEATS, STATE):
        db.execute(f"delete from {table}")


def count_all(db: sqlite_utils.Database, index: str) -> None:
    """Every token's number of sentences, as FTS5 ``index`` holds them (its ``fts5vocab``), in one
    pass over its terms: after a rebuild, or to convert a database."""
    db.execute(f"delete from {TERMS}")
    db.execute(
        f"create virtual table if not exists temp.{TERMS}_vocab using fts5vocab(main, '{index}', 'row')"
    )
    try:
        db.execute(  # the padding's filler is no word
            f"insert into {TERMS} (term, df) select term, doc from temp.{TERMS}_vocab where term != ?",
            [FILLER],
        )
    finally:
        db.execute(f"drop table if exists temp.{TERMS}_vocab")
