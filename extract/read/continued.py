"""Tables across pages: a table that runs onto the next page is read as one.

A table longer than its page goes on at the top of the next one, and the producers mark the
break in several ways; read page by page, each of them loses text:

- **a repeated header row** (Word's "repeat as header row", Calc's print titles): kept once with
  the role ``header``, its repeats dropped, so that it is never section text nor a search
  sentence (:func:`drop_repeated_headers`); the first row that several tables of a document open
  with is their header too, repeated or not;
- **a row split by the page break**: Word lets a row break across pages, and a field label
  wrapped in its narrow cell is cut in two (``２．戦略`` at the foot of one page, ``的保険者機能関係``
  under the repeated header of the next): the label's rest is joined to its start
  (:func:`join_split_rows`); so is a row of a grid cut so (``現状値（令和4年`` / ``度）``);
- **a table without lines** (``borders none``) that goes on without repeating its header: the page
  has no drawing to read cells from, and its lines are laid on the columns of the table it
  continues (:func:`extend_open_tables`).

:func:`read_across_pages` does all three, on the pages as :func:`extract.read.layout.drop_running_lines`
leaves them (no running header between a table and its continuation).
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict

from extract.read.cells import arrange, glue
from extract.read.layout import RawLine
from extract.read.open_tables import LABEL_COLUMN, continue_label_table
from extract.read.rules import boundaries

_HEADER_CELL = 20  # a header row's cells are short: at most this many characters
_STARTS_ITEM = re.compile(
    r"^(?:[①-⑳㉑-㉟]|[（(]\s*[0-9０-９一二三四五六七八九十]+\s*[）)]|[0-9０-９]{1,2}\s*[．.)）、]|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹ]|"
    r"[・○〇◯●◎■□◆◇※★☆▪►▶◦])"
)


def read_across_pages(pages: list[list[RawLine]]) -> list[list[RawLine]]:
    """The pages with their tables read across page breaks (see the module's docstring)."""
    return join_split_rows(drop_repeated_headers(extend_open_tables(pages)))


def _label_columns(lines: list[RawLine]) -> list[float] | None:
    """The column boundaries of the label table the page ends with, if it ends with one (a table
    of two columns, the left one narrow, with a label)."""
    if not lines or lines[-1].cell is None:
        return None
    table = lines[-1].cell.table
    cells = [ln.cell for ln in lines if ln.cell is not None and ln.cell.table == table]
    if not any(ln.role == "label" for ln in lines if ln.cell is not None and ln.cell.table == table):
        return None
    xs = boundaries([c.x0 for c in cells] + [c.x1 for c in cells])
    if len(xs) != 3 or not 0 < xs[1] - xs[0] <= LABEL_COLUMN * (xs[2] - xs[0]):
        return None
    return xs


def extend_open_tables(pages: list[list[RawLine]]) -> list[list[RawLine]]:
    """A page without a table that goes on with the label table its previous page ends with:
    its lines read in that table's columns (and so on, page after page)."""
    out: list[list[RawLine]] = []
    open_table: tuple[list[float], float] | None = None  # columns and type size of the table going on
    for lines in pages:
        if open_table is not None and lines and all(ln.cell is None for ln in lines):
            table = continue_label_table(open_table[0], lines, open_table[1])
            if table is not None:
                lines = arrange(lines, [table], [])
                out.append(lines)
                if lines[-1].cell is None:
                    open_table = None
                continue
        xs = _label_columns(lines)
        open_table = (xs, max(ln.size for ln in lines if ln.cell is not None)) if xs else None
        out.append(lines)
    return out


def join_split_rows(pages: list[list[RawLine]]) -> list[list[RawLine]]:
    """A row cut by a page break joined: when a page goes on with the table its previous page
    ends with (the same columns), the first row's texts continue the last row's, cell by cell,

    - in a label column: a label that does not start an item continues the last label, when
      that one does (``２．戦略`` + ``的保険者機能関係``);
    - in a grid: when the last row's text runs down to its foot (no padding left: the break cut
      it), a first row with fewer filled cells, none of them starting an item, is its rest
      (``現状値（令和4年`` + ``度）``)."""
    for before, after in itertools.pairwise(pages):
        if not before or not after or before[-1].cell is None or after[0].cell is None:
            continue
        last = _edge_row(before, before[-1].cell.table, bottom=True)
        first = _edge_row(after, after[0].cell.table, bottom=False)
        pairs = [(a, b) for b in first for a in last if _same_column(a, b)]
        if not pairs or len(pairs) != len(first):
            continue  # a cell in a column the last row does not have: another table
        columns = {round(a.cell.x0) for a in last}  # type: ignore[union-attr]
        partial = len({round(b.cell.x0) for b in first}) < len(columns)  # type: ignore[union-attr]
        if any(a.role == "label" for a in last):  # a label table: only its label is joined
            pairs = [(a, b) for a, b in pairs if a.role == b.role == "label" and _STARTS_ITEM.match(a.text)
                     and not _STARTS_ITEM.match(b.text)]  # fmt: skip
        elif not partial or not _cut(last) or any(_STARTS_ITEM.match(b.text) for _, b in pairs):
            continue
        for a, b in pairs:
            a.text = glue(a.text, b.text)
            a.spans.extend(b.spans)
            after.remove(b)
    return pages


def _edge_row(lines: list[RawLine], table: int, bottom: bool) -> list[RawLine]:
    """A table's texts in its last row (``bottom``: the cells that reach its foot, a merged label
    cell among them; the last text of each) or its first row (the first text of each cell)."""
    cells = [ln for ln in lines if ln.cell is not None and ln.cell.table == table]
    edge = max(ln.cell.y1 for ln in cells) if bottom else min(ln.cell.y0 for ln in cells)  # type: ignore[union-attr]
    chosen: dict[tuple[int, int], RawLine] = {}
    for ln in cells:
        c = ln.cell
        assert c is not None
        key = (round(c.x0), round(c.y0))
        if abs((c.y1 if bottom else c.y0) - edge) <= 2.0 and (bottom or key not in chosen):
            chosen[key] = ln
    return list(chosen.values())


def _cut(row: list[RawLine]) -> bool:
    """Whether a row's text runs down to its foot: a row the page break cut (a row that ends on
    its page keeps its cells' padding under its last line)."""
    bottom = max(ln.cell.y1 for ln in row)  # type: ignore[union-attr]
    return max(ln.y1 for ln in row) >= bottom - 0.4 * max(ln.size for ln in row)


def _same_column(a: RawLine, b: RawLine) -> bool:
    assert a.cell is not None and b.cell is not None
    return abs(a.cell.x0 - b.cell.x0) <= 2.0 and abs(a.cell.x1 - b.cell.x1) <= 2.0


def drop_repeated_headers(pages: list[list[RawLine]]) -> list[list[RawLine]]:
    """Keep a table's header row once: a first row repeated at the top of the next page goes.

    A first row of short cells that several tables of the document start with is their header
    too (a compilation's plans each open the same table), whether or not it repeats.

    A table runs onto the next page when the previous page ends with it and that page starts
    with a table (nothing between but what :func:`extract.read.layout.drop_running_lines` removed)
    whose first row reads like the table's first row. Its first occurrence gets the role ``header``;
    its repeats are dropped, so they never reach the section text or the search index.
    """
    open_header: tuple[list[tuple[str, ...]], list[RawLine]] | None = None
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
        if starts_page and open_header is not None and rows and _signature(rows) == open_header[0][0]:
            # the header repeated: its first row, and the rows under it that repeat the table's
            # own next rows too (two header rows: 目標値 over the years)
            tops = _top_rows(lines, first_table, len(open_header[0]) + 1)
            for n, (repeated, original) in enumerate(zip(tops, open_header[0], strict=False)):
                if _signature(repeated) != original or (n and n == len(tops) - 1):
                    break  # a row under the header repeats only if a body row follows it
                drop |= {id(ln) for ln in repeated}
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
        tops = [_signature(row) for row in _top_rows(kept, last_table, _HEADER_ROWS)]
        open_header = (tops, last_rows) if last_rows else None
    for signature, rows in starts.items():
        # tables that all start with the same row of short cells (every branch plan's 分野 |
        # 具体的施策等): that row is their header, repeated or not
        short = all(0 < len(cell) <= _HEADER_CELL for cell in signature)
        if len(rows) >= 2 and len(signature) >= 2 and short:
            for row in rows:
                for ln in row:
                    ln.role = "header"
    return out


_HEADER_ROWS = 3
"""Rows a table's header may span (a two-row header: 目標値 over its years), as it repeats them."""


def _top_rows(lines: list[RawLine], table: int, count: int) -> list[list[RawLine]]:
    """The table's first ``count`` rows (each the texts of its cells), top down."""
    cells = [ln for ln in lines if ln.cell is not None and ln.cell.table == table]
    numbers = sorted({ln.cell.row for ln in cells})[:count]  # type: ignore[union-attr]
    return [[ln for ln in cells if ln.cell.row == n] for n in numbers]  # type: ignore[union-attr]


def _first_row(lines: list[RawLine], table: int) -> list[RawLine]:
    cells = [ln for ln in lines if ln.cell is not None and ln.cell.table == table]
    if not cells:
        return []
    top = min(ln.cell.row for ln in cells)  # type: ignore[union-attr]
    return [ln for ln in cells if ln.cell.row == top]  # type: ignore[union-attr]


def _signature(row: list[RawLine]) -> tuple[str, ...]:
    return tuple("".join(ln.text.split()) for ln in sorted(row, key=lambda ln: ln.x0))
