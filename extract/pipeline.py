"""One PDF, every record read from it: the stages called in order.

:func:`read_document` is a pure function of the file's bytes:

1. read (``extract.read``): :func:`extract.read.pdf.read_pdf` -- pages, lines, table cells,
   normalized text, the quality of each page -- as a ``ParsedDocument``;
2. structure (``extract.structure``): :func:`extract.structure.plans.read_structure` -- the plans
   of the document, their metadata and section trees;
3. records (``extract.records``), plan by plan: KPIs and numeric targets
   (:func:`extract.records.kpis.plan_kpis`), then the programs and health issues, which link to
   those KPIs (:func:`extract.records.programs.plan_programs`); then the KPIs' canonical
   indicators, once their programs are known (:func:`extract.records.indicators.assign_indicators`),
   and a target stated twice made one record with both sources
   (:func:`extract.records.restatements.merge_restatements`).

It is a pure function of the bytes, the indicator catalogue (planex's own by default, or
extended by the user's: ``extract.records.indicators.Catalogue``) and whether OCR was asked for
(``ocr``: pages without a text layer are read by Tesseract; their KPIs' numbers are checked,
:func:`extract.records.ocr_checks.check_ocr_kpis`, and every record from them is marked ``ocr``).

A later stage that raises on a document (a bug of planex on a strange file) does not cost what the
stages before it read: the document keeps its pages and lines, the plans that were found keep their
sections, and the reading lists a :class:`StageFailure` naming the stage and the plan, which the
loader records as the file's ``partial`` error.

The loader's workers call it and hand the reading to the store, which only turns it into rows
(``extract.store.rows``) and writes them; the bench and the tests call it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extract.read.ocr import Tesseract
from extract.read.pdf import OcrProgress, read_pdf
from extract.records.indicators import Catalogue, assign_indicators
from extract.records.kpis import plan_kpis
from extract.records.ocr_checks import check_ocr_kpis
from extract.records.programs import plan_programs
from extract.records.restatements import merge_restatements
from extract.structure.plans import PlanStructure, read_structure
from schemas.kpis import Kpi
from schemas.plans import Plan, Section
from schemas.programs import HealthIssue, Program
from schemas.records import ParsedDocument


@dataclass
class PlanReading:
    """One plan with everything read from it."""

    plan: Plan
    sections: list[Section]
    kpis: list[Kpi]
    programs: list[Program] = field(default_factory=list)
    health_issues: list[HealthIssue] = field(default_factory=list)


@dataclass(frozen=True)
class StageFailure:
    """A stage that raised on a document: which one (``structure`` or ``records``), where (the
    plan, for records), and the exception's type and text."""

    stage: str
    where: str
    error: str

    @property
    def message(self) -> str:
        where = f" of {self.where}" if self.where else ""
        return f"the {self.stage} stage failed{where} ({self.error})"


@dataclass
class DocumentReading:
    """One PDF as read: the parsed document (pages, lines, quality) and the reading of each of its
    plans, in page order; ``failures``: the stages that raised (what they would have read is
    missing, the rest is kept)."""

    document: ParsedDocument
    plans: list[PlanReading]
    failures: list[StageFailure] = field(default_factory=list)


def read_document(
    data: bytes,
    catalogue: Catalogue | None = None,
    *,
    ocr: Tesseract | None = None,
    on_ocr: OcrProgress | None = None,
) -> DocumentReading:
    """Every record of one PDF, from its bytes; KPI records are mapped with the indicator
    ``catalogue`` (planex's own by default); with ``ocr``, pages without a text layer are OCR'd
    (``on_ocr`` hears how many, and each one done).

    Raises :class:`extract.read.pdf.PdfReadError` (with an error kind) for a file that cannot be
    read at all: encrypted, empty, not a PDF, malformed, cut short with nothing left.
    """
    return read_parsed(read_pdf(data, ocr=ocr, on_ocr=on_ocr), catalogue)


def read_parsed(parsed: ParsedDocument, catalogue: Catalogue | None = None) -> DocumentReading:
    """The stages after reading, on a document already parsed (what :func:`read_document` does
    after :func:`extract.read.pdf.read_pdf`)."""
    ocr_pages = {p.page_no for p in parsed.pages if p.quality == "ocr"}
    try:
        parts = read_structure(parsed)
    except Exception as exc:  # a bug on a strange file: the pages stay, the failure is named
        return DocumentReading(parsed, [], [StageFailure("structure", "", _described(exc))])
    plans, failures = [], []
    for part in parts:
        try:
            reading = _plan_records(part, catalogue, ocr_pages)
        except Exception as exc:  # this plan's records are lost, not its sections nor other plans
            where = f"plan {part.plan.number}" + (f" ({part.plan.branch})" if part.plan.branch else "")
            failures.append(StageFailure("records", where, _described(exc)))
            reading = PlanReading(part.plan, part.sections, [])
        plans.append(_marked(reading, ocr_pages) if ocr_pages else reading)
    return DocumentReading(parsed, plans, failures)


def _plan_records(part: PlanStructure, catalogue: Catalogue | None, ocr_pages: set[int]) -> PlanReading:
    """The records stage on one plan: KPIs, programs and health issues, canonical indicators."""
    kpis = plan_kpis(part.plan, part.lines, part.owner, part.sections, catalogue)
    if ocr_pages:
        kpis = check_ocr_kpis(kpis, part.plan, ocr_pages)  # a number OCR misread: dropped
    programs, issues = plan_programs(part.plan, part.lines, part.owner, part.sections, kpis)
    assign_indicators(kpis, catalogue)  # a generic word (実施率) takes its program's meaning
    kpis = merge_restatements(kpis, programs)
    return PlanReading(part.plan, part.sections, kpis, programs, issues)


def _described(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _marked(reading: PlanReading, ocr_pages: set[int]) -> PlanReading:
    """The plan's records, each saying whether it came from a page read by OCR (``ocr``): a KPI or a
    health issue by its page, a section or a program when any of its pages was."""

    def spans(start: int, end: int) -> bool:
        return any(start <= page <= end for page in ocr_pages)

    return PlanReading(
        reading.plan,
        [s.model_copy(update={"ocr": spans(s.page_start, s.page_end)}) for s in reading.sections],
        [k.model_copy(update={"ocr": k.page in ocr_pages}) for k in reading.kpis],
        [p.model_copy(update={"ocr": spans(p.page_start, p.page_end)}) for p in reading.programs],
        [h.model_copy(update={"ocr": h.page in ocr_pages}) for h in reading.health_issues],
    )
