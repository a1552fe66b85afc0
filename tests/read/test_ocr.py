"""OCR of pages without a text layer (extract/ocr.py), with the real Tesseract, on the scanned fixture."""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from functools import cache

import pymupdf
import pytest

from extract.read.layout import page_lines
from extract.read.normalize import normalize_text
from extract.read.ocr import (
    OcrPage,
    OcrUnavailable,
    Word,
    find_tesseract,
    ocr_page,
    parse_tsv,
    words_to_lines,
)
from tests.conftest import CORPUS, PDFS

SCANNED = CORPUS / "scanned"
KYOUKAI = "kyoukai-kenpo-r3-scan"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", normalize_text(text))


@cache
def read(scan_id: str, page_no: int) -> tuple[OcrPage, str]:
    """A scanned page read by OCR, and the text layer of the page it was scanned from."""
    side = json.loads((SCANNED / f"{scan_id}.json").read_text(encoding="utf-8"))
    source = pymupdf.open(PDFS / f"{side['of']}.pdf")[side["pages"][page_no - 1]["source_page"] - 1]
    typeset = "\n".join(line.text for line in page_lines(source))
    return ocr_page(pymupdf.open(SCANNED / f"{scan_id}.pdf")[page_no - 1], find_tesseract()), typeset


def test_tesseract_and_its_japanese_models_are_found() -> None:
    engine = find_tesseract()
    assert "jpn" in engine.languages and engine.vertical


def test_no_tesseract_on_the_path_names_the_packages(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    packages = "apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert"
    with pytest.raises(OcrUnavailable, match=packages):
        find_tesseract()


def test_no_japanese_model_names_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # a folder with no models in it
    with pytest.raises(OcrUnavailable, match=r"jpn\.traineddata.*tesseract-ocr-jpn"):
        find_tesseract()


@pytest.mark.parametrize("page_no", [1, 4])
def test_a_scanned_page_reads_as_its_text_layer(corpus_pdfs, page_no: int) -> None:
    reading, typeset = read(KYOUKAI, page_no)
    text = "\n".join(line.text for line in reading.lines)
    assert SequenceMatcher(None, squash(text), squash(typeset), autojunk=False).ratio() >= 0.9
    assert reading.confidence is not None and 70 <= reading.confidence <= 100
    assert reading.words > 100


def test_fragments_on_a_baseline_become_one_line_in_reading_order(corpus_pdfs) -> None:
    reading, _ = read(KYOUKAI, 1)
    texts = [squash(line.text) for line in reading.lines]
    assert "令和3年度事業計画(北海道支部)" in texts  # a heading of many fragments, joined, unspaced
    kpi = next(line for line in reading.lines if "KPI" in line.text)
    assert kpi.text.startswith("■ KPI")  # the filled mark, read from the image, not as a kanji
    tops = [line.y0 for line in reading.lines]
    assert tops[:10] == sorted(tops[:10])  # top to bottom
    assert all(0 <= line.x0 < line.x1 <= reading.width and 0 <= line.y0 < line.y1 for line in reading.lines)


def test_a_scanned_table_is_read_cell_by_cell(corpus_pdfs) -> None:
    reading, _ = read("tokyo-ishikokuho-tokutei-kenshin-plan-scan", 2)
    cells = [line for line in reading.lines if line.cell is not None]
    assert len(cells) > 100
    years = [line for line in cells if re.fullmatch(r"20(18|19|20|21|22|23)年度", squash(line.text))]
    assert len(years) >= 12  # the header rows of the target tables, one year a cell
    assert not any("|" in line.text for line in reading.lines)  # no rule read as a character


def word(text: str, x0: float, y0: float, x1: float, y1: float, line: int) -> Word:
    return Word(text, x0, y0, x1, y1, 90.0, (1, 1, line))


def test_words_join_by_baseline_and_split_at_a_column_gap() -> None:
    words = [
        word("健康", 100, 10, 150, 38, 1), word("宣言", 152, 11, 200, 38, 1),
        word("事業所数を", 203, 12, 320, 39, 2),  # Tesseract's second line on the same baseline
        word("2,400", 330, 14, 380, 38, 2),
        word("実績", 600, 10, 650, 38, 2),  # a column gap: another cell
        word("次の行", 100, 60, 170, 88, 3),
    ]  # fmt: skip
    lines = words_to_lines(words, None, 2.0)
    assert [line.text for line in lines] == ["健康宣言事業所数を 2,400", "実績", "次の行"]
    assert lines[0].x0 == 50 and lines[0].x1 == 190  # pixels to points
    # the size from the width: 140 pt over 9 kana and kanji (an em each) and 5 digits (half of one)
    assert lines[0].size == pytest.approx(140 / (9 + 0.5 * 5), abs=0.1)


def test_tsv_words_are_parsed() -> None:
    tsv = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
        "4\t1\t1\t1\t1\t0\t10\t20\t300\t30\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t10\t20\t40\t30\t96.5\t協会\n"
        "5\t1\t1\t1\t1\t2\t55\t20\t40\t30\t95.0\t \n"
    )
    (only,) = parse_tsv(tsv)
    assert (only.text, only.x1, only.y1, only.confidence, only.line) == ("協会", 50, 50, 96.5, (1, 1, 1))


