"""Line building on real PDF files written with PyMuPDF (fake bold, vertical runs, margins)."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from extract.read.layout import drop_running_lines, is_page_number, page_lines
from extract.read.pdf import read_pdf

FONT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"


def _pdf(pages: list[list[tuple[float, float, str, float]]]) -> bytes:
    """A real PDF: each page a list of (x, y, text, size) drawn with an embedded Japanese font."""
    doc = pymupdf.open()
    for items in pages:
        page = doc.new_page(width=595, height=842)
        page.insert_font(fontname="ipa", fontfile=FONT)
        for x, y, text, size in items:
            page.insert_text((x, y), text, fontname="ipa", fontsize=size)
    return doc.tobytes(garbage=4, deflate=True)


def test_fake_bold_heading_is_read_once_and_marked_bold() -> None:
    data = _pdf([[(50, 80, "第1章 予算の概要", 16), (50.3, 80, "第1章 予算の概要", 16),
                  (50, 120, "予算額は前年度と同額とする。", 10.5)]])  # fmt: skip
    page = pymupdf.open(stream=data, filetype="pdf")[0]
    lines = page_lines(page)
    texts = [line.text.replace("\xa0", " ") for line in lines]
    assert texts == ["第1章 予算の概要", "予算額は前年度と同額とする。"]
    assert lines[0].bold and not lines[1].bold


def test_same_text_elsewhere_on_the_page_is_kept() -> None:
    # Two table cells with the same value are not fake bold.
    data = _pdf([[(50, 80, "100%", 10.5), (150, 80, "100%", 10.5), (50, 95, "100%", 10.5)]])
    lines = page_lines(pymupdf.open(stream=data, filetype="pdf")[0])
    assert sum(line.text.count("100%") for line in lines) == 3


@pytest.mark.parametrize("copies", [2, 3, 4])
@pytest.mark.parametrize("offset", [0.1, 0.5, 0.9])
def test_overprinted_bold_is_one_glyph_per_glyph(copies: int, offset: float) -> None:
    """A PDF printer's bold: the run drawn 2 to 4 times, each copy a fraction of a point off, in
    both directions; a table header overprinted the same way beside its figures."""
    items = [(60 + k * offset, 80 + (k % 2) * offset / 2, "計画の概要", 14) for k in range(copies)]
    items += [(60 + k * offset, 120 - k * offset / 3, "目標値(2024年度)", 10.5) for k in range(copies)]
    items += [(200, 120, "85.0", 10.5), (60, 160, "本文は一度だけ書かれる。", 10.5)]
    lines = page_lines(pymupdf.open(stream=_pdf([items]), filetype="pdf")[0])
    expected = ["計画の概要", "目標値(2024年度)", "85.0", "本文は一度だけ書かれる。"]
    assert [line.text for line in lines] == expected
    assert [line.bold for line in lines] == [True, True, False, False]


def test_vertical_writing_is_joined_into_words(real_dir: Path) -> None:
    page = pymupdf.open(real_dir / "vertical.pdf")[0]
    lines = page_lines(page)
    assert [line.text for line in lines] == ["あいうえお", "日本語"]  # right column first
    assert all(line.vertical for line in lines)


@pytest.mark.parametrize("text", ["- 3 -", "‒ 12 ‒", "3", "(3)", "（12）", "3 / 12", "P.3", "- 3"])
def test_page_numbers(text: str) -> None:
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["第3章", "3.1 概要", "令和3年度", "100%"])
def test_not_page_numbers(text: str) -> None:
    assert not is_page_number(text)


def test_running_headers_and_footers_are_dropped_but_body_kept() -> None:
    pages = [
        [(60, 30, "北海道支部 事業計画", 8), (60, 100, "本文の一行目。", 10.5), (280, 820, f"- {n} -", 9)]
        for n in range(1, 4)
    ]
    doc = read_pdf(_pdf(pages))
    for page in doc.pages:
        assert page.text == "本文の一行目。"


def test_a_lone_heading_at_the_top_is_not_a_running_header() -> None:
    pages = [[(60, 30, "第1章 背景", 8), (60, 100, "本文。", 10.5)],
             [(60, 30, "第2章 現状", 8), (60, 100, "本文。", 10.5)]]  # fmt: skip
    doc = read_pdf(_pdf(pages))
    assert doc.pages[0].text.startswith("第1章 背景")
    assert doc.pages[1].text.startswith("第2章 現状")


def test_a_header_at_the_same_place_on_most_pages_is_running_wherever_it_stands() -> None:
    """Calc prints its page header lower than the margin band (at 7.7 % of a landscape page's
    height), and a Word header left unchanged names one chapter on every page: the same line at
    the same place on most pages is no text of the page. A chapter's own title, larger and lower,
    stays; so does a line that is the same but elsewhere on the page."""
    pages = [[(380, 72, "協会けんぽ令和3年度支部事業計画", 9), (60, 100 + 20 * n, "第2章 災害予防計画", 14),
              (60, 200, f"本文{n}。", 10.5)] for n in range(5)]  # fmt: skip
    doc = read_pdf(_pdf(pages))
    for n, page in enumerate(doc.pages):
        assert page.text.split("\n") == ["第2章 災害予防計画", f"本文{n}。"], page.text
    two = read_pdf(_pdf(pages[:2]))
    assert two.pages[0].text.startswith("協会けんぽ")  # two pages: too few to tell


def test_drop_running_lines_keeps_lists_aligned() -> None:
    assert drop_running_lines([[], []], [842.0, 842.0]) == [[], []]


BOLD_FONT = "/usr/share/fonts/truetype/migmix/migmix-2p-bold.ttf"


def test_bold_from_a_bold_font_or_fill_and_stroke_but_not_plain_text() -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="ipa", fontfile=FONT)
    page.insert_font(fontname="ipab", fontfile=BOLD_FONT)
    page.insert_text((50, 80), "太字の書体の見出し", fontname="ipab", fontsize=10.5)
    stroked = {"render_mode": 2, "border_width": 0.03}
    page.insert_text((50, 110), "塗りと線の見出し", fontname="ipa", fontsize=10.5, **stroked)
    page.insert_text((50, 140), "ふつうの本文です。", fontname="ipa", fontsize=10.5)
    lines = page_lines(pymupdf.open(stream=doc.tobytes(), filetype="pdf")[0])
    assert [(line.text, line.bold) for line in lines] == [
        ("太字の書体の見出し", True), ("塗りと線の見出し", True), ("ふつうの本文です。", False)
    ]  # fmt: skip


def test_a_turned_page_reads_as_it_is_shown() -> None:
    """A landscape sheet written on a portrait page turned by /Rotate 90: lines across, in order."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.set_rotation(90)
    page.insert_font(fontname="ipa", fontfile=FONT)
    texts = ["STEP1 基本情報", "組合名称 ライク健康保険組合", "加入者数 9,436名"]
    for k, text in enumerate(texts):
        at = pymupdf.Point(60, 80 + 20 * k) * page.derotation_matrix
        page.insert_text(at, text, fontname="ipa", fontsize=10.5, rotate=90)
    shown = pymupdf.open(stream=doc.tobytes(), filetype="pdf")[0]
    lines = page_lines(shown)
    assert [line.text.replace("\xa0", " ") for line in lines] == texts  # MuPDF's own map: U+00A0
    assert not any(line.vertical for line in lines)
    assert all(abs(line.x0 - 60) < 1 for line in lines)
    assert [round(line.y1) for line in lines] == sorted(round(line.y1) for line in lines)
    assert max(line.x1 for line in lines) < shown.rect.width == 842
