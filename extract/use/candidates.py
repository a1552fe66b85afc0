"""Which sentences a search ranks, and where they stand: the query path under the filters.

FTS5 ranks a match by calling bm25 on it, and that call is what a search costs (about 0.7 µs a
sentence here; counting the matches costs a fortieth). So a search ranks as few sentences as it
can, and never ranks a sentence twice:

- each distinct sentence is indexed once (``extract.store.search_tables``), and its places are
  listed after it is ranked;
- a filter is applied before the ranking, not after: FTS5 computes ``rank`` only for the rows
  a query reads it of, so the matches are joined with what the filter keeps first, and only
  those are ranked. Which join depends on how selective the filter is (:func:`strategy`):
  **filter first** when the plans it keeps hold at most :data:`FILTER_FIRST_SHARE` of the places
  (their sentences, read from a covering index, are the candidates each match is looked up
  in), a **probe** otherwise (each match asks a covering index whether one of its places passes
  the kind or plan filter), and **match first** without a plan or kind filter. A section filter
  is checked on the places of the sentences in rank order;
- FTS5 is asked for the best sentences only (``order by rank, rowid limit k``), more only when
  their places did not fill the page.

Never ``rowid in (…)``: FTS5 starts its query again for every value of the list, and bm25 counts
each phrase's matches over the whole index every time. The order is total — rank, then the
place's id (reading order, as the places were stored) — so that every path gives the same hits,
which the tests check against one plain query (``tests/use/test_candidates.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import sqlite_utils

from extract.read.normalize import normalize_text
from extract.store.search_index import sentence_key
from extract.store.search_tables import INDEX, PLACES, TEXTS

FILTER_FIRST_SHARE = 0.2
"""A plan filter keeping at most this share of the places is applied first (measured by ``make
bench``: the candidates cost 0.1 µs a place to gather, a probe 0.3–1 µs a match)."""
FIRST_TEXTS = 16
"""Sentences FTS5 is asked for first (at least twice the hits asked for); eight times as many
each time their places did not fill the page."""


@dataclass(frozen=True)
class Scope:
    """What a search is narrowed to, in the index's terms: plan keys (``None``: every plan),
    sentence kinds (``None``: every kind) and a section path (squashed; ``None``: any)."""

    plan_keys: tuple[int, ...] | None = None
    kinds: tuple[str, ...] | None = None
    section: str | None = None
    places: int = 0
    """Places of the plans the filter keeps (all places without a plan filter)."""
    total: int = 0
    """Places in the index."""


@dataclass(frozen=True)
class Place:
    """A place a ranked sentence stands: its id, its sentence's id and rank, its plan's key."""

    id: int
    text_id: int
    rank: float
    plan_key: int


@lru_cache(maxsize=65536)
def squash(text: str | None) -> str:
    """Text compared without spaces, normalized (a section path, a filter)."""
    return "".join(normalize_text(text or "").split())


def strategy(scope: Scope) -> str:
    """``filter-first``, ``probe`` or ``match-first`` (see the module docstring)."""
    if scope.plan_keys is not None and scope.places <= FILTER_FIRST_SHARE * scope.total:
        return "filter-first"
    if scope.plan_keys is not None or scope.kinds is not None:
        return "probe"
    return "match-first"


def _place_filter(scope: Scope, by_plan: bool = False) -> tuple[str, list]:
    """SQL conditions (``and …``) on a place ``p`` for the kind and plan filters, and their
    arguments. Unless ``by_plan`` (the candidates of a selective filter), the places are reached
    through their sentence, and the plan condition is only checked (``+``: no index): left to
    itself, SQLite would walk every place of a thousand plans to find a sentence's few."""
    sql, args = "", []
    if scope.kinds is not None:
        sql += " and p.kind in (select value from json_each(?))"
        args.append(json.dumps(scope.kinds))
    if scope.plan_keys is not None:
        sql += f" and {'' if by_plan else '+'}p.plan_key in (select value from json_each(?))"
        args.append(json.dumps(scope.plan_keys))
    return sql, args


def matching_texts(scope: Scope, how: str | None = None) -> tuple[str, str, list, list]:
    """The parts of a query over the matching sentences that the filter can keep, FTS5's table
    aliased ``m``: (CTEs to put first or ``""``, ``from … where …`` with one ``?`` for the MATCH
    expression, the CTEs' arguments, the arguments after the MATCH). Reading ``m.rank`` ranks only
    the rows the where clause keeps."""
    how = how or strategy(scope)
    place_sql, place_args = _place_filter(scope, by_plan=how == "filter-first")
    if how == "filter-first":
        cte = f"c as materialized (select distinct p.text_id as id from {PLACES} p where 1 = 1 {place_sql})"
        return cte, f"from {INDEX} m cross join c on c.id = m.rowid where {INDEX} match ?", place_args, []
    where = f"from {INDEX} m where {INDEX} match ?"
    if how == "probe":
        where += f" and exists (select 1 from {PLACES} p where p.text_id = m.rowid {place_sql})"
        return "", where, [], place_args
    return "", where, [], []


def ranked_texts(db: sqlite_utils.Database, match: str, scope: Scope, limit: int = -1,
                 how: str | None = None) -> list[tuple[int, float]]:  # fmt: skip
    """The best ``limit`` (-1: all) matching sentences the filter can keep, as (id, rank), best
    first, ties by id."""
    cte, source, cte_args, args = matching_texts(scope, how)
    sql = f"{'with ' + cte if cte else ''} select m.rowid, m.rank {source} order by m.rank, m.rowid limit ?"
    return db.execute(sql, [*cte_args, match, *args, limit]).fetchall()


