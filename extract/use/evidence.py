"""A record's evidence: the page it was read from, drawn with the lines it came from boxed.

For any section, KPI, program or health issue (by id) :func:`find_evidence` gathers the record's
fields, its plan and document, and, page by page, the boxes of the lines it was read from (the
``evidence`` table, ``extract.store.evidence_lines``, stored at load time); a search hit narrows them
to its sentence (``sentence=``). :func:`render_page` draws one of those pages as a PNG with
PyMuPDF, the lines boxed: from the original PDF where the file is still at the path it was
loaded from, with the same bytes; otherwise from the lines planex stored (their text at their
places), with a note saying so on the picture and in :attr:`Evidence.note`.

``planex show --evidence ID --png out.png`` writes the picture, and ``planex serve`` shows it
beside the record's fields (``extract.use.serve_evidence``). Nothing here writes the database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlite_utils

from extract import store
from extract.store.evidence_lines import EVIDENCE, IndexedLine, LineIndex, squash

TABLES = {"kpi": store.KPIS, "program": store.PROGRAMS, "health_issue": store.HEALTH_ISSUES,
          "section": store.SECTIONS}  # fmt: skip
"""The table of each kind of record with evidence."""
KIND_OF_HIT = {"heading": "section", "section": "section", "program": "program",
               "health_issue": "health_issue", "kpi": "kpi"}  # fmt: skip
"""The record kind of a search hit's kind (``extract.use.search.SENTENCE_KINDS``)."""
ZOOM = 1.5
"""Pixels per point of a rendered page (108 dpi): the text of a 10.5 pt body is readable."""
BOX = (0.86, 0.08, 0.08)
FOCUS_FILL = (1.0, 0.85, 0.0)


class EvidenceError(LookupError):
    """No record with that id (or no such page of its evidence); the message says which."""


@dataclass(frozen=True)
class Box:
    """One line a record was read from: its number on the page, box (PDF points, origin at the
    top left) and text."""

    line_no: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass
class EvidencePage:
    page_no: int
    width: float
    height: float
    boxes: list[Box] = field(default_factory=list)


@dataclass
class Evidence:
    """A record with where it was read: everything :func:`render_page` and the views need."""

    kind: str
    ref_id: str
    record: dict[str, Any]
    plan: dict[str, Any]
    document: dict[str, Any]
    pages: list[EvidencePage]
    pdf: Path | None
    """The original PDF, when it is still at its loaded path with the same bytes."""
    note: str | None
    """Why there is no PDF to open (moved, deleted, changed), for the reader."""
    sentence: str | None = None

    @property
    def first_page(self) -> int:
        return self.pages[0].page_no if self.pages else _record_page(self.record)

    def page(self, page_no: int | None = None) -> EvidencePage:
        if page_no is None:
            return self.pages[0] if self.pages else self._bare(self.first_page)
        for p in self.pages:
            if p.page_no == page_no:
                return p
        return self._bare(page_no)

    def _bare(self, page_no: int) -> EvidencePage:
        size = self.document.get("sizes", {}).get(page_no)
        if size is None:
            raise EvidenceError(f"page {page_no} is not a page of {self.document.get('file_name')}")
        return EvidencePage(page_no, *size)

    @property
    def text(self) -> str:
        """The record's own text, as the lines it was read from should hold it."""
        r = self.record
        if self.sentence:
            return self.sentence
        if self.kind == "section":
            return f"{r.get('label') or ''} {r.get('heading') or ''}\n{r.get('text') or ''}".strip()
        return r.get("raw_text") or ""


def _record_page(record: dict[str, Any]) -> int:
    return int(record.get("page") or record.get("page_start") or 1)


def kind_of(db: sqlite_utils.Database, ref_id: str) -> str:
    """The kind of record ``ref_id`` names (a KPI, program, health issue or section id)."""
    for kind, table in TABLES.items():
        if db.execute(f"select 1 from {table} where id = ?", [ref_id]).fetchone():
            return kind
    raise EvidenceError(f"no KPI, program, health issue or section with id '{ref_id}' "
                        "(ids: planex kpis --json, planex programs, the search's hits)")  # fmt: skip


