"""GiNZA (spaCy's Japanese model) for the few sentences regexes cannot read.

The full pipeline runs at about 1,300–2,000 characters a second on one core and takes ~450 MB,
so it is loaded once per process, on first use, without the NER component; it is given only
candidate sentences, never pages; sentences are analysed once per process, cached under their
text with numbers masked (branches repeat KPI sentences almost word for word, numbers aside);
and inputs are cut below SudachiPy's 49,149-byte limit.
"""

from __future__ import annotations

import re
import time
from functools import lru_cache
from typing import Any

MAX_BYTES = 40_000  # SudachiPy rejects inputs over 49,149 bytes
_MASK = re.compile(r"\d[\d,.]*")

STATS = {"sentences": 0, "characters": 0, "seconds": 0.0, "cache_hits": 0}


@lru_cache(maxsize=1)
def nlp() -> Any:
    """The ja_ginza pipeline, loaded once per process."""
    import spacy

    return spacy.load("ja_ginza", exclude=["ner"])


def _mask(sentence: str) -> tuple[str, list[tuple[int, int, int, int]]]:
    """The sentence with each number replaced by ``0``, and (masked, original) span pairs."""
    spans = []
    out = []
    pos = shift = 0
    for m in _MASK.finditer(sentence):
        out.append(sentence[pos : m.start()])
        start = m.start() - shift
        out.append("0")
        spans.append((start, start + 1, m.start(), m.end()))
        shift += (m.end() - m.start()) - 1
        pos = m.end()
    out.append(sentence[pos:])
    return "".join(out), spans


def _unmask(start: int, end: int, spans: list[tuple[int, int, int, int]]) -> tuple[int, int]:
    """Map a span of the masked sentence back onto the original."""

    def at(offset: int, is_end: bool) -> int:
        delta = 0
        for m_start, m_end, o_start, o_end in spans:
            if offset >= m_end:
                delta += (o_end - o_start) - 1
            elif offset > m_start:  # inside a masked number
                return o_end if is_end else o_start
        return offset + delta

    return at(start, False), at(end, True)


@lru_cache(maxsize=20_000)
def _object_span(masked: str) -> tuple[int, int] | None:
    """Character span of the noun phrase marked by を (or について) that the main verb governs."""
    started = time.perf_counter()
    doc = nlp()(masked.encode("utf-8")[:MAX_BYTES].decode("utf-8", "ignore"))
    STATS["sentences"] += 1
    STATS["characters"] += len(masked)
    best = None
    for token in doc:
        if token.dep_ not in ("obj", "obl", "nsubj") or token.head.pos_ not in ("VERB", "AUX", "NOUN"):
            continue
        markers = {child.text for child in token.children if child.dep_ in ("case", "fixed")}
        markers |= {t.text for t in doc[token.i + 1 : token.i + 3]}
        if "を" not in markers and "について" not in markers and "つい" not in markers:
            continue
        left = min(t.i for t in token.subtree)
        span = (doc[left].idx, token.idx + len(token.text))
        if best is None or token.head.dep_ == "ROOT":
            best = span
    STATS["seconds"] += time.perf_counter() - started
    return best


def object_phrase(sentence: str) -> str | None:
    """The object (を / について phrase) of the sentence's main verb, as written."""
    masked, spans = _mask(sentence)
    hits = _object_span.cache_info().hits
    span = _object_span(masked)
    STATS["cache_hits"] += _object_span.cache_info().hits - hits
    if span is None:
        return None
    start, end = _unmask(span[0], span[1], spans)
    return sentence[start:end]
