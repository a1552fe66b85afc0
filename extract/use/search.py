"""Full-text search over plan sentences: a small query language, filters, ranked hits.

The user's query is parsed here and rebuilt as an FTS5 MATCH expression from nothing but
quoted bigram tokens, parentheses and AND/OR/NOT, so no input reaches FTS5's own syntax: quotes,
``NEAR(``, ``*``, a lone ``-`` or 10,000 characters end in hits or a :class:`SearchError`, never
in an SQL error. Query language:

- ``健診 禁煙`` — both words (AND is implied; ``AND`` may be written);
- ``健診 OR 禁煙``, ``NOT 喫煙`` / ``-喫煙``, parentheses ``(健診 OR 検診) -歯科``;
- ``"ジェネリック 医薬品"`` — a phrase; a Japanese word is always matched as a substring, so
  ジェネリック医薬品 needs no quotes;
- ``KPI*`` — a prefix (for Latin words; Japanese words already match inside longer words).

Operators are upper case; ``and``/``or`` in lower case are words.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import get_args

import sqlite_utils

from extract.read.normalize import normalize_text
from extract.store.bigrams import phrase_tokens, runs
from extract.store.search_index import INDEX, SENTENCES, sentence_key
from schemas.plans import PlanType
from schemas.search import GroupHit, Hit

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
MAX_DEPTH = 10
SNIPPET_CHARS = 120
PLAN_TYPE_ALIASES = {
    "事業計画": "business_plan",
    "データヘルス計画": "data_health_plan",
    "特定健診": "tokutei_kenshin_plan",
    "特定健康診査等実施計画": "tokutei_kenshin_plan",
}


class SearchError(ValueError):
    """A query or filter that cannot be searched; the message tells the user why."""


@dataclass(frozen=True)
class Term:
    """A word or phrase: tokens that must follow each other; the last one may be a prefix."""

    text: str
    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Term | Not | And | Or

_LEX = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|"(?P<phrase>[^"]*)"?(?P<star>\*)?|(?P<neg>-)(?=[^\s-])'
                  r'|(?P<word>[^\s()"]+))')  # fmt: skip
_OPERATORS = {"AND", "OR", "NOT"}


def _lex(query: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _LEX.finditer(query):
        kind = m.lastgroup or ""
        if kind == "star":
            out.append(("phrase*", m.group("phrase")))
        elif kind == "word" and m.group().strip() in _OPERATORS:
            out.append((m.group().strip(), ""))
        elif kind:
            out.append((kind, m.group(kind)))
    return out


def _term(text: str, prefix: bool = False) -> Term:
    if text.endswith("*"):
        text, prefix = text.rstrip("*"), True
    tokens, last_is_prefix = phrase_tokens(text)
    return Term(text, tuple(tokens), prefix or last_is_prefix)


class _Parser:
    """Recursive descent; forgiving: stray ``)``, dangling operators and empty groups are dropped."""

    def __init__(self, lexemes: list[tuple[str, str]]) -> None:
        self.items = lexemes
        self.pos = 0

    def peek(self) -> str | None:
        return self.items[self.pos][0] if self.pos < len(self.items) else None

    def take(self) -> tuple[str, str]:
        self.pos += 1
        return self.items[self.pos - 1]

    def parse(self) -> Node | None:
        nodes = []
        while self.peek() is not None:
            nodes.append(self.parse_or(0))
            if self.peek() == "close":
                self.take()  # a stray closing parenthesis
        return _simplify(And(tuple(nodes)))

    def parse_or(self, depth: int) -> Node:
        nodes = [self.parse_and(depth)]
        while self.peek() == "OR":
            self.take()
            nodes.append(self.parse_and(depth))
        return Or(tuple(nodes))

    def parse_and(self, depth: int) -> Node:
        nodes: list[Node] = []
        while self.peek() not in (None, "close", "OR"):
            if self.peek() == "AND":
                self.take()
                continue
            nodes.append(self.parse_unary(depth))
        return And(tuple(nodes))

    def parse_unary(self, depth: int) -> Node:
        if self.peek() in ("NOT", "neg"):
            self.take()
            if self.peek() in (None, "close", "OR", "AND"):
                return And(())  # nothing to exclude
            return Not(self.parse_unary(depth))
        kind, value = self.take()
        if kind == "open":
            if depth >= MAX_DEPTH:
                raise SearchError(f"too many nested parentheses (at most {MAX_DEPTH})")
            node = self.parse_or(depth + 1)
            if self.peek() == "close":
                self.take()
            return node
        if kind in ("phrase", "phrase*"):
            return _term(value, prefix=kind == "phrase*")
        return _term(value)


def _simplify(node: Node) -> Node | None:
    """Drop terms without tokens (punctuation) and empty groups; unwrap single members."""
    if isinstance(node, Term):
        return node if node.tokens else None
    if isinstance(node, Not):
        inner = _simplify(node.node)
        if inner is None:
            return None
        return inner.node if isinstance(inner, Not) else Not(inner)
    members = tuple(n for n in (_simplify(m) for m in node.nodes) if n is not None)
    if not members:
        return None
    return members[0] if len(members) == 1 else type(node)(members)


def parse_query(query: str) -> Node:
    """The query as a tree, or :class:`SearchError` if it has nothing to search for."""
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError(f"query too long: {len(query)} characters (at most {MAX_QUERY_CHARS})")
    node = _Parser(_lex(normalize_text(query).replace("“", '"').replace("”", '"'))).parse()
    if node is None:
        raise SearchError("nothing to search for: the query has no words (letters, digits, kana or kanji)")
    if len(terms(node, positive_only=False)) > MAX_TERMS:
        raise SearchError(f"too many words in the query (at most {MAX_TERMS})")
    return node


def terms(node: Node, *, positive_only: bool = True) -> list[Term]:
    """The query's terms, those under NOT left out unless ``positive_only`` is False."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return [] if positive_only else terms(node.node, positive_only=False)
    return [t for n in node.nodes for t in terms(n, positive_only=positive_only)]


