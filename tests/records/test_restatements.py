"""One record per target (extract/records/restatements.py): a target stated twice is one record with both
sources — the STEP template's STEP3 table and STEP4 report, a goal sentence and its year column."""

from __future__ import annotations

import pytest

from extract.records.restatements import merge_restatements
from schemas.kpis import Kpi, KpiSource
from schemas.programs import Program
from tests.conftest import parsed, readings


def kpi(n: int, **fields) -> Kpi:
    base = {"id": f"p-k{n:03d}", "doc_id": "d", "plan_id": "p", "page": n + 1, "section": "STEP",
            "kind": "output", "indicator": "実施率", "comparator": "=", "value": 10.0, "unit": "%",
            "target_year": 2020, "program": "特定健康診査（被扶養者）", "raw_text": f"line {n}"}  # fmt: skip
    base.update(fields)
    base["sources"] = [KpiSource(page=base["page"], section=base["section"], raw_text=base["raw_text"])]
    return Kpi(**base)


def program(ids: list[str]) -> Program:
    return Program(id="p-g001", doc_id="d", plan_id="p", number=1, source="step_report", section="STEP",
                   page_start=1, page_end=9, name="特定健康診査（被扶養者）", kpi_ids=ids,
                   raw_text="")  # fmt: skip


def test_a_target_restated_under_its_program_is_one_record_with_both_sources() -> None:
    table, report = kpi(0), kpi(1, actual_value=9.2, raw_text="【計画値/実績値】令和2年度:10%/9.2%")
    other_program = kpi(2, program="特定保健指導", value=10.0)  # the same words and value, another program
    other_year = kpi(3, target_year=2021)
    prog = program([table.id, report.id])
    kept = merge_restatements([table, report, other_program, other_year], [prog])
    assert [k.raw_text for k in kept] == ["line 0", "line 2", "line 3"]
    merged = kept[0]
    assert merged.actual_value == 9.2  # the report's result completes the table's target
    assert [(s.page, s.raw_text) for s in merged.sources] == [
        (1, "line 0"), (2, "【計画値/実績値】令和2年度:10%/9.2%")
    ]  # fmt: skip
    assert [k.id for k in kept] == ["p-k000", "p-k001", "p-k002"]  # numbered again in reading order
    assert prog.kpi_ids == ["p-k000"]  # the program keeps one record, not two


def test_two_commitments_of_one_indicator_stay_two() -> None:
    a = kpi(0, indicator="医療データ等を活用した効果的な意見発信", indicator_id="policy_opinion",
            comparator="do", value=None, unit="")  # fmt: skip
    b = kpi(1, indicator="見える化データベースを活用した効果的な意見発信", indicator_id="policy_opinion",
            comparator="do", value=None, unit="")  # fmt: skip
    assert len(merge_restatements([a, b], [])) == 2


@pytest.mark.reads("like-kenpo-datahealth-plan-step-format")
def test_step_targets_are_stored_once_with_their_report(layout: str) -> None:
    """ライク: each STEP3 target is restated in its STEP4-1 report; one record each, its sources on
    both pages, the report's 実績値 kept."""
    [reading] = readings("like-kenpo-datahealth-plan-step-format", layout)
    step = [k for k in reading.kpis if k.kind != "target"]
    assert len(step) == 11
    pages = {p.page_no: p.raw_text for p in parsed("like-kenpo-datahealth-plan-step-format", layout).pages}
    for k in step:
        assert len(k.sources) == 2 and k.sources[0].page < k.sources[1].page, k.indicator
        assert k.actual_value is not None
        for source in k.sources:  # every source is evidence on its page
            for line in source.raw_text.splitlines():
                assert line in pages[source.page], (k.indicator, line)
    ids = {k.id for k in reading.kpis}
    assert all(set(p.kpi_ids) <= ids for p in reading.programs)


@pytest.mark.reads("tokyo-ishikokuho-tokutei-kenshin-plan-3rd")
def test_a_goal_sentence_and_its_year_columns_are_one_record(layout: str) -> None:
    """東京都医師国保: 特定健康診査受診率 70%（2023年度） is stated in the goal sentence, the 目標値 table
    and the 合計 受診率目標値 row: one record, three sources."""
    [reading] = readings("tokyo-ishikokuho-tokutei-kenshin-plan-3rd", layout)
    rate = [k for k in reading.kpis if k.indicator_id == "tokutei_kenshin_rate" and k.target_year == 2023]
    assert len(rate) == 1
    assert len(rate[0].sources) == 3 and rate[0].population_norm == "all"
    assert rate[0].raw_text.startswith("本計画の実行により")  # the first statement is the record's own
