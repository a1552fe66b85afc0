"""KPI and target records against their gold (tests/gold): paired by indicator text, then every
field the gold has."""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher

from extract.evaluate.match import (
    Evaluation,
    Score,
    field_of,
    pair_records,
    program_key,
    same_number,
    same_value,
    text_key,
    texts_alike,
)

KPI_FIELDS = (
    "indicator", "comparator", "value", "unit", "target_year", "kind", "population",
    "baseline_value", "baseline_year", "actual_value", "program", "indicator_id",
)  # fmt: skip
"""Compared for every matched KPI pair; ``indicator_id`` only where the gold carries one."""

_KPI_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "indicator": lambda a, b: text_key(a) == text_key(b),
    "value": same_number,
    "unit": lambda a, b: (a or "") == (b or ""),
    "baseline_value": same_number,
    "actual_value": same_number,
    "program": lambda a, b: program_key(a) == program_key(b),
    "indicator_id": lambda a, b: (a or "") == (b or ""),
}


def _kpi_fields(want: dict) -> tuple[str, ...]:
    return tuple(f for f in KPI_FIELDS if f in want)


def _kpi_agreement(want: dict, record: object) -> float:
    fields = _kpi_fields(want)
    same = sum(_KPI_COMPARE.get(f, same_value)(field_of(record, f), want[f]) for f in fields)
    found, wanted = text_key(field_of(record, "indicator")), text_key(want["indicator"])
    return same + SequenceMatcher(None, found, wanted).ratio()


def score_kpis(found: dict[str, list], gold: dict) -> Evaluation:
    """KPI records (:class:`schemas.kpis.Kpi`) against ``tests/gold/{id}.json``.

    ``found`` maps a plan key (branch, or ``main`` for a single-plan document) to its records;
    only the plans the gold annotates are scored. A found record can pair with a gold record of
    the same plan whose indicator text is alike (:func:`texts_alike`); among those, the pairs that
    agree on the most fields are taken. Every field of :data:`KPI_FIELDS` the gold record has is
    then compared: the indicator text exactly (:func:`text_key`), numbers to 1e-6, the program by
    its name without 重点 / ★ marks, the rest exactly.
    """
    total = Evaluation(KPI_FIELDS)
    for key in gold["plans_annotated"]:
        wants = [r for r in gold["records"] if r["plan"] == key]
        got = list(found.get(key, []))
        pairs = pair_records(
            wants, got, lambda w, r: texts_alike(field_of(r, "indicator"), w["indicator"]), _kpi_agreement
        )
        evaluation = Evaluation(KPI_FIELDS, Score(len(wants), len(got), len(pairs)))
        for i, j in pairs:
            want, record = wants[i], got[j]
            name = f"l.{want.get('line', '?')} {want['indicator']} {want.get('target_year')}"
            for f in _kpi_fields(want):
                found_value = field_of(record, f)
                evaluation.compare(key, name, f, found_value, want[f],
                                   _KPI_COMPARE.get(f, same_value)(found_value, want[f]))  # fmt: skip
        paired_i, paired_j = {i for i, _ in pairs}, {j for _, j in pairs}
        evaluation.missed = [
            f"{key} l.{w.get('line', '?')} {w['indicator']} {w.get('target_year')}"
            for i, w in enumerate(wants) if i not in paired_i
        ]  # fmt: skip
        evaluation.extra = [
            f"{key} p.{field_of(r, 'page')} {field_of(r, 'indicator')} {field_of(r, 'target_year')}"
            for j, r in enumerate(got) if j not in paired_j
        ]  # fmt: skip
        total = total + evaluation
    return total


def kpi_gold(found: dict[str, list], doc_id: str = "") -> dict:
    """A reading's KPI records in the gold's format, to score another reading against it (two
    layouts of one plan must read the same). Never a substitute for gold written by hand."""
    fields = tuple(f for f in KPI_FIELDS if f != "indicator_id")
    records = [
        {"plan": key, "line": field_of(r, "page"), **{f: field_of(r, f) for f in fields}}
        for key, got in found.items()
        for r in got
    ]
    return {"id": doc_id, "plans_annotated": list(found), "records": records}
