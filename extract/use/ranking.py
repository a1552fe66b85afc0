"""The best sentences of a query, exactly as FTS5's bm25 over every match ranks them, from the
shortest matches and the sentences repeating a word only.

bm25 gives a sentence, for each phrase ``i`` of the query, ``IDF_i · f(k1+1) / (f + k1(1 - b +
b·D/avgdl))`` — ``f`` the phrase's instances in the sentence, ``D`` its length — which grows
with ``f`` and falls with ``D``. A sentence's id starts with its length
(``extract.store.search_terms``), so FTS5 reads a query's matches shortest first; a sentence
holding each phrase once can then score no better than the last match read, and one holding a
phrase twice or more holds each token of it twice or more, so it stands in that token's
repeats (``searchrepeats``, read shortest first for each count). The search reads, a batch at
a time, from whichever of these streams holds the best sentence it may have missed, scores what
it reads (bm25's own formula and statistics: the index's sentences and tokens from FTS5's
averages record, a one-token phrase's sentences from ``search_terms``, a longer phrase's counted
by FTS5), and stops when the ``k``-th best it holds is better than anything unread can be.
Equal scores come by id, as FTS5's ``order by rank, rowid`` gives them.

It ranks queries that are an AND of phrases, ORs of phrases and NOTs of those (every query of
the language but a prefix — ``健``, ``KPI*`` — or an OR of groups): there, as in FTS5, a phrase
counts in a sentence exactly when it stands in it. The rest, and a query whose streams hold too
many sentences of near-best score, are left to FTS5 ranking every match
(``extract.use.candidates``): ``None``. A plan or kind filter is part of every stream's SQL
(each sentence read is one with a place the filter keeps), so a filter keeping a fiftieth of the
places costs a probe per match skipped, not a sentence scored and thrown away.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlite_utils

from extract.store.search_tables import TEXTS
from extract.store.search_terms import length_of
from extract.use.index_reads import (
    Kept,
    averages,
    instances,
    keeping,
    key_token,
    levels,
    matches,
    repeats,
    sentences,
    standing,
)
from extract.use.phrase_counts import count_beside
from extract.use.query import And, Node, Not, Or, Term

K1 = 1.2
B = 0.75
"""bm25's constants, as FTS5's ``bm25()`` has them."""
MAX_READS = 20_000
"""Matches read before the search gives up to FTS5 ranking every match (two common words of an
OR that often stand together)."""
FIRST_BATCH = 32
MAX_OR = 4
"""Phrases an OR may have (its pairs are read as streams of their own)."""


@dataclass(frozen=True)
class Phrase:
    """A phrase of the MATCH expression, in FTS5's order; ``negated``: under a NOT."""

    tokens: tuple[str, ...]
    negated: bool


@dataclass
class _Stream:
    """Ids read in order from one source: every match, the matches holding two phrases of an
    OR, or the sentences repeating a phrase's rarest token ``level`` times."""

    fetch: Callable[[int, int], list[int]]
    phrase: int = -1
    level: int = 1
    other: int = -1
    """A stream of the matches holding two phrases of an OR: ``phrase`` and ``other``."""
    keep: Callable[[list[int]], set[int]] | None = None
    """Which of a batch the filter keeps, when the stream is read whole (the repeats: read for
    the length they reach, which a filter in their SQL would make them overshoot)."""
    holding: Callable[[list[int]], set[int]] | None = None
    """Which of a batch of a phrase's repeats match the query and hold the phrase twice or more
    (``index_reads.standing``)."""
    last: int = -1
    done: bool = False
    size: int = FIRST_BATCH

    def read(self) -> list[int]:
        ids = self.fetch(self.last, self.size)
        if len(ids) < self.size:
            self.done = True
        if ids:
            self.last = ids[-1]
            if self.keep is not None:  # first: a probe of a place, cheaper than a sentence's tokens
                kept = self.keep(ids)
                ids = [i for i in ids if i in kept]
            if self.holding is not None and ids:
                holding = self.holding(ids)
                ids = [i for i in ids if i in holding]
        self.size = min(self.size * 2, 1024)
        return ids

    @property
    def length(self) -> int:
        """The shortest an unread id of this stream can be."""
        return length_of(self.last) if self.last >= 0 else 0


@dataclass
class _Query:
    items: list[list[tuple[int, bool]]]
    """The AND of items; an item is an OR of phrases (their indexes), each maybe negated."""
    phrases: list[Phrase] = field(default_factory=list)


