"""From a PDF page's characters to clean lines.

What real plan PDFs do that a naive reader gets wrong, handled here:

- **Overprinted and fake bold, autospace, furigana**: read glyph by glyph
  (:mod:`extract.read.glyphs`): copies of a character are one glyph, a gap is a space only
  between Latin words, ruby is dropped.
- **Table cells on one baseline**: a wide gap separates them; a title Word spreads over the
  line (均等割り付け: ``第１章 総`` … ``則``) stays one line.
- **Vertical writing** (縦書き): every character comes out as a line of its own. We join runs of
  vertical characters that touch in the same column into one line, columns right to left.
- **Running headers, footers and page numbers**: lines in the top or bottom margin that are a
  page number (``- 3 -``, ``3``, ``(3)``, ``3/12``, ``P.3``) or that repeat, digits aside, in the
  margin of a neighbouring page.
"""

from __future__ import annotations

import functools
import itertools
import math
import re

import pymupdf

from extract.read.baselines import cells_of, joined_on_baselines, raw_line
from extract.read.glyphs import RUBY_SIZE, Glyph, Overprints, is_ruby, without_ruby
from extract.read.rawlines import CellRef, RawLine

__all__ = ["CellRef", "RawLine", "drop_running_lines", "is_page_number", "join_vertical", "page_lines",
           "stroked_boxes", "turner"]  # fmt: skip

# A horizontal gap wider than this many font sizes between two runs on one line separates cells.
_TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP | pymupdf.TEXT_INHIBIT_SPACES
"""Whitespace as the PDF has it, and no space MuPDF would make of a gap (``extract.read.baselines``
decides where a gap is a space); text outside the page's media box is not on the page."""
# Top and bottom bands of the page (share of its height) where headers and footers live.
HEADER_BAND = 0.075
FOOTER_BAND = 0.085
RUNNING_ZONE = 0.15
"""The share of the page's height, at its top and at its bottom, where a line that stands at the
same place on most pages is a running header or footer, however far it is from the edge."""

_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold|-W[6-9]\b|\bW[6-9]\b|gothic-?b", re.I)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-‒–—−ー―]\s*\d{1,4}\s*[-‒–—−ー―]|\(\s*\d{1,4}\s*\)|（\s*\d{1,4}\s*）|\d{1,4}"
    r"|\d{1,4}\s*/\s*\d{1,4}|[PpＰ]\.?\s*\d{1,4}|\d{1,4}\s*ページ|[-‒–—−]\s*\d{1,4})\s*$"
)
_DIGITS = re.compile(r"[0-9０-９]+")


def _is_bold(span: dict) -> bool:
    return bool(span["flags"] & pymupdf.TEXT_FONT_BOLD) or _bold_font(span["font"])


@functools.lru_cache(maxsize=1024)
def _bold_font(name: str) -> bool:
    """Whether a font's name says it is bold (remembered: a page has a few fonts and many runs)."""
    return bool(_BOLD_FONT.search(name))


def _is_vertical(line: dict) -> bool:
    dx, dy = line["dir"]
    return line.get("wmode", 0) == 1 or (abs(dx) < 0.1 and dy > 0.9)


_STROKED_TEXT = re.compile(rb"(?<![\d.])[12]\s+Tr\b")  # text render mode 1 (stroke) or 2 (fill and stroke)


def stroked_boxes(page: pymupdf.Page, matrix: pymupdf.Matrix | None) -> list[pymupdf.Rect]:
    """Boxes of text drawn with a stroke (render mode 1 or 2: a producer's bold).

    ``get_texttrace`` costs two thirds of a text extraction, so it is asked only when the page's
    content stream sets such a render mode at all."""
    try:
        contents = page.read_contents()
        if b"Tr" not in contents or not _STROKED_TEXT.search(contents):  # (most set no mode: no Tr)
            return []
        traces = page.get_texttrace()
    except Exception:  # a broken content stream: no render modes to learn from
        return []
    boxes = [pymupdf.Rect(t["bbox"]) for t in traces if t.get("type") == 1]
    return [b * matrix for b in boxes] if matrix is not None else boxes


def _stroked(boxes: list[pymupdf.Rect], x0: float, y0: float, x1: float, y1: float) -> bool:
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return any(b.x0 - 1 <= cx <= b.x1 + 1 and b.y0 - 1 <= cy <= b.y1 + 1 for b in boxes)


