"""Figures of fact, not goals (extract/records/facts.py): tables and sentences that set no target."""

from __future__ import annotations

import pytest

from extract.records.facts import fact_sentence, statistics_table


@pytest.mark.parametrize(
    ("caption", "header", "facts"),
    [
        ("表2-4 被保険者数の将来推計", "区分 令和6年度 令和7年度 令和8年度", True),
        ("表2-1 人口及び高齢化率の推移（各年度末）", "区分 令和元年度 令和2年度 令和3年度", True),
        ("表5-1 特定保健指導の実施状況", "区分 2019 2020 2021", True),
        ("表7-1 特定健康診査・特定保健指導の目標値", "区分 令和6年度 令和7年度 令和8年度", False),
        ("目標値の推移", "区分 令和6年度 令和7年度 令和8年度", False),  # a goal named wins
        ("", "区分 令和6年度（見込み） 令和7年度 令和8年度", True),
        ("図表 6-4-1 支部目標", "2024 2025 2026", False),
    ],
)
def test_a_fiscal_year_table_of_facts_is_told_by_its_caption_or_header(
    caption: str, header: str, facts: bool
) -> None:
    assert statistics_table(caption, header) is facts


@pytest.mark.parametrize(
    ("sentence", "fact"),
    [
        ("年少人口は2000年の12,400人から2020年には9,870人に減少した。", True),
        ("本市の人口は令和17年には81,290人まで減少する見込みです。", True),
        ("出産育児一時金の額は、1件につき50万円とする。", True),
        ("第5条 管理職の割合は25%とするものとする。", True),
        ("特定健康診査受診率は41.2%となっています。", True),
        ("特定健康診査受診率を令和11年度までに60%以上とします。", False),
        ("人口は減少していますが、2035年に8,000人の人口を維持することをめざします。", False),
        ("・特定保健指導 実施率 26.0%とする（実施見込者数：4,380人）", False),  # the estimate is a note
    ],
)
def test_a_sentence_of_history_projection_or_rule_names_no_goal(sentence: str, fact: bool) -> None:
    assert fact_sentence(sentence) is fact


@pytest.mark.parametrize(
    ("sentence", "section", "rule"),
    [
        ("委員の定数は15人とする。", "第3条 委員会", True),
        ("保険料率は7.2%とします。", "第3章 保険料", True),
        ("特定健康診査受診率は60%以上とする。", "第5章 計画の目標", False),  # a goal under a 目標 heading
        ("特定健康診査受診率を60%以上とします。", "第3章 保険料", False),  # an object aimed at (を)
        ("受診率は60%以上とすることを目標とします。", "", False),
    ],
)
def test_a_value_fixed_for_a_subject_outside_goals_is_a_rule(sentence: str, section: str, rule: bool) -> None:
    from extract.records.facts import rule_sentence

    assert rule_sentence(sentence, section) is rule


@pytest.mark.parametrize(
    ("text", "goal"),
    [
        ("第5章 計画の目標 > 2 計画全体の目標 特定健康診査受診率 41% 45% 49%", True),
        ("第3章 保健事業 > (1)アウトカム(成果) 評価指標 受診率 90 91 92", True),
        ("第2章 人口の動向 > 1 人口 総人口(人) 86,402 83,950 81,290", False),
        ("職員の状況 > 部署別職員数 総務課 12 13 14", False),
    ],
)
def test_a_table_of_years_sets_targets_only_where_it_or_its_headings_say_so(text: str, goal: bool) -> None:
    from extract.records.facts import goal_table

    assert goal_table(text) is goal
