"""Which sentences a search ranks, and where they stand: the query path under the filters.

FTS5 ranks a match by calling bm25 on it, and that call is what a search costs (about 0.6 µs a
sentence here; counting the matches costs a fortieth). So a search ranks as few sentences as it
can, each once (again only in the rare case below):

- each distinct sentence is indexed once (``extract.store.search_tables``), and its places are
  listed after it is ranked;
- a filter is applied before the ranking, not after: FTS5 computes ``rank`` only for the rows
  a query reads it of, so the matches are joined with what the filter keeps first, and only
  those are ranked. Which join depends on how selective the filter is (:func:`strategy`):
  **filter first** when the plans it keeps hold at most :data:`FILTER_FIRST_SHARE` of the places
  (their sentences, read from a covering index, are the candidates each match is looked up
  in), **match first** when they hold at least :data:`MATCH_FIRST_SHARE` (and there is no kind
  filter: the places of the best sentences are checked, few fail), a **probe** otherwise (each
  match asks a covering index whether one of its places passes the kind or plan filter), and
  match first without a plan or kind filter. A section filter is checked on the places of the
  sentences in rank order;
- FTS5 is asked for the best sentences only (``order by rank, rowid limit k``, ``k`` generous:
  it costs little), more (ranking again) only when their places did not fill the page;
- ``--by`` counts every match under the filter and reads each plan's first hit in the same pass
  (:func:`plan_counts`).

Never ``rowid in (…)``: FTS5 starts its query again for every value of the list, and bm25 counts
each phrase's matches over the whole index every time. The order is total — rank, then the
sentence's id (the order sentences were first stored), then the place's id (reading order) — so
that every path gives the same hits, which the tests check against one plain query
(``tests/use/test_candidates.py``), and so that the best sentences FTS5 returns are complete: a
sentence of equal rank after them cannot come before one of theirs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import sqlite_utils

from extract.read.normalize import normalize_text
from extract.store.bigrams import sentence_key
from extract.store.search_tables import INDEX, PLACES, PLAN_KEYS, TEXTS
from extract.use import ranking
from extract.use.query import Node

FILTER_FIRST_SHARE = 0.2
"""A plan filter keeping at most this share of the places is applied first (measured by ``make
bench``: the candidates cost 0.1 µs a place to gather, a probe 0.3–1 µs a match)."""
MATCH_FIRST_SHARE = 0.5
"""A plan filter (without a kind filter) keeping at least this share of the places is checked
on the places of the best sentences (a probe would cost more than the ranking it saves)."""
SHORTEST_FIRST = True
"""Rank the best sentences from the shortest matches and the repeats (``extract.use.ranking``)
where it can; false: FTS5 ranks every match (the paths below), as before schema 7."""
FIRST_TEXTS = 64
"""Sentences FTS5 is asked for first (at least eight times the hits asked for: ranking the best
600 costs hardly more than the best 40, ranking again costs as much as the first time); eight
times as many each time their places did not fill the page."""


@dataclass(frozen=True)
class Scope:
    """What a search is narrowed to, in the index's terms: plan keys (``None``: every plan),
    sentence kinds (``None``: every kind) and a section path (squashed; ``None``: any)."""

    plan_keys: tuple[int, ...] | None = None
    kinds: tuple[str, ...] | None = None
    section: str | None = None
    places: int = 0
    """Places of the plans the filter keeps (0 without a plan filter: not counted)."""
    total: int = 0
    """Places in the index (0 without a plan filter: not counted)."""
    plans: tuple[str, list] | None = None
    """The plan filter as SQL conditions (``and …``) on the index's plan key ``k`` (its copy of
    the plan's fields) and their arguments: a probe checks a place's plan by its integer key,
    with no list of thousands of keys made into a table for every statement."""


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


def selective(scope: Scope) -> bool:
    """Whether the plan filter keeps few places (at most :data:`FILTER_FIRST_SHARE`): its list of
    plan keys is short, and checked faster than the condition on each place's plan."""
    return scope.plan_keys is not None and scope.places <= FILTER_FIRST_SHARE * scope.total


