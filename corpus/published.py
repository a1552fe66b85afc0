"""Typeset a plan text in its *published* layout: the layout its seed text was extracted from.

``build.py`` typesets every text as one plain column. Published plans are Word and Excel
documents, and the seed texts carry the clues of how they were laid out (see the manifest's
``[document.published]`` tables, which name the layout and the styles a producer varies):

* ``branch_table`` -- a 協会けんぽ branch plan: a title paragraph, then a two-column Word table
  whose header row (the source line matching ``header_row``: ``分野 具体的施策等``) may repeat at
  the top of every page. A field line (``１．基盤的保険者機能関係`` -- the seed puts the field and
  the first measure on one line because they stood side by side) opens a row: the field is the
  text of a narrow left cell that spans all the rows of the field, wrapped onto short lines and
  left empty on the pages where the field goes on; the measures, actions and KPIs fill the wide
  right cell, one row per heading (a heading after a blank source line starts the next row). A field
  label the seed wraps (``１．基盤的保険者機`` / ``能関係``) is one label; a field line that
  repeats the row's own label is a heading inside the right cell.
* ``word`` -- a data-health or 特定健診 plan: headings and paragraphs, and ruled tables for the
  TAB-separated lines: cell text wraps inside its cell, a header row (short cells, not numbers) is
  shaded and may repeat on every page the table runs onto, an empty first cell merges with the
  cell above (a row group), empty cells at the end of a row merge into the last filled one.
* ``sheets`` -- the data-health portal's STEP form: landscape sheets of bordered cells. Each
  group of lines between blank lines is one cell, as the seed gives them in cell order; narrow
  cells stand side by side, a long one takes the whole row; the STEP titles stand above them.
* ``slides`` -- a slide deck: landscape pages of paragraphs.

What a producer varies is a *style* (``styles``: one per document, or for a compilation one per
branch plan, in turn): ``orientation`` (portrait / landscape), ``rotate`` (a landscape page
written as a portrait page turned by /Rotate 90, as printers of sheets do), ``body`` (gothic /
mincho), ``bold`` (how headings are bold: ``font`` -- a real bold weight, ``fake`` -- drawn twice
0.3 pt apart, ``stroke`` -- filled and stroked, render mode 2), ``repeat_header``, ``label_width``
(points), ``rules`` (``rect`` -- stroked rectangles, ``lines`` -- single strokes, ``bars`` --
thin filled rectangles, as Word writes borders), ``shade_header``.

Every character of every non-blank source line is written, in order; the sidecar records what
the tests of the reader need (pages, branch starts, the header row and the pages it was
repeated on, the styles used, the headings drawn by each kind of bold).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf
from build import (
    ASCENT,
    ASCII_RUN,
    FIELD_LABEL,
    FIXED_DATE,
    PRODUCER,
    Block,
    Metrics,
    heading_level,
    parse,
    refer_font,
    to_unicode_cmap,
)

BOLD_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/migmix/migmix-2p-bold.ttf",
    "/usr/share/fonts/truetype/migmix/migmix-1p-bold.ttf",
)
MINCHO_FONT_CANDIDATES = ("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",)
DEBIAN_PACKAGES = {"bold": "fonts-migmix", "mincho": "fonts-ipaexfont-mincho"}

A4_W, A4_H = pymupdf.paper_size("a4")
MARGIN = {"portrait": (56.0, 56.0, 62.0, 64.0), "landscape": (48.0, 48.0, 50.0, 50.0)}  # l, r, t, b
BODY_SIZE = 10.5
LEADING = 1.5
TABLE_SIZE = 9.0
TABLE_LEADING = 1.35
PAD_X = 4.0
PAD_Y = 3.0
HEADING_SIZES = {1: 14.0, 2: 12.0, 3: 11.0}
TITLE_SIZE = 14.0
HEADER_SIZE = 8.0
FOOTER_SIZE = 9.0
FAKE_BOLD_DX = 0.3
STROKE_WIDTH = 0.03  # of the font size, for fill-and-stroke bold
RULE = 0.5
SHADE = (0.85, 0.85, 0.85)
NARROW_BLOCK = 24  # a STEP cell whose lines are all this short stands beside its neighbours

D = "0-9０-９"
# A field label cut at the end of its cell's line in the seed: "１．基盤的保険者機" / "能関係".
_LABEL_START = re.compile(rf"^[{D}]+[．.]\S{{2,12}}$")
_FIELD_LINE = re.compile(rf"^[{D}]+[．.]\s*\S+関係$")


@dataclass
class Style:
    orientation: str = "portrait"
    rotate: bool = False
    body: str = "gothic"
    bold: str = "font"
    repeat_header: bool = True
    label_width: float = 80.0
    field_in_cell: bool = False  # no label column: the field is a heading inside the cell
    rules: str = "rect"
    shade_header: bool = True

    @classmethod
    def of(cls, spec: dict) -> Style:
        unknown = set(spec) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown style keys: {sorted(unknown)}")
        return cls(**spec)


class Face:
    """An embedded font: its resource name, metrics, and every character written with it."""

    def __init__(self, name: str, path: str) -> None:
        self.name = name
        self.path = path
        self.buffer = Path(path).read_bytes()
        self.font = pymupdf.Font(fontbuffer=self.buffer)
        self.metrics = Metrics(self.font)
        self.used: Counter[str] = Counter()
        self.xref: int | None = None


def find_file(candidates: tuple[str, ...], what: str) -> str:
    for path in candidates:
        if Path(path).is_file():
            return path
    raise SystemExit(
        f"build.py: the {what} font for the published layout was not found "
        f"(looked in {', '.join(candidates)}).\nInstall it with `apt-get install {DEBIAN_PACKAGES[what]}`."
    )


def faces(gothic: str) -> dict[str, Face]:
    return {
        "gothic": Face("ipaexg", gothic),
        "mincho": Face("ipaexm", find_file(MINCHO_FONT_CANDIDATES, "mincho")),
        "bold": Face("migmixb", find_file(BOLD_FONT_CANDIDATES, "bold")),
    }


@dataclass
class Para:
    """A paragraph to set: its text, size, and whether it is a heading (drawn bold)."""

    text: str
    size: float = BODY_SIZE
    bold: bool = False
    center: bool = False


# --- the sheet: pages, the cursor, drawing ------------------------------------------------
class Sheet:
    def __init__(self, doc: pymupdf.Document, fonts: dict[str, Face], short_title: str) -> None:
        self.doc = doc
        self.fonts = fonts
        self.short_title = short_title
        self.style = Style()
        self.page: pymupdf.Page | None = None
        self.shape: pymupdf.Shape | None = None
        self.y = 0.0
        self.dirty = False
        self.bold_kinds: dict[str, list[str]] = {"font": [], "fake": [], "stroke": []}
        self.on_new_page = None  # called after a page break inside a table (header row, label column)

    # geometry of the current page
    @property
    def width(self) -> float:
        return A4_H if self.style.orientation == "landscape" else A4_W

    @property
    def height(self) -> float:
        return A4_W if self.style.orientation == "landscape" else A4_H

    @property
    def left(self) -> float:
        return MARGIN[self.style.orientation][0]

    @property
    def right(self) -> float:
        return self.width - MARGIN[self.style.orientation][1]

    @property
    def top(self) -> float:
        return MARGIN[self.style.orientation][2]

    @property
    def bottom(self) -> float:
        return self.height - MARGIN[self.style.orientation][3]

    def new_page(self) -> None:
        self.finish_page()
        style = self.style
        if style.orientation == "landscape" and style.rotate:
            self.page = self.doc.new_page(width=A4_W, height=A4_H)
            self.page.set_rotation(90)  # drawn in the turned page's coordinates
        elif style.orientation == "landscape":
            self.page = self.doc.new_page(width=A4_H, height=A4_W)
        else:
            self.page = self.doc.new_page(width=A4_W, height=A4_H)
        self.inserted: set[str] = set()  # fonts are put on a page when it first uses them
        self.shape = self.page.new_shape()
        if self.page.number > 0:  # running header: the short title, small, at the top right
            face = self.fonts["gothic"]
            w = face.metrics.width(self.short_title, HEADER_SIZE)
            self.draw(self.right - w, self.top - 22, self.short_title, HEADER_SIZE, face)
        self.y = self.top
        self.dirty = False

    def finish_page(self) -> None:
        if self.page is None:
            return
        footer = f"- {self.page.number + 1} -"
        face = self.fonts["gothic"]
        w = face.metrics.width(footer, FOOTER_SIZE)
        self.draw((self.width - w) / 2, self.height - 30, footer, FOOTER_SIZE, face)
        self.shape.commit()
        self.page = self.shape = None

    def body_face(self) -> Face:
        return self.fonts[self.style.body]

    def face_for(self, bold: bool) -> Face:
        return self.fonts["bold"] if bold and self.style.bold == "font" else self.body_face()

    def draw(self, x: float, baseline: float, s: str, size: float, face: Face, render_mode: int = 0) -> None:
        face.used.update(s)
        if face.name not in self.inserted:
            if face.xref is None:  # embedded once; later pages refer to the same font object
                face.xref = self.page.insert_font(fontname=face.name, fontbuffer=face.buffer)
            else:
                refer_font(self.doc, self.page, face.name, face.xref)
            self.inserted.add(face.name)
        kwargs = {"render_mode": 2, "border_width": STROKE_WIDTH} if render_mode == 2 else {}
        self.shape.insert_text(self.point(x, baseline), s, fontname=face.name, fontsize=size, color=(0, 0, 0),
                               fill=(0, 0, 0) if render_mode else None, rotate=self.page.rotation,
                               **kwargs)  # fmt: skip

    def point(self, x: float, y: float) -> pymupdf.Point:
        """A point of the page as seen, in the coordinates its content is written in (a turned page
        is drawn sideways in its unturned frame)."""
        return pymupdf.Point(x, y) * self.page.derotation_matrix

    def text(self, x: float, baseline: float, s: str, size: float, bold: bool = False) -> None:
        """Write ``s``; bold the way the current style draws bold."""
        face = self.face_for(bold)
        if bold and self.style.bold == "stroke":
            self.draw(x, baseline, s, size, face, render_mode=2)
        else:
            self.draw(x, baseline, s, size, face)
            if bold and self.style.bold == "fake":
                self.draw(x + FAKE_BOLD_DX, baseline, s, size, face)

    def note_bold(self, s: str) -> None:
        self.bold_kinds[self.style.bold].append(s)

    def wrap(self, s: str, width: float, size: float, bold: bool = False) -> list[str]:
        return self.face_for(bold).metrics.wrap(s, width, size)

    def measure(self, s: str, size: float, bold: bool = False) -> float:
        return self.face_for(bold).metrics.width(s, size)

    def fits(self, height: float) -> bool:
        return self.y + height <= self.bottom

    def ensure(self, height: float) -> None:
        if not self.fits(height) and self.dirty:
            self.new_page()

    # rules
    def rule(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """One border segment, drawn as the style's producer draws borders."""
        if self.style.rules == "bars":
            r = pymupdf.Rect(x0 - RULE / 2, y0 - RULE / 2, x1 + RULE / 2, y1 + RULE / 2)
            self.shape.draw_rect(r * self.page.derotation_matrix)
            self.shape.finish(width=0, color=None, fill=(0, 0, 0))
        else:
            self.shape.draw_line(self.point(x0, y0), self.point(x1, y1))
            self.shape.finish(width=RULE, color=(0, 0, 0))

    def box(self, x0: float, y0: float, x1: float, y1: float, *, top: bool = True) -> None:
        if self.style.rules == "rect" and top:
            self.shape.draw_rect(pymupdf.Rect(x0, y0, x1, y1) * self.page.derotation_matrix)
            self.shape.finish(width=RULE, color=(0, 0, 0))
            return
        if top:
            self.rule(x0, y0, x1, y0)
        self.rule(x0, y1, x1, y1)
        self.rule(x0, y0, x0, y1)
        self.rule(x1, y0, x1, y1)

    def shade(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.shape.draw_rect(pymupdf.Rect(x0, y0, x1, y1) * self.page.derotation_matrix)
        self.shape.finish(width=0, color=None, fill=SHADE)

    # paragraphs
    def paragraph(self, p: Para, *, space_before: float = 0.0) -> None:
        step = p.size * LEADING
        width = self.right - self.left
        lines = self.wrap(p.text, width, p.size, p.bold)
        if self.dirty:
            self.y += space_before
        for k, line in enumerate(lines):
            # a heading keeps its next line
            keep = BODY_SIZE * LEADING if p.bold and k == len(lines) - 1 else 0.0
            self.ensure(step + keep)
            x = self.left
            if p.center:
                x = (self.left + self.right - self.measure(line, p.size, p.bold)) / 2
            self.text(x, self.y + p.size * ASCENT + (step - p.size) / 2, line, p.size, p.bold)
            self.y += step
            self.dirty = True
        if p.bold:
            self.note_bold(p.text)


# --- layouts --------------------------------------------------------------------------------
def heading_para(b: Block) -> Para:
    return Para(b.text, HEADING_SIZES.get(b.level, BODY_SIZE), bold=True)


def cell_para(b: Block) -> Para:
    """A block inside a table cell: headings bold at body size (a Word table's own style)."""
    if b.kind == "heading":
        return Para(b.text, BODY_SIZE + (0.5 if b.level == 1 else 0.0), bold=True)
    return Para(b.text)


@dataclass
class FieldRow:
    label: str  # as printed
    groups: list[list[Para]] = field(default_factory=lambda: [[]])
    source: str = ""  # as the seed writes it


def _squash_label(text: str) -> str:
    return re.sub(r"[\s．.]", "", text)


def _respell(label: str, spelling: dict | None, field_no: int) -> str:
    """A field label in another branch's spelling (the variant corpus): mark and name."""
    if not spelling:
        return label
    names = spelling.get("names", [])
    name = names[field_no - 1] if field_no <= len(names) else re.sub(rf"^[{D}]+[．.]\s*", "", label)
    number = str(field_no).translate(FULL_WIDTH)
    mark = spelling.get("mark", "{n}．").format(n=number, r="ⅠⅡⅢⅣⅤ"[field_no - 1])
    return f"{mark}{name}"


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _field_number(label: str) -> int:
    m = re.match(rf"^([{D}]+)", label)
    return int(m.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789"))) if m else 0


def branch_rows(
    lines: list[str], header_rx: re.Pattern[str], spelling: dict | None = None
) -> tuple[list[Para], list[str], list[FieldRow]]:
    """A branch plan's lines as (paragraphs above the table, header cells, field rows)."""
    before: list[Para] = []
    header: list[str] = []
    rows: list[FieldRow] = []
    blank = False
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line:
            blank = True
            continue
        if blank and rows and rows[-1].groups[-1] and heading_level(line):
            rows[-1].groups.append([])  # a heading after a blank line: the next row of the right column
        blank = False
        if not rows and not header and header_rx.match(line):
            header = line.split()
            continue
        label, rest = None, ""
        m = FIELD_LABEL.match(line)
        if m:
            label, rest = m.group(1), m.group(2)
        elif heading_level(line) == 1 and _FIELD_LINE.match(line):
            label = line
        elif _LABEL_START.match(line):  # the label wrapped in the seed: join its next line
            j = i
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and len(lines[j].strip()) <= 6 and _FIELD_LINE.match(line + lines[j].strip()):
                label, i = line + lines[j].strip(), j + 1
        if label is not None:
            written = _respell(label, spelling, _field_number(label))
            if rows and _squash_label(label) == _squash_label(rows[-1].source):
                # the row's own field again: a heading inside the right cell
                rows[-1].groups[-1].append(Para(written, BODY_SIZE + 0.5, bold=True))
                for b in parse(rest) if rest else []:
                    rows[-1].groups[-1].append(cell_para(b))
                continue
            rows.append(FieldRow(written, source=label))
            for b in parse(rest) if rest else []:
                rows[-1].groups[-1].append(cell_para(b))
            continue
        blocks = [b for b in parse(line) if b.kind != "blank"]
        if not rows and not header:
            before.extend(heading_para(b) if b.kind == "heading" else Para(b.text) for b in blocks)
            continue
        if not rows:
            rows.append(FieldRow(""))
        rows[-1].groups[-1].extend(cell_para(b) for b in blocks)
    for row in rows:
        row.groups = [g for g in row.groups if g] or [[]]
    return before, header, rows


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
            s.text((a + b - w) / 2, baseline, text, BODY_SIZE)
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
                s.text(x + PAD_X, baseline, line, TABLE_SIZE)
            s.box(x, top, x + w, top + height, top=not (merged_up and j == 0))
        s.y = top + height
        s.dirty = True


def sheet_cells(blocks: list[list[str]], sheet: Sheet) -> None:
    """STEP sheets: each block of lines a bordered cell; narrow cells side by side."""
    s = sheet
    step = TABLE_SIZE * TABLE_LEADING
    total = s.right - s.left
    row: list[tuple[float, list[str]]] = []

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
                s.text(x + PAD_X, baseline, line, TABLE_SIZE)
            s.box(x, top, x + w, top + height)
            x += w
        s.y = top + height
        s.dirty = True
        row.clear()

    for block in blocks:
        longest = max(len(line) for line in block)
        if longest <= NARROW_BLOCK:
            w = max(s.measure(line, TABLE_SIZE) for line in block) + 2 * PAD_X + 2.0
            w = max(w, 3 * TABLE_SIZE)
            if sum(x for x, _ in row) + w > total:
                flush()
            row.append((w, block))
            continue
        flush()
        lines = [part for line in block for part in s.wrap(line, total - 2 * PAD_X, TABLE_SIZE)]
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


def typeset(entry: dict, text: str, fonts: dict[str, Face], doc: pymupdf.Document) -> dict:
    """Lay out ``text`` into ``doc`` in the published layout of ``entry``; returns sidecar facts."""
    spec = entry["published"]
    layout = spec["layout"]
    styles = _styles(spec)
    sheet = Sheet(doc, fonts, entry["short_title"])
    info: dict = {"layout": layout, "branch_starts": [], "header": [], "header_pages": [], "styles": []}
    if layout == "branch_table":
        rx = re.compile(entry["page_break_before"])
        header_rx = re.compile(spec["header_row"])
        parts: list[list[str]] = [[]]
        for line in text.split("\n"):
            if rx.search(line.strip()) and any(x.strip() for x in parts[-1]):
                parts.append([])
            parts[-1].append(line)
        spellings = entry.get("field_spellings", [])
        for n, lines in enumerate(parts):
            sheet.finish_page()  # in the previous branch's style (its footer, its page size)
            sheet.style = styles[n % len(styles)]
            info["styles"].append(vars(sheet.style).copy())
            sheet.new_page()
            info["branch_starts"].append(sheet.page.number + 1)
            spelling = spellings[n % len(spellings)] if spellings else None
            before, header, rows = branch_rows(lines, header_rx, spelling)
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
                level = heading_level(line)
                if level == 1 and line.upper().startswith("STEP"):
                    sections.append((Block("heading", line, 1), []))
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
                    sheet.paragraph(Para(b.text, bold=b.kind == "heading"))
    sheet.finish_page()
    info["bold"] = sheet.bold_kinds
    return info


def fix_to_unicode(doc: pymupdf.Document, fonts: dict[str, Face]) -> list[str]:
    """Each embedded font's ToUnicode map, from the characters written with it (see build.py)."""
    lost: list[str] = []
    for face in fonts.values():
        if not face.used:
            continue
        xrefs = sorted({f[0] for page in doc for f in page.get_fonts() if f[4] == face.name})
        cmap, lost_here = to_unicode_cmap(face.font, face.used)
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


def build_published(entry: dict, text: str, out: Path, gothic: str) -> dict:
    """Write ``out/{id}.pdf`` in the published layout; returns the sidecar."""
    fonts = faces(gothic)
    doc = pymupdf.open()
    info = typeset(entry, text, fonts, doc)
    # fonts inserted on a page but never used there are dropped by garbage collection
    doc.set_metadata({"title": entry["title"], "author": entry["insurer"],
                      "subject": f"{entry['plan_type']} {entry['period']}", "keywords": "",
                      "creator": PRODUCER, "producer": PRODUCER, "creationDate": FIXED_DATE,
                      "modDate": FIXED_DATE})  # fmt: skip
    doc.subset_fonts()
    fix_to_unicode(doc, fonts)
    pdf = out / f"{entry['id']}.pdf"
    doc.save(pdf, garbage=4, deflate=True, no_new_id=True)
    pages = doc.page_count
    doc.close()
    return {"id": entry["id"], "pages": pages, **info}
