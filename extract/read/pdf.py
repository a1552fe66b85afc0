"""Read a PDF's bytes into pages and lines: the first stage of the pipeline.

``read_pdf(data)`` is a pure function of the bytes. It raises :class:`PdfReadError` with a
``kind`` that the loader records (``empty``, ``not_pdf``, ``encrypted``, ``malformed``,
``truncated``) and otherwise returns a :class:`~schemas.records.ParsedDocument` whose pages are
judged ``ok``, ``garbled`` or ``no_text``. PyMuPDF reads every page; pdfplumber, forty times
slower, is asked only for pages whose PyMuPDF text is garbled (a Shift-JIS CMap font without a
Unicode map is the classic case) and kept when its text is cleaner.

Damaged files are read as far as they can be (real download folders hold many):

- a file cut short (no ``%%EOF`` at its end, repaired by MuPDF) keeps the pages that survived
  and is flagged ``truncated``; with none left it fails as ``truncated``, not as a scan;
- a page tree lost (cut off, or damaged) is rebuilt from the page objects still in the file;
- a damaged ``%PDF-`` header does not hide a file whose objects are intact;
- with ``ocr`` (``planex load --ocr``), a page with no text layer at all is read by Tesseract
  (:mod:`extract.read.ocr`) into lines like any other page's, quality ``ocr``, its mean word
  confidence kept; a page that has a text layer is never OCR'd;
- pdfplumber is a second opinion only: its errors (pdfminer raises on many damaged files, also
  while closing) never cost a page PyMuPDF read, and once it has wasted
  :data:`SECOND_OPINION_TRIES` readings of garbled pages and more than it helped on, it is not
  asked again — a document whose fonts all lost their Unicode maps would otherwise spend minutes
  on hundreds of pages, while one where it rescues some pages keeps it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable

import pymupdf

from extract.read.cells import read_cells
from extract.read.continued import read_across_pages
from extract.read.layout import RawLine, drop_running_lines, page_lines
from extract.read.normalize import fold_radicals, normalize_text
from extract.read.ocr import Tesseract, ocr_page
from extract.read.quality import judge_page
from schemas.records import READABLE, Cell, DocumentQuality, ErrorKind, Line, Page, ParsedDocument

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

_MEANINGLESS_TITLE = re.compile(
    r"^(microsoft\s+\w+\s*-|untitled|無題)"
    r"|\.(docx?|xlsx?|pptx?|pdf|jtd|indd|ai|psd|eps|rtf|od[tsp]|txt|html?|xdw|jpe?g|png|tiff?)$"
    r"|^[\x21-\x7e]*[_/\\][\x21-\x7e]*$|^[\x21-\x7e]+\.[a-z0-9]{2,4}$"
    r"|^<[0-9a-f\s]*>$",
    re.I,
)
"""A title that names no document: a program's default, a file name or path as the program saw it
(``chirashi_0601.indd``, ``R3_keikaku``: ASCII with no space and an ``_``, a slash or an
extension), or an Info title left as undecoded hex (``<3230…>``, a Shift JIS title no reader
decodes). The cover's largest type is the title then."""


_CID = re.compile(r"\(cid:\d+\)")
_WORDS = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fff]")  # kana and kanji
_EOF_MARKER = re.compile(rb"%%EOF")
_EOF_TAIL = 1024
"""Bytes at the end of a file searched for ``%%EOF`` (servers and tools sometimes append a little)."""
_PDF_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")
_HEADER_WINDOW = 1024
"""The ``%PDF-`` header must start within the first kilobyte (as readers accept it)."""

SECOND_OPINION_TRIES = 3
"""Garbled pages of a document pdfplumber is asked about before the reader stops asking it, if it
gave no cleaner text on any of them (it helps on all pages of a document or on none)."""

STATS: Counter[str] = Counter()
"""Work done in this process: ``second_opinions`` (pages pdfplumber was asked to read),
``second_opinions_kept`` and ``ocr_pages`` (pages read by OCR). Read by tests, the loader's
workers and ``make bench``; a side channel, not a result."""

OcrProgress = Callable[[int, int], None]
"""Called with (pages OCR'd so far, pages to OCR): once before the first page, then after each."""

TRUNCATED = "the file ends early: an incomplete download?"