def test_a_page_scanned_sideways_is_read_upright(corpus_pdfs) -> None:
    side = json.loads((SCANNED / f"{KYOUKAI}.json").read_text(encoding="utf-8"))
    number = next(p["page"] for p in side["pages"] if p.get("sideways"))
    reading, typeset = read(KYOUKAI, number)
    assert reading.turned in (90, 270) and reading.height > reading.width  # a portrait page again
    text = "\n".join(line.text for line in reading.lines)
    assert SequenceMatcher(None, squash(text), squash(typeset), autojunk=False).ratio() >= 0.9


FONT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"  # the corpus font (make corpus)


def test_vertical_writing_is_read_in_columns_right_to_left(tmp_path) -> None:
    columns = ["第3期特定健康診査等実施計画", "東京都医師国民健康保険組合", "平成三十年四月"]
    typeset = pymupdf.open()
    page = typeset.new_page(width=595, height=842)
    page.insert_font(fontname="g", fontfile=FONT)
    for n, column in enumerate(columns):  # 縦書き: one character under the other, columns leftwards
        for i, ch in enumerate(column):
            page.insert_text((500 - 40 * n, 120 + 18 * i), ch, fontname="g", fontsize=16)
    scan = pymupdf.open()
    scanned = scan.new_page(width=595, height=842)
    image = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY).tobytes("jpeg")
    scanned.insert_image(scanned.rect, stream=image)
    reading = ocr_page(scanned, find_tesseract())
    assert reading.language == "jpn_vert"
    assert all(line.vertical for line in reading.lines)
    read_columns = [squash(line.text) for line in reading.lines]
    assert len(read_columns) == 3
    for got, want in zip(read_columns, columns, strict=True):  # right to left
        assert SequenceMatcher(None, got, want).ratio() >= 0.8, (got, want)


def test_a_blank_scanned_page_is_not_given_to_tesseract(tmp_path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    blank = pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 1654, 2339), False)
    blank.clear_with(255)
    page.insert_image(page.rect, pixmap=blank)
    engine = find_tesseract()
    broken = type(engine)(str(tmp_path / "no-such-tesseract"), engine.languages)  # would fail if run
    reading = ocr_page(page, broken)
    assert reading.lines == [] and reading.confidence is None and reading.words == 0
    assert reading.tries == []  # no reading tried (a page with ink is tried, and tried again)
    page.draw_rect(pymupdf.Rect(100, 100, 300, 300), fill=(0, 0, 0))
    assert ocr_page(page, broken).tries != []
