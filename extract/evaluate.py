"""Measure plans, sections, KPIs and programs against records written by hand.

Used by the tests and by ``make bench``; also usable on a user's own annotated plans, or to compare
two readings of the same plan (see :func:`kpi_gold`, :func:`section_gold`, :func:`program_gold`).

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

__all__ = [
    "ISSUE_FIELDS",
    "KPI_FIELDS",
    "PROGRAM_FIELDS",
    "SECTION_FIELDS",
    "Evaluation",
    "Mismatch",
    "ProgramScore",
    "Score",
    "agreement_table",
    "kpi_gold",
    "kpi_pairs",
    "program_gold",
    "score_headings",
    "score_kpis",
    "score_plans",
    "score_programs",
    "section_gold",
    "text_key",
]  # fmt: skip


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


def _program_key(name: object) -> str:
    """A program's name without its 重点 / ★ mark: the KPI gold writes the heading
    (``特定健康診査（重点★）``), the program gold and the readers write the name."""
    return text_key(_KEY_MARK.sub("", str(name))) if name else ""


def _loose_key(text: object) -> str:
    """For pairing only: also without brackets and punctuation (a name may be read with its
    brackets dropped, and the pair is then compared exactly as a field)."""
    return re.sub(r"[()「」『』〈〉<>\[\]【】・、,.。:;]", "", _program_key(text))


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


def _same_number(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6  # type: ignore[arg-type]


def _same(a: object, b: object) -> bool:
    """Exact, with ``None`` apart from ``False`` and ``0``."""
    if a is None or b is None:
        return a is None and b is None
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _get(record: object, name: str) -> object:
    return record.get(name) if isinstance(record, dict) else getattr(record, name, None)


def _pair(
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


# --- KPIs ------------------------------------------------------------------------------------------

KPI_FIELDS = (
    "indicator", "comparator", "value", "unit", "target_year", "kind", "population",
    "baseline_value", "baseline_year", "actual_value", "program", "indicator_id", "population_norm",
    "sources",
)  # fmt: skip
"""Compared for every matched KPI pair, each where the gold carries it: ``indicator_id`` and
``population_norm`` where the gold gives them, ``sources`` — how many places state the target
(``stated``: their lines) — in a gold file that says ``"sources_annotated": true``."""

_KPI_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "indicator": lambda a, b: text_key(a) == text_key(b),
    "value": _same_number,
    "unit": lambda a, b: (a or "") == (b or ""),
    "baseline_value": _same_number,
    "actual_value": _same_number,
    "program": lambda a, b: _program_key(a) == _program_key(b),
    "indicator_id": lambda a, b: (a or "") == (b or ""),
    "sources": lambda a, b: a == b,
}


def _kpi_fields(want: dict) -> tuple[str, ...]:
    return tuple(f for f in KPI_FIELDS if f in want)


def _statements(record: object) -> int:
    """How many places a found record says its target is stated (one when it keeps no list)."""
    return len(_get(record, "sources") or ()) or 1


def _kpi_agreement(want: dict, record: object) -> float:
    fields = _kpi_fields(want)
    same = sum(_KPI_COMPARE.get(f, _same)(_get(record, f), want[f]) for f in fields)
    return (
        same + SequenceMatcher(None, text_key(_get(record, "indicator")), text_key(want["indicator"])).ratio()
    )


def _plan_wants(gold: dict, key: str) -> list[dict]:
    wants = [r for r in gold["records"] if r["plan"] == key]
    if gold.get("sources_annotated"):  # the number of statements, as a field the pairs are compared on
        wants = [{**w, "sources": len(w.get("stated") or [w.get("line")])} for w in wants]
    return wants


def kpi_pairs(found: dict[str, list], gold: dict) -> list[tuple[dict, object]]:
    """The (gold record, found record) pairs :func:`score_kpis` compares, plan by plan: to look
    at what a reader got for each record the gold has (its id, its population)."""
    out = []
    for key in gold["plans_annotated"]:
        wants, got = _plan_wants(gold, key), list(found.get(key, []))
        alike = lambda w, r: texts_alike(_get(r, "indicator"), w["indicator"])  # noqa: E731
        pairs = _pair(wants, got, alike, _kpi_agreement)
        out.extend((wants[i], got[j]) for i, j in pairs)
    return out


def score_kpis(found: dict[str, list], gold: dict) -> Evaluation:
    """KPI records (:class:`schemas.kpis.Kpi`) against ``tests/gold/{id}.json``.

    ``found`` maps a plan key (branch, or ``main`` for a single-plan document) to its records;
    only the plans the gold annotates are scored. A found record can pair with a gold record of
    the same plan whose indicator text is alike (:func:`texts_alike`); among those, the pairs that
    agree on the most fields are taken. Every field of :data:`KPI_FIELDS` the gold record has is
    then compared: the indicator text exactly (:func:`text_key`), numbers to 1e-6, the program by
    its name without 重点 / ★ marks, the rest exactly.

    Canonical ids are also tallied (:attr:`Evaluation.id_share`, :attr:`Evaluation.wrong_ids`): a
    gold record with an id counts as carried when its found counterpart has exactly that id; a
    found record whose id differs from its counterpart's gold id (or has one where the gold has
    none) is a wrong id.
    """
    total = Evaluation(KPI_FIELDS)
    for key in gold["plans_annotated"]:
        wants = _plan_wants(gold, key)
        got = list(found.get(key, []))
        pairs = _pair(
            wants, got, lambda w, r: texts_alike(_get(r, "indicator"), w["indicator"]), _kpi_agreement
        )
        evaluation = Evaluation(KPI_FIELDS, Score(len(wants), len(got), len(pairs)))
        for i, j in pairs:
            want, record = wants[i], got[j]
            name = f"l.{want.get('line', '?')} {want['indicator']} {want.get('target_year')}"
            for f in _kpi_fields(want):
                found_value = _statements(record) if f == "sources" else _get(record, f)
                evaluation.compare(key, name, f, found_value, want[f],
                                   _KPI_COMPARE.get(f, _same)(found_value, want[f]))  # fmt: skip
            if "indicator_id" in want:
                carried = _get(record, "indicator_id") or ""
                if want["indicator_id"] and carried == want["indicator_id"]:
                    evaluation.count("ids_carried")
                if carried and carried != (want["indicator_id"] or ""):
                    evaluation.count("ids_wrong")
        evaluation.count("ids_required", sum(1 for w in wants if w.get("indicator_id")))
        paired_i, paired_j = {i for i, _ in pairs}, {j for _, j in pairs}
        evaluation.missed = [
            f"{key} l.{w.get('line', '?')} {w['indicator']} {w.get('target_year')}"
            for i, w in enumerate(wants) if i not in paired_i
        ]  # fmt: skip
        evaluation.extra = [
            f"{key} p.{_get(r, 'page')} {_get(r, 'indicator')} {_get(r, 'target_year')}"
            for j, r in enumerate(got) if j not in paired_j
        ]  # fmt: skip
        total = total + evaluation
    return total


def kpi_gold(found: dict[str, list], doc_id: str = "") -> dict:
    """A reading's KPI records in the gold's format, to score another reading against it (two
    layouts of one plan must read the same). Never a substitute for gold written by hand."""
    fields = tuple(f for f in KPI_FIELDS if f not in ("indicator_id", "population_norm", "sources"))
    records = [
        {"plan": key, "line": _get(r, "page"), **{f: _get(r, f) for f in fields}}
        for key, got in found.items()
        for r in got
    ]
    return {"id": doc_id, "plans_annotated": list(found), "records": records}


# --- sections --------------------------------------------------------------------------------------

SECTION_FIELDS = ("label", "heading", "level", "parent")
"""``parent``: the heading the section stands under (none for a top-level one)."""


def _heading_key(label: str, heading: str) -> str:
    return text_key(f"{label}{heading}")


def expected_parents(sections: Sequence[dict]) -> list[int | None]:
    """For each expected heading, the index of the one it stands under: the nearest earlier
    heading of a smaller level (expectations give levels in text order; the parent follows)."""
    parents: list[int | None] = []
    for i, section in enumerate(sections):
        parent = None
        for j in range(i - 1, -1, -1):
            if sections[j]["level"] < section["level"]:
                parent = j
                break
        parents.append(parent)
    return parents


def _align_headings(wants: Sequence[dict], got: Sequence) -> list[tuple[int, int]]:
    """Expected and found headings paired in text order: the same label and words first (the
    longest common subsequence), then, between those, the same words under another label or the
    same label with words cut or run on (a label or a heading read wrong, still the same one)."""
    want_keys = [_heading_key(w["label"], w["heading"]) for w in wants]
    got_keys = [_heading_key(s.label, s.heading) for s in got]
    pairs: list[tuple[int, int]] = []
    matcher = SequenceMatcher(None, want_keys, got_keys, autojunk=False)
    last_i = last_j = 0
    for block in [*matcher.get_matching_blocks()]:
        pairs.extend(_near_pairs(wants, got, range(last_i, block.a), range(last_j, block.b)))
        pairs.extend((block.a + k, block.b + k) for k in range(block.size))
        last_i, last_j = block.a + block.size, block.b + block.size
    return sorted(pairs)


def _near_pairs(wants: Sequence[dict], got: Sequence, rows: range, cols: range) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    start = cols.start
    for i in rows:
        label, heading = text_key(wants[i]["label"]), text_key(wants[i]["heading"])
        for j in range(start, cols.stop):
            other_label, other_heading = text_key(got[j].label), text_key(got[j].heading)
            same_words = heading and heading == other_heading
            same_label = (
                label == other_label
                and heading
                and other_heading
                and (heading.startswith(other_heading[:6]) or other_heading.startswith(heading[:6]))
            )
            if same_words or same_label:
                pairs.append((i, j))
                start = j + 1
                break
    return pairs


def score_headings(predicted: list[tuple[str, str]], expected: list[tuple[str, str]]) -> Score:
    """Precision and recall of (label, heading) pairs against expected ones, in any order."""
    from collections import Counter

    want = Counter(_heading_key(label, heading) for label, heading in expected)
    got = Counter(_heading_key(label, heading) for label, heading in predicted)
    return Score(sum(want.values()), sum(got.values()), sum((want & got).values()))


def score_plans(found: list, expected: dict) -> Evaluation:
    """Section headings over a document's annotated plans (``tests/expected/{id}.json``).

    ``found`` is what :func:`extract.plans.read_plans` returns; branch plans are matched by branch.
    Every found heading (level > 0) counts toward precision, whatever its numbering style. Matched
    pairs compare their label and heading as text, their level, and their parent: the found
    section's parent must be the found counterpart of the expected parent (see
    :func:`expected_parents`).
    """
    total = Evaluation(SECTION_FIELDS)
    for want in expected["plans"]:
        if "sections" not in want:
            continue
        key = want.get("key") or want.get("branch") or "main"
        matches = [s for p, s in found if len(found) == 1 or p.branch == want["branch"]]
        sections = [s for s in (matches[0] if len(matches) == 1 else []) if s.level > 0]
        wants = want["sections"]
        pairs = _align_headings(wants, sections)
        evaluation = Evaluation(SECTION_FIELDS, Score(len(wants), len(sections), len(pairs)))
        counterpart = {j: i for i, j in pairs}
        index_of = {s.id: j for j, s in enumerate(sections)}
        parents = expected_parents(wants)
        for i, j in pairs:
            w, s = wants[i], sections[j]
            name = f"l.{w.get('line', '?')} {w['label']}{w['heading']}"
            evaluation.compare(
                key, name, "label", s.label, w["label"], text_key(s.label) == text_key(w["label"])
            )
            evaluation.compare(key, name, "heading", s.heading, w["heading"],
                               text_key(s.heading) == text_key(w["heading"]))  # fmt: skip
            evaluation.compare(key, name, "level", s.level, w["level"], s.level == w["level"])
            parent_j = index_of.get(s.parent_id) if s.parent_id else None
            found_parent = counterpart.get(parent_j) if parent_j is not None else None
            shown = (
                f"{sections[parent_j].label}{sections[parent_j].heading}" if parent_j is not None else None
            )
            wanted = parents[i]
            shown_want = f"{wants[wanted]['label']}{wants[wanted]['heading']}" if wanted is not None else None
            same_parent = found_parent == wanted and (parent_j is None) == (wanted is None)
            evaluation.compare(key, name, "parent", shown, shown_want, same_parent)
        paired_i, paired_j = {i for i, _ in pairs}, {j for _, j in pairs}
        evaluation.missed = [f"{key} l.{w.get('line', '?')} {w['label']}{w['heading']}"
                             for i, w in enumerate(wants) if i not in paired_i]  # fmt: skip
        evaluation.extra = [f"{key} p.{s.page_start} L{s.level} {s.label} {s.heading}"
                            for j, s in enumerate(sections) if j not in paired_j]  # fmt: skip
        total = total + evaluation
    return total


def section_gold(found: list, doc_id: str = "") -> dict:
    """A reading's section trees in the format of ``tests/expected`` (to score another reading of
    the same document against it). Never a substitute for expectations written by hand."""
    plans = []
    for plan, sections in found:
        key = plan.branch if len(found) > 1 else "main"
        plans.append({
            "key": key, "branch": plan.branch,
            "sections": [{"level": s.level, "label": s.label, "heading": s.heading, "line": s.page_start}
                         for s in sections if s.level > 0],
        })  # fmt: skip
    return {"id": doc_id, "plans": plans}


# --- programs and health issues ------------------------------------------------------------------

PROGRAM_FIELDS = (
    "name", "category", "new", "key_program", "population", "sex", "age_from", "age_to",
    "budget_thousand_yen", "purpose", "actions",
)  # fmt: skip
ISSUE_FIELDS = ("issue", "number", "direction", "priority", "programs")

_GOLD_CHARS = 12  # the program gold keeps the first 12 characters of each action
_ISSUE_CHARS = 30  # and the first 30 of a health issue and its direction


def _first_sentence(text: object) -> str:
    key = text_key(text)
    end = key.find("。")
    return key[: end + 1] if end >= 0 else key


def _actions(items: Iterable[str] | None) -> list[str]:
    return [text_key(a)[:_GOLD_CHARS] for a in items or []]


_PROGRAM_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "name": lambda a, b: text_key(a) == text_key(b),
    "category": lambda a, b: text_key(a) == text_key(b),
    "population": lambda a, b: text_key(a) == text_key(b),
    "budget_thousand_yen": _same_number,
    "purpose": lambda a, b: _first_sentence(a) == _first_sentence(b),
    "actions": lambda a, b: _actions(a) == _actions(b),  # type: ignore[arg-type]
}
_ISSUE_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "issue": lambda a, b: text_key(a)[:_ISSUE_CHARS] == text_key(b)[:_ISSUE_CHARS],
    "direction": lambda a, b: text_key(a)[:_ISSUE_CHARS] == text_key(b)[:_ISSUE_CHARS],
    "programs": lambda a, b: sorted(map(_program_key, a or [])) == sorted(map(_program_key, b or [])),  # type: ignore[call-overload]
}


@dataclass
class ProgramScore:
    """Programs and health issues of a document against their gold."""

    programs: Evaluation
    issues: Evaluation

    @property
    def names(self) -> Score:
        """Program names found (precision / recall), as a plain :class:`Score`."""
        return self.programs.score

    @property
    def field_mismatches(self) -> list[Mismatch]:
        return self.programs.mismatches

    def __add__(self, other: ProgramScore) -> ProgramScore:
        return ProgramScore(self.programs + other.programs, self.issues + other.issues)


def _score_records(
    key: str,
    wants: list[dict],
    got: list,
    fields: tuple[str, ...],
    compare: dict[str, Callable[[object, object], bool]],
    name_field: str,
) -> Evaluation:
    """Records paired by their name (without brackets and marks), then compared field by field."""

    def eligible(want: dict, record: object) -> bool:
        a, b = _loose_key(want[name_field]), _loose_key(_get(record, name_field))
        if name_field == "issue":
            return a[: _ISSUE_CHARS - 2] == b[: _ISSUE_CHARS - 2]
        return a == b

    def agreement(want: dict, record: object) -> float:
        return sum(compare.get(f, _same)(_get(record, f), want[f]) for f in fields if f in want)

    pairs = _pair(wants, got, eligible, agreement)
    evaluation = Evaluation(fields, Score(len(wants), len(got), len(pairs)))
    for i, j in pairs:
        want, record = wants[i], got[j]
        name = f"l.{want.get('line', '?')} {want[name_field]}"
        for f in fields:
            if f in want:
                value = _get(record, f)
                evaluation.compare(key, name, f, value, want[f], compare.get(f, _same)(value, want[f]))
    paired_i, paired_j = {i for i, _ in pairs}, {j for _, j in pairs}
    evaluation.missed = [f"{key} l.{w.get('line', '?')} {w[name_field]}"
                         for i, w in enumerate(wants) if i not in paired_i]  # fmt: skip
    evaluation.extra = [f"{key} {_get(r, name_field)}" for j, r in enumerate(got) if j not in paired_j]
    return evaluation


def score_programs(
    found: dict[str, list], gold: dict, found_issues: dict[str, list] | None = None
) -> ProgramScore:
    """Programs and health issues against ``tests/gold/programs/{id}.json``.

    ``found`` maps a plan key (branch, or ``main``) to its :class:`schemas.programs.Program`
    records, ``found_issues`` to its :class:`schemas.programs.HealthIssue` records. Programs pair
    by name (no spaces, brackets or 重点 / ★ marks); then every field of :data:`PROGRAM_FIELDS`
    the gold has is compared: texts as :func:`text_key`, the purpose by its first sentence, the
    actions by their first 12 characters each, in order, the rest exactly (``None`` is not
    ``False``). Health issues pair by the first characters of the issue and compare
    :data:`ISSUE_FIELDS` (issue and direction by their first 30 characters, the programs as a set).
    """
    programs = Evaluation(PROGRAM_FIELDS)
    issues = Evaluation(ISSUE_FIELDS)
    for key in gold["plans_annotated"]:
        wants = [p for p in gold["programs"] if p["plan"] == key]
        programs = programs + _score_records(
            key, wants, list(found.get(key, [])), PROGRAM_FIELDS, _PROGRAM_COMPARE, "name"
        )
        wanted_issues = [h for h in gold.get("health_issues", []) if h["plan"] == key]
        got_issues = list((found_issues or {}).get(key, []))
        issues = issues + _score_records(
            key, wanted_issues, got_issues, ISSUE_FIELDS, _ISSUE_COMPARE, "issue"
        )
    return ProgramScore(programs, issues)


def program_gold(
    found: dict[str, list], found_issues: dict[str, list] | None = None, doc_id: str = ""
) -> dict:
    """A reading's programs and health issues in the gold's format (to score another reading of
    the same plan against it). Never a substitute for gold written by hand."""
    programs = [
        {"plan": key, "line": _get(p, "page_start"), **{f: _get(p, f) for f in PROGRAM_FIELDS}}
        for key, got in found.items()
        for p in got
    ]
    issues = [
        {"plan": key, "line": _get(h, "page"), **{f: _get(h, f) for f in ISSUE_FIELDS}}
        for key, got in (found_issues or {}).items()
        for h in got
    ]
    return {"id": doc_id, "plans_annotated": list(found), "programs": programs, "health_issues": issues}


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