class PdfReadError(Exception):
    """A file that cannot be read, with the kind recorded in ``load_errors``."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.message = message


def open_pdf(data: bytes) -> pymupdf.Document:
    """Open ``data`` as a PDF or raise :class:`PdfReadError` saying why it cannot be read.

    A document whose page tree is lost gets one rebuilt from its page objects
    (:func:`_rebuild_page_tree`); the kind of a file with no page left says why: ``truncated``
    for a file cut short, ``malformed`` otherwise.
    """
    return _open_repaired(data)[0]


def _open_repaired(data: bytes) -> tuple[pymupdf.Document, bool]:
    """:func:`open_pdf`, and whether the file had to be repaired (a damaged or cut-off xref)."""
    if not data:
        raise PdfReadError("empty", "empty file (0 bytes): the download probably failed")
    if b"%PDF-" not in data[:_HEADER_WINDOW] and not _PDF_OBJECT.search(data[:65536]):
        head = data[:16].decode("latin-1").strip()
        raise PdfReadError("not_pdf", f"not a PDF: no %PDF- header (file starts with {head!r})")
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for broken files
        raise _unreadable(data, f"cannot open PDF: {exc}") from exc
    if doc.needs_pass and not doc.authenticate(""):
        doc.close()
        raise PdfReadError("encrypted", "password required: the PDF is encrypted")
    if _page_count(doc) > 0:
        return doc, doc.is_repaired
    rebuilt = _rebuild_page_tree(doc)
    doc.close()
    if rebuilt is None:
        raise _unreadable(data, "no page could be recovered: the page tree is lost")
    return rebuilt, True


def ends_early(data: bytes) -> bool:
    """True if the file has no ``%%EOF`` at its end: a download or copy cut short."""
    return _EOF_MARKER.search(data[-_EOF_TAIL:]) is None


def _unreadable(data: bytes, detail: str) -> PdfReadError:
    """The error for a file with nothing to read: ``truncated`` if it is cut short."""
    if ends_early(data):
        return PdfReadError("truncated", f"{TRUNCATED} ({len(data):,} bytes; {detail}) — download it again")
    return PdfReadError("malformed", detail)


def _page_count(doc: pymupdf.Document) -> int:
    """Pages in the page tree; 0 when it cannot be read (a truncated or damaged tree)."""
    try:
        return doc.page_count
    except Exception:
        return 0


def _page_objects(doc: pymupdf.Document) -> list[int]:
    """Object numbers of the ``/Type /Page`` dictionaries still in the file, in number order
    (page order, in the files producers write)."""
    found = []
    for xref in range(1, doc.xref_length()):
        try:
            if doc.xref_get_key(xref, "Type") == ("name", "/Page"):
                found.append(xref)
        except Exception:  # a damaged object is not a page we can use
            continue
    return found


def _rebuild_page_tree(doc: pymupdf.Document) -> pymupdf.Document | None:
    """A copy of ``doc`` whose page tree lists every page object found, or ``None`` if none is.

    Many producers (Word among them) write the page tree and the catalog as the last objects
    of the file, so a download cut short loses them while the pages are still there; MuPDF's
    repair then finds no pages at all. Object numbers follow page order in such files.
    """
    try:
        pages = _page_objects(doc)
        if not pages:
            return None
        tree = doc.get_new_xref()
        kids = " ".join(f"{xref} 0 R" for xref in pages)
        doc.update_object(tree, f"<</Type/Pages/Count {len(pages)}/Kids[{kids}]>>")
        for xref in pages:
            doc.xref_set_key(xref, "Parent", f"{tree} 0 R")
        catalog = doc.pdf_catalog()
        if catalog <= 0:
            catalog = doc.get_new_xref()
            doc.update_object(catalog, f"<</Type/Catalog/Pages {tree} 0 R>>")
            doc.xref_set_key(-1, "Root", f"{catalog} 0 R")
        else:
            doc.xref_set_key(catalog, "Pages", f"{tree} 0 R")
        rebuilt = pymupdf.open(stream=doc.tobytes(), filetype="pdf")
    except Exception:
        return None
    if _page_count(rebuilt) == 0:
        rebuilt.close()
        return None
    return rebuilt


def _to_line(raw: RawLine) -> Line:
    cell = None
    if raw.cell is not None:
        c = raw.cell
        cell = Cell(table=c.table, row=c.row, col=c.col, row_span=c.row_span, col_span=c.col_span,
                    x0=round(c.x0, 2), y0=round(c.y0, 2), x1=round(c.x1, 2), y1=round(c.y1, 2))  # fmt: skip
    return Line(
        text=normalize_text(raw.text),
        raw_text=fold_radicals(raw.text),
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
    """pdfplumber on the same bytes, opened only when a garbled page needs a second opinion.

    A second opinion must never cost what PyMuPDF read: any error of pdfplumber or pdfminer
    (opening, reading a page, closing) retires it for the document, and so does a page count
    other than PyMuPDF's (page ``i`` would be another page). It stops being asked once it has
    wasted :data:`SECOND_OPINION_TRIES` readings and more readings than it helped on: a document
    where it never helps costs three readings, one where it helps on some pages is read by it as
    long as it keeps earning its cost, and no document pays more than ``helped + TRIES`` wasted
    readings.
    """

    def __init__(self, data: bytes, page_count: int) -> None:
        self.data = data
        self.page_count = page_count
        self.pdf = None
        self.asked = 0
        self.helped = 0
        self.retired = False

    @property
    def worth_asking(self) -> bool:
        wasted = self.asked - self.helped
        return not self.retired and (wasted < SECOND_OPINION_TRIES or wasted <= self.helped)

    def lines(self, page_index: int) -> list[RawLine] | None:
        """pdfplumber's lines of the page, or ``None`` if it cannot give them."""
        self.asked += 1
        STATS["second_opinions"] += 1
        try:
            return self._lines(page_index)
        except Exception:  # pdfminer raises anything on damaged files
            self.retired = True
            return None

    def kept(self) -> None:
        self.helped += 1
        STATS["second_opinions_kept"] += 1

    def _open(self):
        import logging

        import pdfplumber  # imported lazily: rarely needed, slow to import

        logging.getLogger("pdfminer").setLevel(logging.ERROR)
        pdf = pdfplumber.open(io.BytesIO(self.data))
        self.pdf = pdf
        if len(pdf.pages) != self.page_count:
            raise ValueError("pdfplumber sees another page tree than PyMuPDF")
        return pdf

    def _lines(self, page_index: int) -> list[RawLine]:
        pdf = self.pdf if self.pdf is not None else self._open()
        result = []
        for line in pdf.pages[page_index].extract_text_lines(return_chars=True):
            chars = line["chars"]
            size = max((c.get("size", 0.0) for c in chars), default=0.0)
            bold = any("bold" in str(c.get("fontname", "")).lower() for c in chars)
            # pdfplumber spells an unmapped glyph "(cid:12)": that is garbage, say so.
            text = _CID.sub("\ufffd", line["text"])
            result.append(RawLine(text, line["x0"], line["top"], line["x1"], line["bottom"], size, bold))
        return result

    def close(self) -> None:
        """Close pdfplumber; its errors here (it walks every page again) are of no consequence."""
        if self.pdf is None:
            return
        with contextlib.suppress(Exception):
            self.pdf.close()
        self.pdf = None


