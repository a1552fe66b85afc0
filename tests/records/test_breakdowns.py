"""A rate's breakdown (内訳) into parts, each a target (extract/records/breakdowns.py): the lines plans
write, and the 協会けんぽ corpus's KPI breakdowns."""

from __future__ import annotations

import pytest

from extract.read.normalize import normalize_text
from extract.records.breakdowns import breakdown_parts
from extract.structure.headings import PlanLine
from schemas.records import Line
from tests.conftest import readings


def plan_lines(*texts: str, page: int = 1) -> list[PlanLine]:
    """One line per text, top to bottom, each alone on its baseline (as body text is)."""
    items = []
    for n, raw in enumerate(texts):
        line = Line(text=normalize_text(raw), raw_text=raw, x0=56.0, y0=100.0 + 20 * n, x1=400.0,
                    y1=110.0 + 20 * n, size=10.5, bold=False)  # fmt: skip
        items.append(PlanLine(page_no=page, line=line, alone=True, right_edge=540.0, body_size=10.5))
    return items


def parts(*texts: str, year: int | None = 2021) -> list[tuple]:
    found = breakdown_parts(plan_lines(*texts), year)
    return [(p.indicator, p.value, p.comparator, p.year, p.population) for p in found]


def test_parts_on_the_lines_below_the_rate_of_the_population_above() -> None:
    assert parts(
        "【数値目標】",
        "○ 被保険者（特定保健指導対象者数：29,573人）",
        "・特定保健指導 実施率 26.3％（実施見込者数：7,780人）",
        "（内訳）協会保健師実施分  16.7％（実施見込者数：4,950人）",
        "             アウトソーシング分 9.6％（実施見込者数：2,830人）",
        "○ 被扶養者（特定保健指導対象者数：1,737人）",
    ) == [
        ("特定保健指導実施率（協会保健師実施分）", 16.7, "=", 2021, "被保険者"),
        ("特定保健指導実施率（アウトソーシング分）", 9.6, "=", 2021, "被保険者"),
    ]


def test_parts_on_one_line_even_when_a_number_is_cut_at_its_end() -> None:
    assert parts(
        "【数値目標】",
        "②被扶養者（対象者数：903人）",
        "・特定保健指導実施率 25.2％ （実施見込者数：4,220人）",
        "（内訳）協会保健師実施分 20.9％（実施見込者数： 3,500人）外部委託分 4.3％（実施見込者数： 72",
        "0人）",
    ) == [
        ("特定保健指導実施率（協会保健師実施分）", 20.9, "=", 2021, "被扶養者"),
        ("特定保健指導実施率（外部委託分）", 4.3, "=", 2021, "被扶養者"),
    ]


def test_parts_in_the_rates_own_sentence_take_its_year() -> None:
    sentence = "特定保健指導実施率を令和11年度に60％以上とする（内訳：保健師実施分 35％、外部委託分 25％）。"
    assert parts(sentence, year=None) == [
        ("特定保健指導実施率（保健師実施分）", 35.0, "=", 2029, None),
        ("特定保健指導実施率（外部委託分）", 25.0, "=", 2029, None),
    ]


def test_a_rate_given_as_an_estimate_is_broken_down_only_under_a_target_label() -> None:
    """実施率 24.1％（実施見込者数：6,805人）: the plan's estimate of the rate (its KPI is stated above it),
    and its parts the estimate's; under a 目標 label they are targets. A rate that is no estimate
    (富山: ・特定保健指導 実施率 30.9％) is broken down into targets."""
    estimate = ("・被保険者（特定保健指導対象者数：２８，２３３人）",
                "    ・特定保健指導    実施率２４．１％（実施見込者数：６，８０５人）",
                "（内訳）協会保健師実施分  １６．１％（実施見込者数：４，５４６人）",
                "     アウトソーシング分  ８．０％（実施見込者数：２，２５９人）")  # fmt: skip
    assert parts("■KPI：①被保険者の特定保健指導の実施率を２４．１％以上とする", *estimate) == []
    assert parts("特定保健指導 全体目標 25.2％（8,650人）", *estimate) == []  # a target, no label
    assert [p[:2] for p in parts("【数値目標】", *estimate)] == [
        ("特定保健指導実施率（協会保健師実施分）", 16.1), ("特定保健指導実施率（アウトソーシング分）", 8.0)]
    target = ("ⅱ）特定保健指導の実施率及び質の向上（支部目標 30.5％）", "Ａ.被保険者",
              "・特定保健指導 実施率 30.9％", "（内訳）協会保健師実施分 7.5％",
              "アウトソーシング分 23.4％")  # fmt: skip
    assert parts(*target) == [
        ("特定保健指導実施率（協会保健師実施分）", 7.5, "=", 2021, "被保険者"),
        ("特定保健指導実施率（アウトソーシング分）", 23.4, "=", 2021, "被保険者"),
    ]  # fmt: skip


