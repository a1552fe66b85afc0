"""The period a plan states for itself (extract/structure/period.py): its 計画期間 / 対象期間 /
計画の期間 sentence or row, in era or Western years or dates, over every other year it names."""

from __future__ import annotations

import pytest

from extract.structure.period import periods_in, stated_period


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("本計画の計画期間は、令和6年度から令和11年度までの6年間とします。", (2024, 2029)),
        ("対象期間は、総合戦略に合わせ2020年度から2024年度までとします。", (2020, 2024)),
        ("計画期間は平成28年4月1日から平成33年3月31日までの5年間とする。", (2016, 2020)),
        ("計画期間は２０２０年４月から２０２５年３月までとする。", (2020, 2024)),
        ("令和6年度から令和11年度までの6年間を計画期間とする第4期特定健康診査等実施計画を定め", (2024, 2029)),
        ("令和6年度から令和11年度まで（6年間）が第3期データヘルス計画期間であり、", (2024, 2029)),
        ("計画期間\t令和6年度～令和11年度\n策定年月\t令和6年3月", (2024, 2029)),
        ("対象期間 令和5年4月1日から令和6年3月31日まで", (2023, 2023)),
    ],
)
def test_a_stated_period_in_any_form(text: str, period: tuple[int, int]) -> None:
    assert stated_period(text) == period


def test_the_stated_period_wins_over_earlier_years() -> None:
    """The previous plan's period, a statistic's year and the adoption date come first in the
    text, as in 青葉市's plan; the period is the one its 計画期間 sentence names."""
    text = (
        "令和6年3月\n本市では、平成30年3月に第2期データヘルス計画（平成30年度～令和5年度）を策定し、"
        "保健事業を推進してきました。\n令和4年度の被保険者数は28,412人です。\n4 計画期間\n"
        "本計画の計画期間は、令和6年度から令\n和11年度までの6年間とします。なお、令和8年度に中間評価を行います。"
    )
    assert stated_period(text) == (2024, 2029)


def test_this_plans_sentence_wins_over_another_plans() -> None:
    text = (
        "健康増進計画の計画期間は令和6年度から令和17年度までである。\n"
        "本計画の計画期間は令和6年度から令和11年度までとする。"
    )
    assert stated_period(text) == (2024, 2029)


@pytest.mark.parametrize(
    "text",
    [
        "前計画期間（平成30年度～令和5年度）の評価を踏まえ、",  # the previous plan's
        "【実施状況】対象期間をR2年4月〜R2年9月診療分とし、",  # half a year: a program's look-back
        "本計画は、法第19条第1項の規定に基づき、6年ごとに見直しを行う。計画期間中に見直す。",  # no years
        "第2期データヘルス計画（平成30年度～令和5年度）を策定した。",  # no word for a period
    ],
)
def test_no_stated_period(text: str) -> None:
    assert stated_period(text) is None


def test_periods_in_reads_dates_as_fiscal_years() -> None:
    found = periods_in("平成28年4月1日から平成33年3月31日まで、2018～2023年度、令和4年度の実績")
    assert [p[1:] for p in found] == [(2016, 2020), (2018, 2023)]
    assert [p[1:] for p in periods_in("令和6年1月から令和7年3月まで")] == [(2023, 2024)]
