"""A document's reading as rows, table by table: what the loader's workers hand the writer.

The pipeline (``extract.pipeline``) reads a PDF into a ``DocumentReading``; :func:`document_rows`
lays it out in the columns of ``extract.store.schema`` (with the search sentences of
``extract.store.search_index``), and the writer (``extract.store.writer``) only inserts them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from extract.store import evidence_lines, search_index
from extract.store.schema import (
    HEALTH_ISSUE_COLUMNS,
    HEALTH_ISSUES,
    KPI_COLUMNS,
    KPIS,
    LINE_COLUMNS,
    LINES,
    LIST_COLUMNS,
    PAGE_COLUMNS,
    PAGES,
    PLAN_COLUMNS,
    PLANS,
    PROGRAM_COLUMNS,
    PROGRAMS,
    SECTION_COLUMNS,
    SECTIONS,
)

if TYPE_CHECKING:
    from extract.pipeline import DocumentReading


def record_row(record: Any, columns: tuple[str, ...]) -> tuple:
    """A pydantic record as a row in ``columns`` order, lists as JSON text."""
    values = record.model_dump()
    return tuple(
        json.dumps(values[c], ensure_ascii=False) if c in LIST_COLUMNS else values[c] for c in columns
    )



@dataclass
class DocumentRows:
    """A parsed document as rows ready to insert, table by table, in column order.

    Built in the worker process (:func:`document_rows`), so that the single writer, the parent,
    only executes inserts: rows pickle far faster than pydantic models.
    """

    doc_id: str
    sha256: str
    bytes: int
    title: str
    text_quality: str
    pages: int
    characters: int
    truncated: bool = False
    ocr: bool = False
    """Read with OCR asked for (``planex load --ocr``)."""
    ocr_pages: int = 0
    """Pages read by OCR."""
    failures: list[str] = field(default_factory=list)
    """The stages that failed on the document (``StageFailure.message``): the loader records them
    as its ``partial`` error."""
    tables: dict[str, tuple[tuple[str, ...], list[tuple]]] = field(default_factory=dict)


def document_rows(document: DocumentReading) -> DocumentRows:
    """Rows of every table for one document read by the pipeline (``extract.pipeline``): pages,
    lines, plans, sections, KPIs, programs, health issues, search sentences and the lines each
    record was read from (``extract.store.evidence_lines``)."""
    parsed = document.document
    doc_id = parsed.id
    plan_rows, section_rows, kpi_rows, program_rows, issue_rows = [], [], [], [], []
    programs, issues, kpis = [], [], []
    for reading in document.plans:
        plan, sections = reading.plan, reading.sections
        kpi_rows.extend(record_row(k, KPI_COLUMNS) for k in reading.kpis)
        program_rows.extend(record_row(p, PROGRAM_COLUMNS) for p in reading.programs)
        issue_rows.extend(record_row(h, HEALTH_ISSUE_COLUMNS) for h in reading.health_issues)
        section_ids = {s.path: s.id for s in sections}
        programs.extend((p, section_ids.get(p.section)) for p in reading.programs)
        issues.extend((h, section_ids.get(h.section)) for h in reading.health_issues)
        kpis.extend((k, section_ids.get(k.section)) for k in reading.kpis)
        values = plan.model_dump()
        values["garbled_pages"] = json.dumps(plan.garbled_pages)
        values["ocr_pages"] = json.dumps(plan.ocr_pages)
        plan_rows.append(tuple(values[c] for c in PLAN_COLUMNS))
        section_rows.extend(
            (s.id, s.plan_id, s.parent_id, s.level, s.label, s.heading, s.path, s.page_start, s.page_end,
             s.text, doc_id, int(s.ocr))
            for s in sections
        )  # fmt: skip
    pages = [
        (doc_id, p.page_no, p.text, p.raw_text, p.quality, p.reader, p.garble_ratio, p.width, p.height,
         p.ocr_confidence)
        for p in parsed.pages
    ]
    lines = [
        (doc_id, p.page_no, n, ln.text, ln.raw_text, ln.x0, ln.y0, ln.x1, ln.y1, ln.size,
         int(ln.bold), int(ln.vertical), ln.role, ln.cell.model_dump_json() if ln.cell else None)
        for p in parsed.pages
        for n, ln in enumerate(p.lines, start=1)
    ]  # fmt: skip
    page_lines = search_index.parsed_page_lines(parsed.pages)
    sentences = search_index.section_sentence_rows(doc_id, page_lines, section_rows)
    sentences += search_index.record_sentence_rows(doc_id, parsed.pages, programs, issues, kpis, sentences,
                                                   page_lines)
    evidence = evidence_lines.evidence_rows(doc_id, parsed.pages, document.plans)
    return DocumentRows(
        doc_id=doc_id,
        sha256=parsed.sha256,
        bytes=parsed.bytes,
        title=parsed.title,
        text_quality=parsed.text_quality,
        pages=len(parsed.pages),
        characters=sum(len(p.text) for p in parsed.pages),
        truncated=parsed.truncated,
        ocr=parsed.ocr,
        ocr_pages=sum(p.quality == "ocr" for p in parsed.pages),
        failures=[failure.message for failure in document.failures],
        tables={
            PAGES: (PAGE_COLUMNS, pages),
            LINES: (LINE_COLUMNS, lines),
            PLANS: (PLAN_COLUMNS, plan_rows),
            SECTIONS: (SECTION_COLUMNS, section_rows),
            KPIS: (KPI_COLUMNS, kpi_rows),
            PROGRAMS: (PROGRAM_COLUMNS, program_rows),
            HEALTH_ISSUES: (HEALTH_ISSUE_COLUMNS, issue_rows),
            search_index.SENTENCES: (search_index.SENTENCE_COLUMNS, sentences),  # stored by search_tables
            evidence_lines.EVIDENCE: (evidence_lines.EVIDENCE_COLUMNS, evidence),
        },
    )
