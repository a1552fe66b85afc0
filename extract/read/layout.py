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

import itertools
import re
from dataclasses import dataclass, field

import pymupdf

from extract.read.glyphs import RUBY_SIZE, Glyph, Overprints, is_cjk, is_ruby, spaced, without_ruby

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
                size = span["size"]
                bold = _is_bold(span)
                for ch in span["chars"]:
                    x0, y0, x1, y1 = ch["bbox"]
                    ox, oy = ch["origin"]
                    if matrix is not None:
                        (ax, ay), (bx, by) = turn(x0, y0), turn(x1, y1)
                        x0, y0, x1, y1 = min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)
                        ox, oy = turn(ox, oy)
                    glyph = Glyph(ch["c"], x0, y0, x1, y1, ox, oy, size, bold, span_no)
                    if overprints.keep(glyph):
                        glyphs.append(glyph)
            if glyphs:
                span_no = _split_runs(glyphs, span_no)
                drawn.append((_is_vertical(line), glyphs))
    lines: list[RawLine] = []
    vertical: list[RawLine] = []
    for is_vertical, glyphs in _on_one_baseline(drawn):  # every copy known: a glyph drawn twice is bold
        if stroked:
            for g in glyphs:
                g.bold = g.bold or _stroked(stroked, g.x0, g.y0, g.x1, g.y1)
        kept = without_ruby(glyphs)
        if is_vertical:
            text = "".join(g.c for g in kept).strip()
            if text:
                vertical.append(_raw_line(kept, text, True))
        else:
            lines.extend(_cells_of(kept))
    if vertical:
        lines.extend(join_vertical(vertical))
    return _without_ruby_lines(_distributed_joined(lines))


RUN_GAP = 0.5
"""An empty gap this many font sizes wide within one of the producer's runs starts a new run: two
table cells MuPDF read as one span (a space between them would be as wide as the gap)."""


def _split_runs(glyphs: list[Glyph], numbered: int) -> int:
    """Give the glyphs after such a gap a run number of their own (from ``numbered`` on), so that
    a line can be cut there at a rule; return the last number given."""
    for a, b in itertools.pairwise(glyphs):
        if b.span == a.span and not a.c.isspace() and not b.c.isspace() and (
                b.x0 - a.x1 > RUN_GAP * max(a.size, b.size)):  # fmt: skip
            numbered += 1
            old = b.span
            for g in glyphs[glyphs.index(b):]:
                if g.span != old:
                    break
                g.span = numbered
    return numbered


def _on_one_baseline(drawn: list[tuple[bool, list[Glyph]]]) -> list[tuple[bool, list[Glyph]]]:
    """MuPDF's lines, those it cut apart in a letter-spaced word joined again: it starts a new
    line at a gap of about a character, which is how Word sets a short title wide (``実 施 時
    期``, ``1 目 的``). A piece that is one kana or kanji, or that a single one ends or starts,
    continues a piece on its baseline a little before it; the cells of a table, which hold
    words, stay apart (and :mod:`extract.read.cells` cuts a line at a cell's rule again)."""
    out: list[tuple[bool, list[Glyph]]] = []
    for is_vertical, glyphs in drawn:
        if out and not is_vertical and not out[-1][0]:
            before = out[-1][1]
            last, first = _last_inked(before), _first_inked(glyphs)
            if last is not None and first is not None and _letter_spaced(before, glyphs, last, first):
                before.extend(glyphs)
                continue
        out.append((is_vertical, list(glyphs)))
    return out


def _first_inked(glyphs: list[Glyph]) -> Glyph | None:
    return next((g for g in glyphs if not g.c.isspace()), None)


def _last_inked(glyphs: list[Glyph]) -> Glyph | None:
    return next((g for g in reversed(glyphs) if not g.c.isspace()), None)


def _single_at(glyphs: list[Glyph], end: bool) -> bool:
    """Whether the piece's first (or last, ``end``) character is a kana or kanji standing alone:
    no kana or kanji right beside it within the piece."""
    inked = [g for g in glyphs if not g.c.isspace()]
    if end:
        inked = inked[::-1]
    return bool(inked) and is_cjk(inked[0].c) and (len(inked) == 1 or not is_cjk(inked[1].c))


def _letter_spaced(before: list[Glyph], after: list[Glyph], last: Glyph, first: Glyph) -> bool:
    size = max(last.size, first.size)
    return (
        abs(last.oy - first.oy) <= 0.2 * size and abs(last.size - first.size) <= 0.5
        and 0 <= first.x0 - last.x1 <= _CELL_GAP * size and is_cjk(last.c) and is_cjk(first.c)
        and (_single_at(before, end=True) or _single_at(after, end=False))
    )  # fmt: skip


_TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP | pymupdf.TEXT_INHIBIT_SPACES
"""Whitespace as the PDF has it, and no space MuPDF would make of a gap (:func:`~extract.read.glyphs.spaced`
decides); text outside the page's media box is not on the page."""


def _raw_line(glyphs: list[Glyph], text: str, vertical: bool = False) -> RawLine:
    """A line of these glyphs (at least one), with ``text`` made of them."""
    inked = [g for g in glyphs if not g.c.isspace()] or glyphs
    line = RawLine(
        text, min(g.x0 for g in inked), min(g.y0 for g in inked), max(g.x1 for g in inked),
        max(g.y1 for g in inked), max(g.size for g in inked), any(g.bold for g in inked), vertical,
    )  # fmt: skip
    run: list | None = None
    for g in glyphs:  # the producer's runs, as (text, x, y, size): where a line may be cut at a rule
        blank = g.c.isspace()
        if run is not None and not blank and (g.span != run[4] or g.x0 - run[5] > _CELL_GAP * g.size):
            line.spans.append((run[0], run[1], run[2], run[3]))
            run = None
        if run is None:
            if not blank:
                run = [g.c, g.ox, g.oy, g.size, g.span, g.x1]
            continue
        run[0] += g.c
        run[5] = g.x1
    if run is not None:
        line.spans.append((run[0].rstrip(), run[1], run[2], run[3]))
    return line


def _cells_of(glyphs: list[Glyph]) -> list[RawLine]:
    """A horizontal line's glyphs as lines: cut where a wide gap on the baseline separates table
    cells, or where a number run follows a number and a space (two figures of a table row)."""
    out: list[RawLine] = []
    piece: list[Glyph] = []
    text: list[str] = []

    def flush() -> None:
        joined = "".join(text).strip()
        if joined:
            out.append(_raw_line(piece, joined))
        piece.clear()
        text.clear()

    previous: Glyph | None = None  # the glyph before, a space included: spaces the PDF has are no gap
    inked: Glyph | None = None  # the last glyph with ink
    for k, g in enumerate(glyphs):
        if g.c.isspace():
            if piece:
                piece.append(g)
                text.append(g.c)
            previous = g
            continue
        if previous is not None and inked is not None and piece:
            # spaces within the producer's run close the gap (a cell of its own is written in
            # a run of its own); a run of nothing but spaces does not
            edge = previous.x1 if previous.span == g.span or not previous.c.isspace() else inked.x1
            reads_spaced = text[-1].isspace() or spaced(inked, g)
            if g.x0 - edge > _CELL_GAP * g.size or (
                g.span != inked.span and reads_spaced and _NUMERIC.match(_run_text(glyphs, k))
                and _NUMERIC_END.search("".join(text) + " ")
            ):  # fmt: skip
                flush()
            elif spaced(inked, g) and not text[-1].isspace():
                text.append(" ")
        piece.append(g)
        text.append(g.c)
        previous = inked = g
    flush()
    return out


def _run_text(glyphs: list[Glyph], k: int) -> str:
    """The text of the producer's run that starts at ``glyphs[k]``."""
    span = glyphs[k].span
    return "".join(g.c for g in glyphs[k:] if g.span == span).strip()


_DISTRIBUTED_GAP = 3.5
"""Font sizes a title's characters may stand apart when Word distributes them (均等割り付け)."""
_SHORT_CJK = re.compile(r"^[぀-ヿ㐀-鿿⼀-⿟]{1,2}$")
_ENDS_SPACED_CJK = re.compile(r"(^|\s)[぀-ヿ㐀-鿿⼀-⿟]$")


def _distributed_joined(lines: list[RawLine]) -> list[RawLine]:
    """A title Word spreads over the line (``第１章 総``, far away ``則``) is one line: a piece of one
    or two kana or kanji on the baseline of a piece that ends in one spaced-out character, at
    the same size and a few characters away, continues it (the gap read as a space)."""
    out: list[RawLine] = []
    for line in lines:
        prev = out[-1] if out else None
        if (
            prev is not None and not line.vertical and not prev.vertical
            and _SHORT_CJK.match(line.text) and _ENDS_SPACED_CJK.search(prev.text)
            and abs(prev.size - line.size) <= 0.5 and abs(prev.y1 - line.y1) <= 0.2 * line.size
            and 0 < line.x0 - prev.x1 <= _DISTRIBUTED_GAP * line.size
        ):  # fmt: skip
            prev.text = f"{prev.text} {line.text}"
            prev.x1, prev.bold = line.x1, prev.bold and line.bold
            prev.spans.extend(line.spans)
            continue
        out.append(line)
    return out


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
