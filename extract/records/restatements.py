"""One record per target: a target a plan states in several places is one record with every source.

Plans restate their targets: a STEP-format plan gives each target in its STEP3 table and again in
its STEP4 report (with the result beside it), a 協会けんぽ branch repeats its KPI lines in an annex
table, a 特定健康診査等実施計画 states its final-year goal in a sentence and in the year column of
its goal table. Counted as records, each of those targets would count twice in every total and
chart. A restatement is merged into the first statement: its page, section and text are added to
``sources``, and a field the first statement leaves empty (the 実績値 of a STEP4 report) is taken
from it.
"""

from __future__ import annotations

import re

from schemas.kpis import Kpi

_WHITE = re.compile(r"\s+")


def _squashed(text: str) -> str:
    return _WHITE.sub("", text)


def _same_target(a: Kpi, b: Kpi) -> bool:
    """Same year, comparator and value (and a unit that does not contradict)."""
    if a.target_year != b.target_year or a.comparator != b.comparator:
        return False
    if (a.value is None) != (b.value is None) or (a.value is not None and abs(a.value - b.value) > 1e-9):  # type: ignore[operator]
        return False
    return not a.unit or not b.unit or a.unit == b.unit


def _same_measure(a: Kpi, b: Kpi) -> bool:
    """The same canonical indicator of the same population (a number to compare: two commitments
    of one indicator are two commitments), or the same words of the same people."""
    if a.indicator_id and a.indicator_id == b.indicator_id and a.value is not None:
        return a.population_norm == b.population_norm
    return _squashed(a.indicator) == _squashed(b.indicator) and a.population == b.population


def _absorb(kept: Kpi, other: Kpi) -> None:
    kept.sources.extend(s for s in other.sources if s not in kept.sources)
    for name in ("actual_value", "baseline_value", "baseline_year", "program", "population"):
        if getattr(kept, name) is None and getattr(other, name) is not None:
            setattr(kept, name, getattr(other, name))


def first_statements(records: list[Kpi]) -> list[Kpi]:
    """Within one plan's sentences and KPI lines: a target restated (the KPI line, then a KPI list
    or table restating it) is one record, the first. Same year, comparator, value and population,
    and the same canonical indicator (with a value), or one indicator's words ending the other's
    (a restatement carries the measure's name before it)."""
    kept: list[Kpi] = []
    for record in records:
        text = _squashed(record.indicator)
        for k in kept:
            other = _squashed(k.indicator)
            same_id = record.value is not None and k.indicator_id == record.indicator_id != ""
            ends = len(text) >= 2 and (text.endswith(other) or other.endswith(text))
            # a table row adds a definition in brackets to a box line's words (…の割合（BMI18.5以上…）)
            ends = ends or (len(text) >= 4 and (text.startswith(other + "(") or other.startswith(text + "(")))
            if (
                k.target_year == record.target_year
                and k.comparator == record.comparator
                and k.value == record.value
                and k.population == record.population
                and (same_id or ends)
            ):
                _absorb(k, record)
                break
        else:
            kept.append(record)
    return kept


def merge_restatements(kpis: list[Kpi], programs: list) -> list[Kpi]:
    """A plan's records with every restated target merged into its first statement, once the
    programs are known: a target restated under the same program (STEP3 table and STEP4
    report, a goal sentence and its table column). Records are numbered again in reading order
    and the programs' ``kpi_ids`` follow."""
    kept: list[Kpi] = []
    into: dict[str, str] = {}
    for record in kpis:
        same = (k for k in kept if k.program == record.program and _same_target(k, record))
        target = next((k for k in same if _same_measure(k, record)), None)
        if target is None:
            kept.append(record)
            into[record.id] = record.id
        else:
            _absorb(target, record)
            into[record.id] = target.id
    if len(kept) == len(kpis):
        return kpis
    renamed: dict[str, str] = {}
    for n, record in enumerate(kept):
        new = re.sub(r"-k\d+$", f"-k{n:03d}", record.id)
        renamed[record.id] = new
        record.id = new
    for program in programs:
        ids = [renamed[into[k]] for k in program.kpi_ids if k in into]
        program.kpi_ids = list(dict.fromkeys(ids))
    return kept
