"""The STEP forms of the 健保組合 data-health template: the STEP3 plan table read on its own."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from extract.records.program_text import name_key
from extract.records.step_forms import step_table_programs
from tests.conftest import ROOT
from tests.records.test_programs import LIKE, gold, readings, squash


@pytest.mark.reads(LIKE)
def test_a_step_plan_without_its_reports_is_read_from_the_step3_table(layout: str) -> None:
    """A STEP plan published with STEP1–3 only (the common case): the same 9 programs and fields
    from the STEP3 table, read from ライク's plan cut before its STEP4 reports."""
    from extract.structure.headings import plan_lines

    doc, plans = readings(LIKE, layout)
    items = plan_lines([(p.page_no, p.lines) for p in doc.pages if p.quality != "garbled"])
    step4 = next(n for n, it in enumerate(items) if "事業報告" in it.line.text)
    programs = step_table_programs(items[:step4], plans[0].kpis)
    wanted = {name_key(p["name"]): p for p in gold(LIKE)["programs"]}
    # the STEP3 targets of each program in the KPI gold (the records before the STEP4 reports, l.712)
    records = json.loads((ROOT / "tests" / "gold" / f"{LIKE}.json").read_text(encoding="utf-8"))["records"]
    step3_targets = Counter(name_key(r["program"]) for r in records if r["program"] and r["line"] < 712)
    assert sorted(name_key(p["name"]) for p in programs) == sorted(wanted)
    for program in programs:
        want = wanted[name_key(program["name"])]
        for name in ("category", "new", "sex", "population", "budget_thousand_yen", "age_from", "age_to"):
            assert program[name] == want[name], (program["name"], name)
        assert squash(program["purpose"]).startswith(squash(want["purpose"])[:15])
        assert len(program["kpi_ids"]) == step3_targets[name_key(program["name"])], program["name"]