def _shape(node: Node) -> _Query | None:
    """The query as an AND of ORs of phrases (some negated), phrases in the order ``to_match``
    writes them; ``None`` for any other shape or a prefix."""
    query = _Query([])

    def phrase(term: Node, negated: bool) -> int | None:
        if not isinstance(term, Term) or term.prefix or not term.tokens:
            return None
        query.phrases.append(Phrase(term.tokens, negated))
        return len(query.phrases) - 1

    def item(part: Node, negated: bool) -> bool:
        members = part.nodes if isinstance(part, Or) else (part,)
        found = [phrase(m, negated) for m in members]
        if any(i is None for i in found):
            return False
        query.items.append([(i, negated) for i in found if i is not None])
        return True

    parts = node.nodes if isinstance(node, And) else (node,)
    positive = [p for p in parts if not isinstance(p, Not)]
    if not positive or not all(item(p, False) for p in positive):
        return None
    if not all(item(p.node, True) for p in parts if isinstance(p, Not)):
        return None
    return query


def can_rank(node: Node) -> bool:
    """Whether :func:`top_texts` ranks this query (it may still give up, see :data:`MAX_READS`)."""
    return _shape(node) is not None


def _average_length(db: sqlite_utils.Database) -> float:
    rows, tokens = averages(db)
    return tokens / rows if rows else 1.0


class _Scorer:
    def __init__(self, db: sqlite_utils.Database, query: _Query, uncounted: int = -1,
                 counts: Counts | None = None) -> None:  # fmt: skip
        """``uncounted``: a phrase whose IDF is taken as 1 (its count is the caller's);
        ``counts``: the phrases counted already for this search."""
        self.query = query
        self.rows, tokens = averages(db)
        self.avgdl = tokens / self.rows if self.rows else 1.0
        # every count started before any is read: phrases of two tokens or more side by side
        counted = {i: counter(db, p, counts) for i, p in enumerate(query.phrases)
                   if i != uncounted and not p.negated}  # fmt: skip
        self.idf = [1.0 if i == uncounted else self.idf_of(0 if p.negated else counted[i]())
                    for i, p in enumerate(query.phrases)]  # fmt: skip

    def idf_of(self, hits: int) -> float:
        """bm25's IDF of a phrase standing in ``hits`` sentences, as FTS5 computes it."""
        idf = math.log((self.rows - hits + 0.5) / (hits + 0.5)) if self.rows else 0.0
        return idf if idf > 0.0 else 1e-6

    def part(self, f: float, length: int) -> float:
        """bm25's term for a phrase standing ``f`` times in a sentence of ``length`` tokens."""
        return (f * (K1 + 1.0)) / (f + K1 * (1 - B + B * length / self.avgdl))

    def score(self, freqs: list[int], length: int) -> float:
        """bm25 as FTS5 sums it, phrase by phrase (a negated phrase never stands in a match)."""
        score = 0.0
        for i, f in enumerate(freqs):
            if not self.query.phrases[i].negated:
                score += self.idf[i] * self.part(float(f), length)
        return score

    def matches(self, freqs: list[int]) -> bool:
        """Whether a sentence with these instances matches: each item (an OR) stands in it, and
        none of a negated one does."""
        for item in self.query.items:
            negated = item[0][1]
            if any(freqs[i] > 0 for i, _ in item) == negated:
                return False
        return True


def _pairs(db: sqlite_utils.Database, match: str, query: _Query, kept: Kept | None) -> list[_Stream]:
    """For each OR of the query, the matches holding two of its phrases, in id order: a sentence
    that holds both scores for both, and is otherwise as long as the last of these read."""
    out = []
    for item in query.items:
        if item[0][1]:
            continue
        for (a, _), (b, _) in itertools.combinations(item, 2):
            both = f"({match}) AND ({_phrase(query.phrases[a])}) AND ({_phrase(query.phrases[b])})"
            out.append(_Stream(matches(db, both, kept), phrase=a, level=0, other=b))
    return out


def _phrase(p: Phrase) -> str:
    return '"' + " ".join(p.tokens) + '"'


Counts = dict[str, Callable[[], int]]
"""The phrases of one search counted already (by MATCH expression): a section filter asks the
ranking again for more sentences, and a phrase's count costs as much as the ranking itself."""


def counter(db: sqlite_utils.Database, p: Phrase, counts: Counts | None = None) -> Callable[[], int]:
    """A call giving the phrase's number of sentences, once: a token's read from ``search_terms``,
    a longer phrase's counted beside (``extract.use.phrase_counts``) from now on, or by this
    thread when called where no other connection can count it. Kept in ``counts``."""
    key = _phrase(p)
    if counts is not None and key in counts:
        return counts[key]
    beside = count_beside(db, key, round(_average_length(db))) if len(p.tokens) > 1 else None
    count = functools.cache(beside or (lambda: sentences(db, p.tokens)))
    if counts is not None:
        counts[key] = count
    return count


