"""What every scorer shares: pairing records, comparing fields, the figures and their report.

Used by the tests and by ``make bench``; also usable on a user's own annotated plans, or to compare
two readings of the same plan (``kpi_gold``, ``section_gold``, ``program_gold``: a reading written
as gold). The scorers are in ``kpis``, ``sections`` and ``programs`` beside this module.

Every scorer does two things, and reports them apart:

- **Finding** (precision and recall): which expected records have a found counterpart. Pairs are
  chosen by what identifies a record in the text — a heading's label and words, a KPI's
  indicator, a program's name — compared as text, never through the project's own readers (no
  indicator catalogue, no ``name_key``): a scorer that asks the code under test whether two
  things are the same cannot see the code get them wrong.
- **Agreement per field** over the matched pairs: every field the gold has is compared exactly
  (after one comparison normalization of text, :func:`text_key`), and each difference is kept as a
  :class:`Mismatch`. A field that the gold leaves null must be null in the reading too: ``None``
  against ``False`` is a difference.

The figures are :class:`Evaluation` objects; add them (``a + b``) to total over documents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Score:
    """How many records were expected, found, and found matching one expected record."""

    expected: int
    predicted: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.expected + other.expected, self.predicted + other.predicted, self.matched + other.matched
        )


@dataclass(frozen=True)
class Mismatch:
    """One field of one matched record that differs from the gold."""

    plan: str
    record: str  # how to find the gold record: its line and what names it
    field: str
    found: object
    expected: object

    def __str__(self) -> str:
        return f"{self.plan} {self.record}: {self.field} = {self.found!r}, gold {self.expected!r}"


@dataclass
class Evaluation:
    """Finding (precision / recall) and per-field agreement of one kind of record.

    ``agreed[f]`` of ``compared[f]`` matched pairs agree on field ``f``; ``mismatches`` lists the
    others. ``missed`` and ``extra`` name the expected records not found and the found records
    matching none (a reader's to-do list).
    """

    fields: tuple[str, ...]
    score: Score = field(default_factory=lambda: Score(0, 0, 0))
    compared: dict[str, int] = field(default_factory=dict)
    agreed: dict[str, int] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    tallies: dict[str, int] = field(default_factory=dict)
    """Counts a scorer keeps beside the fields (the KPI scorer: ``ids_required``, ``ids_carried``,
    ``ids_wrong``; see :func:`score_kpis`), summed when evaluations are added."""

    # the Score's figures, so that an Evaluation reads like one
    @property
    def expected(self) -> int:
        return self.score.expected

    @property
    def predicted(self) -> int:
        return self.score.predicted

    @property
    def matched(self) -> int:
        return self.score.matched

    @property
    def precision(self) -> float:
        return self.score.precision

    @property
    def recall(self) -> float:
        return self.score.recall

    def agreement(self, name: str) -> float:
        """Share of matched pairs that agree on field ``name`` (1.0 when none was compared)."""
        compared = self.compared.get(name, 0)
        return self.agreed.get(name, 0) / compared if compared else 1.0

    def agreements(self) -> dict[str, float]:
        """Agreement of every field, in the order of :attr:`fields`."""
        return {name: self.agreement(name) for name in self.fields}

    def wrong(self, name: str) -> list[Mismatch]:
        return [m for m in self.mismatches if m.field == name]

    def compare(self, plan: str, record: str, name: str, found: object, expected: object, same: bool) -> None:
        """Count one comparison of field ``name``; keep it as a mismatch when not ``same``."""
        self.compared[name] = self.compared.get(name, 0) + 1
        if same:
            self.agreed[name] = self.agreed.get(name, 0) + 1
        else:
            self.mismatches.append(Mismatch(plan, record, name, found, expected))

    def __add__(self, other: Evaluation) -> Evaluation:
        names = self.fields + tuple(f for f in other.fields if f not in self.fields)
        total = Evaluation(names, self.score + other.score)
        for name in names:
            total.compared[name] = self.compared.get(name, 0) + other.compared.get(name, 0)
            total.agreed[name] = self.agreed.get(name, 0) + other.agreed.get(name, 0)
        total.mismatches = self.mismatches + other.mismatches
        total.missed, total.extra = self.missed + other.missed, self.extra + other.extra
        for name in self.tallies.keys() | other.tallies.keys():
            total.tallies[name] = self.tallies.get(name, 0) + other.tallies.get(name, 0)
        return total

    def tally(self, name: str) -> int:
        return self.tallies.get(name, 0)

    def count(self, name: str, n: int = 1) -> None:
        self.tallies[name] = self.tallies.get(name, 0) + n

    @property
    def id_share(self) -> float:
        """KPI records: share of the gold records with an expected canonical id that were found
        carrying exactly it (a record not found does not carry it); 1.0 when the gold has none."""
        required = self.tally("ids_required")
        return self.tally("ids_carried") / required if required else 1.0

    @property
    def wrong_ids(self) -> int:
        """KPI records found carrying a canonical id other than the gold's, or one where the
        gold says the indicator has none: worse than no id, since it mixes two measures."""
        return self.tally("ids_wrong")

    def __str__(self) -> str:
        worst = ", ".join(f"{n} {a:.3f}" for n, a in self.agreements().items() if a < 1.0)
        return (
            f"expected {self.expected}, found {self.predicted}, matched {self.matched} "
            f"(P {self.precision:.3f}, R {self.recall:.3f}); fields below 1: {worst or 'none'}"
        )


# --- text as the gold writes it ------------------------------------------------------------------


_FOOTNOTE = re.compile(r"[(（]\s*※\s*\d*\s*[)）]|※\s*\d*")


def text_key(text: object) -> str:
    """Text for comparison: NFKC (full-width and half-width alike, ① = 1), no white space, no
    footnote marks (※, （※1）). ``None`` and the empty string are the same."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text))
    return "".join(_FOOTNOTE.sub("", folded).split())


_KEY_MARK = re.compile(r"[(（]\s*重点\s*★?\s*[)）]|★")


def program_key(name: object) -> str:
    """A program's name without its 重点 / ★ mark: the KPI gold writes the heading
    (``特定健康診査（重点★）``), the program gold and the readers write the name."""
    return text_key(_KEY_MARK.sub("", str(name))) if name else ""


def loose_key(text: object) -> str:
    """For pairing only: also without brackets and punctuation (a name may be read with its
    brackets dropped, and the pair is then compared exactly as a field)."""
    return re.sub(r"[()「」『』〈〉<>\[\]【】・、,.。:;]", "", program_key(text))


_WORD_CHARS = re.compile(r"[0-9A-Za-z\u3040-\u30ff\u4e00-\u9fff]")


def texts_alike(a: str, b: str) -> bool:
    """Whether two indicator texts name the same measure: one inside the other, mostly the same
    characters in the same order (difflib ≥ 0.6), or the same words in another order
    (``受診者目標数 組合員 男性`` / ``受診者数（組合員 男性）``)."""
    a, b = text_key(a), text_key(b)
    if not a or not b:
        return a == b
    if a in b or b in a or SequenceMatcher(None, a, b).ratio() >= 0.6:
        return True
    chars_a, chars_b = set(_WORD_CHARS.findall(a)), set(_WORD_CHARS.findall(b))
    shorter = min(len(chars_a), len(chars_b))
    return shorter >= 3 and len(chars_a & chars_b) / shorter >= 0.8


def same_number(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6  # type: ignore[arg-type]


def same_value(a: object, b: object) -> bool:
    """Exact, with ``None`` apart from ``False`` and ``0``."""
    if a is None or b is None:
        return a is None and b is None
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def field_of(record: object, name: str) -> object:
    return record.get(name) if isinstance(record, dict) else getattr(record, name, None)


def pair_records(
    wants: Sequence[dict],
    got: Sequence[object],
    eligible: Callable[[dict, object], bool],
    agreement: Callable[[dict, object], float],
) -> list[tuple[int, int]]:
    """Pairs (gold index, found index): each record at most once, the pairs that agree most first.

    Greedy over all eligible pairs sorted by agreement, ties broken by text order (which keeps the
    n-th of a repeated heading with the n-th)."""
    candidates = [
        (agreement(want, record), -abs(i - j), i, j)
        for i, want in enumerate(wants)
        for j, record in enumerate(got)
        if eligible(want, record)
    ]
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2], c[3]))
    used_i: set[int] = set()
    used_j: set[int] = set()
    pairs = []
    for _, _, i, j in candidates:
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            pairs.append((i, j))
    return sorted(pairs)