def to_match(node: Node) -> str:
    """The FTS5 MATCH expression of a query tree: quoted tokens and operators only."""
    if isinstance(node, Term):
        return '"' + " ".join(node.tokens) + '"' + (" *" if node.prefix else "")
    if isinstance(node, Not):
        raise SearchError("a query cannot consist of excluded words only: add a word to search for")
    if isinstance(node, Or):
        if any(isinstance(n, Not) for n in node.nodes):
            raise SearchError("'OR NOT word' cannot be searched: exclude words from a group instead")
        return " OR ".join(f"({to_match(n)})" for n in node.nodes)
    positive = [n for n in node.nodes if not isinstance(n, Not)]
    if not positive:
        raise SearchError("a query cannot consist of excluded words only: add a word to search for")
    expr = " AND ".join(f"({to_match(n)})" for n in positive)
    for n in node.nodes:
        if isinstance(n, Not):
            expr = f"({expr}) NOT ({to_match(n.node)})"
    return expr


def _term_pattern(term: Term) -> str:
    found = runs(normalize_text(term.text))
    parts = [" ?".join(map(re.escape, r.text)) if r.cjk else re.escape(r.text) for r in found]
    tail = "[A-Za-z0-9]*" if term.prefix and found and not found[-1].cjk else ""
    return r"[\W_]*".join(parts) + tail


def highlighter(node: Node) -> re.Pattern[str] | None:
    """A regex finding the query's (non-excluded) terms in a sentence, to mark them."""
    patterns = sorted({_term_pattern(t) for t in terms(node)}, key=len, reverse=True)
    return re.compile("|".join(patterns), re.IGNORECASE) if patterns else None


def marks_in(sentence: str, pattern: re.Pattern[str] | None) -> list[tuple[int, int]]:
    if pattern is None:
        return []
    return [(m.start(), m.end()) for m in pattern.finditer(sentence) if m.end() > m.start()]


