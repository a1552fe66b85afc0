"""Cells: a page's ruling lines make tables, and a table's lines are read cell by cell.

Published plans are Word and Excel documents: a 協会けんぽ branch plan is a two-column table (a
narrow field label beside the measures), data-health plans hold ruled tables with wrapping
and merged cells, the STEP form is sheets of bordered cells. A reader that only sees text lines
reads a wrapped label as three lines (``１．基盤的`` / ``保険者機能`` / ``関係``), a label beside
the first measure as one sentence, and the header row repeated on every page as text.

This stage runs on pages whose drawings include a vertical rule (``get_cdrawings()``: well under
a millisecond a page; a page without one is left as it is, so plain pages pay only that):

- **Rules** (:mod:`extract.read.rules`): strokes, the edges of stroked rectangles, thin filled
  rectangles (how Word writes borders) and the edges of shaded cells side by side; rules that
  touch make a table. A label table drawn as its shaded header row only (Word's ``borders
  none``) is given its rows (:mod:`extract.read.open_tables`).
- **Cells**: a line's cell is bounded by the nearest rules around it, so a merged (spanning) cell
  is one cell; a merged cell that runs off the page with no rule at its foot (Calc, Word) is
  closed by the table's frame, where the rules on its sides end. A line drawn across a vertical
  rule is cut there first.
- **One text per cell**: the lines of a cell narrower than most of its table (a label, a data
  cell) are joined into one line: in a narrow cell every line goes on with the next, in a wider
  one a line that reaches the cell's right edge does, or one after which the next line's first
  word would not have fit (a unit ``（%）`` moved to the next line); but never into a line that
  starts a numbered item (①, (1), 1. or "1 " and a word), nor, in a wider cell, a bulleted one
  (○, ・ …), unless the line before leaves a bracket open or ends with a comma. A cell nearly as
  wide as its table is a text frame: its lines stay lines.
- **Label column**: in a table of two columns whose left one is narrow, a left cell beside
  text is the heading of that text: its line gets the role ``label``.
- **Reading order from geometry, never from the content stream** (Calc draws the page header and
  footer first and merged cells after all others): each table is read as one block where it
  stands, row by row, a row's cells left to right (a label before the text beside it); the
  blocks and the lines outside tables top to bottom, those on one baseline left to right.
- **Header rows**: a shaded first row is the table's header (role ``header``); across pages,
  :mod:`extract.read.continued` keeps a repeated header once and joins what a page break cut.

Coordinates are those of the page as shown (see :func:`extract.read.layout.page_lines` for turned
pages). Each line in a table carries its :class:`~extract.read.layout.CellRef`: table, row, column.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict

import pymupdf

from extract.read.layout import CellRef, RawLine
from extract.read.open_tables import LABEL_COLUMN, extend_label_tables
from extract.read.rules import TOL, Rule, Table, find_tables, page_rules

__all__ = ["Rule", "Table", "arrange", "find_tables", "page_rules", "read_cells"]

_REACH = 1.5  # a line ending this many font sizes short of its cell's edge fills the cell
_FRAME = 0.6  # a cell at least this share of its table's width is a text frame: lines stay lines
_NARROW = 14.0  # a cell narrower than this many font sizes is one text, whatever its lines
_NUMBERED = re.compile(
    r"^(?:[①-⑳㉑-㉟]|[（(]\s*[0-9０-９一二三四五六七八九十]+\s*[）)]|[0-9０-９]{1,2}\s*[．.)）](?![0-9０-９])"
    r"|[0-9０-９]{1,2}\s+[^\s0-9０-９〜～~\-－]|【)"
)
_BULLET = re.compile(r"^[・○〇◯●◎■□◆◇※★☆▪►▶◦\-–]")
_ASCII_END = re.compile(r"[0-9A-Za-z%)]$")
_ASCII_START = re.compile(r"^[0-9A-Za-z(]")
_FIRST_UNIT = re.compile(
    r"^(?:[（(［\[「『【〔][^）)］\]」』】〕]{0,8}[）)］\]」』】〕]|[0-9A-Za-z.,%]+|.[、。，．）)」』】〕ー]*)"
)
"""What a line break cannot split at the start of a line: a short bracketed group (a unit, ``（%）``),
a Latin word or a number, else a character and the closing marks that may not start a line."""
_HALF_WIDTH = re.compile(r"[\x00-\u1fff\uff61-\uff9f]")
_OPENING = re.compile(r"[（(［\[「『【〔〈《]")
_CLOSING = re.compile(r"[）)］\]」』】〕〉》]")


def _index(bounds: list[float], value: float) -> int:
    """The index of the boundary nearest ``value`` (``bounds`` sorted)."""
    k = bisect.bisect_left(bounds, value)
    if k == len(bounds) or (k > 0 and value - bounds[k - 1] <= bounds[k] - value):
        return k - 1
    return k


def _cell_of(table: Table, line: RawLine) -> tuple[float, float, float, float] | None:
    """The box of the rules nearest around the line, or None when it is not enclosed.

    A merged cell that runs off the page bottom has no rule under it (Calc, Word): it is closed
    by the table's frame, where the rules on its sides end (and likewise at the top)."""
    cx, cy = (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2
    tol = 2 * TOL
    crossing = [v for v in table.vs if v.y0 - tol <= cy <= v.y1 + tol]
    left = max((v for v in crossing if v.x0 <= line.x0 + tol), key=lambda v: v.x0, default=None)
    # the cell the line starts in (text that runs past its cell's edge is still that cell's)
    reach = min(line.x1 - tol, line.x0 + line.size)
    right = min((v for v in crossing if v.x0 >= reach), key=lambda v: v.x0, default=None)
    if left is None or right is None or right.x0 - left.x0 < 2:
        return None
    mid = (left.x0 + right.x0) / 2 if line.x1 - line.x0 > right.x0 - left.x0 else cx
    across = [h.y0 for h in table.hs if h.x0 - tol <= mid <= h.x1 + tol]
    top = max((y for y in across if y <= line.y0 + tol), default=max(left.y0, right.y0))
    bottom = min((y for y in across if y >= line.y1 - tol), default=min(left.y1, right.y1))
    if not top - tol <= cy <= bottom + tol:
        return None
    return left.x0, top, right.x0, bottom


def _split_at_rules(line: RawLine, table: Table) -> list[RawLine]:
    """A line that runs across a vertical rule (two cells read as one line) cut at its spans."""
    cy = (line.y0 + line.y1) / 2
    cuts = sorted(v.x0 for v in table.vs if line.x0 + 2 < v.x0 < line.x1 - 2 and v.y0 <= cy <= v.y1)
    if not cuts or len(line.spans) < 2:
        return [line]
    pieces: list[list[tuple[str, float, float, float]]] = [[] for _ in range(len(cuts) + 1)]
    for span in line.spans:
        pieces[sum(1 for c in cuts if span[1] >= c - 1)].append(span)
    out = []
    for spans in (p for p in pieces if p):
        text = "".join(s[0] for s in spans).strip()
        if not text:
            continue
        x0 = spans[0][1]
        nxt = [c for c in cuts if c > x0]
        x1 = min(line.x1, nxt[0]) if nxt else line.x1
        out.append(RawLine(text, x0, line.y0, x1, line.y1, line.size, line.bold, False, list(spans)))
    return out or [line]


def glue(a: str, b: str) -> str:
    return f"{a} {b}" if _ASCII_END.search(a) and _ASCII_START.match(b) else a + b


def _join(lines: list[RawLine]) -> RawLine:
    first = lines[0]
    joined = RawLine(first.text, first.x0, first.y0, first.x1, first.y1, first.size, first.bold, False,
                     list(first.spans), first.cell, first.role)  # fmt: skip
    for line in lines[1:]:
        joined.text = glue(joined.text, line.text)
        joined.x0, joined.y0 = min(joined.x0, line.x0), min(joined.y0, line.y0)
        joined.x1, joined.y1 = max(joined.x1, line.x1), max(joined.y1, line.y1)
        joined.size = max(joined.size, line.size)
        joined.bold = joined.bold and line.bold
        joined.spans.extend(line.spans)
    return joined


def _ems(text: str) -> float:
    """The text's width in font sizes, roughly: Latin letters, digits and marks half a size."""
    return len(text) - 0.5 * len(_HALF_WIDTH.findall(text))


def _first_unit(line: RawLine) -> float:
    """The width of what a line starts with that a line break cannot split (``（%）``, ``HbA1c``)."""
    m = _FIRST_UNIT.match(line.text)
    unit = m.group() if m else line.text[:1]
    return (line.x1 - line.x0) * _ems(unit) / max(_ems(line.text), 0.5)


def _paragraphs(lines: list[RawLine], box: tuple[float, float, float, float], narrow: bool) -> list[RawLine]:
    """The cell's lines as its texts: one per item, its wrapped lines joined."""
    if len(lines) < 2:
        return lines
    out: list[list[RawLine]] = [[lines[0]]]
    for line in lines[1:]:
        prev = out[-1][-1]
        # A narrow cell breaks its words anywhere, even before a 中点 (組織 / ・運営体制): only a
        # number starts an item there. In a wider cell a line goes on with the next when it
        # ends near the cell's edge, or when the next one's first word (a unit （%）, a number)
        # would not have fit after it; there a bullet after a full line starts an item too.
        edge = box[2] - 0.6 * prev.size - 2
        wrapped = narrow or prev.x1 >= box[2] - _REACH * prev.size - 2 or prev.x1 + _first_unit(line) >= edge
        starts = _NUMBERED.match(line.text) or (not narrow and _BULLET.match(line.text))
        # what looks like an item after an open bracket or a comma goes on with it ((大項目 / 1))
        unclosed = len(_OPENING.findall(prev.text)) > len(_CLOSING.findall(prev.text))
        open_end = unclosed or prev.text.endswith(("、", ",", "，"))
        if (open_end or (wrapped and not starts)) and line.y0 >= prev.y0 + 0.5 * prev.size:
            out[-1].append(line)
        else:
            out.append([line])
    return [_join(group) if len(group) > 1 else group[0] for group in out]


def _shaded(fills: list[pymupdf.Rect], box: tuple[float, float, float, float]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(f.x0 - 1 <= cx <= f.x1 + 1 and f.y0 - 1 <= cy <= f.y1 + 1 for f in fills)


def read_cells(page: pymupdf.Page, lines: list[RawLine]) -> list[RawLine]:
    """The page's lines with its tables read cell by cell (the page's lines unchanged if it has none)."""
    try:
        rules, fills = page_rules(page)
    except Exception:  # a broken drawing: read the page as lines
        return lines
    if not any(not r.horizontal for r in rules):
        return lines  # no vertical rule, no cell (an underlined header is not a table)
    tables = find_tables(rules)
    if not tables:
        return lines
    return arrange(lines, extend_label_tables(tables, lines), fills)


def arrange(lines: list[RawLine], tables: list[Table], fills: list[pymupdf.Rect]) -> list[RawLine]:
    """Assign lines to cells, join each cell's text, and put the page in reading order.

    The order is the page's geometry, never its content stream (Calc draws the page header and
    footer first and merged cells after all others): each table is read as one block where it
    stands, and the blocks and the lines outside tables are read top to bottom, those on one
    baseline left to right."""
    loose: list[RawLine] = []
    cells: dict[int, dict[tuple[float, float, float, float], list[RawLine]]] = defaultdict(dict)
    for line in lines:
        table = None
        if not line.vertical:
            cx, cy = (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2
            table = next((t for t in tables if t.contains(cx, cy)), None)
        if table is None:
            loose.append(line)
            continue
        for piece in _split_at_rules(line, table):
            box = _cell_of(table, piece)
            if box is None:
                loose.append(piece)
            else:
                cells[table.number].setdefault(box, []).append(piece)
    blocks: list[tuple[float, float, float, list[RawLine]]] = [(ln.y0, ln.y1, ln.x0, [ln]) for ln in loose]
    for table in tables:
        if table.number in cells:
            first_row = table.ys[1] if len(table.ys) > 1 else table.y1
            blocks.append((table.y0, first_row, table.x0, _read_table(table, cells[table.number], fills)))
    return [line for block in reading_order(blocks) for line in block[3]]


def reading_order(blocks: list[tuple[float, float, float, list[RawLine]]]) -> list:
    """Blocks (top, bottom of their first line, left, lines) top to bottom, those whose first
    lines share a band left to right."""
    ordered = sorted(blocks, key=lambda b: (b[0], b[2]))
    out: list = []
    row: list = []
    for block in ordered:
        if row and block[0] >= (row[0][0] + row[0][1]) / 2:
            out.extend(sorted(row, key=lambda b: b[2]))
            row = []
        row.append(block)
    out.extend(sorted(row, key=lambda b: b[2]))
    return out


def _read_table(
    table: Table, cells: dict[tuple[float, float, float, float], list[RawLine]], fills: list[pymupdf.Rect]
) -> list[RawLine]:
    width = table.x1 - table.x0
    boxes = sorted(cells, key=lambda b: (round(b[1], 0), b[0]))
    first_top = min(b[1] for b in boxes)
    header = [b for b in boxes if abs(b[1] - first_top) <= TOL]
    below = [b for b in boxes if b[1] > first_top + TOL]
    shaded_top = all(_shaded(fills, b) for b in header)
    is_header = bool(below) and shaded_top and not all(_shaded(fills, b) for b in below)
    labels = _label_boxes(table, boxes, set(header) if is_header else set())
    out: list[RawLine] = []
    for box in boxes:
        lines = sorted(cells[box], key=lambda ln: (round(ln.y0, 0), ln.x0))
        size = max(ln.size for ln in lines)
        frame = box[2] - box[0] >= _FRAME * width
        narrow = box in labels or (box[2] - box[0]) < _NARROW * size
        texts = lines if frame else _paragraphs(lines, box, narrow)
        row, col = _index(table.ys, box[1]), _index(table.xs, box[0])
        ref = CellRef(table.number, row, col, max(1, _index(table.ys, box[3]) - row),
                      max(1, _index(table.xs, box[2]) - col), *box)  # fmt: skip
        role = "header" if is_header and box in header else "label" if box in labels else "text"
        for line in texts:
            line.cell, line.role = ref, role
        out.extend(texts)
    return out


def _label_boxes(
    table: Table, boxes: list[tuple[float, float, float, float]], header: set
) -> set[tuple[float, float, float, float]]:
    """Left cells of a two-column table with a narrow left column, beside text on their right."""
    body = [b for b in boxes if b not in header]
    width = table.x1 - table.x0
    if not body:
        return set()
    middle = {round(b[2]) for b in body if abs(b[0] - table.x0) <= 2 * TOL}
    if len(middle) != 1:
        return set()
    xm = next(iter(middle))
    if not 0 < xm - table.x0 <= LABEL_COLUMN * width:
        return set()
    left = [b for b in body if abs(b[0] - table.x0) <= 2 * TOL]
    right = [b for b in body if abs(b[0] - xm) <= 2 * TOL and abs(b[2] - table.x1) <= 2 * TOL]
    if len(left) + len(right) != len(body):
        return set()  # a third column somewhere: a grid, not a label column
    return {b for b in left if any(r[1] < b[3] - TOL and r[3] > b[1] + TOL for r in right)}
