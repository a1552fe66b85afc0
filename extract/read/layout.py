"""From a PDF page's text objects to clean lines.

Three things real plan PDFs do that a naive reader gets wrong, handled here:

- **Fake bold**: a heading drawn twice, the second copy offset by a fraction of a point. A naive
  reader doubles it (``予予算算`` or the whole heading twice). We drop a text run whose twin, with
  the same text and size, was already drawn within a small fraction of the font size, and mark
  the kept copy bold.
- **Vertical writing** (縦書き): every character comes out as a line of its own. We join runs of
  vertical characters that touch in the same column into one line, columns right to left.
- **Running headers, footers and page numbers**: lines in the top or bottom margin that are a
  page number (``- 3 -``, ``3``, ``(3)``, ``3/12``, ``P.3``) or that repeat, digits aside, in the
  margin of a neighbouring page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pymupdf

# Share of the font size within which a second copy of the same text counts as fake bold.
FAKE_BOLD_TOLERANCE = 0.25
# A horizontal gap wider than this many font sizes between two runs on one line separates cells.
_CELL_GAP = 1.5
_NUMERIC = re.compile(r"^[\d,.%‰\-−—]+$")  # a number cell ...
_NUMERIC_END = re.compile(r"(^|\s)[\d,.%‰\-−—]+\s+$")  # ... after a number cell and a space: two cells
# Top and bottom bands of the page (share of its height) where headers and footers live.
HEADER_BAND = 0.075
FOOTER_BAND = 0.085

_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold|-W[6-9]\b|\bW[6-9]\b|gothic-?b", re.I)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-‒–—−ー―]\s*\d{1,4}\s*[-‒–—−ー―]|\(\s*\d{1,4}\s*\)|（\s*\d{1,4}\s*）|\d{1,4}"
    r"|\d{1,4}\s*/\s*\d{1,4}|[PpＰ]\.?\s*\d{1,4}|\d{1,4}\s*ページ|[-‒–—−]\s*\d{1,4})\s*$"
)
_DIGITS = re.compile(r"[0-9０-９]+")


@dataclass(slots=True)
class CellRef:
    """The table cell a line stands in (see :mod:`extract.read.cells`): the table's number on the page,
    the cell's first row and column in the table's grid and how many it spans, and its box."""

    table: int
    row: int
    col: int
    row_span: int
    col_span: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(slots=True)
class RawLine:
    """A line before normalization, with the geometry the later stages use."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    vertical: bool = False
    spans: list[tuple[str, float, float, float]] = field(default_factory=list)  # text, x, y, size
    cell: CellRef | None = None
    role: str = "text"  # "label": a label column's cell; "header": a table's header row


def _is_bold(span: dict) -> bool:
    return bool(span["flags"] & pymupdf.TEXT_FONT_BOLD) or bool(_BOLD_FONT.search(span["font"]))


def _is_vertical(line: dict) -> bool:
    dx, dy = line["dir"]
    return line.get("wmode", 0) == 1 or (abs(dx) < 0.1 and dy > 0.9)