def text_places(
    db: sqlite_utils.Database, text_ids: list[int], scope: Scope
) -> dict[int, list[tuple[int, int]]]:
    """The places of these sentences that pass the filter, as (place id, plan key) in id order."""
    place_sql, place_args = _place_filter(scope)
    path = "sec.path" if scope.section is not None else "null"
    sections = "left join sections sec on sec.id = p.section_id" if scope.section is not None else ""
    rows = db.execute(
        f"select p.text_id, p.id, p.plan_key, {path} from {PLACES} p {sections} "
        f"where p.text_id in (select value from json_each(?)) {place_sql}",
        [json.dumps(text_ids), *place_args],
    ).fetchall()
    out: dict[int, list[tuple[int, int]]] = {t: [] for t in text_ids}
    for text_id, place_id, plan_key, section_path in sorted(rows, key=lambda r: r[1]):
        if scope.section is None or scope.section in squash(section_path):
            out[text_id].append((place_id, plan_key))
    return out


def _sentences(db: sqlite_utils.Database, text_ids: list[int]) -> dict[int, str]:
    rows = db.execute(f"select id, sentence from {TEXTS} where id in (select value from json_each(?))",
                      [json.dumps(text_ids)])  # fmt: skip
    return dict(rows.fetchall())


def _rank_groups(texts: list[tuple[int, float]], complete: bool) -> Iterator[list[tuple[int, float]]]:
    """Runs of sentences with equal rank, batched a few runs at a time (more each time: the first
    sentences' places usually fill a page, and a template sentence stands in hundreds of plans).
    Unless ``complete``, the last run is held back: FTS5 may have more sentences of that rank."""
    runs: list[list[tuple[int, float]]] = []
    for text in texts:
        if runs and runs[-1][0][1] == text[1]:
            runs[-1].append(text)
        else:
            runs.append([text])
    if not complete and runs:
        runs.pop()
    start, size = 0, 4
    while start < len(runs):
        yield [text for run in runs[start : start + size] for text in run]
        start, size = start + size, size * 2


def first_places(db: sqlite_utils.Database, match: str, scope: Scope, limit: int,
                 how: str | None = None) -> list[Place]:  # fmt: skip
    """The first ``limit`` places of the matching sentences, in order (rank, place), each
    sentence once per plan: a place whose plan already showed the same sentence (compared by
    :func:`~extract.store.search_index.sentence_key`: a program's purpose is also its section's
    text, with or without its bullet) is left out."""
    out: list[Place] = []
    seen: set[tuple[int, str]] = set()
    done = 0
    k = max(FIRST_TEXTS, 2 * limit)
    while limit > 0:
        texts = ranked_texts(db, match, scope, k, how)
        complete = len(texts) < k
        for batch in _rank_groups(texts[done:], complete):
            ids = [t for t, _ in batch]
            places, sentences = text_places(db, ids, scope), _sentences(db, ids)
            ranked = sorted((place_id, text_id, rank, plan_key) for text_id, rank in batch
                            for place_id, plan_key in places[text_id])  # fmt: skip
            for place_id, text_id, rank, plan_key in sorted(ranked, key=lambda p: (p[2], p[0])):
                key = (plan_key, sentence_key(sentences[text_id]))
                if key not in seen:
                    seen.add(key)
                    out.append(Place(place_id, text_id, rank, plan_key))
                    if len(out) == limit:
                        return out
            done += len(batch)
        if complete:
            return out
        k *= 8
    return out


@dataclass(frozen=True)
class PlanCount:
    """A plan's matching places: how many, how many not repeating their section's sentence, and
    its first hit in search order (rank, then place): its place id, and its sentence's rank."""

    plan_key: int
    places: int
    unrepeated: int
    best: int
    """The first hit's position: its rank's position among the distinct ranks, times 2³², plus
    its place id — one integer, so that ``min()`` finds it in the same pass that counts."""
    rank: float

    @property
    def place(self) -> int:
        return self.best & 0xFFFFFFFF


def plan_counts(
    db: sqlite_utils.Database, match: str, scope: Scope,
    section_path: Callable[[list[str]], dict[str, str]] | None = None,
) -> list[PlanCount]:  # fmt: skip
    """Every plan's matching places under the filter (``--by``): all matches are counted, and
    ranked once each. ``section_path`` maps section ids to their paths, for a section filter."""
    cte, source, cte_args, args = matching_texts(scope)
    place_sql, place_args = _place_filter(scope)
    by_section = scope.section is not None
    rows = db.execute(
        f"""with {cte + ',' if cte else ''}
        r as materialized (select m.rowid as id, m.rank as rank {source}),
        o as materialized (select id, rank, dense_rank() over (order by rank) as n from r)
        select p.plan_key, count(*), sum(1 - p.repeats), min(o.n * 4294967296 + p.id), o.rank
            {', p.section_id' if by_section else ''}
        from o join {PLACES} p on p.text_id = o.id
        where 1 = 1 {place_sql}
        group by p.plan_key {', p.section_id' if by_section else ''}""",
        [*cte_args, match, *args, *place_args],
    ).fetchall()
    if not by_section:
        return [PlanCount(*row) for row in rows]
    assert section_path is not None and scope.section is not None
    paths = section_path(sorted({row[5] for row in rows if row[5] is not None}))
    merged: dict[int, PlanCount] = {}
    for plan_key, places, unrepeated, best, rank, section_id in rows:
        if scope.section not in squash(paths.get(section_id)):
            continue
        before = merged.get(plan_key)
        if before is not None:
            places, unrepeated = places + before.places, unrepeated + before.unrepeated
            if before.best < best:
                best, rank = before.best, before.rank
        merged[plan_key] = PlanCount(plan_key, places, unrepeated, best, rank)
    return list(merged.values())