def snippet_spans(
    sentence: str, marks: list[tuple[int, int]], width: int = SNIPPET_CHARS
) -> tuple[str, list[tuple[int, int]]]:
    """The sentence around its first match, cut to ``width`` characters (… where cut), and the
    matched spans as offsets into that text."""
    start = max(0, min(marks[0][0] - width // 3, len(sentence) - width)) if marks else 0
    end = min(len(sentence), start + width)
    lead = "…" if start else ""
    spans = [(max(a, start) - start + len(lead), min(b, end) - start + len(lead)) for a, b in marks
             if b > start and a < end]  # fmt: skip
    return lead + sentence[start:end] + ("…" if end < len(sentence) else ""), spans


def mark_pair(text: str) -> tuple[str, str]:
    """The brackets that mark a match in plain text: 【】, or 《》 when the text itself uses 【】
    (plans do: 【目的】, 【未治療者への受診勧奨】), so a mark is never taken for the plan's own."""
    return ("《", "》") if "【" in text or "】" in text else ("【", "】")


def snippet(sentence: str, marks: list[tuple[int, int]], width: int = SNIPPET_CHARS) -> str:
    """:func:`snippet_spans` as plain text, each match in 【】 (《》 if the sentence has 【】)."""
    text, spans = snippet_spans(sentence, marks, width)
    left, right = mark_pair(sentence)
    out, pos = [], 0
    for a, b in spans:
        out += [text[pos:a], left, text[a:b], right]
        pos = b
    return "".join(out) + text[pos:]


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


def _squash(text: str | None) -> str:
    return "".join(normalize_text(text or "").split())


def _canonical_branch(name: str) -> str:
    name = _squash(name).removesuffix("支部")
    return name[:-1] if name.endswith(("県", "府")) or name == "東京都" else name


def filter_sql(db: sqlite_utils.Database, f: Filters) -> tuple[str, list]:
    """SQL conditions (``and …``, on plans ``p`` and sections ``sec``) and their arguments."""
    sql, args = "", []
    if f.insurer:
        insurer = _squash(f.insurer)
        sql += " and (instr(p.insurer, ?) > 0 or p.insurer_type = ?)"
        args += [insurer, insurer]
    if f.branch:
        known = [r[0] for r in db.execute("select distinct branch from plans where branch is not null")]
        wanted = [b for b in known if _canonical_branch(b) == _canonical_branch(f.branch)]
        if not wanted:
            raise SearchError(f"no branch '{f.branch}' (branches: {', '.join(sorted(known)[:12])} …)")
        sql += f" and p.branch in ({','.join('?' * len(wanted))})"
        args += wanted
    if f.plan_type:
        kind = PLAN_TYPE_ALIASES.get(f.plan_type, f.plan_type)
        if kind not in get_args(PlanType):
            raise SearchError(f"unknown plan type '{f.plan_type}' (one of: {', '.join(get_args(PlanType))})")
        sql += " and p.plan_type = ?"
        args.append(kind)
    if f.year is not None:
        sql += " and (p.fiscal_year = ? or (p.period_start <= ? and p.period_end >= ?))"
        args += [f.year, f.year, f.year]
    if f.section:
        sql += " and instr(planex_squash(coalesce(sec.path, '')), ?) > 0"
        args.append(_squash(f.section))
    if f.kind:
        kinds = [k.strip() for k in f.kind.split(",") if k.strip()]
        if unknown := [k for k in kinds if k not in SENTENCE_KINDS]:
            raise SearchError(f"unknown kind '{unknown[0]}' (one of: {', '.join(SENTENCE_KINDS)})")
        sql += f" and s.kind in ({','.join('?' * len(kinds))})"
        args += kinds
    return sql, args


_COLUMNS = """s.id, s.kind, s.sentence, s.page, s.plan_id, p.doc_id, p.insurer, p.branch, p.plan_type,
    p.fiscal_year, p.period_start, p.period_end, sec.path"""
_FROM = (
    f"""from {SENTENCES} s join plans p on p.id = s.plan_id left join sections sec on sec.id = s.section_id"""
)
FIRST_PASS = 200
"""With filters, the best this many sentences are tried first; the whole ranking only if the
filters leave fewer than asked for."""


def _query(db: sqlite_utils.Database, query: str, filters: Filters) -> tuple[Node, str, str, list]:
    """Parse, and check the filters: (tree, MATCH expression, filter SQL, filter arguments)."""
    node = parse_query(query)
    where, args = filter_sql(db, filters)
    db.conn.create_function("planex_squash", 1, _squash, deterministic=True)
    return node, to_match(node), where, args


def _execute(db: sqlite_utils.Database, sql: str, args: list) -> list[tuple]:
    try:
        return db.execute(sql, args).fetchall()
    except sqlite3.OperationalError as exc:  # e.g. a database without the index (an older planex)
        raise SearchError(f"search failed: {exc} (try: planex reindex --db FILE)") from None


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

    FTS5 ranks the matches by itself (``order by rank``); only the sentences shown are joined
    with their plans, which on a large database is most of the saving. With filters, the best
    :data:`FIRST_PASS` are filtered first, and all matches only if too few remain.
    """
    node, match, where, args = _query(db, query, Filters(insurer, branch, plan_type, year, section, kind))
    limit = max(0, limit)
    k = max(FIRST_PASS, 5 * limit) if where else 2 * limit  # twice: room for repeated sentences
    best = _execute(
        db, f"select rowid, rank from {INDEX} where {INDEX} match ? order by rank limit ?", [match, k]
    )
    rank = dict(best)
    marks = ",".join("?" * len(best))
    found = _execute(db, f"select {_COLUMNS} {_FROM} where s.id in ({marks}) {where}", [*rank, *args])
    rows = _once(sorted(((*row, rank[row[0]]) for row in found), key=lambda r: (r[-1], r[0])))[:limit]
    if len(rows) < limit and len(best) == k:
        rows = _once(
            _execute(
                db,
                f"select {_COLUMNS}, {INDEX}.rank {_FROM} join {INDEX} on {INDEX}.rowid = s.id "
                f"where {INDEX} match ? {where} order by {INDEX}.rank, s.id limit ?",
                [match, *args, 2 * limit],
            )
        )[:limit]
    pattern = highlighter(node)
    return [_hit(row, pattern) for row in rows]


def _once(rows: list[tuple]) -> list[tuple]:
    """Rows without a repeat of an earlier row's sentence in the same plan (a program's purpose is
    also its section's text)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for row in rows:
        key = (row[4], sentence_key(row[2]))  # plan_id, sentence
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def _hit(row: tuple, pattern: re.Pattern[str] | None) -> Hit:
    _id, kind, sentence, page, plan_id, doc_id, insurer, branch, plan_type, year, start, end, path, rank = row
    marks = marks_in(sentence, pattern)
    path = " ".join(path.split()) if path else None  # a wrapped heading holds a line break
    return Hit(
        insurer=insurer, branch=branch, plan_type=plan_type, fiscal_year=year, period_start=start,
        period_end=end, section=path, page=page, kind=kind, sentence=sentence,
        snippet=snippet(sentence, marks), marks=marks, score=round(-rank, 3), plan_id=plan_id, doc_id=doc_id,
    )  # fmt: skip


def search_by(
    db: sqlite_utils.Database, query: str, by: str = "branch", **filters: str | int | None
) -> list[GroupHit]:
    """One row per branch (keyed by insurer and branch) or per insurer (``by="insurer"``).

    Each row has the group's number of hits and plans and its best sentence; the groups with
    most hits come first. Every match is counted (in SQL: a group's best sentence is the row
    where ``min(rank)`` is reached), so there is no limit. Without a ``kind`` filter, a record's
    sentence that repeats its section's (``repeats``) is not counted again.
    """
    if by not in ("branch", "insurer"):
        raise SearchError(f"cannot group by '{by}' (use branch or insurer)")
    node, match, where, args = _query(db, query, Filters(**filters))  # type: ignore[arg-type]
    key = "p.insurer, p.branch" if by == "branch" else "p.insurer"
    groups = _execute(
        db,
        f"with m as materialized (select rowid as id, rank from {INDEX} where {INDEX} match ?) "
        f"select s.id, {'count(*)' if filters.get('kind') else 'sum(1 - s.repeats)'}, "
        f"count(distinct s.plan_id), min(m.rank) {_FROM} join m on m.id = s.id "
        f"where 1 = 1 {where} group by {key}",
        [match, *args],
    )
    if not groups:
        return []
    marks = ",".join("?" * len(groups))
    rows = {
        r[0]: r
        for r in _execute(db, f"select {_COLUMNS} {_FROM} where s.id in ({marks})", [g[0] for g in groups])
    }
    pattern = highlighter(node)
    out = []
    for best_id, hits, plans, rank in groups:
        best = _hit((*rows[best_id], rank), pattern)
        shown = best.model_dump(
            include={"insurer", "sentence", "snippet", "marks", "section", "page", "score"}
        )
        branch = best.branch if by == "branch" else None
        out.append(GroupHit(branch=branch, hits=hits, plans=plans, **shown))
    return sorted(out, key=lambda g: (-g.hits, -g.score, g.insurer or "", g.branch or ""))
