"""The drawing surface of the builder's own *published* layout (``published.py``) and of the
overprinting printer (``overprint.py``): page styles, embedded fonts, pages with a running
header and a footer, a cursor, text drawn bold the way a producer draws it, rules and shading.

What a producer varies is a *style*: ``orientation`` (portrait / landscape), ``rotate`` (a
landscape page written as a portrait page turned by /Rotate 90, as printers of sheets do),
``body`` (gothic / mincho), ``bold`` (how headings are bold: ``font`` -- a real bold weight,
``fake`` -- drawn twice 0.3 pt apart, ``stroke`` -- filled and stroked, render mode 2,
``overprint`` -- drawn two to four times a fraction of a point apart, as a PDF printer driver
does), ``repeat_header``, ``label_width`` (points), ``rules`` (``rect`` -- stroked rectangles,
``lines`` -- single strokes, ``bars`` -- thin filled rectangles, as Word writes borders),
``shade_header``.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from .common import ASCENT, Metrics, refer_font
from .source import Runs, wrap_runs

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
OVERPRINT_COPIES = (2, 4)  # how many times a printer draws a bold run, at least and at most
OVERPRINT_OFFSET = (0.1, 0.9)  # how far each extra copy lies from the first (points, each axis)


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
    runs: Runs | None = None  # where the text is bold, when only in part (source.bold_runs)


# --- the sheet: pages, the cursor, drawing ------------------------------------------------
class Sheet:
    def __init__(self, doc: pymupdf.Document, fonts: dict[str, Face], short_title: str) -> None:
        self.doc = doc
        self.fonts = fonts
        self.short_title = short_title
        self.style = Style()
        self.styles: list[Style] = []  # a producer's own styles, instead of the manifest's
        self.page: pymupdf.Page | None = None
        self.shape: pymupdf.Shape | None = None
        self.y = 0.0
        self.dirty = False
        self.bold_kinds: dict[str, list[str]] = {"font": [], "fake": [], "stroke": []}
        self.overprints: list[dict] = []  # bold runs a printer drew several times (overprint)
        self.bold_runs: list[str] = []  # runs drawn bold inside a line that is not (source.bold_runs)
        self.header_bold = False  # table header rows drawn bold (as the style draws bold)
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
        elif bold and self.style.bold == "overprint":
            offsets = overprint_offsets(s, len(self.overprints))
            for dx, dy in offsets:
                self.draw(x + dx, baseline + dy, s, size, face)
            self.overprints.append({"text": s, "page": self.page.number + 1, "offsets": offsets})
        else:
            self.draw(x, baseline, s, size, face)
            if bold and self.style.bold == "fake":
                self.draw(x + FAKE_BOLD_DX, baseline, s, size, face)

    def runs(self, x: float, baseline: float, runs: Runs, size: float, bold: bool = False) -> None:
        """Write a line run by run: each bold run (or all, ``bold``) the way the style draws bold,
        the next run where the last one ends."""
        for s, strong in runs:
            self.text(x, baseline, s, size, bold or strong)
            if strong and not bold:
                self.bold_runs.append(s)
            x += self.measure(s, size, bold or strong)

    def note_bold(self, s: str) -> None:
        self.bold_kinds.setdefault(self.style.bold, []).append(s)

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
        lines = wrap_runs(p.runs or [(p.text, False)], lambda t: self.wrap(t, width, p.size, p.bold))
        if self.dirty:
            self.y += space_before
        for k, line in enumerate(lines):
            # a heading keeps its next line
            keep = BODY_SIZE * LEADING if p.bold and k == len(lines) - 1 else 0.0
            self.ensure(step + keep)
            x = self.left
            if p.center:
                x = (self.left + self.right - self.measure("".join(t for t, _ in line), p.size, p.bold)) / 2
            self.runs(x, self.y + p.size * ASCENT + (step - p.size) / 2, line, p.size, p.bold)
            self.y += step
            self.dirty = True
        if p.bold:
            self.note_bold(p.text)




def overprint_offsets(text: str, serial: int) -> list[tuple[float, float]]:
    """Where a printer driver draws the copies of one bold run: (0, 0) first, then one to three
    more copies, each 0.1 to 0.9 pt away horizontally and (on some runs) vertically. The number
    and the offsets vary from run to run but are a function of the run's text and its serial
    number in the document, so two builds give the same bytes."""
    seed = hashlib.sha256(f"{serial}:{text}".encode()).digest()
    rng = random.Random(int.from_bytes(seed[:8], "big"))
    copies = rng.randint(*OVERPRINT_COPIES)
    vertical = rng.random() < 0.4
    out = [(0.0, 0.0)]
    for _ in range(copies - 1):
        dx = round(rng.uniform(*OVERPRINT_OFFSET), 2)
        dy = round(rng.uniform(*OVERPRINT_OFFSET), 2) if vertical else 0.0
        out.append((dx, dy))
    return out
