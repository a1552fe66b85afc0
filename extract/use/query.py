"""The search query language: a user's query parsed, and rebuilt as an FTS5 MATCH expression
from nothing but quoted bigram tokens, parentheses and AND/OR/NOT, so no input reaches FTS5's own
syntax: quotes, ``NEAR(``, ``*``, a lone ``-`` or 10,000 characters end in hits or a
:class:`SearchError`, never in an SQL error. And the marks that show what matched. Language:

- ``健診 禁煙`` — both words (AND is implied; ``AND`` may be written);
- ``健診 OR 禁煙``, ``NOT 喫煙`` / ``-喫煙``, parentheses ``(健診 OR 検診) -歯科``;
- ``"ジェネリック 医薬品"`` — a phrase; a Japanese word is always matched as a substring, so
  ジェネリック医薬品 needs no quotes;
- ``KPI*`` — a prefix (for Latin words; Japanese words already match inside longer words).

Operators are upper case; ``and``/``or`` in lower case are words. ``extract.use.search`` runs
the queries; ``planex serve`` turns them into MATCH expressions in SQL (``planex_match``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.read.normalize import normalize_text
from extract.store.bigrams import phrase_tokens, runs

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
MAX_DEPTH = 10
SNIPPET_CHARS = 120


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
    """A term as a regex over a sentence: spaces may stand between two kana/kanji, however many
    (the index drops them as layout: justified cells, joined lines), and any punctuation
    between two runs."""
    found = runs(normalize_text(term.text))
    parts = [r"\s*".join(map(re.escape, r.text)) if r.cjk else re.escape(r.text) for r in found]
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
