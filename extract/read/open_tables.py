"""Open tables: a label table whose only drawn lines are those of its header row.

Word writes a table with ``borders none`` and a shaded header row as two shaded cells and a rule
under them (:mod:`extract.read.rules` makes that header a table of one row); the rows below are
text standing in the header's columns, without a line between them. A 協会けんぽ branch plan
written so is a narrow field label beside the measures: read as lines, the label shares its
baseline with the first measure and is no heading, and a label wrapped in its column
(``１．基盤的保険者機能`` / ``関係``) is two lines.

:func:`extend_label_tables` gives such a table the grid it does not draw: the header's columns go
down as far as the lines below stand in them, and a row starts where the label column starts a
text (after a gap, or with a number). The same grid is laid over the next page when the table
runs onto it without repeating its header (:func:`continue_label_table`).
"""

from __future__ import annotations

import re

from extract.read.layout import RawLine
from extract.read.rules import TOL, Rule, Table, make_table

LABEL_COLUMN = 0.3  # a label column is at most this share of its table's width
_GAP = 2.0  # font sizes of white space below which a line still belongs to the table above it
_NUMBERED = re.compile(
    r"^(?:[①-⑳㉑-㉟]|[（(]\s*[0-9０-９一二三四五六七八九十]+\s*[）)]|[0-9０-９]{1,2}\s*[．.)）]|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ])"
)


def is_label_header(table: Table) -> bool:
    """A table of one row and two columns, the left one narrow: the header of a label table."""
    if len(table.ys) != 2 or len(table.xs) != 3:
        return False
    return 0 < table.xs[1] - table.xs[0] <= LABEL_COLUMN * (table.xs[2] - table.xs[0])


def extend_label_tables(tables: list[Table], lines: list[RawLine]) -> list[Table]:
    """The page's tables, a label table drawn as its header row only given its rows below."""
    out = []
    for table in tables:
        if is_label_header(table):
            body = _body(lines, table.xs, table.y1)
            if body:
                table = _grid(table.number, table.xs, table.y0, body, list(table.hs))
        out.append(table)
    return out


def continue_label_table(xs: list[float], lines: list[RawLine], size: float) -> Table | None:
    """The grid of a label table with columns ``xs`` going on at the top of a page, over the lines
    that stand in its columns, in type no larger than the table's (``size``); None when the page
    does not start so."""
    flat = [ln for ln in lines if not ln.vertical]
    if not flat:
        return None
    top = min(ln.y0 for ln in flat) - 1.0
    body = _body(flat, xs, top)
    if not body or max(ln.size for ln in body) > size + 0.5 or all(ln.x0 < xs[1] - TOL for ln in body):
        return None
    return _grid(0, xs, top, body, [])


def _body(lines: list[RawLine], xs: list[float], top: float) -> list[RawLine]:
    """The lines right below ``top`` that stand within the columns, down to the first that does
    not or to a gap of white space."""
    below = sorted((ln for ln in lines if not ln.vertical and ln.y0 >= top - TOL), key=lambda ln: ln.y0)
    body: list[RawLine] = []
    bottom = top
    for line in below:
        if line.y0 - bottom > _GAP * line.size:
            break
        if not _in_columns(line, xs):
            break
        body.append(line)
        bottom = max(bottom, line.y1)
    return body


def _in_columns(line: RawLine, xs: list[float]) -> bool:
    """Whether the line stands in one of the columns (or in several, where its runs start in each)."""
    if line.x0 < xs[0] - 2 * TOL or line.x1 > xs[-1] + 2 * TOL:
        return False
    k = max(i for i in range(len(xs) - 1) if xs[i] <= line.x0 + 2 * TOL) if line.x0 >= xs[0] - 2 * TOL else 0
    if line.x1 <= xs[k + 1] + 2 * TOL:
        return True
    return any(span[1] >= xs[k + 1] - TOL for span in line.spans)  # two cells run together


def _grid(number: int, xs: list[float], top: float, body: list[RawLine], hs: list[Rule]) -> Table:
    """The table's rules: the columns down to the body's last line, a rule above each row."""
    left, right = xs[0], xs[-1]
    bottom = max(ln.y1 for ln in body) + 1.0
    cuts = [_cut(start, body) for start in _row_starts(body, xs)]
    rows = [Rule(left, y, right, y) for y in cuts if y > top + 2 * TOL]
    hs = [*hs, *rows, Rule(left, bottom, right, bottom)]
    vs = [Rule(x, top, x, bottom) for x in xs]
    return make_table(hs, vs, number)


def _row_starts(body: list[RawLine], xs: list[float]) -> list[RawLine]:
    """The label column's lines that start a text: the first, one after a gap, one with a number."""
    labels = [ln for ln in body if ln.x0 < xs[1] - TOL]
    starts: list[RawLine] = []
    prev: RawLine | None = None
    for line in labels:
        if prev is None or line.y0 - prev.y1 > 0.6 * line.size or _NUMBERED.match(line.text):
            starts.append(line)
        prev = line
    return starts


def _cut(start: RawLine, body: list[RawLine]) -> float:
    """Where the row of ``start`` begins: just above it, and above any line it would cut through."""
    cut = start.y0 - 0.5
    for line in body:
        if line.y0 < cut < line.y1:
            cut = line.y0 - 0.5
    return cut
