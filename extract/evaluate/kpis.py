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
    "baseline_value", "baseline_year", "actual_value", "program", "indicator_id", "population_norm",
    "sources", "total_value", "target_text",
)  # fmt: skip
"""Compared for every matched KPI pair, each where the gold carries it: ``indicator_id`` and
``population_norm`` where the gold gives them, ``sources`` — how many places state the target
(``stated``: their lines) — in a gold file that says ``"sources_annotated": true``."""

_KPI_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "indicator": lambda a, b: text_key(a) == text_key(b),
    "value": same_number,
    "unit": lambda a, b: (a or "") == (b or ""),
    "baseline_value": same_number,
    "actual_value": same_number,
    "total_value": same_number,
    "target_text": lambda a, b: text_key(a or "") == text_key(b or ""),
    "program": lambda a, b: program_key(a) == program_key(b),
    "indicator_id": lambda a, b: (a or "") == (b or ""),
    "sources": lambda a, b: a == b,
}


def _kpi_fields(want: dict) -> tuple[str, ...]:
    return tuple(f for f in KPI_FIELDS if f in want)


def _statements(record: object) -> int:
    """How many places a found record says its target is stated (one when it keeps no list)."""
    return len(field_of(record, "sources") or ()) or 1


def _kpi_agreement(want: dict, record: object) -> float:
    fields = _kpi_fields(want)
    same = sum(_KPI_COMPARE.get(f, same_value)(field_of(record, f), want[f]) for f in fields)
    found, wanted = text_key(field_of(record, "indicator")), text_key(want["indicator"])
    return same + SequenceMatcher(None, found, wanted).ratio()


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
        alike = lambda w, r: texts_alike(field_of(r, "indicator"), w["indicator"])  # noqa: E731
        pairs = pair_records(wants, got, alike, _kpi_agreement)
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
        pairs = pair_records(
            wants, got, lambda w, r: texts_alike(field_of(r, "indicator"), w["indicator"]), _kpi_agreement
        )
        evaluation = Evaluation(KPI_FIELDS, Score(len(wants), len(got), len(pairs)))
        for i, j in pairs:
            want, record = wants[i], got[j]
            name = f"l.{want.get('line', '?')} {want['indicator']} {want.get('target_year')}"
            for f in _kpi_fields(want):
                found_value = _statements(record) if f == "sources" else field_of(record, f)
                evaluation.compare(key, name, f, found_value, want[f],
                                   _KPI_COMPARE.get(f, same_value)(found_value, want[f]))  # fmt: skip
            if "indicator_id" in want:
                carried = field_of(record, "indicator_id") or ""
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
            f"{key} p.{field_of(r, 'page')} {field_of(r, 'indicator')} {field_of(r, 'target_year')}"
            for j, r in enumerate(got) if j not in paired_j
        ]  # fmt: skip
        total = total + evaluation
    return total


def kpi_gold(found: dict[str, list], doc_id: str = "") -> dict:
    """A reading's KPI records in the gold's format, to score another reading against it (two
    layouts of one plan must read the same). Never a substitute for gold written by hand."""
    fields = tuple(f for f in KPI_FIELDS if f not in ("indicator_id", "population_norm", "sources"))
    records = [
        {"plan": key, "line": field_of(r, "page"), **{f: field_of(r, f) for f in fields}}
        for key, got in found.items()
        for r in got
    ]
    return {"id": doc_id, "plans_annotated": list(found), "records": records}
