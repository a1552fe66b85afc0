"""Measure the structure stage against hand-written expectations (``tests/expected/*.json``).

Used by the tests and by ``make bench``; also usable on a user's own annotated plans. A
predicted heading matches an expected one when their label and heading agree after
normalization and removal of spaces (each expected heading matched at most once). Only the
numbering styles that the expectation annotates are scored, so a document annotated down to
(1) is not penalized for its ア/イ items, while a spurious (1) from a table cell still counts.
"""

from __future__ import annotations

import re
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


def score_plans(found: list, expected: dict) -> Score:
    """Micro-averaged heading score over a document's annotated plans.

    ``found`` is what :func:`extract.plans.read_plans` returns; ``expected`` a parsed
    ``tests/expected/{id}.json`` (plans with optional ``sections``), branch plans matched by branch.
    """
    total = Score(0, 0, 0)
    for want in expected["plans"]:
        if "sections" not in want:
            continue
        matches = [s for p, s in found if len(found) == 1 or p.branch == want["branch"]]
        sections = matches[0] if len(matches) == 1 else []
        score = score_headings(
            [(s.label, s.heading) for s in sections if s.level > 0],
            [(s["label"], s["heading"]) for s in want["sections"]],
        )
        total = Score(
            total.expected + score.expected,
            total.predicted + score.predicted,
            total.matched + score.matched,
        )
    return total


_WORD_CHARS = re.compile(r"[0-9A-Za-z\u3040-\u30ff\u4e00-\u9fff]")


def _indicator_alike(found, want: dict) -> bool:
    """Same canonical indicator, or the same words give or take a qualifier (difflib ≥ 0.6)."""
    from difflib import SequenceMatcher

    from extract.indicators import canonical_id

    want_id = canonical_id(want["indicator"], want.get("population"))
    if found.indicator_id and want_id:
        return found.indicator_id == want_id
    a = "".join(normalize_text(found.indicator).split())
    b = "".join(normalize_text(want["indicator"]).split())
    if a in b or b in a or SequenceMatcher(None, a, b).ratio() >= 0.6:
        return True
    # the same words in another order (受診者目標数 組合員 男性 / 受診者数(組合員 男性)):
    # nearly every character of the shorter one is in the longer one
    chars_a, chars_b = set(_WORD_CHARS.findall(a)), set(_WORD_CHARS.findall(b))
    shorter = min(len(chars_a), len(chars_b))
    return shorter >= 3 and len(chars_a & chars_b) / shorter >= 0.8


def _same_target(found, want: dict) -> bool:
    value_ok = (found.value is None and want["value"] is None) or (
        found.value is not None and want["value"] is not None and abs(found.value - want["value"]) < 1e-6
    )
    unit_ok = (found.unit or "") == (want["unit"] or "") or found.value is None
    return (
        found.comparator == want["comparator"]
        and value_ok
        and unit_ok
        and found.target_year == want["target_year"]
        and _indicator_alike(found, want)
    )


def score_kpis(found: dict[str, list], gold: dict) -> Score:
    """Precision and recall of KPI records against ``tests/gold/{id}.json``.

    ``found`` maps a plan key (branch, or ``main`` for a single-plan document) to its records;
    only the plans the gold annotates are scored. Each gold record matches at most one found one.
    """
    keys = gold["plans_annotated"]
    expected_total = predicted_total = matched_total = 0
    for key in keys:
        wants = [r for r in gold["records"] if r["plan"] == key]
        got = list(found.get(key, []))
        expected_total += len(wants)
        predicted_total += len(got)
        used: set[int] = set()
        for want in wants:
            for n, record in enumerate(got):
                if n not in used and _same_target(record, want):
                    used.add(n)
                    break
        matched_total += len(used)
    return Score(expected=expected_total, predicted=predicted_total, matched=matched_total)


def _name_key(text: str) -> str:
    from extract.program_text import name_key

    return name_key(text)


def _head(text: str | None, n: int) -> str:
    return "".join(normalize_text(text or "").split())[:n]


@dataclass
class ProgramScore:
    """Program names scored like headings, and the fields of the matched programs compared."""

    names: Score
    field_mismatches: list[tuple[str, str, str, object, object]]
    """(plan, program, field, found, expected) for every matched program whose field differs."""
    issues: Score


_EXACT_FIELDS = ("budget_thousand_yen", "age_from", "age_to")


def score_programs(
    found: dict[str, list], gold: dict, found_issues: dict[str, list] | None = None
) -> ProgramScore:
    """Programs against ``tests/gold/programs/{id}.json``.

    ``found`` maps a plan key (branch, or ``main``) to its :class:`schemas.programs.Program`
    records. Names match after normalization without spaces, brackets and 重点 / ★ marks. For each
    matched pair the budget and the ages must be equal; a purpose must start like the gold's first
    sentence (its first 15 characters) and the actions must begin like the gold's (12 characters
    each, in order). Health issues match on the first 15 characters of the issue.
    """
    expected = predicted = matched = 0
    mismatches: list[tuple[str, str, str, object, object]] = []
    i_expected = i_predicted = i_matched = 0
    for key in gold["plans_annotated"]:
        wants = [p for p in gold["programs"] if p["plan"] == key]
        got = list(found.get(key, []))
        expected += len(wants)
        predicted += len(got)
        by_key: dict[str, list] = {}
        for program in got:
            by_key.setdefault(_name_key(program.name), []).append(program)
        for want in wants:
            candidates = by_key.get(_name_key(want["name"]))
            if not candidates:
                continue
            program = candidates.pop(0)
            matched += 1
            for name in _EXACT_FIELDS:
                if getattr(program, name) != want.get(name):
                    mismatches.append((key, want["name"], name, getattr(program, name), want.get(name)))
            if want.get("purpose") and _head(program.purpose, 15) != _head(want["purpose"], 15):
                mismatches.append((key, want["name"], "purpose", program.purpose, want["purpose"]))
            actions = [_head(a, 12) for a in program.actions]
            if [_head(a, 12) for a in want.get("actions", [])] != actions:
                mismatches.append((key, want["name"], "actions", actions, want.get("actions")))
        wanted_issues = [h for h in gold.get("health_issues", []) if h["plan"] == key]
        got_issues = list((found_issues or {}).get(key, []))
        i_expected += len(wanted_issues)
        i_predicted += len(got_issues)
        heads = [_head(h.issue, 15) for h in got_issues]
        for want in wanted_issues:
            if _head(want["issue"], 15) in heads:
                heads.remove(_head(want["issue"], 15))
                i_matched += 1
    return ProgramScore(
        names=Score(expected, predicted, matched),
        field_mismatches=mismatches,
        issues=Score(i_expected, i_predicted, i_matched),
    )
