"""Typeset a plan text in its *published* layout: the layout its seed text was extracted from.

``plain.py`` typesets every text as one plain column. Published plans are Word and Excel
documents, and the seed texts carry the clues of how they were laid out (see the manifest's
``[document.published]`` tables, which name the layout and the styles a producer varies,
``sheet.Style``):

* ``branch_table`` -- a 協会けんぽ branch plan: a title paragraph, then a two-column Word table
  whose header row (the source line matching ``header_row``: ``分野 具体的施策等``) may repeat at
  the top of every page. A field opens a row (``branches.branch_rows``): the field is the text of
  a narrow left cell that spans all the rows of the field, wrapped onto short lines and left
  empty on the pages where the field goes on; the measures, actions and KPIs fill the wide right
  cell, one row per group.
* ``word`` -- a data-health or 特定健診 plan: headings and paragraphs, and ruled tables for the
  TAB-separated lines: cell text wraps inside its cell, a header row (short cells, not numbers) is
  shaded and may repeat on every page the table runs onto, an empty first cell merges with the
  cell above (a row group), empty cells at the end of a row merge into the last filled one.
* ``sheets`` -- the data-health portal's STEP form: landscape sheets of bordered cells. Each
  group of lines between blank lines is one cell, as the seed gives them in cell order; narrow
  cells stand side by side, a long one takes the whole row; the STEP titles stand above them.
* ``slides`` -- a slide deck: landscape pages of paragraphs.

Every character of every non-blank source line is written, in order; the sidecar records what
the tests of the reader need (pages, branch starts, the header row and the pages it was
repeated on, the styles used, the headings drawn by each kind of bold).
"""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf

from .branches import FieldRow, branch_rows, heading_para, split_branches
from .common import ASCENT, metadata, text_of, to_unicode_cmap, write_sidecar
from .sheet import (
    BODY_SIZE,
    LEADING,
    NARROW_BLOCK,
    PAD_X,
    PAD_Y,
    TABLE_LEADING,
    TABLE_SIZE,
    TITLE_SIZE,
    Face,
    Para,
    Sheet,
    Style,
    faces,
)
from .source import ASCII_RUN, Block, bold_runs, field_labels, heading_level, parse, single, wrap_runs


class BranchTable:
    """The 協会けんぽ two-column table: a label column beside the measures."""

    def __init__(self, sheet: Sheet, header: list[str]) -> None:
        self.s = sheet
        self.header = header
        self.header_pages: list[int] = []

    @property
    def xs(self) -> tuple[float, float, float]:
        s = self.s
        if s.style.field_in_cell:
            return s.left, s.left, s.right
        return s.left, s.left + s.style.label_width, s.right

    def header_row(self) -> None:
        if not self.header:
            return
        s = self.s
        x0, xm, x1 = self.xs
        step = BODY_SIZE * LEADING
        h = step + 2 * PAD_Y
        top = s.y
        if s.style.shade_header:
            s.shade(x0, top, x1, top + h)
        columns = ((x0, xm), (xm, x1)) if xm > x0 else ((x0, x1),)
        texts = self.header if xm > x0 else [" ".join(self.header)]
        for text, (a, b) in zip(texts, columns, strict=False):
            w = s.measure(text, BODY_SIZE)
            baseline = top + PAD_Y + BODY_SIZE * ASCENT + (step - BODY_SIZE) / 2
            s.text((a + b - w) / 2, baseline, text, BODY_SIZE, bold=s.header_bold)
        for a, b in columns:
            s.box(a, top, b, top + h)
        s.y = top + h
        s.dirty = True
        self.header_pages.append(s.page.number + 1)

    def repeat_header(self) -> None:
        """The header row at the top of a page the table runs onto, if the producer repeats it."""
        if self.s.style.repeat_header:
            self.header_row()

    def run(self, rows: list[FieldRow]) -> None:
        s = self.s
        step = BODY_SIZE * LEADING
        s.ensure(3 * step + 2 * PAD_Y)
        self.header_row()
        for row in rows:
            self.field_row(row, step)

    def field_row(self, row: FieldRow, step: float) -> None:
        s = self.s
        x0, xm, x1 = self.xs
        if xm == x0 and row.label:  # the field written as a heading at the top of its cell
            row.groups[0].insert(0, Para(row.label, BODY_SIZE + 0.5, bold=True))
        label_lines = s.wrap(row.label, xm - x0 - 2 * PAD_X, BODY_SIZE) if row.label and xm > x0 else []
        need = max(len(label_lines), 2) * step + 2 * PAD_Y
        if not s.fits(need):
            s.new_page()
            self.repeat_header()
        seg_top = s.y
        for k, line in enumerate(label_lines):  # the label, top of its cell; empty on later pages
            baseline = seg_top + PAD_Y + k * step + BODY_SIZE * ASCENT + (step - BODY_SIZE) / 2
            s.text(x0 + PAD_X, baseline, line, BODY_SIZE)
        label_bottom = seg_top + len(label_lines) * step + 2 * PAD_Y
        for group in row.groups:
            cell_top = s.y
            s.y += PAD_Y
            for para in group:
                for line in s.wrap(para.text, x1 - xm - 2 * PAD_X, para.size, para.bold):
                    if s.y + step + PAD_Y > s.bottom:  # the row breaks across the page
                        s.box(xm, cell_top, x1, s.y + PAD_Y)
                        if xm > x0:
                            s.box(x0, seg_top, xm, s.y + PAD_Y)
                        s.new_page()
                        self.repeat_header()
                        seg_top = cell_top = s.y
                        label_bottom = 0.0
                        s.y += PAD_Y
                    baseline = s.y + para.size * ASCENT + (step - para.size) / 2
                    s.text(xm + PAD_X, baseline, line, para.size, para.bold)
                    s.y += step
                    s.dirty = True
                if para.bold:
                    s.note_bold(para.text)
            s.y = max(s.y + PAD_Y, label_bottom if group is row.groups[-1] else 0.0)
            s.box(xm, cell_top, x1, s.y)
        s.y = max(s.y, label_bottom)
        if xm > x0:
            s.box(x0, seg_top, xm, s.y)



