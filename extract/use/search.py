"""Full-text search over plan sentences: filters, ranked hits, and hits counted by branch or insurer.

The query language is :mod:`extract.use.query`'s (its names are importable from here too); which
sentences are ranked under a filter, and how, is :mod:`extract.use.candidates`'. A hit is a place
a sentence stands — a section's text or heading, a program, a health issue, a KPI — with its plan
and section; hits come best first (bm25 over the distinct sentences), then by sentence and place.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import get_args

import sqlite_utils

from extract.store.bigrams import sentence_key
from extract.store.search_tables import INDEX, PLACES, PLAN_KEYS, SENTENCES, TEXTS
from extract.use.candidates import PlanCount, Scope, first_places, plan_counts, squash
from extract.use.query import (
    MAX_DEPTH,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    SNIPPET_CHARS,
    And,
    Node,
    Not,
    Or,
    SearchError,
    Term,
    highlighter,
    mark_pair,
    marks_in,
    parse_query,
    snippet,
    snippet_spans,
    terms,
    to_match,
)
from schemas.kinds import PlanType
from schemas.search import GroupHit, Hit

__all__ = [
    "INDEX", "MAX_DEPTH", "MAX_QUERY_CHARS", "MAX_TERMS", "PLAN_TYPE_ALIASES", "SENTENCES",
    "SENTENCE_KINDS", "SNIPPET_CHARS", "And", "Filters", "Node", "Not", "Or", "SearchError", "Term",
    "filter_sql", "highlighter", "mark_pair", "marks_in", "parse_query", "scope", "search", "search_by",
    "sentence_key", "snippet", "snippet_spans", "terms", "to_match",
]  # fmt: skip

PLAN_TYPE_ALIASES = {
    "事業計画": "business_plan",
    "データヘルス計画": "data_health_plan",
    "特定健診": "tokutei_kenshin_plan",
    "特定健康診査等実施計画": "tokutei_kenshin_plan",
}


@dataclass(frozen=True)
class Filters:
    """What a search or comparison is narrowed to (see :func:`search`)."""

    insurer: str | None = None
    branch: str | None = None
    plan_type: str | None = None
    year: int | None = None
    section: str | None = None
    kind: str | None = None


SENTENCE_KINDS = ("heading", "section", "program", "health_issue", "kpi")
"""What a sentence of the index is: a section heading, section text, a program's name, purpose,
summary, method or action, a health issue and its direction, or a KPI record's sentence."""


def _canonical_branch(name: str) -> str:
    name = squash(name).removesuffix("支部")
    return name[:-1] if name.endswith(("県", "府")) or name == "東京都" else name


def filter_sql(db: sqlite_utils.Database, f: Filters, alias: str = "p") -> tuple[str, list]:
    """SQL conditions (``and …``, on plans ``alias``, or the index's copy of their fields) for the
    plan filters — insurer, branch, plan type, year — and their arguments (the section and kind
    filters are :func:`scope`'s)."""
    sql, args = "", []
    if f.insurer:
        insurer = squash(f.insurer)
        sql += f" and (instr({alias}.insurer, ?) > 0 or {alias}.insurer_type = ?)"
        args += [insurer, insurer]
    if f.branch:
        known = [r[0] for r in db.execute("select distinct branch from plans where branch is not null")]
        wanted = [b for b in known if _canonical_branch(b) == _canonical_branch(f.branch)]
        if not wanted:
            raise SearchError(f"no branch '{f.branch}' (branches: {', '.join(sorted(known)[:12])} …)")
        sql += f" and {alias}.branch in ({','.join('?' * len(wanted))})"
        args += wanted
    if f.plan_type:
        kind = PLAN_TYPE_ALIASES.get(f.plan_type, f.plan_type)
        if kind not in get_args(PlanType):
            raise SearchError(f"unknown plan type '{f.plan_type}' (one of: {', '.join(get_args(PlanType))})")
        sql += f" and {alias}.plan_type = ?"
        args.append(kind)
    if f.year is not None:
        sql += f" and ({alias}.fiscal_year = ? or ({alias}.period_start <= ? and {alias}.period_end >= ?))"
        args += [f.year, f.year, f.year]
    return sql, args


