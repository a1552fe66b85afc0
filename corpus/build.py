#!/usr/bin/env python3
"""Typeset the plan texts of corpus/manifest.toml into PDFs that look like published plans.

Usage::

    python corpus/build.py [--out DIR] [--only ID]

For every ``[[document]]`` of the manifest the text ``corpus/texts/{text}`` is laid out on
A4 pages with the Japanese TrueType font IPAexGothic (embedded, subset) and written to
``DIR/{id}.pdf``, together with a sidecar ``DIR/{id}.json`` that records what tests of the
reader need to know (page count, headings drawn twice as fake bold, pages where a branch plan
starts).  Paths are relative to this file's folder, so the script works from any directory.
The output is deterministic: building twice gives the same bytes.

Layout rules (general, nothing is special-cased per line):

* body 10.5 pt, wrapped at the right margin at any character (Japanese line breaking);
* short lines (<= 40 characters, not ending in 。) that start with a numbering pattern of
  Japanese plans are headings: level 1 (16 pt, fake bold: drawn twice, the copy offset by
  +0.3 pt), level 2 (13 pt), level 3 (11.5 pt); a 協会けんぽ field label (１．…関係) heading
  a longer line becomes a heading of its own, the rest of the line body text;
* runs of consecutive lines containing a TAB are ruled tables (9 pt), written cell by cell,
  row by row; column widths follow the content, cell text wraps inside its cell, a table
  continues on the next page (a row that does not fit moves there whole; only a row taller
  than a page is split);
* blank lines become paragraph spacing;
* a running header (the manifest ``short_title``, 8 pt) on every page but the first, and a
  centred footer ``- N -`` on every page;
* a new page before every line matching the manifest's ``page_break_before`` regex.

Every character of every non-blank source line is written, in order (lines are stripped of
leading and trailing white space).  The font's ToUnicode map is rewritten so that each glyph
extracts as the character it was written for (see ``to_unicode_cmap``).  Characters the font
has no glyph for are written anyway (as glyph 0, with no Unicode mapping), so such text comes
out garbled when extracted -- as in the published slide deck this corpus copies.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.toml"
TEXTS = HERE / "texts"
DEFAULT_OUT = HERE / "pdfs"
# Beside pdfs/, so that loading a folder loads one layout of each document.
DEFAULT_PUBLISHED = HERE / "published"
DEFAULT_VARIANTS = HERE / "variants"
DEFAULT_SCANNED = HERE / "scanned"  # image-only PDFs of plain-layout pages (corpus/scanned.py)

FONT_ENV = "PLANEX_FONT"
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
FONT_NAME = "ipaexg"  # resource name of the font on each page

# Fixed metadata so that every build gives the same bytes.
FIXED_DATE = "D:20240401000000+09'00'"
PRODUCER = "planex corpus/build.py (PyMuPDF)"

# --- page geometry (PDF points) ---------------------------------------------------------
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

ASCENT = 0.88  # baseline position within the line box, as a fraction of the font size

# --- heading patterns -------------------------------------------------------------------
# Numbering patterns of Japanese plan documents.  Matched against the stripped line; only
# lines of at most MAX_HEADING_CHARS characters become headings (see FIELD_LABEL for the one
# exception).  Digits may be ASCII or full width.
D = "0-9０-９"
KANJI_NUM = "一二三四五六七八九十"
JA = "\u3005\u3040-\u30ff\u3400-\u9fff"  # kana and kanji: a title starts with one
HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = tuple(
    (level, re.compile(rx))
    for level, rx in (
        # level 1: chapters, document / branch-plan title lines, STEP sections, 協会けんぽ fields
        (1, rf"^(?:序\s*章|第\s*[{D}{KANJI_NUM}]+\s*章)(?:\s|$)"),
        (1, rf"^(?:令和|平成)\s*[{D}元]+\s*年度\s*\S*事業計画（[^）]+）$"),
        (1, rf"^STEP\s*[{D}]+(?:\s*[-－‐][{D}]+)?(?:\s|$)"),
        (1, rf"^[{D}]+[．.]\s*\S+関係(?:\s|$)"),
        # level 2: program numbers (第1 特定健康診査), 1.1, １．/1., 【…】 alone, "1 見出し"
        (2, rf"^第\s*[{D}]+\s+\S"),
        (2, rf"^[{D}]+[．.][{D}]+\s+[{JA}【「]"),
        (2, rf"^[{D}]+[．.](?![{D}])\s*[^\s{D}]"),
        (2, r"^【[^】]+】$"),
        (2, rf"^[{D}]{{1,2}}[ 　]+(?![歳年月日人名件円時分回箇])[{JA}【「]\S"),
        # level 3: （１）/(1), ⅰ）/Ⅰ）
        (3, rf"^[（(]\s*[{D}]+\s*[）)]\s*\S"),
        (3, r"^[ⅰ-ⅻⅠ-Ⅻ]+\s*[）)]\s*\S"),
    )
)
# A 協会けんぽ field label ("１．基盤的保険者機能関係") at the start of a long line: in the
# published table the field column and the first measure were merged into one text line.
# The label alone becomes the heading and the rest of the line follows as body text.
FIELD_LABEL = re.compile(rf"^([{D}]+[．.]\s*\S+関係)\s+(\S.*)$")


def heading_level(line: str) -> int:
    """Heading level (1-3) of a stripped source line, 0 for body text."""
    if not line or len(line) > MAX_HEADING_CHARS or line.endswith("。"):
        return 0  # long lines and sentences are body text
    for level, rx in HEADING_PATTERNS:
        if rx.search(line):
            return level
    return 0


# --- source parsing ---------------------------------------------------------------------
@dataclass
class Block:
    kind: str  # "blank" | "text" | "heading" | "table"
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


def parse(text: str) -> list[Block]:
    """Split a source text into blocks: blank lines, body lines, headings and tables."""
    blocks: list[Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        raw = lines[i]
        if "\t" in raw:
            rows = []
            while i < len(lines) and "\t" in lines[i]:
                rows.append([c.strip() for c in lines[i].split("\t")])
                i += 1
            blocks.append(Block("table", rows=rows))
            continue
        i += 1
        line = raw.strip()
        if not line:
            blocks.append(Block("blank"))
            continue
        level = heading_level(line)
        if level:
            blocks.append(Block("heading", line, level))
            continue
        m = FIELD_LABEL.match(line)
        if m:
            blocks.append(Block("heading", m.group(1), 1))
            blocks.append(Block("text", m.group(2)))
            continue
        blocks.append(Block("text", line))
    return blocks


# --- measuring and wrapping -------------------------------------------------------------
class Metrics:
    """Per-character advance widths of the font (in em), cached."""

    def __init__(self, font: pymupdf.Font):
        self.font = font
        self.cache: dict[str, float] = {}

    def em(self, ch: str) -> float:
        w = self.cache.get(ch)
        if w is None:
            w = self.font.text_length(ch, fontsize=1.0)
            self.cache[ch] = w
        return w

    def width(self, text: str, size: float) -> float:
        return sum(self.em(c) for c in text) * size

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """Break text into lines no wider than width, at any character (Japanese style).

        A line always gets at least one character, so nothing is ever dropped."""
        limit = width / size
        lines: list[str] = []
        start, acc = 0, 0.0
        for i, ch in enumerate(text):
            w = self.em(ch)
            if acc + w > limit and i > start:
                lines.append(text[start:i])
                start, acc = i, 0.0
            acc += w
        lines.append(text[start:])
        return lines


ASCII_RUN = re.compile(r"[0-9A-Za-z.,%()\-+/:~]+")


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
    def lines(self, s: str, size: float, leading: float, *, bold: bool = False, keep: float = 0.0) -> None:
        step = size * leading
        wrapped = self.m.wrap(s, CONTENT_W, size)
        for k, line in enumerate(wrapped):
            self.ensure(step + (keep if k == len(wrapped) - 1 else 0.0))
            baseline = self.y + size * ASCENT + (step - size) / 2
            self.text(MARGIN_L, baseline, line, size)
            if bold:  # fake bold: the same text again, shifted right by a fraction of a point
                self.text(MARGIN_L + FAKE_BOLD_DX, baseline, line, size)
            self.y += step
            self.dirty = True

    def heading(self, s: str, level: int) -> None:
        size = HEADING_SIZES[level]
        self.space(HEADING_SPACE_BEFORE[level])
        # keep the heading together with the first line of what follows
        self.lines(s, size, HEADING_LEADING, bold=level == 1, keep=BODY_SIZE * BODY_LEADING)
        if level == 1:
            self.fake_bold.append(s)
        self.space(HEADING_SPACE_AFTER[level])

    def table(self, rows: list[list[str]]) -> None:
        ncols = max(len(r) for r in rows)
        rows = [r + [""] * (ncols - len(r)) for r in rows]
        widths = self.column_widths(rows, ncols)
        step = TABLE_SIZE * TABLE_LEADING
        inner = [w - 2 * CELL_PAD_X for w in widths]
        cells = [
            [self.m.wrap(c, w, TABLE_SIZE) if c else [] for c, w in zip(r, inner, strict=True)] for r in rows
        ]
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
                        self.text(x + CELL_PAD_X, baseline, line, TABLE_SIZE)
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
                self.heading(b.text, b.level)
            elif b.kind == "text":
                self.lines(b.text, BODY_SIZE, BODY_LEADING)
            else:
                self.table(b.rows)
        self.finish_page()


def refer_font(doc: pymupdf.Document, page: pymupdf.Page, name: str, xref: int) -> None:
    """Put the document's font object ``xref`` into the page's /Resources /Font as ``name``.

    Inserting the font file again on every page costs MuPDF 10-15 ms a page (it embeds the file
    and finds the object it already has); a reference costs nothing."""
    owner, key = page.xref, "Resources"
    kind, value = doc.xref_get_key(owner, key)
    if kind == "xref":
        owner, key = int(value.split()[0]), ""
    path = f"{key}/Font" if key else "Font"
    kind, value = doc.xref_get_key(owner, path)
    if kind == "xref":
        owner, path = int(value.split()[0]), ""
    doc.xref_set_key(owner, f"{path}/{name}" if path else name, f"{xref} 0 R")


# --- text extraction support ------------------------------------------------------------
def to_unicode_cmap(font: pymupdf.Font, used: Counter[str]) -> tuple[bytes, list[str]]:
    """A ToUnicode CMap for the glyphs written, mapping each glyph to the character it was
    written for.

    MuPDF's own ToUnicode map comes from a reverse lookup of the font's cmap and picks an
    arbitrary one of the code points that share a glyph: IPAexGothic draws U+0020 and U+00A0,
    U+002D and U+2012, U+301C and U+FF5E with the same glyph, so spaces would come out as
    NO-BREAK SPACE and hyphens as FIGURE DASH.  Where two characters of one document share
    a glyph the more frequent one wins (returned as a list of the characters that lose).
    Glyph 0 (.notdef: characters the font lacks) gets no mapping, so such text stays garbled
    as in the published original."""
    by_gid: dict[int, Counter[str]] = {}
    for ch, n in used.items():
        gid = font.has_glyph(ord(ch))
        if gid:
            by_gid.setdefault(gid, Counter())[ch] += n
    entries, lost = [], []
    for gid in sorted(by_gid):
        ranked = sorted(by_gid[gid].items(), key=lambda kv: (-kv[1], kv[0]))
        lost.extend(ch for ch, _ in ranked[1:])
        entries.append(f"<{gid:04X}> <{ranked[0][0].encode('utf-16-be').hex().upper()}>")
    out = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for i in range(0, len(entries), 100):
        chunk = entries[i : i + 100]
        out += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    out += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end", ""]
    return "\n".join(out).encode("ascii"), lost


def fix_to_unicode(doc: pymupdf.Document, font: pymupdf.Font, used: Counter[str]) -> list[str]:
    """Replace the ToUnicode map of the embedded font(s); returns the characters that lose
    a shared glyph to another character."""
    xrefs = sorted({f[0] for page in doc for f in page.get_fonts() if f[4] == FONT_NAME})
    cmap, lost = to_unicode_cmap(font, used)
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


# --- driver -----------------------------------------------------------------------------
def find_font() -> str:
    env = os.environ.get(FONT_ENV)
    if env:
        if Path(env).is_file():
            return env
        sys.exit(
            f"build.py: {FONT_ENV}={env} is not a file.\n"
            f"Point {FONT_ENV} at ipaexg.ttf, or unset it and `apt-get install fonts-ipaexfont-gothic`."
        )
    for cand in FONT_CANDIDATES:
        if Path(cand).is_file():
            return cand
    sys.exit(
        "build.py: the Japanese font IPAexGothic was not found "
        f"(looked in {', '.join(FONT_CANDIDATES)}).\n"
        "Install it with `apt-get install fonts-ipaexfont-gothic`, "
        f"or set {FONT_ENV} to the path of ipaexg.ttf."
    )


def load_manifest(path: Path = MANIFEST) -> list[dict]:
    with open(path, "rb") as f:
        return tomllib.load(f)["document"]


def load_variants(path: Path = MANIFEST) -> list[dict]:
    """The manifest's ``[[variant]]`` entries, each completed with its base document's keys."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    base = {e["id"]: e for e in data["document"]}
    return [{**base[v["of"]], **v} for v in data.get("variant", [])]