def _header_like(row: list[str]) -> bool:
    """Short cells, none a number or a numbered heading (a table of contents has no header row)."""
    cells = [c for c in row if c]
    return len(cells) >= 2 and all(
        len(c) <= 16 and not re.fullmatch(r"[\d,.%()（）\s-]+", c) and not heading_level(c) for c in cells
    )


class WordTable:
    """A ruled table: wrapped cells, a header row, merged cells, rows moved whole to the next page."""

    def __init__(self, sheet: Sheet, rows: list[list[str]]) -> None:
        self.s = sheet
        ncols = max(len(r) for r in rows)
        self.rows = [r + [""] * (ncols - len(r)) for r in rows]
        self.ncols = ncols
        self.header = self.rows[0] if len(self.rows) >= 3 and _header_like(self.rows[0]) else None
        self.header_pages: list[int] = []

    def widths(self) -> list[float]:
        s, pad = self.s, 2 * PAD_X
        total = s.right - s.left
        nat = [pad + max(s.measure(r[j], TABLE_SIZE) for r in self.rows) for j in range(self.ncols)]
        mins = []
        for j in range(self.ncols):
            runs = [s.measure(t, TABLE_SIZE) for r in self.rows for t in ASCII_RUN.findall(r[j])]
            lo = max([2 * TABLE_SIZE] + [min(w, 60.0) for w in runs])
            mins.append(min(nat[j], pad + lo))
        if sum(nat) <= total:
            return [n * total / sum(nat) for n in nat]
        if sum(mins) <= total:
            f = (total - sum(mins)) / (sum(nat) - sum(mins))
            return [lo + (n - lo) * f for n, lo in zip(nat, mins, strict=True)]
        return [lo * total / sum(mins) for lo in mins]

    def run(self) -> None:
        s = self.s
        widths = self.widths()
        step = TABLE_SIZE * TABLE_LEADING
        s.y += 5.0
        for r, row in enumerate(self.rows):
            spans = self.spans(row)
            cells = []
            for j, span in spans:
                w = sum(widths[j : j + span])
                cells.append((j, span, s.wrap(row[j], w - 2 * PAD_X, TABLE_SIZE) if row[j] else []))
            nlines = max([1] + [len(c) for _, _, c in cells])
            height = nlines * step + 2 * PAD_Y
            above = self.rows[r - 1] if r else None
            merged_up = above is not None and not row[0] and above[0] != "" and self.header is not above
            if not s.fits(height):
                s.new_page()
                if self.header is not None and r > 0 and s.style.repeat_header:
                    self.draw_row(0, self.rows[0], self.spans(self.rows[0]), widths, step, shaded=True)
                merged_up = False
            self.draw_row(r, row, spans, widths, step, shaded=self.header is not None and r == 0,
                          cells=cells, merged_up=merged_up)  # fmt: skip
        s.y += 5.0

    def spans(self, row: list[str]) -> list[tuple[int, int]]:
        """(first column, columns spanned) of each cell: empty cells at the end merge leftwards."""
        last = max((j for j, c in enumerate(row) if c), default=0)
        out = [(j, 1) for j in range(last)]
        out.append((last, len(row) - last))
        return out

    def draw_row(self, r, row, spans, widths, step, *, shaded=False, cells=None, merged_up=False) -> None:
        s = self.s
        if cells is None:
            cells = []
            for j, span in spans:
                w = sum(widths[j : j + span]) - 2 * PAD_X
                cells.append((j, span, s.wrap(row[j], w, TABLE_SIZE) if row[j] else []))
        nlines = max([1] + [len(c) for _, _, c in cells])
        top, height = s.y, nlines * step + 2 * PAD_Y
        if r == 0 and shaded:
            self.header_pages.append(s.page.number + 1)
        if shaded and s.style.shade_header:
            s.shade(s.left, top, s.left + sum(widths), top + height)
        for j, span, lines in cells:
            x = s.left + sum(widths[:j])
            w = sum(widths[j : j + span])
            for k, line in enumerate(lines):
                baseline = top + PAD_Y + k * step + TABLE_SIZE * ASCENT + (step - TABLE_SIZE) / 2
                s.text(x + PAD_X, baseline, line, TABLE_SIZE, bold=shaded and s.header_bold)
            s.box(x, top, x + w, top + height, top=not (merged_up and j == 0))
        s.y = top + height
        s.dirty = True