def _mark_stroked(glyphs: list[Glyph], boxes: list[pymupdf.Rect]) -> None:
    """Make bold the glyphs of a line that stand in a box of stroked text, comparing them only
    with the boxes that reach the line's height (a page has thousands of glyphs)."""
    low, high = math.inf, -math.inf
    for g in glyphs:  # (a centre that is no number matches no box: it is left out)
        cy = (g.y0 + g.y1) / 2
        if cy < low:
            low = cy
        if cy > high:
            high = cy
    near = [b for b in boxes if b.y0 - 1 <= high and low <= b.y1 + 1]
    if near:
        for g in glyphs:
            g.bold = g.bold or _stroked(near, g.x0, g.y0, g.x1, g.y1)


def turner(page: pymupdf.Page):
    """A function from MuPDF's coordinates of the page to the page as shown (turned by /Rotate).

    Plain arithmetic with the rotation matrix: a page holds thousands of points, and pymupdf's
    Point * Matrix costs twenty times as much."""
    if not page.rotation % 360:
        return lambda x, y: (x, y)
    a, b, c, d, e, f = page.rotation_matrix
    return lambda x, y: (a * x + c * y + e, b * x + d * y + f)


def page_lines(page: pymupdf.Page) -> list[RawLine]:
    """Lines of a page in content order, one glyph per glyph, vertical runs joined.

    Characters are read one by one (:mod:`extract.read.glyphs`): overprinted copies are one glyph
    (the line is bold), a space stands only where the PDF has one or between Latin words set
    apart (not in Word's autospace gap), and furigana are dropped. A wide gap on one baseline
    separates table cells. Coordinates are those of the page as it is shown: on a page turned by
    /Rotate (a landscape sheet written on a portrait page) MuPDF gives the unturned frame, where
    every line would run down the page like 縦書き; boxes and directions are turned back with the
    page's rotation."""
    data = page.get_text("rawdict", flags=_TEXT_FLAGS)
    matrix = page.rotation_matrix if page.rotation % 360 else None
    turn = turner(page)
    stroked = stroked_boxes(page, matrix)
    overprints = Overprints()
    drawn: list[tuple[bool, list[Glyph]]] = []  # each MuPDF line's glyphs, copies left out
    span_no = 0
    for block in data["blocks"]:
        for line in block.get("lines", ()):
            if matrix is not None:
                (dx, dy), (ox, oy) = turn(*line["dir"]), turn(0.0, 0.0)
                line = {**line, "dir": (dx - ox, dy - oy)}
            glyphs: list[Glyph] = []
            for span in line["spans"]:
                span_no += 1
                overprints.add_span(span["chars"], span["size"], _is_bold(span), span_no,
                                    turn if matrix is not None else None, glyphs)  # fmt: skip
            if glyphs:
                span_no = _split_runs(glyphs, span_no)
                drawn.append((_is_vertical(line), glyphs))
    lines: list[RawLine] = []
    vertical: list[RawLine] = []
    for is_vertical, glyphs in joined_on_baselines(drawn):  # every copy known: a glyph drawn twice is bold
        if stroked:
            _mark_stroked(glyphs, stroked)
        kept = without_ruby(glyphs)
        if is_vertical:
            text = "".join(g.c for g in kept).strip()
            if text:
                vertical.append(raw_line(kept, text, True))
        else:
            lines.extend(cells_of(kept))
    if vertical:
        lines.extend(join_vertical(vertical))
    return _without_ruby_lines(lines)


RUN_GAP = 0.5
"""An empty gap this many font sizes wide within one of the producer's runs starts a new run: two
table cells MuPDF read as one span (a space between them would be as wide as the gap)."""


def _split_runs(glyphs: list[Glyph], numbered: int) -> int:
    """Give the glyphs after such a gap a run number of their own (from ``numbered`` on), so that
    a line can be cut there at a rule; return the last number given."""
    for a, b in itertools.pairwise(glyphs):
        if b.span == a.span and b.x0 - a.x1 > RUN_GAP * (b.size if b.size > a.size else a.size) and (
                not a.c.isspace() and not b.c.isspace()):  # fmt: skip
            numbered += 1
            old = b.span
            for g in glyphs[glyphs.index(b):]:
                if g.span != old:
                    break
                g.span = numbered
    return numbered