def _page_text(lines: list[RawLine]) -> str:
    return "\n".join(line.text for line in lines)


def _document_quality(pages: list[Page]) -> DocumentQuality:
    qualities = [p.quality for p in pages]
    ok = qualities.count("ok")
    if ok == len(qualities):
        return "ok"
    if ok:
        return "mixed"
    if "ocr" in qualities:
        return "mixed" if "garbled" in qualities else "ocr"
    return "garbled" if "garbled" in qualities else "no_text"


def _title(doc: pymupdf.Document, pages: list[Page]) -> str:
    try:
        meta = (doc.metadata or {}).get("title") or ""
    except Exception:  # a damaged Info dictionary: the first page still gives a title
        meta = ""
    meta = normalize_text(meta).strip()
    if meta and not _MEANINGLESS_TITLE.search(meta):
        return meta
    for page in pages[:3]:
        # on a page read by OCR a size is measured from ink boxes: only lines of words count
        lines = [ln for ln in page.lines if page.quality == "ok" or len(_WORDS.findall(ln.text)) >= 4]
        if page.quality not in READABLE or not lines:
            continue
        biggest = max(line.size for line in lines)
        return " ".join(line.text for line in lines if line.size >= biggest - 0.5)[:200]
    return ""


def read_pdf(
    data: bytes, *, ocr: Tesseract | None = None, on_ocr: OcrProgress | None = None
) -> ParsedDocument:
    """Read every page of a PDF given as bytes. Raises :class:`PdfReadError` for unreadable files.

    With ``ocr``, the pages without a text layer are read by Tesseract after the others (so that
    ``on_ocr`` can say first how many there are: the loader's timeout grows with them); the result
    is a pure function of the bytes and of whether OCR was asked for."""
    doc, repaired = _open_repaired(data)
    plumber = _Plumber(data, doc.page_count)
    try:
        raw_pages: list[list[RawLine]] = []
        sizes: list[tuple[float, float]] = []
        readers: list[str] = []
        without_text: list[int] = []
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
                # tables read cell by cell (pages with ruling lines); a drawing MuPDF cannot give
                # leaves the page read as lines
                with contextlib.suppress(Exception):
                    lines = read_cells(page, lines)
            raw_pages.append(lines)
            sizes.append(size)
            readers.append(reader)
            if page is not None and not _page_text(lines).strip():
                without_text.append(index)
        if failed == doc.page_count:
            raise _unreadable(data, f"no page could be read ({doc.page_count} pages)")
        confidences: dict[int, float | None] = {}
        if ocr is not None and without_text:
            for done, index in enumerate([None, *without_text]):
                if index is not None:
                    with contextlib.suppress(Exception):  # a page Tesseract cannot read stays no_text
                        reading = ocr_page(doc.load_page(index), ocr)
                        raw_pages[index], sizes[index] = reading.lines, (reading.width, reading.height)
                        readers[index], confidences[index] = "tesseract", reading.confidence
                    STATS["ocr_pages"] += 1
                if on_ocr is not None:
                    on_ocr(done, len(without_text))
        cleaned = read_across_pages(drop_running_lines(raw_pages, [h for _, h in sizes]))
        pages = [
            _build_page(i, lines, sizes[i], readers[i], confidences.get(i)) for i, lines in enumerate(cleaned)
        ]
        truncated = repaired and ends_early(data)
        quality = _document_quality(pages)
        if truncated and quality == "no_text":
            left = f"{len(pages)} page" + ("s" if len(pages) > 1 else "")
            raise PdfReadError("truncated", f"{TRUNCATED} (no text on the {left} left) — download it again")
        return ParsedDocument(
            sha256=hashlib.sha256(data).hexdigest(),
            bytes=len(data),
            title=_title(doc, pages),
            text_quality=quality,
            truncated=truncated,
            pages=pages,
            ocr=ocr is not None,
        )
    finally:
        plumber.close()
        doc.close()


