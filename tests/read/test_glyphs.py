"""Glyph by glyph (``extract/read/glyphs.py``, through ``layout.page_lines``): autospace gaps,
letter spacing, a title spread over its line, furigana — on real PDF files written with PyMuPDF,
each character placed where Word or a printer driver places it."""

from __future__ import annotations

import pymupdf
import pytest

from extract.read.glyphs import Glyph, Overprints, without_ruby
from extract.read.layout import page_lines
from extract.read.normalize import normalize_text

FONT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"


def _page(items: list[tuple[float, float, str, float]]) -> pymupdf.Page:
    """A page of a real PDF: each item (x, y, text, size) one text run, no space between runs."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="ipa", fontfile=FONT)
    for x, y, text, size in items:
        page.insert_text((x, y), text, fontname="ipa", fontsize=size)
    data = doc.tobytes(garbage=4, deflate=True)
    return pymupdf.open(stream=data, filetype="pdf")[0]


def _texts(page: pymupdf.Page) -> list[str]:
    """The page's lines, normalized (the font maps a space to U+00A0, as IPAexGothic shares it)."""
    return [normalize_text(line.text) for line in page_lines(page)]


def _runs(start: float, y: float, size: float, parts: list[tuple[str, float]]) -> list:
    """Runs set one after the other, each ``gap`` points after the end of the one before."""
    font = pymupdf.Font(fontfile=FONT)
    items, x = [], start
    for text, gap in parts:
        x += gap
        items.append((x, y, text, size))
        x += font.text_length(text, fontsize=size)
    return items


def test_autospace_gaps_are_no_spaces() -> None:
    """Word sets 令和3年度 as 令和, a gap, 3, a gap, 年度: no space character."""
    parts = [("令和", 0), ("3", 2.6), ("年度の", 2.6), ("KPI", 2.6), ("を定める。", 2.6)]
    items = _runs(60, 100, 10.5, parts)
    items += _runs(60, 130, 10.5, [("1", 0), ("件当たり", 2.6), ("15.3", 2.6), ("%", 0)])
    assert _texts(_page(items)) == ["令和3年度のKPIを定める。", "1件当たり15.3%"]


def test_latin_words_set_apart_keep_their_space() -> None:
    """Words positioned one by one (no space character) are words: a space between Latin
    letters or digits, none within a word."""
    items = _runs(60, 100, 10.5, [("Data", 0), ("Health", 3.0), ("Plan", 3.0), ("2024", 3.0)])
    assert _texts(_page(items)) == ["Data Health Plan 2024"]


def test_letter_spaced_kanji_are_one_word() -> None:
    """A short heading set wide (目 的 with a character's width between them, no space); the
    number before it is set apart by a space's width."""
    items = _runs(60, 100, 12, [("1", 0), ("目", 6), ("的", 12)])
    items += _runs(60, 140, 10.5, [("第", 0), ("6", 0), ("章", 0), ("そ", 10.5), ("の", 10.5), ("他", 10.5)])
    assert _texts(_page(items)) == ["1 目的", "第6章 その他"]


def test_a_title_spread_over_its_line_is_one_line() -> None:
    """Word's 均等割り付け: 第１章 総 …… 則, two characters far apart on one baseline."""
    items = [(225.6, 101.9, "第１章 総", 18), (351.7, 101.9, "則", 18), (60, 160, "本文。", 10.5)]
    assert _texts(_page(items)) == ["第1章 総則", "本文。"]
    assert page_lines(_page(items))[0].x1 > 360


def test_cells_on_one_baseline_stay_apart() -> None:
    """Table cells are no spread title: a wide gap between longer texts still separates them."""
    items = [(60, 100, "特定健診実施率", 10.5), (200, 100, "85.0", 10.5), (260, 100, "合計", 10.5)]
    assert _texts(_page(items)) == ["特定健診実施率", "85.0", "合計"]


def test_furigana_above_a_word_is_dropped() -> None:
    """Ruby in small kana just above the word it reads (as Illustrator and Word set it) is no
    text of the page; small text that is not kana, or not above a larger line, is kept."""
    items = [(234.7, 299.5, "きんきゅうあんぜんかくほ", 7.4), (229.2, 322.6, "緊急安全確保", 22.2),
             (60, 400, "※ 注記は小さい字で書く", 7.4), (60, 500, "ふりがなのない本文", 10.5)]  # fmt: skip
    assert _texts(_page(items)) == ["緊急安全確保", "※ 注記は小さい字で書く",
                                                                 "ふりがなのない本文"]  # fmt: skip


def _glyph(c: str, x: float, y: float, size: float = 10.0, span: int = 1) -> Glyph:
    return Glyph(c, x, y - size, x + size, y, x, y, size, False, span)


def test_ruby_read_into_the_line_is_left_out() -> None:
    line = [_glyph(c, 60 + 5 * k, 90, 5.0) for k, c in enumerate("とくてい")]
    line += [_glyph(c, 58 + 10 * k, 100, 10.0, 2) for k, c in enumerate("特定健診")]
    assert "".join(g.c for g in without_ruby(line)) == "特定健診"
    raised = [_glyph("※", 60, 95, 5.0), *[_glyph(c, 70 + 10 * k, 100) for k, c in enumerate("注記")]]
    assert without_ruby(raised) == raised  # a raised mark that is not kana stays


def _char(c: str, x: float, y: float, size: float = 10.0) -> dict:
    """A character as MuPDF's ``rawdict`` gives it."""
    return {"c": c, "bbox": (x, y - size, x + size, y), "origin": (x, y)}


@pytest.mark.parametrize("step", [0.1, 0.45, 0.9])
def test_a_chain_of_copies_is_one_glyph(step: float) -> None:
    seen, kept = Overprints(), []
    seen.add_span([_char("計", 60, 100)], 10.0, False, 1, None, kept)
    assert [g.c for g in kept] == ["計"] and not kept[0].bold
    copies = [_char("計", 60 + k * step, 100 + k * step / 2) for k in range(1, 4)]
    seen.add_span(copies, 10.0, False, 2, None, kept)
    assert len(kept) == 1 and kept[0].bold  # the copies made the one kept bold
    seen.add_span([_char("計", 75, 100)], 10.0, False, 3, None, kept)  # the next character, the same kanji
    seen.add_span([_char("画", 60.2, 100)], 10.0, False, 4, None, kept)  # another character at the same spot
    seen.add_span([_char("計", 60.1, 100)], 14.0, False, 5, None, kept)  # the same spot in bigger type
    assert [(g.c, g.span) for g in kept] == [("計", 1), ("計", 3), ("画", 4), ("計", 5)]


def test_a_space_drawn_twice_is_one_space_and_no_bold() -> None:
    seen, kept = Overprints(), []
    seen.add_span([_char(" ", 60, 100), _char(" ", 60.3, 100)], 10.0, False, 1, None, kept)
    assert len(kept) == 1 and not kept[0].bold