def load_scans(path: Path = MANIFEST) -> list[dict]:
    """The manifest's ``[[scan]]`` entries: pages of plain-layout PDFs to scan."""
    with open(path, "rb") as f:
        return tomllib.load(f).get("scan", [])


LAYOUTS = ("plain", "published", "scanned")


def build_one(entry: dict, out: Path, fontfile: str, metrics: Metrics) -> dict:
    text = (TEXTS / entry["text"]).read_text(encoding="utf-8")
    blocks = parse(text)
    rx = entry.get("page_break_before")
    page_break = re.compile(rx) if rx else None

    doc = pymupdf.open()
    ts = Typesetter(doc, fontfile, metrics, entry["short_title"])
    ts.run(blocks, page_break)
    doc.set_metadata(
        {
            "title": entry["title"],
            "author": entry["insurer"],
            "subject": f"{entry['plan_type']} {entry['period']}",
            "keywords": "",
            "creator": PRODUCER,
            "producer": PRODUCER,
            "creationDate": FIXED_DATE,
            "modDate": FIXED_DATE,
        }
    )
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
        "branch_starts": ts.branch_starts,
    }
    text = json.dumps(sidecar, ensure_ascii=False, indent=1) + "\n"
    (out / f"{entry['id']}.json").write_text(text, encoding="utf-8")
    return sidecar


