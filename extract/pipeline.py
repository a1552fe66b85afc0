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

It is a pure function of the bytes and the indicator catalogue (planex's own by default, or
extended by the user's: ``extract.records.indicators.Catalogue``).

The loader's workers call it and hand the reading to the store, which only turns it into rows
(``extract.store.rows``) and writes them; the bench and the tests call it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extract.read.pdf import read_pdf
from extract.records.indicators import Catalogue, assign_indicators
from extract.records.kpis import plan_kpis
from extract.records.programs import plan_programs
from extract.records.restatements import merge_restatements
from extract.structure.plans import read_structure
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


@dataclass
class DocumentReading:
    """One PDF as read: the parsed document (pages, lines, quality) and the reading of each of its
    plans, in page order."""

    document: ParsedDocument
    plans: list[PlanReading]


def read_document(data: bytes, catalogue: Catalogue | None = None) -> DocumentReading:
    """Every record of one PDF, from its bytes; KPI records are mapped with the indicator
    ``catalogue`` (planex's own by default).

    Raises :class:`extract.read.pdf.PdfReadError` (with an error kind) for a file that cannot be
    read at all: encrypted, empty, not a PDF, malformed, cut short with nothing left.
    """
    return read_parsed(read_pdf(data), catalogue)


def read_parsed(parsed: ParsedDocument, catalogue: Catalogue | None = None) -> DocumentReading:
    """The stages after reading, on a document already parsed (what :func:`read_document` does
    after :func:`extract.read.pdf.read_pdf`)."""
    plans = []
    for part in read_structure(parsed):
        kpis = plan_kpis(part.plan, part.lines, part.owner, part.sections, catalogue)
        programs, issues = plan_programs(part.plan, part.lines, part.owner, part.sections, kpis)
        assign_indicators(kpis, catalogue)  # a generic word (実施率) takes its program's meaning
        kpis = merge_restatements(kpis, programs)
        plans.append(PlanReading(part.plan, part.sections, kpis, programs, issues))
    return DocumentReading(parsed, plans)
