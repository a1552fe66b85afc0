"""The Word producer: each text written as a .docx with python-docx, the way plan writers build
their documents in Word, and exported to PDF by LibreOffice Writer (``office.convert``), into
``corpus/word/{id}.pdf`` with a sidecar ``{id}.json``.

What the manifest's ``[document.word]`` asks for (``layout``: ``document``, or ``branch_table``
for the 協会けんぽ compilation, ``word_branches.py``), and the habits of Word documents that a
reader must survive, each of which leaves what a correct reader extracts unchanged:

* headings in Word's heading styles (a bold Gothic weight), a chapter (``第N章``) on a new page;
  headings longer than the text width wrap onto a second line (at 20 pt for level 1, 14 pt for
  level 2);
* ``letter_space``: short headings letter-spaced -- a chapter title of a few characters spread
  over a wider box (``第１章 総 則``, distributed alignment), a short title expanded
  (``１ 目 的``, character spacing);
* a running header on every page, the first one too (``running_header``, else the short
  title), and a footer ``- N -`` from Word's PAGE field;
* a table of contents (``目次`` followed by entries whose last cell is a page number) set as
  entries with dot leaders to right-aligned page numbers;
* tables as Word tables (``word_tables.py``): shaded header rows repeated on every page,
  merged cells, labels wrapping inside their cells, rows breaking across pages;
* ``kangxi``: kanji written as the Kangxi radicals that look the same (U+2F00 block: ``⼊札``,
  ``⽅法``), as in text pasted from a PDF made by PScript5 and Acrobat Distiller;
* ``ruby``: a few words with their reading set above them (furigana);
* LibreOffice's autospace: a gap, no space character, between Japanese and digits or Latin
  letters (``令和3年度`` is drawn ``令和 3 年度`` but extracts without spaces unless a reader makes
  them from the gaps).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pymupdf
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm, Pt

from . import docx_parts as parts
from . import word_branches
from .common import KANGXI, Metrics, first_pages, page_texts, squash, text_of, write_sidecar
from .office import convert
from .source import Block, Runs, parse
from .word_tables import add_table, add_toc, is_toc

HEADING_SIZES = {1: 20.0, 2: 14.0, 3: 11.5}
BODY_SIZE = 10.5
MARGINS_MM = (25.0, 25.0, 25.0, 22.0)  # left, right, top, bottom
CHAPTER = re.compile(r"^(第\s*[0-9０-９一二三四五六七八九十]+\s*章)\s*(\S.*)$")
NUMBERED = re.compile(r"^([0-9０-９]{1,2}[．.]?|[（(][0-9０-９]+[）)])\s*(\S.*)$")
SHORT_TITLE = 4  # a title of at most this many characters is letter-spaced
RUBY_TIMES = 2  # how many occurrences of each word of ``ruby`` get their reading

def kangxi(text: str) -> str:
    return "".join(KANGXI.get(ch, ch) for ch in text)


class WordDocument:
    """A data-health or 特定健診 plan written into a python-docx Document, block by block."""

    def __init__(self, entry: dict, metrics: Metrics) -> None:
        self.entry = entry
        self.spec = entry["word"]
        self.metrics = metrics
        self.doc = Document()
        family = parts.GOTHIC if self.spec.get("body") == "gothic" else parts.MINCHO
        parts.base_style(self.doc, family, BODY_SIZE)
        section = self.doc.sections[0]
        parts.page_setup(section, "portrait", MARGINS_MM)
        self.header = self.spec.get("running_header", entry["short_title"])
        parts.header_and_footer(section, self.ink(self.header))
        self.doc.core_properties.title = entry["title"]
        self.doc.core_properties.author = entry["insurer"]
        self.text_mm = 210 - MARGINS_MM[0] - MARGINS_MM[1]
        self.ruby_left = {word: RUBY_TIMES for word, _ in self.spec.get("ruby", [])}
        self.facts: dict = {"letter_spaced": [], "distributed": [], "wrapped_headings": [], "ruby": [],
                            "toc": [], "tables": [], "kangxi": bool(self.spec.get("kangxi"))}  # fmt: skip

    def ink(self, text: str) -> str:
        """The text as the document holds it (Kangxi radicals where the manifest asks for them)."""
        return kangxi(text) if self.spec.get("kangxi") else text

    def write(self, blocks: list[Block]) -> None:
        toc_next = False
        for b in blocks:
            if b.kind == "blank":
                continue
            if b.kind == "table" and toc_next and is_toc(b.rows):
                self.facts["toc"] = add_toc(self.doc, b.rows, self.text_mm, self.ink)
                self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            elif b.kind == "table":
                self.facts["tables"].append(add_table(self.doc, b.rows, self.text_mm, self.metrics, self.ink))
            elif b.kind == "heading":
                self.heading(b.text, b.level)
            elif b.text.strip() == "目次":
                para = self.doc.add_paragraph()
                para.paragraph_format.page_break_before = True  # the contents on a page of their own
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = para.add_run(self.ink(b.text))
                run.bold, run.font.size = True, Pt(HEADING_SIZES[2])
            else:
                self.paragraph(b.text, b.runs)
            toc_next = b.kind != "table" and b.text.strip() == "目次"

    def heading(self, text: str, level: int) -> None:
        size = HEADING_SIZES[level]
        para = self.doc.add_paragraph(style=f"Heading {level}")
        para.paragraph_format.keep_with_next = True
        chapter = CHAPTER.match(text)
        numbered = chapter or NUMBERED.match(text)
        if chapter and level == 1:
            para.paragraph_format.page_break_before = True
        spaced = self.spec.get("letter_space") and numbered and len(numbered.group(2)) <= SHORT_TITLE
        if spaced and chapter:
            # a chapter title spread over a box wider than itself: Word's distributed alignment
            para.alignment = WD_ALIGN_PARAGRAPH.DISTRIBUTE
            natural = self.metrics.width(text, size) * 25.4 / 72  # mm
            side = max(0.0, (self.text_mm - 1.8 * natural) / 2)
            para.paragraph_format.left_indent = para.paragraph_format.right_indent = Mm(side)
            self.facts["distributed"].append(text)
        if spaced and not chapter:
            mark = para.add_run(self.ink(numbered.group(1)) + " ")
            mark.font.size = Pt(size)
            title = para.add_run(self.ink(numbered.group(2)))
            title.font.size = Pt(size)
            parts.letter_space(title, size)  # one em between the characters
            self.facts["letter_spaced"].append(text)
        else:
            para.add_run(self.ink(text)).font.size = Pt(size)
        if self.metrics.width(text, size) > self.text_mm * 72 / 25.4 and not spaced:
            self.facts["wrapped_headings"].append(text)  # wider than the text: Writer wraps it

    def paragraph(self, text: str, runs: Runs | None = None) -> None:
        para = self.doc.add_paragraph()
        if runs and any(bold for _, bold in runs):  # a run the transcription holds twice: bold
            for part, bold in runs:
                para.add_run(self.ink(part)).bold = bold or None
            return
        rest = text
        while rest:
            hits = [(rest.find(w), w) for w, n in self.ruby_left.items() if n and w in rest]
            if not hits:
                para.add_run(self.ink(rest))
                break
            at, word = min(hits)
            if at:
                para.add_run(self.ink(rest[:at]))
            reading = dict(self.spec["ruby"])[word]
            parts.add_ruby(para, self.ink(word), reading, BODY_SIZE)
            self.ruby_left[word] -= 1
            self.facts["ruby"].append({"word": word, "reading": reading})
            rest = rest[at + len(word) :]


def write_docx(entry: dict, path: Path, metrics: Metrics) -> dict:
    """Write ``entry`` as a .docx at ``path``; returns what its sidecar says."""
    if entry["word"].get("layout") == "branch_table":
        return word_branches.write(entry, path, metrics)
    writer = WordDocument(entry, metrics)
    writer.write(parse(text_of(entry)))
    writer.doc.save(path)
    return {"running_header": writer.header, **writer.facts}


def locate(pdf: Path, facts: dict) -> dict:
    """What only the exported PDF knows: its pages, where the TOC and the branches start, the pages
    each table runs over (its first rows' texts looked up page after page)."""
    doc = pymupdf.open(pdf)
    pages = page_texts(doc)
    found: dict = {"pages": doc.page_count}
    if facts.get("toc"):  # from the page of its title to the page of its last entry
        first, last = first_pages(pages, ["目次", facts["toc"][-1]])
        found["toc_pages"] = list(range(first, last + 1))
    if "branch_titles" in facts:
        starts = first_pages(pages, facts.pop("branch_titles"))
        found["branch_starts"] = starts
        labels = facts.pop("field_labels")
        found["split_labels"] = word_branches.split_labels(doc, starts, facts["styles"], labels)
    cursor = 0
    for table in facts.get("tables", []):
        cells = [squash(c) for c in table.pop("first_cells") if c]
        span = []
        for cell in cells:
            hit = next((n for n in range(cursor, len(pages)) if cell and cell in pages[n]), None)
            if hit is not None:
                span.append(hit)
                cursor = hit
        table["pages"] = sorted({n + 1 for n in range(min(span), max(span) + 1)}) if span else []
    doc.close()
    return found


def build_word(entries: list[dict], out: Path, metrics: Metrics) -> list[dict]:
    """Every entry with a ``[document.word]`` table, written, converted in one LibreOffice run, and
    its sidecar written beside its PDF."""
    sidecars = []
    with tempfile.TemporaryDirectory(prefix="planex-word-") as tmp:
        facts = {}
        files = []
        for entry in entries:
            path = Path(tmp) / f"{entry['id']}.docx"
            facts[entry["id"]] = write_docx(entry, path, metrics)
            files.append(path)
        convert(files, out)
    for entry in entries:
        info = facts[entry["id"]]
        located = locate(out / f"{entry['id']}.pdf", info)
        sidecar = {"id": entry["id"], "producer": "word (python-docx, LibreOffice Writer)", **located, **info}
        write_sidecar(out, sidecar)
        sidecars.append(sidecar)
    return sidecars
