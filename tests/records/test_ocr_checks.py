"""Checks of OCR'd KPI numbers against what a plan can say (extract/ocr_checks.py)."""

from __future__ import annotations

from extract.records.ocr_checks import check_ocr_kpis
from schemas.kpis import Kpi
from schemas.plans import Plan


def plan(start: int, end: int) -> Plan:
    return Plan(id="d-p01", doc_id="d", number=1, insurer="地方職員共済組合", insurer_type="共済組合",
                branch="大分県", plan_type="data_health_plan", fiscal_year=None, period_start=start,
                period_end=end, title="第3期データヘルス計画", page_start=1, page_end=2)  # fmt: skip


def kpi(page: int = 2, **fields) -> Kpi:
    values = {"id": f"k{page}", "doc_id": "d", "plan_id": "d-p01", "page": page, "section": "s",
              "kind": "target", "indicator": "特定健診受診率", "comparator": ">=", "value": 70.0, "unit": "%",
              "target_year": 2027, "raw_text": "特定健診受診率を70%以上とする", **fields}  # fmt: skip
    return Kpi(**values)


def test_a_share_over_100_read_by_ocr_loses_its_number_not_its_record() -> None:
    (checked,) = check_ocr_kpis([kpi(value=993.0, baseline_value=65.9)], plan(2024, 2029), {2})
    assert checked.value is None  # 99.3 or 93? no single correction: dropped
    assert checked.baseline_value == 65.9 and checked.raw_text and checked.comparator == ">="


def test_a_rate_without_a_unit_is_a_share_too() -> None:
    (checked,) = check_ocr_kpis([kpi(unit="", indicator="合計受診率", value=908.0)], plan(2024, 2029), {2})
    assert checked.value is None


def test_counts_may_exceed_100() -> None:
    count = kpi(indicator="健康宣言事業所数", unit="事業所", value=2400.0)
    assert check_ocr_kpis([count], plan(2024, 2029), {2}) == [count]


def test_a_year_outside_the_plans_period_is_dropped() -> None:
    (late, early, baseline) = check_ocr_kpis(
        [kpi(target_year=2827), kpi(target_year=2019), kpi(baseline_year=2030)], plan(2024, 2029), {2}
    )
    assert late.target_year is None and early.target_year is None
    assert baseline.baseline_year is None and baseline.target_year == 2027


def test_a_single_year_plan_allows_its_year_only() -> None:
    single = plan(2021, 2021).model_copy(update={"period_start": None, "period_end": None,
                                                  "fiscal_year": 2021})  # fmt: skip
    (right, wrong) = check_ocr_kpis([kpi(target_year=2021), kpi(target_year=2024)], single, {2})
    assert right.target_year == 2021 and wrong.target_year is None


def test_kpis_from_a_text_layer_are_never_changed() -> None:
    typeset = kpi(page=1, value=993.0, target_year=2827)
    assert check_ocr_kpis([typeset], plan(2024, 2029), {2}) == [typeset]