def find_evidence(
    db: sqlite_utils.Database,
    ref_id: str,
    kind: str | None = None,
    *,
    sentence: str | None = None,
    page: int | None = None,
) -> Evidence:
    """The evidence of the record ``ref_id`` (``kind`` found from the id if not given; a search
    hit's kind is taken too: heading → section). With ``sentence`` (a search hit's), the boxes
    are those of the sentence's lines among the record's, where they can be told: on ``page``
    (the hit's) or the next first, a sentence a long section says twice."""
    kind = KIND_OF_HIT.get(kind or "", kind) if kind else kind_of(db, ref_id)
    if kind not in TABLES:
        raise EvidenceError(f"no evidence for a '{kind}' (one of: {', '.join(TABLES)})")
    rows = list(db.query(f"select * from {TABLES[kind]} where id = ?", [ref_id]))
    if not rows:
        raise EvidenceError(f"no {kind.replace('_', ' ')} with id '{ref_id}'")
    record = rows[0]
    plan = next(iter(db.query(f"select * from {store.PLANS} where id = ?", [record["plan_id"]])), {})
    doc_id = record.get("doc_id") or plan.get("doc_id")
    document = next(iter(db.query(f"select * from {store.DOCUMENTS} where id = ?", [doc_id])), {})
    document["sizes"] = {n: (w or 595.0, h or 842.0) for n, w, h in db.execute(
        f"select page_no, width, height from {store.PAGES} where doc_id = ?", [doc_id])}  # fmt: skip
    lines = db.execute(
        f"select l.page_no, l.line_no, l.x0, l.y0, l.x1, l.y1, l.text from {EVIDENCE} e "
        f"join {store.LINES} l on l.doc_id = e.doc_id and l.page_no = e.page_no and l.line_no = e.line_no "
        "where e.kind = ? and e.ref_id = ? order by l.page_no, l.line_no",
        [kind, ref_id],
    ).fetchall()
    if sentence:
        near = [row for row in lines if page is not None and page <= row[0] <= page + 1]
        lines = _sentence_lines(near, sentence) or _sentence_lines(lines, sentence) or lines
    pages: dict[int, EvidencePage] = {}
    for page_no, line_no, x0, y0, x1, y1, text in lines:
        if page_no not in pages:
            pages[page_no] = EvidencePage(page_no, *document["sizes"].get(page_no, (595.0, 842.0)))
        pages[page_no].boxes.append(Box(line_no, x0, y0, x1, y1, text or ""))
    pdf, note = pdf_location(document)
    return Evidence(kind, ref_id, record, plan, document, list(pages.values()), pdf, note, sentence)


def _sentence_lines(lines: list[tuple], sentence: str) -> list[tuple]:
    """The lines among a record's that hold ``sentence`` (a search hit's)."""
    index = LineIndex(IndexedLine(row[0], row[1], squash(row[6] or "")) for row in lines)
    pages = [row[0] for row in lines]
    found = index.locate(sentence, min(pages), max(pages)) if lines else []
    wanted = {(index.lines[k].page, index.lines[k].line_no) for k in found}
    return [row for row in lines if (row[0], row[1]) in wanted]


@lru_cache(maxsize=64)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pdf_location(document: dict[str, Any]) -> tuple[Path | None, str | None]:
    """The loaded PDF if it is still at its path with the bytes planex read (``documents.id``
    is their SHA-256), else ``None`` and a note saying what became of it."""
    where = document.get("path") or document.get("file_name") or "?"
    path = Path(where)
    try:
        stat = path.stat()
    except OSError:
        return None, (f"The PDF is no longer at {where} (moved or deleted): the page is drawn from the "
                      "lines planex stored when it loaded the file. Load it again from its new place "
                      "to link the original.")  # fmt: skip
    if stat.st_size != document.get("bytes") or _file_sha256(
        str(path), stat.st_size, stat.st_mtime_ns
    ) != document.get("id"):
        return None, (f"The file at {where} is no longer the PDF planex loaded (its content changed): "
                      "the page is drawn from the lines planex stored.")  # fmt: skip
    return path, None


