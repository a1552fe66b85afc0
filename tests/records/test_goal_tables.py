"""Goal tables and box lines (extract/records/goal_tables.py): targets in named columns, text cells."""

from __future__ import annotations

import pytest

from extract.records.goal_tables import arrow_records, goal_table_records, read_goal_cell
from extract.structure.headings import plan_lines
from tests.conftest import parsed
from tests.conftest import readings as plan_readings

AOBA = "variant-aoba-kokuho-datahealth-plan-3rd"
WAKABA = "variant-wakaba-city-health-promotion-plan-3rd"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("60％以上", (">=", 60.0, "%", None, False, None, None)),
        ("1.00％以下", ("<=", 1.0, "%", None, False, None, None)),
        ("15％未満", ("<", 15.0, "%", None, False, None, None)),
        ("70％以上（令和11年度）", (">=", 70.0, "%", 2029, True, None, None)),
        ("5会場（令和8年度）", ("=", 5.0, "会場", 2026, True, None, None)),
        ("100％（毎年度）", ("=", 100.0, "%", None, True, None, None)),  # every year: no one year
        ("年5件（計画期間で25件）", ("=", 5.0, "件", None, True, 25.0, None)),  # a year, the total kept
        ("3年間で2団体設立", ("=", 2.0, "団体", None, True, None, None)),  # years the cell does not name
        ("増加", ("increase_by", None, "", None, False, None, None)),
        ("延伸", ("increase_by", None, "", None, False, None, None)),
        ("減少", ("reduce_by", None, "", None, False, None, None)),
        ("縮小（令和14年）", ("reduce_by", None, "", 2032, True, None, None)),
        ("現状維持", ("=", None, "", None, False, None, None)),
        ("令和6年度比で10％減少", ("reduce_by", 10.0, "%", None, False, None, None)),
        ("1.40", ("=", 1.4, "", None, False, None, None)),  # a rate with no unit written keeps none
        ("研修動画を作成し全職員に配信", ("do", None, "", None, False, None, "研修動画を作成し全職員に配信")),
    ],
)
def test_a_target_cell_says_what_it_aims_at(cell: str, expected: tuple) -> None:
    goal = read_goal_cell(cell)
    assert goal is not None
    found = (
        goal.comparator,
        goal.value,
        goal.unit,
        goal.year,
        goal.year_stated,
        goal.total_value,
        goal.target_text,
    )
    assert found == expected


@pytest.mark.parametrize("cell", ["—", "-", "", "前年度比 横ばいまたは増加", "令和11年度"])
def test_a_cell_that_sets_no_goal_gives_none(cell: str) -> None:
    assert read_goal_cell(cell) is None


def _items(doc_id: str, layout: str):
    doc = parsed(doc_id, layout)
    return plan_lines([(page.page_no, page.lines) for page in doc.pages])


@pytest.mark.reads(AOBA)
def test_a_goal_table_with_a_program_column_and_years_in_its_cells(layout: str) -> None:
    """青葉市's 表5-2 (事業名 | 指標 | 現状値（年度） | 目標値（年度）): each year from its own cell, the
    program carried down to the rows under an empty 事業名 cell, text cells read as targets."""
    rows = {r.indicator: r for r in goal_table_records(_items(AOBA, layout))}
    sent = rows["受診勧奨通知の送付率"]
    assert (sent.value, sent.year, sent.baseline_value, sent.baseline_year) == (100.0, None, 100.0, 2022)
    examined = rows["受診勧奨者のうち健診を受診した者の割合"]
    assert (examined.program, examined.year) == ("特定健康診査未受診者対策", 2029)  # the 事業名 above
    venues = rows["健診当日に初回面接を行う会場数"]
    assert (venues.baseline_value, venues.unit) == (None, "会場")  # 現状値 —: no baseline
    lectures = rows["地区組織への出前講座の実施件数"]
    assert (lectures.value, lectures.year, lectures.total_value) == (5.0, None, 30.0)
    training = rows["保健事業従事職員の資質の向上"]
    assert (training.comparator, training.value, training.target_text) == (
        "do",
        None,
        "研修動画を作成し全職員に配信",
    )
    # 表5-1: the years from the header (現状値（令和4年度） | 目標値（令和11年度）)
    whole = rows["特定健康診査受診率"]
    assert (whole.comparator, whole.value, whole.year, whole.baseline_value, whole.baseline_year) == (
        ">=", 60.0, 2029, 38.6, 2022)  # fmt: skip
    dialysis = rows["糖尿病性腎症による新規人工透析導入者数"]
    assert (dialysis.comparator, dialysis.value, dialysis.baseline_value) == ("reduce_by", None, 6.0)


@pytest.mark.reads(WAKABA)
def test_years_only_where_a_cell_or_header_states_one(layout: str) -> None:
    """若葉市: a 目標年度 column gives each row its year; a table with neither that column nor a year
    in its header states none, and none is filled in."""
    rows = {r.indicator: r for r in goal_table_records(_items(WAKABA, layout))}
    assert rows["妊婦の喫煙率"].year == 2029 and rows["20歳以上の者の喫煙率"].year == 2032
    assert rows["睡眠で休養がとれている者の割合"].year is None
    assert rows["合計特殊出生率"].year is None and rows["合計特殊出生率"].unit == ""
    assert rows["運動習慣者の割合(65歳以上)"].comparator == "="  # 現状維持
    boxes = {r.indicator: r for r in arrow_records(_items(WAKABA, layout))}
    life = boxes["健康寿命(男性)"]
    assert (life.comparator, life.value, life.year, life.baseline_value, life.baseline_year) == (
        "increase_by", None, 2032, 79.62, 2022)  # fmt: skip


@pytest.mark.reads("variant-shinonome-kokuho-annual-report-r5")
def test_a_report_of_facts_and_rules_states_no_target(layout: str) -> None:
    """東雲市's annual report: census and projections, history sentences, by-law rates: no record."""
    plans = plan_readings("variant-shinonome-kokuho-annual-report-r5", layout)
    assert [k.raw_text for r in plans for k in r.kpis] == []


def _table(*rows: list[str]) -> list:
    """PlanLines of a table laid out in columns 100 points apart, one row every 20 points."""
    from schemas.records import Line

    lines = [
        [(0, Line(text=t, raw_text=t, x0=50.0 + 100 * c, y0=100.0 + 20 * r, x1=140.0 + 100 * c,
                  y1=110.0 + 20 * r, size=10.0, bold=False))
         for c, t in enumerate(row) if t]
        for r, row in enumerate(rows)
    ]  # fmt: skip
    return plan_lines([(1, [line for row in lines for _, line in row])])


def test_a_unit_column_gives_a_bare_number_its_unit_and_a_note_column_is_no_part_of_the_name() -> None:
    items = _table(
        ["重要業績評価指標(KPI)", "単位", "現状値(令和元年度)", "目標値(令和6年度)", "備考"],
        ["観光入込客数", "人", "12,000", "15,000", "観光統計"],
        ["移住相談件数", "件", "—", "年5件(計画期間で25件)", ""],
    )
    found = [(r.indicator, r.value, r.unit, r.year, r.baseline_value, r.baseline_year, r.total_value)
             for r in goal_table_records(items)]  # fmt: skip
    assert found == [
        ("観光入込客数", 15000.0, "人", 2024, 12000.0, 2019, None),
        ("移住相談件数", 5.0, "件", None, None, None, 25.0),  # 年5件: every year, no one year
    ]
