"""Cells: a page's ruling lines make tables, and a table's lines are read cell by cell.

Published plans are Word and Excel documents: a 協会けんぽ branch plan is a two-column table (a
narrow field label beside the measures), data-health plans hold ruled tables with wrapping
and merged cells, the STEP form is sheets of bordered cells. A reader that only sees text lines
reads a wrapped label as three lines (``１．基盤的`` / ``保険者機能`` / ``関係``), a label beside
the first measure as one sentence, and the header row repeated on every page as text.

This stage runs on pages whose drawings include ruling lines (``get_drawings()``: well under a
millisecond a page; a page with no vertical rule is left as it is, so plain pages pay only that):

- **Rules**: strokes, the edges of stroked rectangles and thin filled rectangles (how Word writes
  borders) are horizontal and vertical rules; rules that touch make a table.
- **Cells**: a line's cell is bounded by the nearest rules around it, so a merged (spanning) cell
  is one cell. A line drawn across a vertical rule is cut there first.
- **One text per cell**: the lines of a cell narrower than most of its table (a label, a data
  cell) are joined into one line: in a narrow cell every line goes on with the next, in a wider
  one a line that reaches the cell's right edge does; but never into a line that starts a
  numbered item (①, (1), 1. or "1 " and a word), nor, in a wider cell, a bulleted one (○, ・ …).
  A cell nearly as wide as its table is a text frame: its lines stay lines.
- **Label column**: in a table of two columns whose left one is narrow, a left cell beside
  text is the heading of that text: its line gets the role ``label``.
- **Reading order**: each table is read row by row, a row's cells left to right, where the
  table's first line stood; so a label comes before the text beside it.
- **Header rows**: a shaded first row is the table's header (role ``header``);
  :func:`drop_repeated_headers` also finds the first row that a table repeats at the top of every
  page it runs onto, keeps its first occurrence (role ``header``) and drops the repeats, and the
  first row that several tables of the document open with.

Coordinates are those of the page as shown (see :func:`extract.read.layout.page_lines` for turned
pages). Each line in a table carries its :class:`~extract.read.layout.CellRef`: table, row, column.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import pymupdf

from extract.read.layout import CellRef, RawLine, turner

_TOL = 1.0  # rules this close are one rule
_REACH = 1.5  # a line ending this many font sizes short of its cell's edge fills the cell
_MIN_RULE = 3.0  # shorter strokes are no rules (underlines of a character, ticks)
_THIN = 2.5  # a filled rectangle this thin is a rule
_FRAME = 0.6  # a cell at least this share of its table's width is a text frame: lines stay lines
_NARROW = 14.0  # a cell narrower than this many font sizes is one text, whatever its lines
_LABEL_COLUMN = 0.3  # a label column is at most this share of its table's width
_HEADER_CELL = 20  # a header row's cells are short: at most this many characters
_NUMBERED = re.compile(
    r"^(?:[①-⑳㉑-㉟]|[（(]\s*[0-9０-９一-十]+\s*[）)]|[0-9０-９]{1,2}\s*[．.)）](?![0-9０-９])"
    r"|[0-9０-９]{1,2}\s+[^\s0-9０-９〜～~\-－]|【)"
)
_BULLET = re.compile(r"^[・○〇◯●◎■□◆◇※★☆▪►▶◦\-–]")
_ASCII_END = re.compile(r"[0-9A-Za-z%)]$")
_ASCII_START = re.compile(r"^[0-9A-Za-z(]")


@dataclass(slots=True)
class Rule:
    """A horizontal (``y0 == y1``) or vertical (``x0 == x1``) rule."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return self.y0 == self.y1


@dataclass
class Table:
    """Rules that touch, and the grid they make."""

    number: int
    hs: list[Rule]
    vs: list[Rule]
    x0: float
    y0: float
    x1: float
    y1: float
    xs: list[float]  # distinct column boundaries, left to right
    ys: list[float]  # distinct row boundaries, top to bottom

    def contains(self, x: float, y: float) -> bool:
        return self.x0 - _TOL <= x <= self.x1 + _TOL and self.y0 - _TOL <= y <= self.y1 + _TOL


