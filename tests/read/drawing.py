"""Small PDFs drawn with PyMuPDF for the reader's tests: text, rules and shaded cells, in whatever
order the test gives (each call appends to the page's content stream, as a producer writes it)."""

from __future__ import annotations

import pymupdf

FONT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
PORTRAIT = (595.0, 842.0)
LANDSCAPE = (842.0, 595.0)


def page(doc: pymupdf.Document, size: tuple[float, float] = PORTRAIT) -> pymupdf.Page:
    new = doc.new_page(width=size[0], height=size[1])
    new.insert_font(fontname="ipa", fontfile=FONT)
    return new


def text(p: pymupdf.Page, x: float, top: float, words: str, size: float = 10.0) -> None:
    """One line whose box starts at ``top`` (the baseline a font size below)."""
    p.insert_text((x, top + size), words, fontname="ipa", fontsize=size)


def lines(p: pymupdf.Page, x: float, top: float, words: list[str], size: float = 10.0) -> float:
    """Lines one under the other, 1.3 font sizes apart; returns where the last one ends."""
    for k, line in enumerate(words):
        text(p, x, top + k * 1.3 * size, line, size)
    return top + len(words) * 1.3 * size


def rule(p: pymupdf.Page, x0: float, y0: float, x1: float, y1: float) -> None:
    p.draw_line((x0, y0), (x1, y1), color=(0, 0, 0), width=0.6)


def shade(p: pymupdf.Page, box: tuple[float, float, float, float], grey: float = 0.85) -> None:
    """A shaded rectangle, filled and not stroked (how Word and Calc shade a cell)."""
    p.draw_rect(pymupdf.Rect(box), color=None, fill=(grey, grey, grey), width=0)


def pdf(doc: pymupdf.Document) -> bytes:
    return doc.tobytes(garbage=4, deflate=True)


Box = tuple[float, float, float, float]


def box(p: pymupdf.Page, rect: Box, words: list[str], size: float = 10.0) -> None:
    """A bordered cell and its lines."""
    p.draw_rect(pymupdf.Rect(rect), color=(0, 0, 0), width=0.5)
    lines(p, rect[0] + 5, rect[1] + 2, words, size)


_XS = [66.0, 180.0, 320.0, 519.0]  # a target table's columns: 指標 and two indicators


def grid_row(p: pymupdf.Page, top: float, cells: list[list[str]], height: float = 21.0) -> float:
    """A row of bordered cells in the columns ``_XS``; returns its bottom."""
    for k, words in enumerate(cells):
        box(p, (_XS[k], top, _XS[k + 1], top + height), words, 9)
    return top + height


def split_row_pdf() -> bytes:
    """A grid whose second row is cut by the page break after ``現状値（令和4年``; no header repeated."""
    doc = pymupdf.open()
    one = page(doc)
    text(one, 71, 700, "表4-2 特定保健指導の目標値")
    header = [["指標"], ["特定保健指導の終了者数（人）"], ["特定保健指導対象者の減少率（%）"]]
    top = grid_row(one, 716.0, header)
    grid_row(one, top, [["現状値（令和4年"], ["742"], ["18.6"]], 12.0)
    two = page(doc)
    top = grid_row(two, 71.0, [["度）"], [], []], 12.0)
    grid_row(two, top, [["目標値（令和11年度）"], ["1,250"], ["25.0"]])
    text(two, 71, 130, "また、遠隔面談の利用者数を増やす。")
    return pdf(doc)
