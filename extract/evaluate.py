"""Measure the structure stage against hand-written expectations (``tests/expected/*.json``).

Used by the tests and by ``make bench``; also usable on a user's own annotated plans. A
predicted heading matches an expected one when their label and heading agree after
normalization and removal of spaces (each expected heading matched at most once). Only the
numbering styles that the expectation annotates are scored, so a document annotated down to
(1) is not penalized for its ア/イ items, while a spurious (1) from a table cell still counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from extract.normalize import normalize_text
from extract.sections import FIELDS, match_field, match_style


@dataclass(frozen=True)
class Score:
    expected: int
    predicted: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0


def _key(label: str, heading: str) -> str:
    return "".join(normalize_text(f"{label}{heading}").split())


def style_of(label: str, heading: str) -> str:
    """The numbering style of a heading (``field`` for the 協会けんぽ fields)."""
    text = normalize_text(f"{label} {heading}").strip()
    squashed = "".join(normalize_text(heading).split())[:6]
    if heading and any(name.startswith(squashed) for name in FIELDS) and match_field(text):
        return "field"
    styled = match_style(text)
    return styled[0] if styled else "other"


def score_headings(predicted: list[tuple[str, str]], expected: list[tuple[str, str]]) -> Score:
    """Precision and recall of predicted (label, heading) pairs against expected ones."""
    styles = {style_of(label, heading) for label, heading in expected}
    scored = [(label, heading) for label, heading in predicted if style_of(label, heading) in styles]
    want = Counter(_key(label, heading) for label, heading in expected)
    got = Counter(_key(label, heading) for label, heading in scored)
    matched = sum((want & got).values())
    return Score(expected=sum(want.values()), predicted=sum(got.values()), matched=matched)
