"""A source table (TAB-separated lines) as a Word table, the way plan writers build them in Word.

* **Header rows**, shaded and repeated at the top of every page the table runs onto. A first row
  of short labels is a header; when one of its cells stands over empty cells and the row below
  fills them (``目標値`` over ``2024 … 2029``), that row is a second header row: the group label
  is merged over the columns it heads, and a header cell with nothing below it (``指 標``,
  ``直近値``) is merged down over both rows.
* **Merged body cells**: an empty first cell under a filled one joins it (a row group); empty
  cells at the end of a row join the last filled one.
* **Column widths** fixed from the content: a column of long labels gets a share of the width in
  which they wrap inside their cell (an indicator's unit ``（%）`` often goes onto a second line).
* Rows may break across pages, as Word allows by default.
"""

from __future__ import annotations

import re

from docx.document import Document
from docx.shared import Pt

from . import docx_parts as parts
from .common import Metrics
from .source import heading_level

TABLE_SIZE = 9.0
PAD_MM = 2 * 1.9  # Word's default cell margins, left and right (0.19 cm each)
PT_PER_MM = 72 / 25.4


def _header_like(row: list[str]) -> bool:
    """Short cells, none a number or a numbered heading (a table of contents has no header row)."""
    cells = [c for c in row if c]
    return len(cells) >= 2 and all(
        len(c) <= 16 and not re.fullmatch(r"[\d,.%()（）\s-]+", c) and not heading_level(c) for c in cells
    )


def header_rows(rows: list[list[str]]) -> int:
    """How many rows at the top of the table are its header (0, 1 or 2)."""
    if len(rows) < 3 or not _header_like(rows[0]):
        return 0
    first, second = rows[0], rows[1]
    grouped = any(first[j] and not first[j + 1] and second[j + 1] for j in range(len(first) - 1))
    return 2 if grouped and not second[0] and len(rows) >= 4 else 1


def widths(rows: list[list[str]], total_mm: float, metrics: Metrics) -> list[float]:
    """Column widths (mm) as Word's AutoFit to contents would set them, within the text width:
    each column its natural width, shrunk towards a minimum (a number, a short word) when the
    table does not fit."""
    ncols = len(rows[0])
    pad = PAD_MM * PT_PER_MM
    nat = [pad + max(metrics.width(r[j], TABLE_SIZE) for r in rows) for j in range(ncols)]
    mins = [min(n, pad + 4 * TABLE_SIZE) for n in nat]
    total = total_mm * PT_PER_MM
    if sum(nat) <= total:
        out = [n * total / sum(nat) for n in nat]
    elif sum(mins) <= total:
        f = (total - sum(mins)) / (sum(nat) - sum(mins))
        out = [lo + (n - lo) * f for n, lo in zip(nat, mins, strict=True)]
    else:
        out = [lo * total / sum(mins) for lo in mins]
    return [w / PT_PER_MM for w in out]


def add_table(doc: Document, rows: list[list[str]], total_mm: float, metrics: Metrics, ink) -> dict:
    """Append ``rows`` as a Word table; ``ink`` turns a source text into the text written. Returns
    what the sidecar says of it (its header rows, its size)."""
    ncols = max(len(r) for r in rows)
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    nhead = header_rows(rows)
    table = doc.add_table(rows=len(rows), cols=ncols)
    parts.table_borders(table, outer=True, inside_h=True, inside_v=True)
    parts.fixed_widths(table, widths(rows, total_mm, metrics))
    merged: set[tuple[int, int]] = set()  # cells covered by another cell's merge
    if nhead == 2:
        first, second = rows[0], rows[1]
        for j in range(ncols):
            if not first[j]:
                continue
            end = j
            while end + 1 < ncols and not first[end + 1] and second[end + 1]:
                end += 1
            if end > j:  # a group label over the columns it heads
                table.cell(0, j).merge(table.cell(0, end))
                merged.update((0, k) for k in range(j + 1, end + 1))
            elif not second[j]:  # nothing below: the label takes both rows
                table.cell(0, j).merge(table.cell(1, j))
                merged.add((1, j))
    last_filled = [max((j for j, c in enumerate(r) if c), default=0) for r in rows]
    for r in range(nhead, len(rows)):
        if 0 < last_filled[r] < ncols - 1:  # empty cells at the end join the last filled one
            table.cell(r, last_filled[r]).merge(table.cell(r, ncols - 1))
            merged.update((r, k) for k in range(last_filled[r] + 1, ncols))
    r = nhead
    while r < len(rows):  # a row group: empty first cells under a filled one
        end = r
        while end + 1 < len(rows) and not rows[end + 1][0] and min(last_filled[end + 1], last_filled[r]) > 0:
            end += 1
        if end > r and rows[r][0]:
            table.cell(r, 0).merge(table.cell(end, 0))
            merged.update((k, 0) for k in range(r + 1, end + 1))
        r = end + 1
    for r, row in enumerate(rows):
        header = r < nhead
        if header:
            parts.repeat_header(table.rows[r])
        for j, text in enumerate(row):
            if (r, j) in merged:
                continue
            cell = table.cell(r, j)
            if header:
                parts.shade(cell)
            if text:
                parts.cell_text(cell, ink(text), TABLE_SIZE)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)
    return {"header": [c for r in rows[:nhead] for c in r if c], "header_rows": nhead, "rows": len(rows),
            "first_cells": [r[0] or next((c for c in r if c), "") for r in rows[nhead:]]}  # fmt: skip


def add_toc(doc: Document, rows: list[list[str]], right_mm: float, ink) -> list[str]:
    """A table of contents as Word sets one: each entry's title, a dot leader, its page number at
    the right margin. Returns the entries' titles."""
    titles = []
    for row in rows:
        cells = [c for c in row if c]
        if not cells:
            continue
        title, page = (" ".join(cells[:-1]), cells[-1]) if len(cells) > 1 else (cells[0], "")
        para = doc.add_paragraph()
        parts.leader_tab(para, right_mm)
        indent = 0 if heading_level(title) == 1 or re.match(r"^(第\s*\d+\s*章|参考)", title) else 4
        para.paragraph_format.left_indent = parts.Mm(indent)
        para.add_run(f"{ink(title)}\t{ink(page)}")
        titles.append(title)
    return titles


def is_toc(rows: list[list[str]]) -> bool:
    """Rows whose last filled cell is a page number (most of them): a table of contents."""
    numbered = sum(bool(re.fullmatch(r"\d{1,4}", next((c for c in reversed(r) if c), ""))) for r in rows)
    return len(rows) >= 3 and numbered >= 0.8 * len(rows)