def _halves_overlap(text: str, width: float, size: float) -> bool:
    """A run such as ``見出し見出し`` whose two halves were drawn on top of each other."""
    n = len(text)
    if n < 4 or n % 2 or text[: n // 2] != text[n // 2 :]:
        return False
    expected = sum(0.5 * size if ord(ch) < 0x2000 else size for ch in text)
    return width < 0.7 * expected


class _TwinIndex:
    """Spans already drawn on the page, by text, to find fake-bold copies quickly."""

    def __init__(self) -> None:
        self._seen: dict[str, list[tuple[float, float, float, RawLine]]] = {}

    def twin_of(self, text: str, x: float, y: float, size: float) -> RawLine | None:
        tol = FAKE_BOLD_TOLERANCE * size + 0.1
        for sx, sy, ssize, line in self._seen.get(text, ()):
            if abs(sx - x) <= tol and abs(sy - y) <= tol and abs(ssize - size) <= 0.5:
                return line
        return None

    def add(self, text: str, x: float, y: float, size: float, line: RawLine) -> None:
        self._seen.setdefault(text, []).append((x, y, size, line))


_STROKED_TEXT = re.compile(rb"(?<![\d.])[12]\s+Tr\b")  # text render mode 1 (stroke) or 2 (fill and stroke)


def stroked_boxes(page: pymupdf.Page, matrix: pymupdf.Matrix | None) -> list[pymupdf.Rect]:
    """Boxes of text drawn with a stroke (render mode 1 or 2: a producer's bold).

    ``get_texttrace`` costs two thirds of a text extraction, so it is asked only when the page's
    content stream sets such a render mode at all."""
    try:
        if not _STROKED_TEXT.search(page.read_contents()):
            return []
        traces = page.get_texttrace()
    except Exception:  # a broken content stream: no render modes to learn from
        return []
    boxes = [pymupdf.Rect(t["bbox"]) for t in traces if t.get("type") == 1]
    return [b * matrix for b in boxes] if matrix is not None else boxes


def _stroked(boxes: list[pymupdf.Rect], x0: float, y0: float, x1: float, y1: float) -> bool:
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return any(b.x0 - 1 <= cx <= b.x1 + 1 and b.y0 - 1 <= cy <= b.y1 + 1 for b in boxes)


def turner(page: pymupdf.Page):
    """A function from MuPDF's coordinates of the page to the page as shown (turned by /Rotate).

    Plain arithmetic with the rotation matrix: a page holds thousands of points, and pymupdf's
    Point * Matrix costs twenty times as much."""
    if not page.rotation % 360:
        return lambda x, y: (x, y)
    a, b, c, d, e, f = page.rotation_matrix
    return lambda x, y: (a * x + c * y + e, b * x + d * y + f)


def page_lines(page: pymupdf.Page) -> list[RawLine]:
    """Lines of a page in content order, fake-bold copies removed and vertical runs joined.

    Coordinates are those of the page as it is shown: on a page turned by /Rotate (a landscape
    sheet written on a portrait page) MuPDF gives the unturned frame, where every line would run
    down the page like 縦書き; boxes and directions are turned back with the page's rotation."""
    data = page.get_text("dict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP)
    matrix = page.rotation_matrix if page.rotation % 360 else None
    turn = turner(page)
    stroked = stroked_boxes(page, matrix)
    twins = _TwinIndex()
    lines: list[RawLine] = []
    vertical: list[RawLine] = []
    for block in data["blocks"]:
        for line in block.get("lines", ()):
            if matrix is not None:
                (dx, dy), (ox, oy) = turn(*line["dir"]), turn(0.0, 0.0)
                line = {**line, "dir": (dx - ox, dy - oy)}
            is_vertical = _is_vertical(line)
            current: RawLine | None = None
            for span in line["spans"]:
                text = span["text"]
                if not text.strip():
                    if current is not None:
                        current.text += text
                    continue
                if matrix is not None:
                    (ax, ay), (bx, by) = turn(*span["bbox"][:2]), turn(*span["bbox"][2:])
                    box = (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
                    span = {**span, "origin": turn(*span["origin"]), "bbox": box}
                x, y = span["origin"]
                size = span["size"]
                twin = twins.twin_of(text, x, y, size)
                if twin is not None:
                    twin.bold = True
                    continue
                x0, y0, x1, y1 = span["bbox"]
                bold = _is_bold(span) or (bool(stroked) and _stroked(stroked, x0, y0, x1, y1))
                if _halves_overlap(text, x1 - x0, size):
                    text, bold = text[: len(text) // 2], True
                if current is not None and not is_vertical and (
                    x0 - current.x1 > _CELL_GAP * size
                    or (current.text.endswith(" ") and _NUMERIC.match(text) and _NUMERIC_END.search(
                        current.text))
                ):
                    # a wide gap on one baseline separates table cells: keep them apart
                    current.text = current.text.strip()
                    lines.append(current)
                    current = None
                if current is None:
                    current = RawLine(text, x0, y0, x1, y1, size, bold, is_vertical)
                else:
                    current.text += text
                    current.x0, current.y0 = min(current.x0, x0), min(current.y0, y0)
                    current.x1, current.y1 = max(current.x1, x1), max(current.y1, y1)
                    current.size = max(current.size, size)
                    current.bold = current.bold or bold
                current.spans.append((text, x, y, size))
                twins.add(text, x, y, size, current)
            if current is None or not current.text.strip():
                continue
            current.text = current.text.strip()
            (vertical if is_vertical else lines).append(current)
    if vertical:
        lines.extend(join_vertical(vertical))
    return lines


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


def drop_running_lines(pages: list[list[RawLine]], heights: list[float]) -> list[list[RawLine]]:
    """Remove page numbers and running headers/footers from every page.

    A margin line is running when the same text (digits aside) stands in the margin of the
    previous or the next page: this catches a document-wide header as well as a header that
    changes with each branch plan of a compilation.
    """
    band_signatures = [
        {_signature(line.text) for line in lines if _in_band(line, h)}
        for lines, h in zip(pages, heights, strict=True)
    ]
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
            kept.append(line)
        cleaned.append(kept)
    return cleaned
