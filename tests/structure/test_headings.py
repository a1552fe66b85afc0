"""Numbering marks and the heading tests (extract/structure/headings.py): which line is a heading."""

from __future__ import annotations

import pytest

from extract.structure.headings import match_style, square_title, title_like


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
     "【】", "3 回以上あるの回答が「いいえ」の割合 (%)", "1 人あたり医療費", "5 年間の推移", "2 か月後"],
)
def test_not_numbering(text: str) -> None:
    """Quantities are no numbers of headings, with or without a space (a table cell's text
    wrapped before 3 回以上 opens a line)."""
    assert match_style(text) is None


@pytest.mark.parametrize("text", ["3 日常生活の改善", "2 人材育成", "4 年齢別の状況"])
def test_a_counter_that_opens_a_word_is_a_title(text: str) -> None:
    assert match_style(text) is not None and match_style(text)[0] == "n"


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


def _items(rows: list[tuple[int, float, float, float, str, float, bool]]):
    """PlanLines from (page, x0, y0, x1, text, size, bold), body text at 10.5 pt, lines end at 520."""
    from extract.structure.headings import PlanLine
    from schemas.records import Line

    return [PlanLine(page, Line(text=text, raw_text=text, x0=x0, y0=y0, x1=x1, y1=y0 + size, size=size,
                                bold=bold), True, 520.0, 10.5)
            for page, x0, y0, x1, text, size, bold in rows]  # fmt: skip


def test_a_heading_that_wraps_onto_the_next_line_is_one_heading() -> None:
    from extract.structure.headings import continued_heading

    items = _items([
        (8, 71, 97, 522, "第2章 特定健康診査・特定保健指導の第3期実施", 20, True),
        (8, 71, 124, 111, "計画", 20, True), (8, 71, 160, 156, "1 目標の設定", 14, True),
        (8, 71, 178, 518, "本計画の実行により、特定健康診査受診率を70%、", 10.5, False),
    ])  # fmt: skip
    assert continued_heading(items, 0, "特定健康診査・特定保健指導の第3期実施") == (
        "特定健康診査・特定保健指導の第3期実施計画", 1)
    assert continued_heading(items, 2, "目標の設定") is None  # short: ends before its margin
    in_body = _items([
        (3, 56, 296, 520, "② からだのセルフケア入門講座(糖尿病発症予防編・重症化予防編)", 11.5, False),
        (3, 56, 310, 224, "内容:医師、管理栄養士による講話", 11.5, False),
        (3, 56, 326, 125, "開催回数:1回", 11.5, False),
    ])  # fmt: skip
    assert continued_heading(in_body, 0, "からだのセルフケア入門講座(糖尿病発症予防編・重症化予防編)") is None


def test_a_table_of_contents_set_as_a_table_ends_where_its_first_entry_comes_again() -> None:
    """Number, title and page in cells of their own; the body's first heading on the same page."""
    from extract.structure.headings import toc_lines

    items = _items([(1, 71, 142, 95, "目 次", 10.5, False),
                    (1, 71, 156, 91, "序 章", 9, False), (1, 128, 156, 209, "計画策定にあたって", 9, False),
                    (1, 71, 168, 77, "1", 9, False), (1, 128, 168, 227, "計画策定の背景及び趣旨", 9, False),
                    (1, 480, 168, 491, "(1)", 9, False),
                    (1, 71, 646, 298, "序章 計画策定にあたって", 20, True),
                    (1, 71, 682, 240, "1 計画策定の背景及び趣旨", 14, True)])  # fmt: skip
    assert toc_lines(items) == set(range(6))
    spaced = _items([(2, 56, 73, 120, "〔目   次〕", 11, False),
                     (2, 56, 132, 520, "第１章 総  則                        231", 10.5, False),
                     (2, 56, 147, 520, " 第１節 計画策定の目的                231", 10.5, False),
                     (6, 225, 86, 370, "第１章 総則", 18, True)])  # fmt: skip
    assert toc_lines(spaced) == {0, 1, 2}  # a bracketed title; leaders written as spaces


def test_a_line_that_stops_short_wraps_when_its_next_piece_would_not_fit() -> None:
    """A field tag 〈Ⅰ、Ⅱ、Ⅲ〉 is never broken: a heading that ends 19 pt before its cell's edge
    went on in the next line; after a closed tag, a bracketed line is a block of its own."""
    from extract.structure.headings import wrapped_before

    heading, tag, block = _items([
        (5, 71, 100, 501, "(1) データ分析に基づいた第2期保健事業実施計画(データヘルス計画)の着実な実施",
         10.5, False),
        (5, 71, 114, 130, "〈Ⅰ、Ⅱ、Ⅲ〉", 10.5, False),
        (5, 71, 128, 250, "〈加入者・事業主への情報発信〉", 10.5, False),
    ])  # fmt: skip
    assert wrapped_before(heading, tag)
    closed = _items([(5, 71, 100, 460, "(1) 広報活動を通じた理解促進〈Ⅰ、Ⅱ、Ⅲ〉", 10.5, False)])[0]
    assert not wrapped_before(closed, block)
    assert not wrapped_before(_items([(5, 71, 100, 300, "(1) 短い見出し", 10.5, False)])[0], tag)
