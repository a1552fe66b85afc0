"""The *plain* layout: every text of the manifest typeset as one column of A4 pages with the
Japanese TrueType font IPAexGothic (embedded, subset), into ``corpus/pdfs/{id}.pdf``.

Layout rules (general, nothing is special-cased per line; which lines are headings and tables
is ``source.parse``'s):

* body 10.5 pt, wrapped at the right margin at any character (Japanese line breaking);
* headings of level 1 (16 pt, fake bold: drawn twice, the copy offset by +0.3 pt), level 2
  (13 pt), level 3 (11.5 pt);
* tables ruled (9 pt), written cell by cell, row by row; column widths follow the content, cell
  text wraps inside its cell, a table continues on the next page (a row that does not fit moves
  there whole; only a row taller than a page is split);
* blank lines become paragraph spacing;
* a running header (the manifest ``short_title``, 8 pt) on every page but the first, and a
  centred footer ``- N -`` on every page;
* a new page before every line matching the manifest's ``page_break_before`` regex.

Every character of every non-blank source line is written, in order (lines are stripped of
leading and trailing white space). The font's ToUnicode map is rewritten so that each glyph
extracts as the character it was written for (``common.to_unicode_cmap``). Characters the font
has no glyph for are written anyway (as glyph 0, with no Unicode mapping), so such text comes
out garbled when extracted -- as in the published slide deck this corpus copies. The output is
deterministic: building twice gives the same bytes.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pymupdf

from .common import ASCENT, FONT_NAME, Metrics, fix_to_unicode, metadata, refer_font, text_of, write_sidecar
from .source import ASCII_RUN, Block, Runs, field_labels, parse, wrap_runs

PAGE_W, PAGE_H = pymupdf.paper_size("a4")  # 595 x 842
MARGIN_L = MARGIN_R = 56.0
MARGIN_T = 68.0
MARGIN_B = 70.0
CONTENT_W = PAGE_W - MARGIN_L - MARGIN_R
BOTTOM = PAGE_H - MARGIN_B

BODY_SIZE = 10.5
BODY_LEADING = 1.6  # line box = size * leading
PARA_SPACE = 0.6 * BODY_SIZE  # extra space for a blank source line
HEADING_SIZES = {1: 16.0, 2: 13.0, 3: 11.5}
HEADING_SPACE_BEFORE = {1: 14.0, 2: 9.0, 3: 5.0}
HEADING_SPACE_AFTER = {1: 6.0, 2: 3.0, 3: 1.0}
HEADING_LEADING = 1.4
FAKE_BOLD_DX = 0.3
MAX_HEADING_CHARS = 40

TABLE_SIZE = 9.0
TABLE_LEADING = 1.35
CELL_PAD_X = 3.0
CELL_PAD_Y = 2.5
TABLE_SPACE = 5.0  # space above and below a table
RULE_WIDTH = 0.5

HEADER_SIZE = 8.0
HEADER_BASELINE = 40.0
FOOTER_SIZE = 9.0
FOOTER_BASELINE = PAGE_H - 36.0



# --- the typesetter ---------------------------------------------------------------------
class Typesetter:
    def __init__(self, doc: pymupdf.Document, fontfile: str, metrics: Metrics, short_title: str):
        self.doc = doc
        self.fontfile = fontfile
        self.m = metrics
        self.short_title = short_title
        self.page: pymupdf.Page | None = None
        self.shape: pymupdf.Shape | None = None
        self.y = MARGIN_T  # top of the next line box
        self.dirty = False  # something has been written on the current page
        self.pending_space = 0.0
        self.fake_bold: list[str] = []
        self.bold_runs: list[str] = []  # runs drawn fake bold in lines that are not (source.bold_runs)
        self.branch_starts: list[int] = []
        self.used: Counter[str] = Counter()  # every character written, for the ToUnicode map
        self.font_xref: int | None = None

    # pages
    def new_page(self) -> None:
        self.finish_page()
        self.page = self.doc.new_page(width=PAGE_W, height=PAGE_H)
        if self.font_xref is None:  # embedded once; later pages refer to the same font object
            self.font_xref = self.page.insert_font(fontname=FONT_NAME, fontfile=self.fontfile)
        else:
            refer_font(self.doc, self.page, FONT_NAME, self.font_xref)
        self.shape = self.page.new_shape()
        number = self.page.number + 1
        if number > 1:  # running header, in content-stream order before the body
            w = self.m.width(self.short_title, HEADER_SIZE)
            self.text(PAGE_W - MARGIN_R - w, HEADER_BASELINE, self.short_title, HEADER_SIZE)
            self.shape.draw_line((MARGIN_L, HEADER_BASELINE + 4), (PAGE_W - MARGIN_R, HEADER_BASELINE + 4))
            self.shape.finish(width=0.4, color=(0.45, 0.45, 0.45))
        self.y = MARGIN_T
        self.dirty = False
        self.pending_space = 0.0

    def finish_page(self) -> None:
        if self.page is None:
            return
        footer = f"- {self.page.number + 1} -"
        w = self.m.width(footer, FOOTER_SIZE)
        self.text((PAGE_W - w) / 2, FOOTER_BASELINE, footer, FOOTER_SIZE)
        self.shape.commit()
        self.page = self.shape = None

    def text(self, x: float, baseline: float, s: str, size: float) -> None:
        self.used.update(s)
        self.shape.insert_text((x, baseline), s, fontname=FONT_NAME, fontsize=size, color=(0, 0, 0))

    def ensure(self, height: float) -> None:
        """Start a new page unless a box of this height fits below the cursor."""
        if self.y + self.pending_space + height > BOTTOM and self.dirty:
            self.new_page()
        if self.dirty:
            self.y += self.pending_space
        self.pending_space = 0.0

    def space(self, amount: float) -> None:
        self.pending_space = max(self.pending_space, amount)

    # blocks
    def runs(self, x: float, baseline: float, runs: Runs, size: float, bold: bool = False) -> None:
        """Write a line run by run, each bold run (or all, ``bold``) in fake bold: the same text
        again, shifted right by a fraction of a point."""
        for s, strong in runs:
            self.text(x, baseline, s, size)
            if bold or strong:
                self.text(x + FAKE_BOLD_DX, baseline, s, size)
            if strong and not bold:
                self.bold_runs.append(s)
            x += self.m.width(s, size)

    def lines(
        self, s: str, size: float, leading: float, *, bold: bool = False, keep: float = 0.0,
        runs: Runs | None = None,
    ) -> None:
        step = size * leading
        wrapped = wrap_runs(runs or [(s, False)], lambda t: self.m.wrap(t, CONTENT_W, size))
        for k, line in enumerate(wrapped):
            self.ensure(step + (keep if k == len(wrapped) - 1 else 0.0))
            baseline = self.y + size * ASCENT + (step - size) / 2
            self.runs(MARGIN_L, baseline, line, size, bold)
            self.y += step
            self.dirty = True

    def heading(self, s: str, level: int, runs: Runs | None = None) -> None:
        size = HEADING_SIZES[level]
        self.space(HEADING_SPACE_BEFORE[level])
        # keep the heading together with the first line of what follows
        self.lines(s, size, HEADING_LEADING, bold=level == 1, keep=BODY_SIZE * BODY_LEADING, runs=runs)
        if level == 1:
            self.fake_bold.append(s)
        self.space(HEADING_SPACE_AFTER[level])

    def table(self, rows: list[list[str]], row_runs: list[list[Runs]] | None = None) -> None:
        ncols = max(len(r) for r in rows)
        runs = [[*(rr or [[(c, False)] for c in r]), *[[]] * (ncols - len(r))]
                for r, rr in zip(rows, row_runs or [None] * len(rows), strict=True)]  # fmt: skip
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        widths = self.column_widths(rows, ncols)
        step = TABLE_SIZE * TABLE_LEADING
        inner = [w - 2 * CELL_PAD_X for w in widths]
        cells = [
            [wrap_runs(cr, lambda t, w=w: self.m.wrap(t, w, TABLE_SIZE)) if c else []
             for c, cr, w in zip(r, rr, inner, strict=True)]
            for r, rr in zip(rows, runs, strict=True)
        ]  # fmt: skip
        self.space(TABLE_SPACE)
        for row in cells:
            nlines = max(1, max(len(c) for c in row))
            done = 0
            # A row goes whole onto the next page when it does not fit; only a row taller
            # than a page is split (then its cells' text interleaves across the break).
            full = nlines * step + 2 * CELL_PAD_Y
            self.ensure(full if full <= BOTTOM - MARGIN_T else step + 2 * CELL_PAD_Y)
            while done < nlines:
                # as many lines of this row as fit on the page (at least one)
                self.ensure(step + 2 * CELL_PAD_Y)
                room = int((BOTTOM - self.y - 2 * CELL_PAD_Y) // step)
                take = max(1, min(nlines - done, room))
                top = self.y
                height = take * step + 2 * CELL_PAD_Y
                x = MARGIN_L
                for c, w in zip(row, widths, strict=True):
                    for k, line in enumerate(c[done : done + take]):
                        baseline = top + CELL_PAD_Y + k * step + TABLE_SIZE * ASCENT + (step - TABLE_SIZE) / 2
                        self.runs(x + CELL_PAD_X, baseline, line, TABLE_SIZE)
                    x += w
                self.rule_row(top, height, widths)
                self.y = top + height
                self.dirty = True
                done += take
                if done < nlines:
                    self.new_page()
        self.space(TABLE_SPACE)

    def rule_row(self, top: float, height: float, widths: list[float]) -> None:
        x = MARGIN_L
        for w in widths:
            self.shape.draw_rect(pymupdf.Rect(x, top, x + w, top + height))
            x += w
        self.shape.finish(width=RULE_WIDTH, color=(0, 0, 0))

    def column_widths(self, rows: list[list[str]], ncols: int) -> list[float]:
        """Widths proportional to content: like HTML auto layout, fill the text width."""
        pad = 2 * CELL_PAD_X
        nat = [pad + max(self.m.width(r[j], TABLE_SIZE) for r in rows) for j in range(ncols)]
        mins = []
        for j in range(ncols):
            runs = [self.m.width(t, TABLE_SIZE) for r in rows for t in ASCII_RUN.findall(r[j])]
            lo = max([2 * TABLE_SIZE] + [min(w, 60.0) for w in runs])
            mins.append(min(nat[j], pad + lo))
        total_nat, total_min = sum(nat), sum(mins)
        if total_nat <= CONTENT_W:
            widths = [n * CONTENT_W / total_nat for n in nat]
        elif total_min <= CONTENT_W:
            f = (CONTENT_W - total_min) / (total_nat - total_min)
            widths = [lo + (n - lo) * f for n, lo in zip(nat, mins, strict=True)]
        else:
            widths = [lo * CONTENT_W / total_min for lo in mins]
        return widths

    def run(self, blocks: list[Block], page_break: re.Pattern[str] | None) -> None:
        self.new_page()
        for b in blocks:
            if b.kind == "blank":
                self.space(PARA_SPACE)
                continue
            if page_break is not None and b.kind in ("text", "heading") and page_break.search(b.text):
                if self.dirty:
                    self.new_page()
                self.branch_starts.append(self.page.number + 1)
            if b.kind == "heading":
                self.heading(b.text, b.level, b.runs)
            elif b.kind == "text":
                self.lines(b.text, BODY_SIZE, BODY_LEADING, runs=b.runs)
            else:
                self.table(b.rows, b.row_runs)
        self.finish_page()



def build_plain(entry: dict, out: Path, fontfile: str, metrics: Metrics) -> dict:
    """Write ``out/{id}.pdf`` and its sidecar in the plain layout; returns the sidecar."""
    blocks = parse(text_of(entry), field_labels(entry))
    rx = entry.get("page_break_before")
    page_break = re.compile(rx) if rx else None

    doc = pymupdf.open()
    ts = Typesetter(doc, fontfile, metrics, entry["short_title"])
    ts.run(blocks, page_break)
    doc.set_metadata(metadata(entry))
    doc.subset_fonts()
    lost = fix_to_unicode(doc, metrics.font, ts.used)
    if lost:
        print(
            f"build.py: {entry['id']}: characters sharing a glyph with a more frequent one "
            f"extract as that one: {' '.join(f'U+{ord(c):04X}' for c in lost)}",
            file=sys.stderr,
        )
    pdf = out / f"{entry['id']}.pdf"
    # no_new_id: no random /ID in the trailer, so the bytes are the same on every build
    doc.save(pdf, garbage=4, deflate=True, no_new_id=True)
    pages = doc.page_count
    doc.close()
    sidecar = {
        "id": entry["id"],
        "pages": pages,
        "fake_bold": ts.fake_bold,
        "bold_runs": ts.bold_runs,
        "branch_starts": ts.branch_starts,
    }
    write_sidecar(out, sidecar)
    return sidecar
