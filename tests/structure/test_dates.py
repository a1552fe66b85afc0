"""Era years, fiscal years and plan periods: every expected value is written out by hand."""

from __future__ import annotations

import pytest

from extract.structure.dates import (
    era_to_year,
    find_years,
    fiscal_year_label,
    fold,
    kanji_to_int,
    parse_year,
    parse_year_range,
    year_spans,
)


@pytest.mark.parametrize(
    ("era", "year", "expected"),
    [
        ("明治", 1, 1868),
        ("大正", 1, 1912),
        ("昭和", 1, 1926),
        ("昭和", 64, 1989),
        ("平成", 1, 1989),
        ("平成", 30, 2018),
        ("平成", 31, 2019),
        ("令和", 1, 2019),
        ("令和", 3, 2021),
        ("M", 45, 1912),
        ("T", 15, 1926),
        ("S", 63, 1988),
        ("H", 30, 2018),
        ("h", 30, 2018),
        ("R", 2, 2020),
        ("r", 5, 2023),
    ],
)
def test_era_to_year(era: str, year: int, expected: int) -> None:
    assert era_to_year(era, year) == expected


@pytest.mark.parametrize(("era", "year"), [("X", 3), ("西暦", 3), ("令和", 0), ("平成", -1)])
def test_era_to_year_rejects_unknown_era_and_year_zero(era: str, year: int) -> None:
    with pytest.raises(ValueError):
        era_to_year(era, year)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("元", 1),
        ("〇", 0),
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十九", 29),
        ("九十九", 99),
        ("百", 100),
        ("百二", 102),
        ("三百十五", 315),
        ("二〇一八", 2018),
        ("二〇二三", 2023),
    ],
)
def test_kanji_to_int(text: str, expected: int) -> None:
    assert kanji_to_int(text) == expected


