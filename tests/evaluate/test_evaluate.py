"""The scorers themselves: they must see every field go wrong, without asking the code under test."""

from __future__ import annotations

from types import SimpleNamespace

from extract.evaluate import (
    Evaluation,
    Score,
    agreement_table,
    expected_parents,
    kpi_gold,
    program_gold,
    score_kpis,
    score_plans,
    score_programs,
    section_gold,
    text_key,
)

GOLD_KPI = {
    "plan": "main", "line": 10, "kind": "outcome", "indicator": "被扶養者の特定健診実施率", "comparator": "=",
    "value": 30.0, "unit": "%", "target_year": 2024, "baseline_value": 25.0, "baseline_year": 2022,
    "actual_value": None, "population": "被扶養者", "program": "特定健康診査（重点★）",
}  # fmt: skip


def kpi(**changes) -> SimpleNamespace:
    """A found record equal to the gold one but for ``changes`` (the program named without ★)."""
    fields = {k: v for k, v in GOLD_KPI.items() if k not in ("plan", "line")}
    return SimpleNamespace(**{**fields, "program": "特定健康診査", "page": 3, **changes})


def kpi_score(*found: SimpleNamespace, gold: list[dict] | None = None) -> Evaluation:
    return score_kpis({"main": list(found)}, {"plans_annotated": ["main"], "records": gold or [GOLD_KPI]})


def test_a_record_as_the_gold_agrees_on_every_field() -> None:
    score = kpi_score(kpi())
    assert (score.expected, score.predicted, score.matched) == (1, 1, 1)
    assert score.mismatches == [] and set(score.agreements().values()) == {1.0}
    assert score.compared["indicator_id"] == 0  # the gold has no ids: not compared


def test_every_field_is_compared() -> None:
    wrong = {"kind": "target", "comparator": ">=", "value": 31.0, "unit": "人", "target_year": 2025,
             "baseline_value": None, "baseline_year": None, "actual_value": 1.0, "population": None,
             "program": "特定保健指導"}  # fmt: skip
    for field, value in wrong.items():
        score = kpi_score(kpi(**{field: value}))
        assert score.matched == 1, field
        assert [m.field for m in score.mismatches] == [field]
        assert score.agreement(field) == 0.0


def test_swapped_populations_in_the_indicator_are_seen_whatever_the_ids() -> None:
    """The matcher compares texts: the same canonical id on both sides does not hide 被保険者 for 被扶養者."""
    swapped = kpi(indicator="被保険者の特定健診実施率", indicator_id="tokutei_kenshin_rate")
    score = kpi_score(swapped, gold=[{**GOLD_KPI, "indicator_id": "tokutei_kenshin_rate"}])
    assert score.matched == 1 and [m.field for m in score.mismatches] == ["indicator"]
    assert score.agreement("indicator_id") == 1.0


def test_pairs_are_the_ones_that_agree_most() -> None:
    """Two records of one indicator (six years of a table row): each pairs with its own year."""
    gold = [{**GOLD_KPI, "target_year": year, "value": 30.0 + year - 2024} for year in (2024, 2025)]
    found = [kpi(target_year=2025, value=31.0), kpi(target_year=2024, value=30.0)]
    score = kpi_score(*found, gold=gold)
    assert score.matched == 2 and score.mismatches == []


def test_an_unrelated_record_is_missed_and_extra() -> None:
    score = kpi_score(kpi(indicator="健康宣言事業所数", unit="事業所"))
    assert (score.matched, score.recall, score.precision) == (0, 0.0, 0.0)
    assert score.missed == ["main l.10 被扶養者の特定健診実施率 2024"]
    assert score.extra == ["main p.3 健康宣言事業所数 2024"]


def test_text_key_folds_what_the_gold_writes_differently() -> None:
    written, read = "特定保健指導実施者数（男性 40歳～64歳）※", "特定保健指導実施者数(男性40歳~64歳)"
    assert text_key(written) == text_key(read)
    assert text_key(None) == text_key("") == ""


def section(sid: str, level: int, label: str, heading: str, parent: str | None) -> SimpleNamespace:
    return SimpleNamespace(id=sid, level=level, label=label, heading=heading, parent_id=parent, page_start=1)


