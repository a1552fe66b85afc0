"""Checks of the numbers of KPIs read by OCR: correct or drop a number rather than store a wrong one.

The text repairs (:mod:`extract.read.ocr_text`) fix what the characters give away. What only the record
shows is checked here, on the KPIs that stand on pages read by OCR, against what a plan can say:

- **A share over 100.** A rate (``%``, or an indicator that is a 率 or 割合 with no unit) above 100
  (``993`` for ``99.3``: a decimal point lost; ``110`` for ``10``: a table's rule read as 1) has
  no single correction; the number is dropped, the record kept with its sentence, so the user
  sees that there is a target and reads it on the page. Per mille the same above 1,000; a
  negative share too.
- **A year outside the plan's period.** A target year before the plan's first year or after its
  last (``2O27`` read ``2827``, ``2021`` read ``2024`` in a plan for 2021) is dropped; a baseline
  year after the period's end or more than :data:`BASELINE_YEARS` before its start as well.

A KPI read from a text layer is never changed: its numbers are what the PDF says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemas.kpis import Kpi
from schemas.plans import Plan

BASELINE_YEARS = 10
"""How many years before a plan's start a baseline may lie (a 直近値 of the previous plan's years)."""
_RATE = re.compile(r"(率|割合|比率|シェア)\s*(?:[(（][^)）]*[)）])?\s*$")
_NUMBERS = ("value", "baseline_value", "actual_value")


def _share_limit(kpi: Kpi) -> float | None:
    """The largest value a KPI's numbers can have: 100 for a share, 1,000 per mille, else none."""
    if kpi.unit == "%" or (not kpi.unit and _RATE.search(kpi.indicator)):
        return 100.0
    if kpi.unit == "‰":
        return 1000.0
    return None


def implausible_numbers(kpi: Kpi) -> list[str]:
    """The names of the KPI's numbers that no plan could write (a share over 100, a negative one)."""
    limit = _share_limit(kpi)
    if limit is None:
        return []
    names = []
    for name in _NUMBERS:
        number = getattr(kpi, name)
        if number is not None and not 0 <= number <= limit:
            names.append(name)
    return names


def implausible_years(kpi: Kpi, plan: Plan) -> list[str]:
    """The names of the KPI's years that fall outside what the plan's period allows."""
    start, end = plan.period_start or plan.fiscal_year, plan.period_end or plan.fiscal_year
    if start is None or end is None:
        return []
    names = []
    if kpi.target_year is not None and not start <= kpi.target_year <= end:
        names.append("target_year")
    if kpi.baseline_year is not None and not start - BASELINE_YEARS <= kpi.baseline_year <= end:
        names.append("baseline_year")
    return names


def check_ocr_kpis(kpis: Iterable[Kpi], plan: Plan, ocr_pages: set[int]) -> list[Kpi]:
    """The plan's KPIs, those on OCR'd pages with their implausible numbers and years dropped.

    A value dropped leaves a record with no target; its comparator then says only what kind of
    target it was (``>=``), and ``raw_text`` keeps the sentence to read on the page."""
    checked = []
    for kpi in kpis:
        if kpi.page not in ocr_pages:
            checked.append(kpi)
            continue
        wrong = implausible_numbers(kpi) + implausible_years(kpi, plan)
        checked.append(kpi.model_copy(update=dict.fromkeys(wrong)) if wrong else kpi)
    return checked