def sheet_cells(blocks: list[list[str]], sheet: Sheet) -> None:
    """STEP sheets: each block of lines a bordered cell; narrow cells side by side."""
    s = sheet
    step = TABLE_SIZE * TABLE_LEADING
    total = s.right - s.left
    row: list[tuple[float, list]] = []  # (width, the cell's lines as runs)

    def flush() -> None:
        if not row:
            return
        used = sum(w for w, _ in row)
        scale = total / used if used > total * 0.75 else 1.0
        nlines = max(len(lines) for _, lines in row)
        height = nlines * step + 2 * PAD_Y
        s.ensure(height)
        top, x = s.y, s.left
        for w, lines in row:
            w *= scale
            for k, line in enumerate(lines):
                baseline = top + PAD_Y + k * step + TABLE_SIZE * ASCENT + (step - TABLE_SIZE) / 2
                s.runs(x + PAD_X, baseline, line, TABLE_SIZE)
            s.box(x, top, x + w, top + height)
            x += w
        s.y = top + height
        s.dirty = True
        row.clear()

    def wide(text: str) -> list[str]:
        return s.wrap(text, total - 2 * PAD_X, TABLE_SIZE)

    for block in blocks:  # lines of the transcription: a run it holds twice is one bold run
        longest = max(len(single(line)) for line in block)
        if longest <= NARROW_BLOCK:
            runs = [bold_runs(line) for line in block]
            w = max(sum(s.measure(t, TABLE_SIZE, b) for t, b in line) for line in runs) + 2 * PAD_X + 2.0
            w = max(w, 3 * TABLE_SIZE)
            if sum(x for x, _ in row) + w > total:
                flush()
            row.append((w, runs))
            continue
        flush()
        lines = [part for line in block for part in wrap_runs(bold_runs(line), wide)]
        while lines:  # a cell taller than the page goes on on the next one
            room = max(1, int((s.bottom - s.y - 2 * PAD_Y) // step))
            if room < 2 and s.dirty:
                s.new_page()
                continue
            row.append((total, lines[:room]))
            lines = lines[room:]
            flush()
            if lines:
                s.new_page()
    flush()


# --- driver ---------------------------------------------------------------------------------
def _styles(spec: dict) -> list[Style]:
    styles = [Style.of(st) for st in spec.get("styles", [])]
    return styles or [Style()]


def _blocks_by_blank(lines: list[str]) -> list[list[str]]:
    blocks, cur = [], []
    for line in lines:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    return blocks


def typeset(
    entry: dict, text: str, fonts: dict[str, Face], doc: pymupdf.Document, *, sheet: Sheet | None = None
) -> dict:
    """Lay out ``text`` into ``doc`` in the published layout of ``entry``; returns sidecar facts.

    ``sheet`` (with its own styles in ``sheet.styles``) lets another producer draw the same layout
    its own way (``overprint.py``)."""
    spec = entry["published"]
    layout = spec["layout"]
    styles = getattr(sheet, "styles", None) or _styles(spec)
    sheet = sheet or Sheet(doc, fonts, entry["short_title"])
    info: dict = {"layout": layout, "branch_starts": [], "header": [], "header_pages": [], "styles": []}
    if layout == "branch_table":
        rx = re.compile(entry["page_break_before"])
        header_rx = re.compile(spec["header_row"])
        parts = split_branches(text, rx)
        spellings = entry.get("field_spellings", [])
        for n, lines in enumerate(parts):
            sheet.finish_page()  # in the previous branch's style (its footer, its page size)
            sheet.style = styles[n % len(styles)]
            info["styles"].append(vars(sheet.style).copy())
            sheet.new_page()
            info["branch_starts"].append(sheet.page.number + 1)
            spelling = spellings[n % len(spellings)] if spellings else None
            before, header, rows = branch_rows(lines, header_rx, spelling, field_labels(entry))
            for p in before:
                title = bool(rx.search(p.text))
                para = Para(p.text, TITLE_SIZE, bold=True, center=True) if title else p
                sheet.paragraph(para, space_before=4.0)
            sheet.y += 6.0
            table = BranchTable(sheet, header)
            table.run(rows)
            if header:
                info["header"] = header
                info["header_pages"].extend(table.header_pages)
    else:
        sheet.style = styles[0]
        info["styles"].append(vars(sheet.style).copy())
        sheet.new_page()
        if layout == "sheets":
            # The STEP titles stand above the cells; every other line belongs to a cell. A blank
            # line ends a cell, and so does a line the seed indents: a text object of its own
            # (a report's title bar, printed twice by fake bold).
            sections: list[tuple[Block | None, list[str]]] = [(None, [])]
            for raw in text.split("\n"):
                cells = [c.strip() for c in raw.split("\t") if c.strip()]
                line = " ".join(cells)
                level = heading_level(single(line))
                if level == 1 and line.upper().startswith("STEP"):
                    sections.append((Block("heading", single(line), 1), []))
                    continue
                body = sections[-1][1]
                if line and raw[:1].isspace() and body and body[-1]:
                    body.append("")
                body.append(line)
            for heading, body in sections:
                if heading is not None:
                    sheet.ensure(3 * BODY_SIZE * LEADING)
                    sheet.paragraph(heading_para(heading), space_before=8.0)
                if any(body):
                    sheet.y += 4.0
                    sheet_cells(_blocks_by_blank(body), sheet)
        else:
            for b in parse(text):
                if b.kind == "blank":
                    sheet.y += 0.5 * BODY_SIZE if sheet.dirty else 0.0
                elif b.kind == "heading" and layout != "slides":
                    sheet.paragraph(heading_para(b), space_before=8.0 if b.level == 1 else 4.0)
                elif b.kind == "table":
                    table = WordTable(sheet, b.rows)
                    table.run()
                    if table.header is not None and len(table.header_pages) > 1:
                        info["header_pages"].append({"header": [c for c in table.header if c],
                                                     "pages": table.header_pages})  # fmt: skip
                else:
                    sheet.paragraph(Para(b.text, bold=b.kind == "heading", runs=b.runs))
    sheet.finish_page()
    info["bold"] = sheet.bold_kinds
    if sheet.bold_runs:
        info["bold_runs"] = sheet.bold_runs
    if sheet.overprints:
        info["overprints"] = sheet.overprints
    return info


def fix_to_unicode(
    doc: pymupdf.Document, fonts: dict[str, Face], remap: dict[str, str] | None = None
) -> list[str]:
    """Each embedded font's ToUnicode map, from the characters written with it
    (``common.to_unicode_cmap``; ``remap`` names other characters for some glyphs)."""
    lost: list[str] = []
    for face in fonts.values():
        if not face.used:
            continue
        xrefs = sorted({f[0] for page in doc for f in page.get_fonts() if f[4] == face.name})
        cmap, lost_here = to_unicode_cmap(face.font, face.used, remap)
        lost.extend(lost_here)
        for xref in xrefs:
            kind, value = doc.xref_get_key(xref, "ToUnicode")
            if kind == "xref":
                doc.update_stream(int(value.split()[0]), cmap)
            else:
                tu = doc.get_new_xref()
                doc.update_object(tu, "<<>>")
                doc.update_stream(tu, cmap)
                doc.xref_set_key(xref, "ToUnicode", f"{tu} 0 R")
    return lost


def build_published(entry: dict, out: Path, gothic: str) -> dict:
    """Write ``out/{id}.pdf`` and its sidecar in the published layout; returns the sidecar."""
    fonts = faces(gothic)
    doc = pymupdf.open()
    info = typeset(entry, text_of(entry), fonts, doc)
    # fonts inserted on a page but never used there are dropped by garbage collection
    doc.set_metadata(metadata(entry))
    doc.subset_fonts()
    fix_to_unicode(doc, fonts)
    pdf = out / f"{entry['id']}.pdf"
    doc.save(pdf, garbage=4, deflate=True, no_new_id=True)
    pages = doc.page_count
    doc.close()
    sidecar = {"id": entry["id"], "pages": pages, **info}
    write_sidecar(out, sidecar)
    return sidecar