@pytest.mark.parametrize("text", ["", "年", "十十", "一十二十", "二百百", "3"])
def test_kanji_to_int_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        kanji_to_int(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # era years, 元年 and the last Heisei year
        ("令和3年度", 2021),
        ("平成30年度", 2018),
        ("令和元年度", 2019),
        ("令和元年", 2019),
        ("平成31年度", 2019),
        ("平成元年", 1989),
        ("昭和64年", 1989),
        ("大正15年", 1926),
        ("明治45年", 1912),
        ("令和3年4月1日", 2021),
        ("令和3", 2021),
        ("令和03年度", 2021),
        # romanized eras
        ("R2年", 2020),
        ("R3年度", 2021),
        ("r3年度", 2021),
        ("H30年度", 2018),
        ("H30年", 2018),
        ("H30 年度", 2018),
        ("R03年度", 2021),
        ("R元年度", 2019),
        ("S63年", 1988),
        ("H30.4.1時点", 2018),
        ("R3/4/1", 2021),
        ("（R3年度）", 2021),
        # Western years
        ("2018年度", 2018),
        ("2023年", 2023),
        ("2023年3月", 2023),
        ("1998年", 1998),
        ("2018 年度", 2018),
        ("FY2021", 2021),
        ("二〇二三年", 2023),
        # full-width digits and letters, spaces
        ("令和３年度", 2021),
        ("令和 3 年度", 2021),
        ("令和 ３年度", 2021),
        ("令和\u30003年度", 2021),
        ("２０１８年度", 2018),
        ("Ｒ３年度", 2021),
        # kanji digits
        ("令和三年度", 2021),
        ("令和十一年度", 2029),
        ("平成二十九年度", 2017),
        ("平成三十年度", 2018),
        ("令和十年", 2028),
        ("令和⼆年度", 2020),  # Kangxi radical ⼆ (U+2F06), as PDFs made from Word emit it
        # the first year wins, in context
        ("第3期データヘルス計画（令和6年度～令和11年度）", 2024),
        ("令和5年3月策定、2024年度から実施", 2023),
        ("計画期間は3年間とし、令和6年度から開始する", 2024),
    ],
)
def test_parse_year(text: str, expected: int) -> None:
    assert parse_year(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "特定健診の実施率",
        "第3章",
        "30%",
        "3年間",
        "3年",
        "30年度",  # a bare number below 100 without an era is not a year
        "十年",
        "PR2",
        "PR2年",
        "R2",  # romanized era alone: could be a label, a part number, anything
        "H30",
        "R2-D2",
        "2018",  # a 4-digit number needs 年/年度
        "受診者2018人",
        "12018年",
        "2100年",
        "1899年",
        "令和○年度",  # ○ is a placeholder for a year not yet decided, not 〇 (zero)
        "令和0年",
        "令和123年",
        "平成",
        "明治安田生命",
    ],
)
def test_parse_year_none(text: str) -> None:
    assert parse_year(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和6年度 - 令和11年度", (2024, 2029)),
        ("令和6年度-令和11年度", (2024, 2029)),
        ("令和6年度‐令和11年度", (2024, 2029)),
        ("令和6年度 – 令和11年度", (2024, 2029)),
        ("令和6年度—令和11年度", (2024, 2029)),
        ("令和6年度～令和11年度", (2024, 2029)),
        ("令和6年度 〜 令和11年度", (2024, 2029)),
        ("令和6年度~令和11年度", (2024, 2029)),
        ("令和6年度ー令和11年度", (2024, 2029)),
        ("令和6年度－令和11年度", (2024, 2029)),
        ("令和6年度から令和11年度まで", (2024, 2029)),
        ("令和6年度 から 令和11年度", (2024, 2029)),
        ("(令和6年度 - 令和11年度)", (2024, 2029)),
        ("（令和6年度～令和11年度）", (2024, 2029)),
        ("計画期間：令和６年度～令和１１年度", (2024, 2029)),
        ("令和六年度～令和十一年度", (2024, 2029)),
        # the era carries over to a bare end
        ("令和6～11年度", (2024, 2029)),
        ("令和6年度～11年度", (2024, 2029)),
        ("令和6年度から11年度まで", (2024, 2029)),
        ("平成30～令和2年度", (2018, 2020)),
        ("R3～5年度", (2021, 2023)),
        # across eras
        ("平成30年度～令和2年度", (2018, 2020)),
        ("平成30年度から令和5年度まで", (2018, 2023)),
        ("平成29年度～平成35年度", (2017, 2023)),
        # Western years, 年度 on one or both ends
        ("2018年度～2023年度", (2018, 2023)),
        ("2018〜2023年度", (2018, 2023)),
        ("2018-2023年度", (2018, 2023)),
        ("2018年度-2023年度", (2018, 2023)),
        ("2018年 ～ 2023年", (2018, 2023)),
        ("FY2018-FY2023", (2018, 2023)),
        # romanized
        ("R3年度～R5年度", (2021, 2023)),
        ("H30～R2年度", (2018, 2020)),
        # mixed notations
        ("令和6年度～2029年度", (2024, 2029)),
        # written backwards: still start <= end
        ("2023年度～2018年度", (2018, 2023)),
        # a single year first, the range later
        ("令和5年3月策定　計画期間 令和6年度～令和11年度", (2024, 2029)),
    ],
)
def test_parse_year_range(text: str, expected: tuple[int, int]) -> None:
    assert parse_year_range(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "令和6年度",
        "特定健診の実施率",
        "令和6年度 3年間",
        "令和6年～3年間",  # a duration, not an end year
        "令和2年度から5年間",  # "for 5 years from FY2020", not FY2020–FY2023
        "令和6年～3年",  # an end before the start: not a period
        "2018-2023",  # no 年 anywhere: a page range, a code, anything
        "R3-R5",
        "2018～19年度",  # no era to carry over to 19
        "p.10-12",
        "30%～40%",
    ],
)
def test_parse_year_range_none(text: str) -> None:
    assert parse_year_range(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("第3章 30% 3年間", []),
        ("令和3年度", [2021]),
        (
            "平成30年度から令和5年度までの第2期計画を評価し、令和6年度～11年度の第3期計画を策定した（2024年3月）。",
            [2018, 2023, 2024, 2029, 2024],
        ),
        ("R2年度とR3年度、2023年度の実績", [2020, 2021, 2023]),
        ("令和元年度、令和２年度、令和三年度は3年間で", [2019, 2020, 2021]),
        ("H30.4.1～ 令和5年度", [2018, 2023]),
        ("2023年度～2018年度", [2023, 2018]),  # order as written
        ("令和3年度 令和3年度", [2021, 2021]),
        ("令和2年度から5年間実施する", [2020]),
    ],
)
def test_find_years(text: str, expected: list[int]) -> None:
    assert find_years(text) == expected


@pytest.mark.parametrize(("year", "expected"), [(2021, "FY2021"), (1998, "FY1998"), (2019, "FY2019")])
def test_fiscal_year_label(year: int, expected: str) -> None:
    assert fiscal_year_label(year) == expected


def test_label_round_trips_through_parse_year() -> None:
    assert parse_year(fiscal_year_label(2021)) == 2021


def test_year_spans_say_where_each_year_is_written() -> None:
    text = "第２期（平成３０年度～令和５年度）、令和４年度の実績"
    spans = list(year_spans(text))
    assert [years for _, _, years in spans] == [(2018, 2023), (2022,)]
    assert [text[a:b] for a, b, _ in spans] == ["平成３０年度～令和５年度", "令和４年度"]


def test_fold_keeps_every_position() -> None:
    text = "２０２４年度　⼊札"  # full-width digits, an ideographic space, a Kangxi radical
    assert fold(text) == "2024年度 入札"
    assert len(fold(text)) == len(text)
