"""Programs and health issues against tests/gold/programs: paired by name (programs) and by
issue text, then every field the gold has."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from extract.evaluate.match import (
    Evaluation,
    Mismatch,
    Score,
    field_of,
    loose_key,
    pair_records,
    program_key,
    same_number,
    same_value,
    text_key,
)

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
    "budget_thousand_yen": same_number,
    "purpose": lambda a, b: _first_sentence(a) == _first_sentence(b),
    "actions": lambda a, b: _actions(a) == _actions(b),  # type: ignore[arg-type]
}
_ISSUE_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "issue": lambda a, b: text_key(a)[:_ISSUE_CHARS] == text_key(b)[:_ISSUE_CHARS],
    "direction": lambda a, b: text_key(a)[:_ISSUE_CHARS] == text_key(b)[:_ISSUE_CHARS],
    "programs": lambda a, b: sorted(map(program_key, a or [])) == sorted(map(program_key, b or [])),  # type: ignore[call-overload]
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
        a, b = loose_key(want[name_field]), loose_key(field_of(record, name_field))
        if name_field == "issue":
            return a[: _ISSUE_CHARS - 2] == b[: _ISSUE_CHARS - 2]
        return a == b

    def agreement(want: dict, record: object) -> float:
        return sum(compare.get(f, same_value)(field_of(record, f), want[f]) for f in fields if f in want)

    pairs = pair_records(wants, got, eligible, agreement)
    evaluation = Evaluation(fields, Score(len(wants), len(got), len(pairs)))
    for i, j in pairs:
        want, record = wants[i], got[j]
        name = f"l.{want.get('line', '?')} {want[name_field]}"
        for f in fields:
            if f in want:
                value = field_of(record, f)
                evaluation.compare(key, name, f, value, want[f], compare.get(f, same_value)(value, want[f]))
    paired_i, paired_j = {i for i, _ in pairs}, {j for _, j in pairs}
    evaluation.missed = [f"{key} l.{w.get('line', '?')} {w[name_field]}"
                         for i, w in enumerate(wants) if i not in paired_i]  # fmt: skip
    evaluation.extra = [f"{key} {field_of(r, name_field)}" for j, r in enumerate(got) if j not in paired_j]
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
        {"plan": key, "line": field_of(p, "page_start"), **{f: field_of(p, f) for f in PROGRAM_FIELDS}}
        for key, got in found.items()
        for p in got
    ]
    issues = [
        {"plan": key, "line": field_of(h, "page"), **{f: field_of(h, f) for f in ISSUE_FIELDS}}
        for key, got in (found_issues or {}).items()
        for h in got
    ]
    return {"id": doc_id, "plans_annotated": list(found), "programs": programs, "health_issues": issues}