def _best_reading(plumber: _Plumber, index: int, lines: list[RawLine]) -> tuple[list[RawLine], str]:
    """PyMuPDF's lines, or pdfplumber's where PyMuPDF's are garbled and pdfplumber's are cleaner."""
    quality, ratio = judge_page(normalize_text(_page_text(lines)))
    if quality != "garbled" or not plumber.worth_asking:
        return lines, "pymupdf"
    alternative = plumber.lines(index)
    if alternative is None:
        return lines, "pymupdf"
    alt_quality, alt_ratio = judge_page(normalize_text(_page_text(alternative)))
    if alt_quality != "no_text" and alt_ratio < ratio:
        plumber.kept()
        return alternative, "pdfplumber"
    return lines, "pymupdf"


def _build_page(index: int, lines: list[RawLine], size: tuple[float, float], reader: str,
                confidence: float | None = None) -> Page:  # fmt: skip
    records = [_to_line(line) for line in lines]
    text = "\n".join(line.text for line in records)
    quality, ratio = judge_page(text)
    if reader == "tesseract" and quality != "no_text":
        quality = "ocr"  # whatever characters OCR read: the page says it was read so
    return Page(
        page_no=index + 1,
        width=round(size[0], 2),
        height=round(size[1], 2),
        quality=quality,
        text=text,
        raw_text="\n".join(line.raw_text for line in records),
        reader=reader,  # type: ignore[arg-type]
        garble_ratio=round(ratio, 4),
        ocr_confidence=confidence if reader == "tesseract" else None,
        lines=records,
    )