def page_rules(page: pymupdf.Page) -> tuple[list[Rule], list[pymupdf.Rect]]:
    """The page's rules and its shaded (filled, not thin) rectangles, as the page is shown."""
    turn = turner(page)
    rules: list[Rule] = []
    fills: list[pymupdf.Rect] = []

    def add(x0: float, y0: float, x1: float, y1: float) -> None:
        if abs(y1 - y0) <= _TOL and abs(x1 - x0) >= _MIN_RULE:
            y = round((y0 + y1) / 2, 1)
            rules.append(Rule(min(x0, x1), y, max(x0, x1), y))
        elif abs(x1 - x0) <= _TOL and abs(y1 - y0) >= _MIN_RULE:
            x = round((x0 + x1) / 2, 1)
            rules.append(Rule(x, min(y0, y1), x, max(y0, y1)))

    for path in page.get_cdrawings():  # plain tuples: cheaper than get_drawings()' Rect objects
        kind = path.get("type") or ""
        stroked = "s" in kind
        fill = path.get("fill")
        for item in path["items"]:
            op = item[0]
            if op == "l":
                (px, py), (qx, qy) = turn(*item[1]), turn(*item[2])
                add(px, py, qx, qy)
                continue
            if op == "re":
                x0, y0, x1, y1 = item[1]
            elif op == "qu":
                xs, ys = [q[0] for q in item[1]], [q[1] for q in item[1]]
                x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
            else:
                continue
            (ax, ay), (bx, by) = turn(x0, y0), turn(x1, y1)
            x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
            if x1 - x0 <= _THIN or y1 - y0 <= _THIN:
                if x1 - x0 <= _THIN:
                    add((x0 + x1) / 2, y0, (x0 + x1) / 2, y1)
                else:
                    add(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2)
                continue
            if stroked:
                add(x0, y0, x1, y0)
                add(x0, y1, x1, y1)
                add(x0, y0, x0, y1)
                add(x1, y0, x1, y1)
            if fill is not None and min(fill) < 0.98:  # white is no shading
                fills.append(pymupdf.Rect(x0, y0, x1, y1))
    return rules, fills


def _merge(rules: list[Rule], horizontal: bool) -> list[Rule]:
    """Collinear rules that touch or overlap become one (Word draws a border in pieces)."""
    pos = (lambda r: r.y0) if horizontal else (lambda r: r.x0)
    out: list[Rule] = []
    cluster: list[Rule] = []

    def flush() -> None:
        at = sum(pos(r) for r in cluster) / len(cluster)
        spans = sorted((r.x0, r.x1) if horizontal else (r.y0, r.y1) for r in cluster)
        lo, hi = spans[0]
        for a, b in [*spans[1:], (float("inf"), float("inf"))]:
            if a <= hi + _TOL:
                hi = max(hi, b)
                continue
            out.append(Rule(lo, at, hi, at) if horizontal else Rule(at, lo, at, hi))
            lo, hi = a, b
        cluster.clear()

    for r in sorted(rules, key=pos):
        if cluster and pos(r) - pos(cluster[-1]) > _TOL:
            flush()
        cluster.append(r)
    if cluster:
        flush()
    return out


