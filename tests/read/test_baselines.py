"""Pieces of one baseline (``extract/read/baselines.py``, through ``layout.page_lines``): runs drawn
out of order, a number and its title after a tab, a title spread over its line, cells that stay
apart — on real PDF files written with PyMuPDF, each run placed as LibreOffice or Word places it."""

from __future__ import annotations

import pymupdf

from extract.read.layout import page_lines
from extract.read.normalize import normalize_text

FONT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"


def _texts(items: list[tuple[float, float, str, float]]) -> list[str]:
    """The lines read from a page on which each (x, y, text, size) is drawn in the order given."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="ipa", fontfile=FONT)
    for x, y, text, size in items:
        page.insert_text((x, y), text, fontname="ipa", fontsize=size)
    read = pymupdf.open(stream=doc.tobytes(garbage=4, deflate=True), filetype="pdf")[0]
    return [normalize_text(line.text) for line in page_lines(read)]


def test_runs_drawn_out_of_order_are_read_in_order_of_position() -> None:
    """LibreOffice draws a digit in a fallback font as a run of its own, after the kanji beside it,
    and a space placed after the next word: ``第6`` then ``章個別…`` then the space."""
    assert _texts([(71, 113, "第", 20), (112.9, 113, "章 個別保健事業実施計画", 20), (91, 113, "6", 20)]) == [
        "第6章 個別保健事業実施計画"
    ]  # fmt: skip


def test_a_heading_number_and_its_title_after_a_tab() -> None:
    items = [(71, 144, "第1", 14), (120, 144, "特定健康診査（重点★）", 14),
             (71, 200, "（1）", 11.5), (110, 200, "実施状況", 11.5)]  # fmt: skip
    assert _texts(items) == ["第1 特定健康診査(重点★)", "(1) 実施状況"]


def test_a_chapter_title_spread_over_its_line() -> None:
    """第 6 章 far apart, then その他 after a wider gap: 第6章 and the title after its tab."""
    items = [(191.5, 113, "第", 20), (229.5, 113, "6", 20), (261.3, 113, "章", 20),
             (316.1, 113, "その他", 20)]  # fmt: skip
    assert _texts(items) == ["第6章 その他"]


def test_a_number_in_a_row_of_figures_is_no_heading_number() -> None:
    """Only a line's first piece can be a heading's number: a figure in a row stays a cell, and
    two figures that touch stay two."""
    items = [(60, 100, "特定健診実施率", 10.5), (200, 100, "85.0", 10.5), (245, 100, "合計", 10.5),
             (60, 130, "2025", 10.5), (92, 130, "2026", 10.5)]  # fmt: skip
    assert _texts(items) == ["特定健診実施率", "85.0", "合計", "2025", "2026"]


def test_a_number_far_from_its_title_is_a_cell() -> None:
    """Past a tab's reach (a table's number column) the number and the text stay apart."""
    assert _texts([(60, 100, "1", 10.5), (300, 100, "特定健康診査", 10.5)]) == ["1", "特定健康診査"]