def top_texts(
    db: sqlite_utils.Database, node: Node, match: str, k: int,
    kept: Kept | None = None, stats: dict[str, int] | None = None, counts: Counts | None = None,
) -> list[tuple[int, float]] | None:  # fmt: skip
    """The best ``k`` sentences matching the query (``node``, ``match`` its MATCH expression)
    with a place the filter keeps (``kept``), as (id, rank) best first — FTS5's ``rank`` and order — or
    ``None`` when this query or filter is FTS5's to rank (see the module docstring). ``stats``
    gets the number of sentences read (``sentences``); ``counts`` keeps the phrases' counts for
    the next call of the same search (:data:`Counts`)."""
    query = _shape(node)
    if query is None or k <= 0 or max(len(item) for item in query.items) > MAX_OR:
        return None
    positive = [item for item in query.items if not item[0][1]]
    alone = positive[0][0][0] if len(positive) == 1 and len(positive[0]) == 1 else -1
    counting = None  # the one phrase to rank: its order needs no IDF, counted meanwhile
    if alone >= 0 and len(query.phrases[alone].tokens) > 1:
        counting = counter(db, query.phrases[alone], counts)
    scorer = _Scorer(db, query, alone if counting else -1, counts)
    every = _Stream(matches(db, match, kept))
    streams = [every, *_pairs(db, match, query, kept)]
    items = [[query.phrases[i].tokens for i, _ in item] for item in query.items if not item[0][1]]
    negated = [p.tokens for p in query.phrases if p.negated]
    for i, p in enumerate(query.phrases):
        if not p.negated:
            term = key_token(db, p.tokens)
            holding = standing(db, items, negated, p.tokens)
            streams += [_Stream(repeats(db, term, level), phrase=i, level=level, holding=holding,
                                keep=keeping(db, kept)) for level in levels(db, term)]  # fmt: skip
    seen: set[int] = set()
    best: list[tuple[float, int]] = []  # (rank, id) of the matches the filter keeps
    reads = 0
    while not every.done:
        if len(best) >= k:
            best.sort()
            del best[k:]
            rank, last = best[-1]
            bound, holder, after = _held(scorer, query, streams)
            if -rank > bound or (-rank == bound and last <= after):
                break
        else:
            holder = None
        open_streams = [s for s in streams if not s.done]
        stream = holder or max(open_streams, key=lambda s: _potential(scorer, query, every, s))
        if stream is not every:  # a match before the last read from every match has been read
            stream.last = max(stream.last, every.last)
        ids = [i for i in stream.read() if i not in seen]
        reads += len(ids)
        if stats is not None:
            stats["sentences"] = reads
        if reads > MAX_READS:
            return None
        seen.update(ids)
        best += _scored(db, scorer, ids)
    best.sort()
    if counting is not None:  # every rank times the IDF, as bm25 gives it (-1 · IDF · part)
        idf = scorer.idf_of(counting())
        best = sorted((-1.0 * (idf * -rank), i) for rank, i in best[:k])
    return [(i, r) for r, i in best[:k]]


def _singles(scorer: _Scorer, query: _Query, length: int) -> float:
    """The score of a match of ``length`` tokens holding one phrase of each OR once."""
    score = 0.0
    for item in query.items:
        if not item[0][1]:
            score += max(scorer.idf[i] for i, _ in item) * scorer.part(1.0, length)
    return score


def _potential(scorer: _Scorer, query: _Query, every: _Stream, s: _Stream) -> float:
    """The best an unread sentence of stream ``s`` can score, about: what to read next."""
    length = max(every.length, s.length)
    base = _singles(scorer, query, length)
    if s is every:
        return base
    if s.other >= 0:  # two phrases of an OR, each once
        return base + min(scorer.idf[s.phrase], scorer.idf[s.other]) * scorer.part(1.0, length)
    return base + scorer.idf[s.phrase] * (scorer.part(float(s.level), length) - scorer.part(1.0, length))


MAX_CHOICES = 4096
"""Combinations of the phrases' repeat levels :func:`_held` weighs at most."""


Share = tuple[dict[int, int], list[_Stream]]
"""A way an unread sentence holds an item: the count of each of its phrases standing in it, and
the streams it then comes after."""


