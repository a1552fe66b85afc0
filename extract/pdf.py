"""Read a PDF's bytes into pages and lines: the first stage of the pipeline.

``read_pdf(data)`` is a pure function of the bytes. It raises :class:`PdfReadError` with a
``kind`` that the loader records (``empty``, ``not_pdf``, ``encrypted``, ``malformed``) and
otherwise returns a :class:`~schemas.records.ParsedDocument` whose pages are judged ``ok``,
``garbled`` or ``no_text``. PyMuPDF reads every page; pdfplumber, forty times slower, is asked
only for pages whose PyMuPDF text is garbled (a Shift-JIS CMap font without a Unicode map is
the classic case) and kept when its text is cleaner.
"""

from __future__ import annotations

import hashlib
import io
import re

import pymupdf

from extract.cells import drop_repeated_headers, read_cells
from extract.layout import RawLine, drop_running_lines, page_lines
from extract.normalize import normalize_text
from extract.quality import judge_page
from schemas.records import Cell, DocumentQuality, ErrorKind, Line, Page, ParsedDocument

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

_MEANINGLESS_TITLE = re.compile(r"^(microsoft\s+\w+\s*-|untitled|無題)|\.(docx?|xlsx?|pptx?|pdf|jtd)$", re.I)


_CID = re.compile(r"\(cid:\d+\)")


class PdfReadError(Exception):
    """A file that cannot be read, with the kind recorded in ``load_errors``."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message


def open_pdf(data: bytes) -> pymupdf.Document:
    """Open ``data`` as a PDF or raise :class:`PdfReadError` saying why it cannot be read."""
    if not data:
        raise PdfReadError("empty", "empty file (0 bytes): the download probably failed")
    if b"%PDF-" not in data[:1024]:
        head = data[:16].decode("latin-1").strip()
        raise PdfReadError("not_pdf", f"not a PDF: no %PDF- header (file starts with {head!r})")
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for broken files
        raise PdfReadError("malformed", f"cannot open PDF: {exc}") from exc
    if doc.needs_pass and not doc.authenticate(""):
        doc.close()
        raise PdfReadError("encrypted", "password required: the PDF is encrypted")
    try:
        pages = doc.page_count
    except Exception as exc:  # a truncated file whose page tree cannot be rebuilt
        doc.close()
        raise PdfReadError("malformed", f"cannot read the page tree: {exc}") from exc
    if pages == 0:
        doc.close()
        raise PdfReadError("malformed", "the PDF has no pages")
    return doc


def _to_line(raw: RawLine) -> Line:
    cell = None
    if raw.cell is not None:
        c = raw.cell
        cell = Cell(table=c.table, row=c.row, col=c.col, row_span=c.row_span, col_span=c.col_span,
                    x0=round(c.x0, 2), y0=round(c.y0, 2), x1=round(c.x1, 2), y1=round(c.y1, 2))  # fmt: skip
    return Line(
        text=normalize_text(raw.text),
        raw_text=raw.text,
        x0=round(raw.x0, 2),
        y0=round(raw.y0, 2),
        x1=round(raw.x1, 2),
        y1=round(raw.y1, 2),
        size=round(raw.size, 2),
        bold=raw.bold,
        vertical=raw.vertical,
        role=raw.role,  # type: ignore[arg-type]
        cell=cell,
    )


class _Plumber:
    """pdfplumber on the same bytes, opened only when a garbled page needs a second opinion."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pdf = None

    def lines(self, page_index: int) -> list[RawLine]:
        if self.pdf is None:
            import logging

            import pdfplumber  # imported lazily: rarely needed, slow to import

            logging.getLogger("pdfminer").setLevel(logging.ERROR)
            self.pdf = pdfplumber.open(io.BytesIO(self.data))
        result = []
        for line in self.pdf.pages[page_index].extract_text_lines(return_chars=True):
            chars = line["chars"]
            size = max((c.get("size", 0.0) for c in chars), default=0.0)
            bold = any("bold" in str(c.get("fontname", "")).lower() for c in chars)
            # pdfplumber spells an unmapped glyph "(cid:12)": that is garbage, say so.
            text = _CID.sub("\ufffd", line["text"])
            result.append(RawLine(text, line["x0"], line["top"], line["x1"], line["bottom"], size, bold))
        return result

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()