def _without_ruby_lines(lines: list[RawLine]) -> list[RawLine]:
    """The page's lines without those that are furigana of the line below them."""
    biggest = max((line.size for line in lines), default=0.0)
    small = [line for line in lines if not line.vertical and line.size <= RUBY_SIZE * biggest]
    if not small:
        return lines
    boxes = [(ln.text, (ln.x0, ln.y0, ln.x1, ln.y1), ln.size) for ln in lines if not ln.vertical]
    drop = {
        id(line) for line in small
        if is_ruby(line.text, (line.x0, line.y0, line.x1, line.y1), line.size, boxes)
    }  # fmt: skip
    return [line for line in lines if id(line) not in drop]


def join_vertical(chars: list[RawLine]) -> list[RawLine]:
    """Join vertical runs that touch in the same column; columns are read right to left."""
    ordered = sorted(chars, key=lambda c: (-round(c.x1, 0), c.y0))
    columns: list[RawLine] = []
    for c in ordered:
        prev = columns[-1] if columns else None
        if (
            prev is not None
            and abs(prev.x0 - c.x0) <= 0.3 * c.size
            and -0.2 * c.size <= c.y0 - prev.y1 <= 0.6 * c.size
        ):
            prev.text += c.text
            prev.y1 = max(prev.y1, c.y1)
            prev.x1 = max(prev.x1, c.x1)
            prev.bold = prev.bold and c.bold
            continue
        columns.append(RawLine(c.text, c.x0, c.y0, c.x1, c.y1, c.size, c.bold, True))
    return columns


def _in_band(line: RawLine, height: float) -> bool:
    return line.y1 <= height * HEADER_BAND or line.y0 >= height * (1 - FOOTER_BAND)


def _signature(text: str) -> str:
    return _DIGITS.sub("#", re.sub(r"\s+", "", text))


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text))


def _place(line: RawLine) -> tuple[str, int, int]:
    return _signature(line.text), round(line.y0 / 3), round((line.x0 + line.x1) / 20)


def drop_running_lines(pages: list[list[RawLine]], heights: list[float]) -> list[list[RawLine]]:
    """Remove page numbers and running headers/footers from every page.

    A margin line is running when the same text (digits aside) stands in the margin of the
    previous or the next page: this catches a document-wide header as well as a header that
    changes with each branch plan of a compilation. And a line near the top or the bottom that
    stands, the same text at the same place, on at least half of the pages with text (three or
    more), above (below) all the page's other text, is running too, wherever the producer put
    its header (Calc prints it lower than Word).
    """
    band_signatures = [
        {_signature(line.text) for line in lines if _in_band(line, h)}
        for lines, h in zip(pages, heights, strict=True)
    ]
    places: dict[tuple[str, int, int], int] = {}
    for lines, height in zip(pages, heights, strict=True):
        for place in {_place(line) for line in lines if _in_zone(line, height)}:
            places[place] = places.get(place, 0) + 1
    with_text = sum(1 for lines in pages if lines)
    often = {p for p, n in places.items() if n >= max(3, with_text / 2)}

    def running(line: RawLine, lines: list[RawLine], height: float) -> bool:
        """A line at a place of :data:`often` that nothing else on its page stands beyond: the
        page's top line (or bottom line), no table's cell (a header row a table repeats on every
        page is the table's, kept once by extract.read.continued)."""
        if line.cell is not None or not _in_zone(line, height) or _place(line) not in often:
            return False
        others = [o for o in lines if _place(o) not in often]
        if not others:  # a page of nothing but lines every page has: its text, not its header
            return False
        if line.y1 <= height * RUNNING_ZONE:
            return all(o.y0 >= line.y1 - 1 for o in others)
        return all(o.y1 <= line.y0 + 1 for o in others)

    cleaned: list[list[RawLine]] = []
    for i, (lines, height) in enumerate(zip(pages, heights, strict=True)):
        neighbours = set()
        if i > 0:
            neighbours |= band_signatures[i - 1]
        if i + 1 < len(pages):
            neighbours |= band_signatures[i + 1]
        kept = []
        for line in lines:
            if _in_band(line, height) and (
                is_page_number(line.text) or _signature(line.text) in neighbours
            ):
                continue
            if often and running(line, lines, height):
                continue
            kept.append(line)
        cleaned.append(kept)
    return cleaned


def _in_zone(line: RawLine, height: float) -> bool:
    return line.y1 <= height * RUNNING_ZONE or line.y0 >= height * (1 - RUNNING_ZONE)
