"""What the ranking reads from the search index (``extract.use.ranking``): FTS5's totals, a
token's or a phrase's number of sentences, a query's matches in id order (shortest first), a
token's repeats, and which sentences a filter keeps — each a query of its own, so that the
ranking reads them a batch at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlite_utils

from extract.store.search_tables import INDEX, PLACES, TEXTS
from extract.store.search_terms import REPEATS, TERMS


def varint(data: bytes, pos: int) -> tuple[int, int]:
    """SQLite's varint (FTS5 writes its records with it): the value and the next position."""
    value = 0
    for n in range(9):
        byte = data[pos + n]
        if n == 8:
            return (value << 8) | byte, pos + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + n + 1
    raise ValueError("bad varint")


def averages(db: sqlite_utils.Database) -> tuple[int, int]:
    """The index's number of sentences and of tokens (all columns), from FTS5's averages record
    — what ``bm25()`` reads them from."""
    row = db.execute(f"select block from {INDEX}_data where id = 1").fetchone()
    if not row or not row[0]:
        return 0, 0
    rows, pos = varint(row[0], 0)
    tokens = 0
    while pos < len(row[0]):
        column, pos = varint(row[0], pos)
        tokens += column
    return rows, tokens


def instances(tokens: list[str], phrase: tuple[str, ...]) -> int:
    """How often ``phrase`` stands in ``tokens`` (overlapping instances count, as FTS5 counts)."""
    if len(phrase) == 1:
        return tokens.count(phrase[0])
    count, at, n = 0, -1, len(phrase)
    while True:
        try:
            at = tokens.index(phrase[0], at + 1)
        except ValueError:
            return count
        if tuple(tokens[at : at + n]) == phrase:
            count += 1


def sentences(db: sqlite_utils.Database, tokens: tuple[str, ...]) -> int:
    """A phrase's number of sentences: a token's from ``search_terms``; a longer phrase's
    counted by FTS5 (what ``bm25()`` does for every phrase)."""
    if len(tokens) == 1:
        row = db.execute(f"select df from {TERMS} where term = ?", [tokens[0]]).fetchone()
        return row[0] if row else 0
    match = '"' + " ".join(tokens) + '"'
    return db.execute(f"select count(*) from {INDEX} where {INDEX} match ?", [match]).fetchone()[0]


def key_token(db: sqlite_utils.Database, tokens: tuple[str, ...]) -> str:
    """The phrase's rarest token: its repeats are the fewest to read."""
    found = dict(db.execute(f"select term, df from {TERMS} where term in (select value from json_each(?))",
                            [json.dumps(tokens)]).fetchall())  # fmt: skip
    return min(tokens, key=lambda t: found.get(t, 0))


def levels(db: sqlite_utils.Database, term: str) -> list[int]:
    """The counts the token stands with in some sentence (two or more), each an index seek."""
    out: list[int] = []
    while True:
        row = db.execute(
            f"select min(tf) from {REPEATS} where term = ? and tf > ?", [term, out[-1] if out else 1]
        )
        found = row.fetchone()[0]
        if found is None:
            return out
        out.append(found)


Kept = tuple[str, list]
"""A filter on the places of a sentence: SQL conditions (``and …``) on a place ``p`` and their
arguments (``extract.use.candidates``); a sentence is kept when one of its places passes."""


def kept_sql(column: str, kept: Kept | None) -> tuple[str, list]:
    """The condition that the sentence ``column`` has a place the filter keeps: checked as each
    match is read, so a stream reads only what can be shown, still shortest first."""
    if kept is None:
        return "", []
    return f" and exists (select 1 from {PLACES} p where p.text_id = {column} {kept[0]})", kept[1]


def matches(db: sqlite_utils.Database, match: str,
             kept: Kept | None = None) -> Callable[[int, int], list[int]]:  # fmt: skip
    """The matches after an id that the filter keeps, in id order (shortest first)."""
    where, args = kept_sql("m.rowid", kept)
    sql = (f"select m.rowid from {INDEX} m where {INDEX} match ? and m.rowid > ? {where} "
           "order by m.rowid limit ?")  # fmt: skip
    return lambda after, n: [row[0] for row in db.execute(sql, [match, after, *args, n])]


def repeats(db: sqlite_utils.Database, term: str, level: int) -> Callable[[int, int], list[int]]:
    """The sentences holding ``term`` ``level`` times, after an id, in id order."""
    sql = f"select text_id from {REPEATS} where term = ? and tf = ? and text_id > ? order by text_id limit ?"
    return lambda after, n: [row[0] for row in db.execute(sql, [term, level, after, n])]


Phrases = tuple[str, ...]


def _spaced(phrase: Phrases) -> str:
    return " " + " ".join(phrase) + " "


def standing(
    db: sqlite_utils.Database, items: list[list[Phrases]], negated: list[Phrases], twice: Phrases
) -> Callable[[list[int]], set[int]] | None:
    """Which of some sentences of a phrase's repeats count: those matching the query — one
    phrase of each item (an OR) stands in them, no ``negated`` phrase does — and holding the
    phrase (``twice``) twice or more. ``None`` when every one counts (the repeats of a
    one-token phrase that is the whole query).

    A sentence repeating a phrase's rarest token mostly holds the phrase once or not at all, or
    does not match the rest of the query: the others score as a match holding the phrase once,
    which the stream of every match reads at its length. The check is made in SQL on the
    sentences' tokens, a batch at a time (about a microsecond a sentence), instead of each
    sentence read and counted in Python or the query's matches read over the batch's span of
    ids (as many as the query has there). A phrase stands where its tokens follow each other,
    as FTS5 matches it; the second instance is looked for after the first one's start, so
    overlapping instances count, as FTS5 counts them."""
    conditions, args = [], []
    for item in items:
        if twice not in item:  # an OR holding the phrase stands wherever the phrase does
            conditions.append("(" + " or ".join("instr(b, ?) > 0" for _ in item) + ")")
            args += [_spaced(p) for p in item]
    for phrase in negated:
        conditions.append("instr(b, ?) = 0")
        args.append(_spaced(phrase))
    if len(twice) > 1:
        conditions.append("instr(substr(b, instr(b, ?) + 1), ?) > 0")
        args += [_spaced(twice)] * 2
    if not conditions:
        return None
    sql = (f"select id from (select id, ' ' || body_tokens || ' ' as b from {TEXTS} "
           f"where id in (select value from json_each(?))) where {' and '.join(conditions)}")  # fmt: skip
    return lambda ids: {row[0] for row in db.execute(sql, [json.dumps(ids), *args])}


def keeping(db: sqlite_utils.Database, kept: Kept | None) -> Callable[[list[int]], set[int]] | None:
    """Which of some sentences have a place the filter keeps (``None``: no filter)."""
    if kept is None:
        return None
    sql = (f"select distinct p.text_id from {PLACES} p where p.text_id in (select value from json_each(?)) "
           f"{kept[0]}")  # fmt: skip
    return lambda ids: {row[0] for row in db.execute(sql, [json.dumps(ids), *kept[1]])}