def strategy(scope: Scope) -> str:
    """``filter-first``, ``probe`` or ``match-first`` (see the module docstring)."""
    if selective(scope):
        return "filter-first"
    broad = scope.places >= MATCH_FIRST_SHARE * scope.total
    if scope.plan_keys is not None and scope.kinds is None and broad:
        return "match-first"
    if scope.plan_keys is not None or scope.kinds is not None:
        return "probe"
    return "match-first"


def _place_filter(scope: Scope, by_plan: bool = False) -> tuple[str, list]:
    """SQL conditions (``and …``) on a place ``p`` for the kind and plan filters, and their
    arguments. Unless ``by_plan`` (the candidates of a selective filter: their plan keys), the
    places are reached through their sentence, and the plan condition is only checked, on the
    place's plan key: left to itself, SQLite would walk every place of a thousand plans to find a
    sentence's few."""
    sql, args = "", []
    if scope.kinds is not None:
        sql += " and p.kind in (select value from json_each(?))"
        args.append(json.dumps(scope.kinds))
    if scope.plan_keys is not None and (by_plan or scope.plans is None or selective(scope)):
        sql += f" and {'' if by_plan else '+'}p.plan_key in (select value from json_each(?))"
        args.append(json.dumps(scope.plan_keys))
    elif scope.plans is not None:
        sql += f" and exists (select 1 from {PLAN_KEYS} k where k.key = p.plan_key {scope.plans[0]})"
        args += scope.plans[1]
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


def _batches(texts: list[tuple[int, float]]) -> Iterator[list[tuple[int, float]]]:
    """The sentences a few at a time, more each time: the first sentences' places usually fill
    a page, and a template sentence stands in hundreds of plans."""
    start, size = 0, 4
    while start < len(texts):
        yield texts[start : start + size]
        start, size = start + size, size * 2


def best_texts(
    db: sqlite_utils.Database, match: str, scope: Scope, k: int, how: str | None = None,
    node: Node | None = None, counts: ranking.Counts | None = None,
) -> list[tuple[int, float]]:  # fmt: skip
    """The best ``k`` matching sentences the plan and kind filters keep (more without them:
    their places are checked after), as (id, rank), best first: from the shortest matches where
    :mod:`extract.use.ranking` can rank the query (``node``; ``counts``: its phrases counted by
    an earlier call), else by FTS5 over every match."""
    if node is not None and how is None and SHORTEST_FIRST:
        kept = _place_filter(scope) if scope.plan_keys is not None or scope.kinds is not None else None
        found = ranking.top_texts(db, node, match, k, kept, counts=counts)
        if found is not None:
            return found
    how = how or strategy(scope)
    if how == "match-first" and scope.plan_keys is not None and scope.places:
        # many more than pass the filter on average: plans written from one template rank alike,
        # so the best sentences may all stand in plans the filter leaves out
        k = int(8 * k * scope.total / scope.places)
    return ranked_texts(db, match, scope, k, how)