# --- reports -------------------------------------------------------------------------------------


_SHORT = {
    "target_year": "year", "baseline_value": "base_value", "baseline_year": "base_year",
    "actual_value": "actual", "indicator_id": "ind_id", "key_program": "key", "budget_thousand_yen": "budget",
    "population_norm": "pop_norm",
}  # fmt: skip


def agreement_table(rows: Sequence[tuple[str, Evaluation]], width: int = 44) -> str:
    """A plain-text table: one row per (document, evaluation), P, R and each field's agreement.

    A field no pair was compared on shows ``-``; the lowest figure of each row is easy to find
    because every figure has the same width."""
    names: list[str] = []
    for _, evaluation in rows:
        names += [n for n in evaluation.fields if n not in names]
    short = {n: _SHORT.get(n, n)[:10] for n in names}
    head = f"{'':<{width}}{'exp':>5}{'found':>6}{'P':>6}{'R':>6}" + "".join(f"{short[n]:>11}" for n in names)
    lines = [head]
    for label, evaluation in rows:
        cells = [
            f"{evaluation.agreement(n):>11.3f}" if evaluation.compared.get(n) else f"{'-':>11}" for n in names
        ]
        lines.append(
            f"{label:<{width}}{evaluation.expected:>5}{evaluation.predicted:>6}"
            f"{evaluation.precision:>6.3f}{evaluation.recall:>6.3f}" + "".join(cells)
        )
    return "\n".join(lines)
