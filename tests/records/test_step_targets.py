"""The STEP template's targets (extract/records/step_targets.py): a target and its result in a cell."""

from __future__ import annotations

from extract.read.normalize import normalize_text
from extract.records.step_targets import step_records


def test_step_template_forms() -> None:
    [plan_only] = step_records(normalize_text("実施率(【実績値】-　【目標値】令和2年度：10％)設立"))
    assert (plan_only.indicator, plan_only.value, plan_only.year, plan_only.actual) == (
        "実施率", 10.0, 2020, None
    )  # fmt: skip
    reported = "実施率（【平成29年度末の実績値】-【計画値/実績値】令和2年度：10％/9.2％"
    [both] = step_records(normalize_text(reported))
    assert (both.value, both.year, both.actual) == (10.0, 2020, 9.2)