def _kinds(kind: str | None) -> tuple[str, ...] | None:
    if not kind:
        return None
    kinds = tuple(k.strip() for k in kind.split(",") if k.strip())
    if unknown := [k for k in kinds if k not in SENTENCE_KINDS]:
        raise SearchError(f"unknown kind '{unknown[0]}' (one of: {', '.join(SENTENCE_KINDS)})")
    return kinds


def scope(db: sqlite_utils.Database, f: Filters) -> Scope:
    """The filters in the index's terms: the keys of the plans they keep and the same condition
    on the index's copy of the plans' fields, the kinds, the section (squashed), and how many
    places those plans hold of all (what tells a selective filter; counted only for a plan filter,
    a sum over every plan a search without one need not pay)."""
    where, args = filter_sql(db, f, alias="k")
    kinds = _kinds(f.kind)
    keys, places, total = None, 0, 0
    if where:
        total = db.execute(f"select coalesce(sum(places), 0) from {PLAN_KEYS}").fetchone()[0]
        found, places = db.execute(
            f"select json_group_array(key), coalesce(sum(places), 0) from "
            f"(select k.key, k.places from {PLAN_KEYS} k where 1 = 1 {where} order by k.key)",
            args,
        ).fetchone()
        keys = tuple(json.loads(found))
    plans = (where, args) if where else None
    return Scope(keys, kinds, squash(f.section) if f.section else None, places, total, plans)


def _query(db: sqlite_utils.Database, query: str, filters: Filters) -> tuple[Node, str, Scope]:
    """Parse, and check the filters: (tree, MATCH expression, scope)."""
    node = parse_query(query)
    return node, to_match(node), scope(db, filters)


def _execute(db: sqlite_utils.Database, sql: str, args: list) -> list[tuple]:
    try:
        return db.execute(sql, args).fetchall()
    except sqlite3.OperationalError as exc:  # e.g. a database without the index (an older planex)
        raise SearchError(f"search failed: {exc} (try: planex reindex --db FILE)") from None


_COLUMNS = """pl.id, pl.kind, t.sentence, pl.page, k.plan_id, p.doc_id, p.insurer, p.branch, p.plan_type,
    p.fiscal_year, p.period_start, p.period_end, sec.path, pl.ref_id"""
_FROM = f"""from {PLACES} pl join {TEXTS} t on t.id = pl.text_id join {PLAN_KEYS} k on k.key = pl.plan_key
    join plans p on p.id = k.plan_id left join sections sec on sec.id = pl.section_id"""


def _rows(db: sqlite_utils.Database, place_ids: list[int]) -> dict[int, tuple]:
    """Hit rows (:data:`_COLUMNS`) of these places, by place id."""
    sql = f"select {_COLUMNS} {_FROM} where pl.id in (select value from json_each(?))"
    return {row[0]: row for row in _execute(db, sql, [json.dumps(place_ids)])}


def search(
    db: sqlite_utils.Database,
    query: str,
    *,
    insurer: str | None = None,
    branch: str | None = None,
    plan_type: str | None = None,
    year: int | None = None,
    section: str | None = None,
    kind: str | None = None,
    limit: int = 20,
) -> list[Hit]:
    """The sentences matching ``query``, best first (bm25), at most ``limit``.

    ``branch`` accepts 北海道 or 北海道支部; ``year`` matches a plan's fiscal year or a period
    containing it; ``section`` keeps sentences whose section path contains it (normalized);
    ``insurer`` is part of the insurer's name or an insurer type (協会けんぽ, 健保組合); ``kind``
    keeps one or more :data:`SENTENCE_KINDS` (``program,health_issue``). A sentence found both in
    a section and in a program read from it is shown once, the first (best) time.

    Equal scores come by sentence (in the order the sentences were first stored), each
    sentence's places in reading order. The filters narrow
    what is ranked (``extract.use.candidates``); only the places shown are joined with their
    plans and sections.
    """
    node, match, where = _query(db, query, Filters(insurer, branch, plan_type, year, section, kind))
    if where.plan_keys == () or limit <= 0:
        return []
    try:
        places = first_places(db, match, where, limit, node=node)
    except sqlite3.OperationalError as exc:
        raise SearchError(f"search failed: {exc} (try: planex reindex --db FILE)") from None
    rows = _rows(db, [p.id for p in places])
    pattern = highlighter(node)
    return [_hit((*rows[p.id], p.rank), pattern) for p in places if p.id in rows]