def first_places(db: sqlite_utils.Database, match: str, scope: Scope, limit: int,
                 how: str | None = None, node: Node | None = None) -> list[Place]:  # fmt: skip
    """The first ``limit`` places of the matching sentences, in order (rank, sentence, place),
    each sentence once per plan: a place whose plan already showed the same sentence (compared
    by :func:`~extract.store.search_index.sentence_key`: a program's purpose is also its
    section's text, with or without its bullet) is left out.

    The order is total over the ranked sentences, so the best ``k`` are the start of the best
    ``8k``: FTS5 ranks the matches once, and again (for more sentences) only when the places of
    the first ``k`` did not fill the page (a section filter, a plan repeating a sentence)."""
    out: list[Place] = []
    seen: set[tuple[int, str]] = set()
    done = 0
    shortest_first = node is not None and how is None and SHORTEST_FIRST and ranking.can_rank(node)
    # from the shortest matches, each sentence more costs a little; FTS5 ranks every match anyway
    k = limit + 4 if shortest_first else max(FIRST_TEXTS, 8 * limit)
    counts: ranking.Counts = {}  # a phrase is counted once, however often the ranking is asked
    while limit > 0:
        texts = best_texts(db, match, scope, k, how, node, counts)
        for batch in _batches(texts[done:]):
            ids = [t for t, _ in batch]
            places, sentences = text_places(db, ids, scope), _sentences(db, ids)
            for text_id, rank in batch:
                for place_id, plan_key in places[text_id]:
                    key = (plan_key, sentence_key(sentences[text_id]))
                    if key not in seen:
                        seen.add(key)
                        out.append(Place(place_id, text_id, rank, plan_key))
                        if len(out) == limit:
                            return out
        if len(texts) < k:
            return out
        done, k = len(texts), k * 8
    return out


@dataclass(frozen=True)
class PlanCount:
    """A plan's matching places under the filter: how many, how many not repeating their
    section's sentence, and its first hit in search order (rank, sentence, place)."""

    plan_key: int
    places: int
    unrepeated: int
    rank: float
    """The rank of the first hit's sentence."""
    text_id: int
    """The first hit's sentence."""
    place: int
    """The first hit's place."""

    @property
    def order(self) -> tuple[float, int, int]:
        """Where the first hit stands in search order."""
        return self.rank, self.text_id, self.place


def plan_counts(
    db: sqlite_utils.Database, match: str, scope: Scope,
    section_path: Callable[[list[str]], dict[str, str]] | None = None,
) -> list[PlanCount]:  # fmt: skip
    """Every plan's matching places under the filter, and its first hit (``--by``): all matches
    are counted and ranked once each, in one pass. ``section_path`` maps section ids to their
    paths, for a section filter.

    A plan's first hit is the first place of its first sentence of its best rank, and the pass
    takes it from the row of the ``min(rank)``: SQLite takes a bare column from the first row
    holding the minimum (``min()`` keeps the first of equal values, and the sort that groups the
    rows keeps their order), FTS5 reads the matches in sentence id order, and a sentence's places
    come from an index in id order. (Documented is only "a row holding the minimum": the tests
    compare every path with a plain query that orders ties by sentence and place.) No window over
    all matches, no second join: sorting the matches by rank cost as much as ranking them."""
    cte, source, cte_args, args = matching_texts(scope)
    place_sql, place_args = _place_filter(scope)  # a place's rank is read only if it passes
    section = ", p.section_id" if scope.section is not None else ""
    source = source.replace(" where ", f" cross join {PLACES} p on p.text_id = m.rowid where ", 1)
    rows = db.execute(
        f"""{'with ' + cte if cte else ''}
        select p.plan_key, count(*), sum(1 - p.repeats), min(m.rank), p.text_id, p.id {section}
        {source} {place_sql}
        group by p.plan_key {section}""",
        [*cte_args, match, *args, *place_args],
    ).fetchall()
    if section:
        assert section_path is not None and scope.section is not None
        paths = section_path(sorted({row[6] for row in rows if row[6] is not None}))
        rows = [row for row in rows if scope.section in squash(paths.get(row[6]))]
    merged: dict[int, PlanCount] = {}
    for plan_key, places, unrepeated, rank, text_id, place, *_ in rows:
        count = PlanCount(plan_key, places, unrepeated, rank, text_id, place)
        if (before := merged.get(plan_key)) is not None:  # another section of the plan
            best = min(before, count, key=lambda c: c.order)
            count = PlanCount(plan_key, places + before.places, unrepeated + before.unrepeated, best.rank,
                              best.text_id, best.place)  # fmt: skip
        merged[plan_key] = count
    return list(merged.values())
