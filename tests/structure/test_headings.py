"""Numbering marks and the heading tests (extract/structure/headings.py): which line is a heading."""

from __future__ import annotations

import pytest

from extract.structure.headings import match_style, square_title, title_like, undouble, undouble_digits


@pytest.mark.parametrize(
    ("heading", "title"),
    [("実施内容 (第3期における計画)", True), ("組合員 (任意継続組合員を除く。)", True), ("既", False),
     ("年齢別加入者数 加入者構成の分析 -", False), ("実施体制 計", False),
     ("被保険者の男女比: 男32%対女68%と女性比率が圧倒的に高い。 婦人科がん", False),
     ("上記(1)アは、大分県又は当支部が定める次の時期", False),
     ("専門職による対面での健診結果の説明  カ.他の保険者と共同で", False)],
)  # fmt: skip
def test_a_title_is_no_cell_and_no_sentence(heading: str, title: bool) -> None:
    assert title_like(heading) is title


@pytest.mark.parametrize(
    ("text", "style", "label", "heading"),
    [
        ("第1章 背景及び趣旨", "chapter", "第1章", "背景及び趣旨"),
        ("序章 計画策定にあたって", "chapter", "序章", "計画策定にあたって"),
        ("第12 こころの健康づくり", "dai", "第12", "こころの健康づくり"),
        ("1.1 データヘルス計画", "n.n", "1.1", "データヘルス計画"),
        ("1. 健全な財政運営", "n.", "1.", "健全な財政運営"),
        ("1 目的", "n", "1", "目的"),
        ("2広報活動の推進", "n", "2", "広報活動の推進"),
        ("(1) 実施状況", "(n)", "(1)", "実施状況"),
        ("1)組織運営の強化", "(n)", "1)", "組織運営の強化"),
        ("① 実施体制", "circled", "①", "実施体制"),
        ("ⅱ)特定保健指導の実施率の向上", "roman", "ⅱ)", "特定保健指導の実施率の向上"),
        ("ア 組合員", "kana", "ア", "組合員"),
        ("STEP1-2 保健事業の実施状況", "step_sub", "STEP1-2", "保健事業の実施状況"),
        ("STEP2 健康課題の抽出", "step", "STEP2", "健康課題の抽出"),
        ("○健全な財政運営", "bullet○", "○", "健全な財政運営"),
        ("1-1 計画策定の背景と目的", "n-n", "1-1", "計画策定の背景と目的"),
        ("2-3-1 特定健康診査の実施状況", "n-n-n", "2-3-1", "特定健康診査の実施状況"),
        ("【1】特定健康診査", "[n]", "【1】", "特定健康診査"),
        ("Ⅳ 保健事業の実施内容", "Roman", "Ⅳ", "保健事業の実施内容"),
    ],
)
def test_numbering_styles(text: str, style: str, label: str, heading: str) -> None:
    assert match_style(text) == (style, label, heading)


@pytest.mark.parametrize(
    "text",
    ["第3期データヘルス計画", "3年間の実績", "0.0% 20.0%", "2022 3,687", "Ⅲ〉", "0-4 歳", "1-2か月後",
     "【】"],
)
def test_not_numbering(text: str) -> None:
    assert match_style(text) is None


def test_fake_bold_doubles_are_undone() -> None:
    assert undouble("STEP1-1 基本情報STEP1-1 基本情報") == "STEP1-1 基本情報"
    assert undouble("基本分析基本分析") == "基本分析"
    assert undouble("健診健診の受診") == "健診健診の受診"
    assert undouble_digits("STEP11-33") == "STEP1-3"
    assert undouble_digits("STEP12-3") == "STEP12-3"


@pytest.mark.parametrize(
    ("text", "found"),
    [("■目的", ("square", "■", "目的")), ("□ 実施方法", ("square", "□", "実施方法")),
     ("■ 特定健康診査受診率(全体):令和4年度 84.9% → 令和11年度 90.0%", None),  # a labelled value
     ("■KPI:①サービススタンダードの達成状況を 100%とする", None), ("目的", None)],
)  # fmt: skip
def test_a_square_mark_before_a_title(text: str, found: tuple | None) -> None:
    """■ before a block's title is a heading style of its own; ■ before a labelled value is an item."""
    assert square_title(text) == found
    assert match_style(text) is None  # not a numbering: a business plan's ■ lines are its KPIs