def build_published_one(entry: dict, out: Path, fontfile: str) -> dict:
    from published import build_published  # the published layout's typesetter, beside this file

    out.mkdir(parents=True, exist_ok=True)
    text = (TEXTS / entry["text"]).read_text(encoding="utf-8")
    sidecar = build_published(entry, text, out, fontfile)
    dump = json.dumps(sidecar, ensure_ascii=False, indent=1) + "\n"
    (out / f"{entry['id']}.json").write_text(dump, encoding="utf-8")
    return sidecar


def build_scan_one(entry: dict, plain: Path, out: Path, fontfile: str, metrics: Metrics) -> dict:
    """A scan of plain-layout pages; the plain PDF is typeset first if it is not there yet."""
    from scanned import build_scan  # the scanner, beside this file

    source = plain / f"{entry['of']}.pdf"
    if not source.exists():
        build_one(next(e for e in load_manifest() if e["id"] == entry["of"]), plain, fontfile, metrics)
    sidecar = build_scan(entry, source, out)
    return {**sidecar, "pages": len(sidecar["pages"])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: corpus/pdfs)")
    ap.add_argument("--only", metavar="ID", help="build only the document (or variant) with this id")
    ap.add_argument("--published", type=Path, default=DEFAULT_PUBLISHED, metavar="DIR",
                    help="output folder of the published layout (default: corpus/published)")  # fmt: skip
    ap.add_argument("--variants", type=Path, default=DEFAULT_VARIANTS, metavar="DIR",
                    help="output folder of the variants (default: corpus/variants)")  # fmt: skip
    ap.add_argument("--scanned", type=Path, default=DEFAULT_SCANNED, metavar="DIR",
                    help="output folder of the scans (default: corpus/scanned)")  # fmt: skip
    ap.add_argument("--layout", choices=(*LAYOUTS, "all"), default="all",
                    help="plain, published (with the variants), scanned (plain pages) or all")  # fmt: skip
    args = ap.parse_args(argv)

    entries = load_manifest()
    variants = load_variants()
    scans = load_scans()
    if args.only:
        entries = [e for e in entries if e["id"] == args.only]
        variants = [v for v in variants if v["id"] == args.only]
        scans = [s for s in scans if s["id"] == args.only]
        if not entries and not variants and not scans:
            sys.exit(f"build.py: no document with id {args.only!r} in {MANIFEST}")
    fontfile = find_font()
    metrics = Metrics(pymupdf.Font(fontfile=fontfile))
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    t_all = time.perf_counter()
    jobs = []
    if args.layout in ("plain", "all"):
        jobs += [("plain", e, out) for e in entries]
    if args.layout in ("published", "all"):
        jobs += [("published", e, args.published.resolve()) for e in entries if "published" in e]
        jobs += [("variant", v, args.variants.resolve()) for v in variants]
    if args.layout in ("scanned", "all"):
        jobs += [("scanned", s, args.scanned.resolve()) for s in scans]
    for layout, entry, folder in jobs:
        t0 = time.perf_counter()
        if layout == "plain":
            info = build_one(entry, folder, fontfile, metrics)
        elif layout == "scanned":
            info = build_scan_one(entry, out, folder, fontfile, metrics)
        else:
            info = build_published_one(entry, folder, fontfile)
        size = (folder / f"{entry['id']}.pdf").stat().st_size
        print(f"{entry['id']:<40} {layout:<9} {info['pages']:>4} pages {size:>9} bytes "
              f"{time.perf_counter() - t0:6.2f} s")  # fmt: skip
    folders = sorted({str(folder) for _, _, folder in jobs})
    print(f"{len(jobs)} PDF(s) in {time.perf_counter() - t_all:.2f} s -> {', '.join(folders)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