def _boundaries(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > 2 * _TOL:
            out.append(v)
    return out


def find_tables(rules: list[Rule]) -> list[Table]:
    """Tables: groups of horizontal and vertical rules that touch, with two or more of each."""
    hs = _merge([r for r in rules if r.horizontal], True)
    vs = _merge([r for r in rules if not r.horizontal], False)
    if not hs or not vs:
        return []
    parent = list(range(len(hs) + len(vs)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    tol = 2 * _TOL
    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.x0 - tol <= v.x0 <= h.x1 + tol and v.y0 - tol <= h.y0 <= v.y1 + tol:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = defaultdict(lambda: ([], []))
    for i, h in enumerate(hs):
        groups[find(i)][0].append(h)
    for j, v in enumerate(vs):
        groups[find(len(hs) + j)][1].append(v)
    tables = []
    for g_hs, g_vs in groups.values():
        if len(g_hs) < 2 or len(g_vs) < 2:
            continue
        x0 = min(r.x0 for r in g_hs + g_vs)
        x1 = max(r.x1 for r in g_hs + g_vs)
        y0 = min(r.y0 for r in g_hs + g_vs)
        y1 = max(r.y1 for r in g_hs + g_vs)
        xs = _boundaries([v.x0 for v in g_vs])
        ys = _boundaries([h.y0 for h in g_hs])
        tables.append(Table(0, g_hs, g_vs, x0, y0, x1, y1, xs, ys))
    tables.sort(key=lambda t: (t.y0, t.x0))
    for n, t in enumerate(tables):
        t.number = n
    return tables


def _index(bounds: list[float], value: float) -> int:
    return min(range(len(bounds)), key=lambda k: abs(bounds[k] - value))


def _cell_of(table: Table, line: RawLine) -> tuple[float, float, float, float] | None:
    """The box of the rules nearest around the line, or None when it is not enclosed."""
    cx, cy = (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2
    tol = 2 * _TOL
    crossing = [v.x0 for v in table.vs if v.y0 - tol <= cy <= v.y1 + tol]
    left = max((x for x in crossing if x <= line.x0 + tol), default=None)
    # the cell the line starts in (text that runs past its cell's edge is still that cell's)
    right = min((x for x in crossing if x >= min(line.x1 - tol, line.x0 + line.size)), default=None)
    if left is None or right is None or right - left < 2:
        return None
    mid = (left + right) / 2 if line.x1 - line.x0 > right - left else cx
    across = [h.y0 for h in table.hs if h.x0 - tol <= mid <= h.x1 + tol]
    top = max((y for y in across if y <= line.y0 + tol), default=None)
    bottom = min((y for y in across if y >= line.y1 - tol), default=None)
    if top is None or bottom is None:
        return None
    return left, top, right, bottom


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


def _glue(a: str, b: str) -> str:
    return f"{a} {b}" if _ASCII_END.search(a) and _ASCII_START.match(b) else a + b


def _join(lines: list[RawLine]) -> RawLine:
    first = lines[0]
    joined = RawLine(first.text, first.x0, first.y0, first.x1, first.y1, first.size, first.bold, False,
                     list(first.spans), first.cell, first.role)  # fmt: skip
    for line in lines[1:]:
        joined.text = _glue(joined.text, line.text)
        joined.x0, joined.y0 = min(joined.x0, line.x0), min(joined.y0, line.y0)
        joined.x1, joined.y1 = max(joined.x1, line.x1), max(joined.y1, line.y1)
        joined.size = max(joined.size, line.size)
        joined.bold = joined.bold and line.bold
        joined.spans.extend(line.spans)
    return joined


def _paragraphs(lines: list[RawLine], box: tuple[float, float, float, float], narrow: bool) -> list[RawLine]:
    """The cell's lines as its texts: one per item, its wrapped lines joined."""
    if len(lines) < 2:
        return lines
    out: list[list[RawLine]] = [[lines[0]]]
    for line in lines[1:]:
        prev = out[-1][-1]
        # A narrow cell breaks its words anywhere, even before a 中点 (組織 / ・運営体制): only a
        # number starts an item there. In a wider cell a bullet after a full line does too.
        wrapped = narrow or prev.x1 >= box[2] - _REACH * prev.size - 2
        starts = _NUMBERED.match(line.text) or (not narrow and _BULLET.match(line.text))
        if wrapped and not starts and line.y0 >= prev.y0 + 0.5 * prev.size:
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
    return arrange(lines, tables, fills)


def arrange(lines: list[RawLine], tables: list[Table], fills: list[pymupdf.Rect]) -> list[RawLine]:
    """Assign lines to cells, join each cell's text and put every table in reading order."""
    order: list[RawLine | int] = []  # page lines, and a table's number where its first line stood
    cells: dict[int, dict[tuple[float, float, float, float], list[RawLine]]] = defaultdict(dict)
    for line in lines:
        table = None
        if not line.vertical:
            cx, cy = (line.x0 + line.x1) / 2, (line.y0 + line.y1) / 2
            table = next((t for t in tables if t.contains(cx, cy)), None)
        if table is None:
            order.append(line)
            continue
        for piece in _split_at_rules(line, table):
            box = _cell_of(table, piece)
            if box is None:
                order.append(piece)
                continue
            if table.number not in cells:
                order.append(table.number)
            cells[table.number].setdefault(box, []).append(piece)
    out: list[RawLine] = []
    by_number = {t.number: t for t in tables}
    for item in order:
        if isinstance(item, RawLine):
            out.append(item)
        else:
            out.extend(_read_table(by_number[item], cells[item], fills))
    return out


def _read_table(
    table: Table, cells: dict[tuple[float, float, float, float], list[RawLine]], fills: list[pymupdf.Rect]
) -> list[RawLine]:
    width = table.x1 - table.x0
    boxes = sorted(cells, key=lambda b: (round(b[1], 0), b[0]))
    first_top = min(b[1] for b in boxes)
    header = [b for b in boxes if abs(b[1] - first_top) <= _TOL]
    below = [b for b in boxes if b[1] > first_top + _TOL]
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
    middle = {round(b[2]) for b in body if abs(b[0] - table.x0) <= 2 * _TOL}
    if len(middle) != 1:
        return set()
    xm = next(iter(middle))
    if not 0 < xm - table.x0 <= _LABEL_COLUMN * width:
        return set()
    left = [b for b in body if abs(b[0] - table.x0) <= 2 * _TOL]
    right = [b for b in body if abs(b[0] - xm) <= 2 * _TOL and abs(b[2] - table.x1) <= 2 * _TOL]
    if len(left) + len(right) != len(body):
        return set()  # a third column somewhere: a grid, not a label column
    return {b for b in left if any(r[1] < b[3] - _TOL and r[3] > b[1] + _TOL for r in right)}


def drop_repeated_headers(pages: list[list[RawLine]]) -> list[list[RawLine]]:
    """Keep a table's header row once: a first row repeated at the top of the next page goes.

    A first row of short cells that several tables of the document start with is their header
    too (a compilation's plans each open the same table), whether or not it repeats.

    A table runs onto the next page when the previous page ends with it and that page starts
    with a table (nothing between but what :func:`extract.read.layout.drop_running_lines` removed)
    whose first row reads like the table's first row. Its first occurrence gets the role ``header``;
    its repeats are dropped, so they never reach the section text or the search index.
    """
    open_header: tuple[tuple[str, ...], list[RawLine]] | None = None
    out: list[list[RawLine]] = []
    starts: dict[tuple[str, ...], list[list[RawLine]]] = defaultdict(list)  # first rows of new tables
    for lines in pages:
        tabled = [ln for ln in lines if ln.cell is not None]
        if not tabled:
            out.append(lines)
            open_header = None if lines else open_header
            continue
        first_table = tabled[0].cell.table  # type: ignore[union-attr]
        starts_page = lines[0].cell is not None and lines[0].cell.table == first_table
        rows = _first_row(lines, first_table)
        drop: set[int] = set()
        if starts_page and open_header is not None and rows and _signature(rows) == open_header[0]:
            drop = {id(ln) for ln in rows}
            for ln in open_header[1]:
                ln.role = "header"
        for table in sorted({ln.cell.table for ln in tabled}):  # type: ignore[union-attr]
            if not (drop and table == first_table):
                first = _first_row(lines, table)
                starts[_signature(first)].append(first)
        kept = [ln for ln in lines if id(ln) not in drop]
        out.append(kept)
        last_table = tabled[-1].cell.table  # type: ignore[union-attr]
        if kept[-1].cell is None or kept[-1].cell.table != last_table:
            open_header = None  # text after the page's last table: that table ends on this page
            continue
        if drop and last_table == first_table:
            continue  # the same table goes on: its header stays the one seen first
        last_rows = _first_row(kept, last_table)
        open_header = (_signature(last_rows), last_rows) if last_rows else None
    for signature, rows in starts.items():
        # tables that all start with the same row of short cells (every branch plan's 分野 |
        # 具体的施策等): that row is their header, repeated or not
        short = all(0 < len(cell) <= _HEADER_CELL for cell in signature)
        if len(rows) >= 2 and len(signature) >= 2 and short:
            for row in rows:
                for ln in row:
                    ln.role = "header"
    return out


def _first_row(lines: list[RawLine], table: int) -> list[RawLine]:
    cells = [ln for ln in lines if ln.cell is not None and ln.cell.table == table]
    if not cells:
        return []
    top = min(ln.cell.row for ln in cells)  # type: ignore[union-attr]
    return [ln for ln in cells if ln.cell.row == top]  # type: ignore[union-attr]


def _signature(row: list[RawLine]) -> tuple[str, ...]:
    return tuple("".join(ln.text.split()) for ln in sorted(row, key=lambda ln: ln.x0))