EXPECTED = {"plans": [{"key": "main", "branch": None, "sections": [
    {"level": 1, "label": "STEP１", "heading": "基本情報", "line": 1},
    {"level": 2, "label": "1", "heading": "加入者", "line": 2},
    {"level": 1, "label": "STEP２", "heading": "健康課題", "line": 3},
]}]}  # fmt: skip


def test_levels_and_parents_are_scored_and_every_heading_counts() -> None:
    assert expected_parents(EXPECTED["plans"][0]["sections"]) == [None, 0, None]
    plan = SimpleNamespace(branch=None)
    right = [section("a", 1, "STEP１", "基本情報", None), section("b", 2, "1", "加入者", "a"),
             section("c", 1, "STEP２", "健康課題", None)]  # fmt: skip
    assert set(score_plans([(plan, right)], EXPECTED).agreements().values()) == {1.0}
    # STEP２ under a table cell: a heading of no annotated style still counts, and the level and
    # parent of STEP２ are wrong
    cell = section("x", 2, "ア", "年齢別加入者数 加入者構成の分析 -", "a")
    wrong = [right[0], right[1], cell, section("c", 3, "STEP２", "健康課題", "x")]
    score = score_plans([(plan, wrong)], EXPECTED)
    assert (score.expected, score.predicted, score.matched) == (3, 4, 3)
    assert sorted(m.field for m in score.mismatches) == ["level", "parent"]
    assert score.extra == ["main p.1 L2 ア 年齢別加入者数 加入者構成の分析 -"]


def test_a_label_read_wrong_is_a_label_mismatch_not_a_missed_heading() -> None:
    plan = SimpleNamespace(branch=None)
    found = [section("a", 1, "STEP1", "基本情報", None), section("b", 2, "(1)", "加入者", "a"),
             section("c", 1, "STEP２", "健康課題", None)]  # fmt: skip
    score = score_plans([(plan, found)], EXPECTED)
    assert score.matched == 3 and [m.field for m in score.mismatches] == ["label"]


GOLD_PROGRAM = {
    "plan": "main", "line": 5, "name": "人間ドック", "category": None, "new": None, "key_program": False,
    "population": None, "sex": None, "age_from": None, "age_to": None, "budget_thousand_yen": None,
    "purpose": "受診者の健康状態を把握する。続く文。", "actions": [],
}  # fmt: skip


def program(**changes) -> SimpleNamespace:
    fields = {k: v for k, v in GOLD_PROGRAM.items() if k not in ("plan", "line")}
    purpose = "受診者の健康状態を把握する。別の文。"  # the same first sentence
    return SimpleNamespace(**{**fields, "purpose": purpose, "page_start": 2, **changes})


def test_programs_compare_none_apart_from_false() -> None:
    gold = {"plans_annotated": ["main"], "programs": [GOLD_PROGRAM]}
    assert score_programs({"main": [program()]}, gold).field_mismatches == []  # the purpose's first sentence
    score = score_programs({"main": [program(key_program=None, age_from=0)]}, gold)
    assert sorted(m.field for m in score.field_mismatches) == ["age_from", "key_program"]
    named = score_programs({"main": [program(name="人間ドック（重点★）")]}, gold)
    assert named.names == Score(1, 1, 1) and [m.field for m in named.field_mismatches] == ["name"]


def test_a_reading_scored_against_itself_agrees_everywhere() -> None:
    """What the two-layout comparison relies on: the gold-format of a reading is that reading."""
    kpis = {"main": [kpi(), kpi(target_year=2025, value=31.0)]}
    assert set(score_kpis(kpis, kpi_gold(kpis)).agreements().values()) == {1.0}
    programs = {"main": [program(), program(name="がん検診", actions=["受診勧奨の実施", "広報"])]}
    score = score_programs(programs, program_gold(programs))
    assert score.names.matched == 2 and score.field_mismatches == []
    plan = SimpleNamespace(branch=None)
    tree = [section("a", 1, "第1章", "総論", None), section("b", 2, "1", "目的", "a")]
    assert set(score_plans([(plan, tree)], section_gold([(plan, tree)])).agreements().values()) == {1.0}


def test_evaluations_add_up_and_print_as_one_table() -> None:
    total = kpi_score(kpi()) + kpi_score(kpi(kind="target"))
    assert (total.expected, total.matched) == (2, 2) and total.agreement("kind") == 0.5
    table = agreement_table([("doc", total)])
    assert "kind" in table.splitlines()[0] and "0.500" in table.splitlines()[1]