def _hit(row: tuple, pattern: re.Pattern[str] | None) -> Hit:
    _id, kind, sentence, page, plan_id, doc_id, insurer, branch, plan_type, year, start, end, *rest = row
    path, ref, rank = rest
    marks = marks_in(sentence, pattern)
    path = " ".join(path.split()) if path else None  # a wrapped heading holds a line break
    return Hit(
        insurer=insurer, branch=branch, plan_type=plan_type, fiscal_year=year, period_start=start,
        period_end=end, section=path, page=page, kind=kind, sentence=sentence,
        snippet=snippet(sentence, marks), marks=marks, score=round(-rank, 3), plan_id=plan_id, doc_id=doc_id,
        ref_id=ref,
    )  # fmt: skip


def _section_paths(db: sqlite_utils.Database) -> Callable[[list[str]], dict[str, str]]:
    """Section ids → paths, for a section filter on counted places."""

    def paths(ids: list[str]) -> dict[str, str]:
        sql = "select id, path from sections where id in (select value from json_each(?))"
        return dict(db.execute(sql, [json.dumps(ids)]).fetchall())

    return paths


def search_by(
    db: sqlite_utils.Database, query: str, by: str = "branch", **filters: str | int | None
) -> list[GroupHit]:
    """One row per branch (keyed by insurer and branch) or per insurer (``by="insurer"``).

    Each row has the group's number of hits and plans and its best sentence (the first hit
    :func:`search` would give in the group); the groups with most hits come first. Every match
    is counted, so there is no limit. Without a ``kind`` filter, a record's sentence that repeats
    its section's (``repeats``) is not counted again.
    """
    if by not in ("branch", "insurer"):
        raise SearchError(f"cannot group by '{by}' (use branch or insurer)")
    node, match, where = _query(db, query, Filters(**filters))  # type: ignore[arg-type]
    if where.plan_keys == ():
        return []
    try:
        counts = plan_counts(db, match, where, _section_paths(db))
        if not counts:
            return []
        plans = {
            key: (insurer, branch)
            for key, insurer, branch in _execute(
                db,
                f"select k.key, p.insurer, p.branch from {PLAN_KEYS} k join plans p on p.id = k.plan_id "
                "where k.key in (select value from json_each(?))",
                [json.dumps([c.plan_key for c in counts])],
            )
        }
        group_of = {key: (insurer, branch) if by == "branch" else (insurer,)
                    for key, (insurer, branch) in plans.items()}  # fmt: skip
    except sqlite3.OperationalError as exc:
        raise SearchError(f"search failed: {exc} (try: planex reindex --db FILE)") from None
    groups: dict[tuple, list[PlanCount]] = {}
    for c in counts:
        if c.plan_key in group_of:
            groups.setdefault(group_of[c.plan_key], []).append(c)
    counted = "places" if filters.get("kind") else "unrepeated"
    firsts = {key: min(members, key=lambda c: c.order) for key, members in groups.items()}
    rows = _rows(db, [first.place for first in firsts.values()])
    pattern = highlighter(node)
    out = []
    for key, members in groups.items():
        first = firsts[key]
        hit = _hit((*rows[first.place], first.rank), pattern)
        shown = hit.model_dump(include={"insurer", "sentence", "snippet", "marks", "section", "page",
                                        "score"})  # fmt: skip
        hits = sum(getattr(c, counted) for c in members)
        branch = hit.branch if by == "branch" else None
        out.append(GroupHit(branch=branch, hits=hits, plans=len(members), **shown))
    return sorted(out, key=lambda g: (-g.hits, -g.score, g.insurer or "", g.branch or ""))
