"""Records of the reading stage: a PDF becomes pages, a page becomes lines.

Every record keeps the raw text beside the normalized text, so a user can always check what
the PDF really said.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

PageQuality = Literal["ok", "ocr", "garbled", "no_text"]
"""``ok``: readable text; ``ocr``: no text layer, read by OCR (``planex load --ocr``); ``garbled``:
private-use, replacement or mojibake characters dominate (a font without a usable Unicode map);
``no_text``: nothing to read (a scan not OCR'd, or a blank page)."""

READABLE: tuple[PageQuality, ...] = ("ok", "ocr")
"""Page qualities whose text the later stages read (a page read by OCR is read like any other)."""

DocumentQuality = Literal["ok", "ocr", "mixed", "garbled", "no_text"]
"""``ocr`` when every page with text was read by OCR (a scan); ``mixed`` when some pages are ``ok``
and others are not."""

ErrorKind = Literal[
    "encrypted", "empty", "not_pdf", "malformed", "truncated", "timeout", "no_text", "partial"
]  # fmt: skip
"""Why a file failed (``load_errors.kind``): ``encrypted`` (password required), ``empty`` (0 bytes),
``not_pdf`` (an HTML error page saved as .pdf), ``malformed`` (cannot be opened or repaired),
``truncated`` (the file ends early, an incomplete download, and no page with text is left),
``timeout`` (past the loader's timeout), ``no_text`` (a scan with no text layer), ``partial`` (a
later stage of planex failed on the file: its pages and lines are stored, and the sections of the
plans found; the records of the stage and plan named are missing -- a planex bug worth reporting)."""


LineRole = Literal["text", "label", "header"]
"""``label``: the text of a label column's cell, the heading of what stands beside it;
``header``: a table's header row, kept once (its repeats on later pages are dropped)."""


class Cell(BaseModel):
    """The table cell a line stands in: the table's number on its page (0 first), the cell's
    first row and column in the table's grid, how many rows and columns it spans, and its box."""

    table: int
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    x0: float
    y0: float
    x1: float
    y1: float


class Line(BaseModel):
    """One line of text as laid out on the page (a vertical run of 縦書き is one line too), or the
    whole text of a table cell whose lines wrap (a label, a data cell)."""

    text: str = Field(description="Normalized text (see extract.read.normalize).")
    raw_text: str = Field(description="Text as the PDF gave it, fake-bold copies removed.")
    x0: float
    y0: float
    x1: float
    y1: float
    size: float = Field(description="Font size in points (largest span of the line).")
    bold: bool = Field(
        description="Bold font or font flags, fake bold (the text drawn twice, slightly offset), or text "
        "drawn filled and stroked."
    )
    vertical: bool = False
    role: LineRole = Field(
        "text", description="text; label (a label column's cell); header (a table's header row)."
    )
    cell: Cell | None = Field(None, description="The table cell the line stands in, if any.")


class Page(BaseModel):
    page_no: int = Field(description="1-based page number in the PDF.")
    width: float
    height: float
    quality: PageQuality
    text: str = Field(description="Normalized page text, one line per line, headers and footers removed.")
    raw_text: str = Field(description="The same lines as the PDF gave them.")
    reader: Literal["pymupdf", "pdfplumber", "tesseract"] = "pymupdf"
    garble_ratio: float = Field(0.0, description="Share of non-space characters that look garbled.")
    ocr_confidence: float | None = Field(
        None, description="Mean word confidence of Tesseract (0-100) on a page read by OCR; null otherwise."
    )
    lines: list[Line] = Field(default_factory=list)


class ParsedDocument(BaseModel):
    """What one PDF's bytes yield. A pure function of the bytes: no path, no clock."""

    sha256: str
    bytes: int
    title: str
    text_quality: DocumentQuality
    truncated: bool = Field(
        False,
        description="The file ends early (an incomplete download): these are the pages that could be "
        "recovered, and pages after the cut are missing or empty.",
    )
    pages: list[Page]
    ocr: bool = Field(False, description="Read with OCR asked for: pages without a text layer were OCR'd.")

    @property
    def id(self) -> str:
        """A document's id is its content hash."""
        return self.sha256


class LoadError(BaseModel):
    """A file that could not be loaded, as recorded in the ``load_errors`` table."""

    file_name: str
    path: str
    sha256: str | None
    kind: ErrorKind
    message: str
    at: datetime
    planex_version: str | None = None
    """The planex that failed on it: a rerun of the same version skips a file whose bytes failed
    for a reason of their own (all kinds but ``timeout`` and a crash of the reader)."""