def _shares(item: list[tuple[int, bool]], streams: list[_Stream]) -> list[Share]:
    """The ways an unread sentence can hold one item (an OR of phrases): which of its phrases
    stand in it, each once or at a repeats count of its rarest token, and the streams it must
    then come after — the repeats streams chosen, and for two phrases or more the matches holding
    each two of them (none, once those are read to the end)."""
    pairs = {(s.phrase, s.other): s for s in streams if s.other >= 0}
    phrases = [i for i, _ in item]
    out = []
    for size in range(1, len(phrases) + 1):
        for chosen in itertools.combinations(phrases, size):
            both = [pairs[(a, b)] for a, b in itertools.combinations(chosen, 2)]
            if any(pair.done for pair in both):
                continue
            options = [[(i, 1, None), *((i, s.level, s) for s in streams
                        if s.phrase == i and s.other < 0 and s.level > 1 and not s.done)]
                       for i in chosen]  # fmt: skip
            for pick in itertools.product(*options):
                counts = {i: count for i, count, _ in pick}
                out.append((counts, both + [s for *_, s in pick if s is not None]))
    return out


def _held(scorer: _Scorer, query: _Query, streams: list[_Stream]) -> tuple[float, _Stream | None, int]:
    """The best score a match not read yet can have, the stream to read to lower it (``None``:
    the one of most potential, :func:`_potential`), and the id such a match comes after.

    An unread sentence is weighed whole: for each item, the phrases standing in it, each once or
    its rarest token ``n`` times (a repeats stream not done), and the sentence as long as the
    longest of the streams it would be in, scored as bm25 scores it — not each phrase at the
    length that suits it best, as :func:`_bound` does. The combination that scores best holds the
    bound: reading a stream of it that has not caught up with every match, else its longest,
    lowers it; and a sentence of it comes after the last id read from each of its streams, so a
    match of equal score read before it comes first. More than :data:`MAX_CHOICES` combinations
    are :func:`_bound`'s."""
    every = streams[0]
    items = [_shares(item, streams) for item in query.items if not item[0][1]]
    if math.prod(len(shares) for shares in items) > MAX_CHOICES:
        return _bound(scorer, query, streams), None, every.last
    best, held, after = -1.0, None, every.last
    for combination in itertools.product(*items):
        freqs = [0] * len(query.phrases)
        chosen: list[_Stream] = []
        for counts, needed in combination:
            for i, count in counts.items():
                freqs[i] = count
            chosen += needed
        length = max([every.length, *(s.length for s in chosen)])
        score = scorer.score(freqs, length)
        floor = max([every.last, *(s.last for s in chosen)])
        if score > best or (score == best and floor < after):
            best, after = score, floor
            behind = [s for s in chosen if s.length <= every.length]
            if behind:
                held = min(behind, key=lambda s: s.length)
            else:
                held = max(chosen, key=lambda s: s.length, default=every)
    return best, held, after


def _bound(scorer: _Scorer, query: _Query, streams: list[_Stream]) -> float:
    """The best score a match not read yet can have.

    It is at least as long as the last match read (``every``). A phrase stands in it once, or
    its rarest token ``n`` times and it is at least as long as the last read of that token's
    repeats at ``n`` (:func:`_most`). Of an OR, one phrase stands in it, or two or more, and it is
    then at least as long as the last read of the matches holding each two of them."""
    every = streams[0]
    length = every.length
    pairs = {(s.phrase, s.other): s for s in streams if s.other >= 0}
    bound = 0.0
    for item in query.items:
        if item[0][1]:
            continue
        best = 0.0
        phrases = [i for i, _ in item]
        for size in range(1, len(phrases) + 1):
            for chosen in itertools.combinations(phrases, size):
                at = length
                for a, b in itertools.combinations(chosen, 2):
                    pair = pairs[(a, b)]
                    at = -1 if pair.done or at < 0 else max(at, pair.length)
                if at >= 0:
                    best = max(best, sum(scorer.idf[i] * _most(scorer, streams, i, at) for i in chosen))
        bound += best
    return bound


def _most(scorer: _Scorer, streams: list[_Stream], phrase: int, length: int) -> float:
    """bm25's part for ``phrase`` in an unread match at least ``length`` tokens long."""
    most = scorer.part(1.0, length)
    for s in streams:
        if s.phrase == phrase and s.other < 0 and s.level > 1 and not s.done:
            most = max(most, scorer.part(float(s.level), max(length, s.length)))
    return most


def _scored(db: sqlite_utils.Database, scorer: _Scorer, ids: list[int]) -> list[tuple[float, int]]:
    """(rank, id) of those of ``ids`` that match the query."""
    if not ids:
        return []
    rows = db.execute(f"select id, body_tokens from {TEXTS} where id in (select value from json_each(?))",
                      [json.dumps(ids)]).fetchall()  # fmt: skip
    out = []
    for text_id, body in rows:
        tokens = body.split()
        freqs = [instances(tokens, p.tokens) for p in scorer.query.phrases]
        if scorer.matches(freqs):
            out.append((-1.0 * scorer.score(freqs, length_of(text_id)), text_id))
    return out