def _page_text(lines: list[RawLine]) -> str:
    return "\n".join(line.text for line in lines)


def _document_quality(pages: list[Page]) -> DocumentQuality:
    qualities = [p.quality for p in pages]
    ok = qualities.count("ok")
    if ok == len(qualities):
        return "ok"
    if ok:
        return "mixed"
    return "garbled" if "garbled" in qualities else "no_text"


def _title(doc: pymupdf.Document, pages: list[Page]) -> str:
    meta = (doc.metadata or {}).get("title") or ""
    meta = normalize_text(meta).strip()
    if meta and not _MEANINGLESS_TITLE.search(meta):
        return meta
    for page in pages[:3]:
        if page.quality != "ok" or not page.lines:
            continue
        biggest = max(line.size for line in page.lines)
        return " ".join(line.text for line in page.lines if line.size >= biggest - 0.5)[:200]
    return ""


def read_pdf(data: bytes) -> ParsedDocument:
    """Read every page of a PDF given as bytes. Raises :class:`PdfReadError` for unreadable files."""
    doc = open_pdf(data)
    plumber = _Plumber(data)
    try:
        raw_pages: list[list[RawLine]] = []
        sizes: list[tuple[float, float]] = []
        readers: list[str] = []
        failed = 0
        for index in range(doc.page_count):
            lines: list[RawLine] = []
            size = (0.0, 0.0)
            page = None
            try:
                page = doc.load_page(index)
                size = (page.rect.width, page.rect.height)
                lines = page_lines(page)
            except Exception:  # a broken page is no reason to lose the others
                failed += 1
            lines, reader = _best_reading(plumber, index, lines)
            if page is not None and lines:
                lines = read_cells(page, lines)  # tables read cell by cell (pages with ruling lines)
            raw_pages.append(lines)
            sizes.append(size)
            readers.append(reader)
        if failed == doc.page_count:
            raise PdfReadError("malformed", f"no page could be read ({doc.page_count} pages)")
        cleaned = drop_repeated_headers(drop_running_lines(raw_pages, [h for _, h in sizes]))
        pages = [
            _build_page(i, lines, sizes[i], readers[i]) for i, lines in enumerate(cleaned)
        ]
        return ParsedDocument(
            sha256=hashlib.sha256(data).hexdigest(),
            bytes=len(data),
            title=_title(doc, pages),
            text_quality=_document_quality(pages),
            pages=pages,
        )
    finally:
        plumber.close()
        doc.close()


def _best_reading(plumber: _Plumber, index: int, lines: list[RawLine]) -> tuple[list[RawLine], str]:
    """PyMuPDF's lines, or pdfplumber's where PyMuPDF's are garbled and pdfplumber's are cleaner."""
    quality, ratio = judge_page(normalize_text(_page_text(lines)))
    if quality != "garbled":
        return lines, "pymupdf"
    try:
        alternative = plumber.lines(index)
    except Exception:
        return lines, "pymupdf"
    alt_quality, alt_ratio = judge_page(normalize_text(_page_text(alternative)))
    if alt_quality != "no_text" and alt_ratio < ratio:
        return alternative, "pdfplumber"
    return lines, "pymupdf"


def _build_page(index: int, lines: list[RawLine], size: tuple[float, float], reader: str) -> Page:
    records = [_to_line(line) for line in lines]
    text = "\n".join(line.text for line in records)
    quality, ratio = judge_page(text)
    return Page(
        page_no=index + 1,
        width=round(size[0], 2),
        height=round(size[1], 2),
        quality=quality,
        text=text,
        raw_text="\n".join(line.raw_text for line in records),
        reader=reader,  # type: ignore[arg-type]
        garble_ratio=round(ratio, 4),
        lines=records,
    )