def test_a_breakdown_of_counts_a_reference_or_kpi_sentences_is_no_part() -> None:
    # counts of an estimate
    assert parts("○未治療者に対する受診勧奨における勧奨予定人数 4,300人",
                 "（内訳）勧奨対象者数：7,893人・実施見込者数：932人") == []  # fmt: skip
    # figures for reference (＜参考＞)
    assert parts("＜参考＞被保険者（特定保健指導対象者数：19,259人）",
                 "・特定保健指導実施率 26.4％（実施見込者数：5,084人）",
                 "（内訳）協会保健師実施分  22.8％（実施見込者数：4,391人）") == []  # fmt: skip
    # a KPI's list of parts, each a sentence (read as the KPI's parts, extract.records.kpis)
    assert parts("■ KPI：特定健診実施率を 55.0％以上とする", "（内訳）",
                 "① 生活習慣病予防健診実施率を 52.4％以上とする") == []  # fmt: skip


@pytest.mark.reads("kyoukai-kenpo-r3-branch-plans")
def test_the_corpus_breakdowns_are_records_without_the_rates_id(layout: str) -> None:
    """The 協会保健師実施分 / アウトソーシング分 parts of a branch's 特定保健指導 rate that is a target
    (富山's; 愛媛's, under 【数値目標】) are records of its population: a part, so not 特定保健指導実施率
    itself (no canonical id). Those of an estimate (岩手, 埼玉, 山梨, 奈良, 和歌山, 鹿児島) and of ＜参考＞
    figures (福井) are none."""
    plans = {r.plan.branch: r.kpis for r in readings("kyoukai-kenpo-r3-branch-plans", layout)}
    found = {(b, k.indicator, k.value, k.population) for b, ks in plans.items() for k in ks
             if k.indicator.endswith("分)")}  # fmt: skip
    assert found == {("富山", "特定保健指導実施率(協会保健師実施分)", 7.5, "被保険者"),
                     ("富山", "特定保健指導実施率(アウトソーシング分)", 23.4, "被保険者"),
                     ("愛媛", "特定保健指導実施率(協会保健師実施分)", 16.7, "被保険者"),
                     ("愛媛", "特定保健指導実施率(アウトソーシング分)", 9.6, "被保険者")}  # fmt: skip
    assert not any(k.indicator_id for ks in plans.values() for k in ks if k.indicator.endswith("分)"))


def test_a_breakdown_cut_by_a_line_break_inside_its_bracket() -> None:
    """…を30％とする（内訳：積極的支援 25％、動機付け支援 / 32％）。: the bracket opened before the 内訳
    label goes on in the next line, and so do the parts (Word wraps the sentence there)."""
    from extract.records.breakdowns import breakdown_parts
    from extract.structure.headings import PlanLine
    from schemas.records import Line

    texts = ["2029年度の特定保健指導実施率を30%とする(内訳:積極的支援 25%、動機付け支援", "32%)。"]
    items = [PlanLine(3, Line(text=t, raw_text=t, x0=71, y0=200 + 14 * k, x1=520, y1=210 + 14 * k, size=10.5,
                              bold=False), True, 522.0, 10.5) for k, t in enumerate(texts)]  # fmt: skip
    parts = {(p.indicator, p.value, p.year) for p in breakdown_parts(items, 2024)}
    assert parts == {("特定保健指導実施率（積極的支援）", 25.0, 2029),
                     ("特定保健指導実施率（動機付け支援）", 32.0, 2029)}  # fmt: skip