def render_page(evidence: Evidence, page_no: int | None = None, *, zoom: float = ZOOM) -> bytes:
    """One page of the evidence as a PNG, the record's lines boxed (the first page with boxes
    by default): the original PDF's page, or, without it, the stored lines drawn at their places
    with a note at the top."""
    import pymupdf

    page_info = evidence.page(page_no)
    if evidence.pdf is not None:
        doc = pymupdf.open(evidence.pdf)
        page = doc[page_info.page_no - 1]
        to_page = page.derotation_matrix  # boxes are in the shown page's space; drawing is unrotated
    else:
        doc = pymupdf.open()
        page = doc.new_page(width=page_info.width, height=page_info.height)
        _draw_stored_lines(page, evidence, page_info)
        to_page = pymupdf.Identity
    try:
        for box in page_info.boxes:
            rect = (pymupdf.Rect(box.x0, box.y0, box.x1, box.y1) * to_page).normalize()
            rect = pymupdf.Rect(rect.x0 - 1.5, rect.y0 - 1.5, rect.x1 + 1.5, rect.y1 + 1.5)
            page.draw_rect(rect, color=BOX, fill=FOCUS_FILL, fill_opacity=0.22, width=1.4, overlay=True)
        return page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False).tobytes("png")
    finally:
        doc.close()


def _draw_stored_lines(page: Any, evidence: Evidence, page_info: EvidencePage) -> None:
    """The page as planex stored it: each line's text at its place (a built-in CJK font), and a
    note at the top that this is no picture of the original."""
    for x0, y0, _x1, y1, size, text in evidence.document.get("lines", {}).get(page_info.page_no, []):
        height = max(1.0, (y1 or 0) - (y0 or 0))
        fontsize = max(4.0, min(size or height * 0.8, height))
        page.insert_text((x0 or 0, (y1 or 0) - height * 0.15), text or "", fontname="japan",
                         fontsize=fontsize, color=(0.2, 0.2, 0.2))  # fmt: skip
    page.insert_text((12, 14), "The original PDF is not available: the lines planex stored, at their places.",
                      fontname="helv", fontsize=8, color=BOX)  # fmt: skip


def load_page_lines(db: sqlite_utils.Database, evidence: Evidence, page_no: int | None = None) -> None:
    """Keep the stored lines of one page of the evidence in it (the first by default), for the
    page drawn without its PDF."""
    page_no = evidence.page(page_no).page_no
    evidence.document.setdefault("lines", {})[page_no] = db.execute(
        f"select x0, y0, x1, y1, size, text from {store.LINES} where doc_id = ? and page_no = ? "
        "order by line_no",
        [evidence.document.get("id"), page_no],
    ).fetchall()


def evidence_png(
    db: sqlite_utils.Database,
    ref_id: str,
    kind: str | None = None,
    *,
    page: int | None = None,
    sentence: str | None = None,
    zoom: float = ZOOM,
) -> tuple[Evidence, bytes]:
    """The evidence of ``ref_id`` and its page drawn as a PNG (:func:`find_evidence`,
    :func:`render_page`): what ``planex show --evidence ID --png FILE`` writes."""
    found = find_evidence(db, ref_id, kind, sentence=sentence, page=page)
    if found.pdf is None:
        load_page_lines(db, found, page)
    return found, render_page(found, page, zoom=zoom)


FIELDS_HIDDEN = {"doc_id", "sources", "text", "raw_text"}
"""Columns the field list leaves out: shown elsewhere (the text, the page) or of no use to read."""


def shown_fields(evidence: Evidence) -> list[tuple[str, str]]:
    """The record's fields as (name, value) to list beside the page: empty ones left out, lists
    read from their JSON."""
    out = []
    for name, value in evidence.record.items():
        if name in FIELDS_HIDDEN or value is None or value == "":
            continue
        if name in store.LIST_COLUMNS and isinstance(value, str):
            items = json.loads(value or "[]")
            if not items:
                continue
            value = " / ".join(str(i) for i in items)
        out.append((name, str(value)))
    return out
