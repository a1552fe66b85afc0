"""Scanned plans through the whole pipeline (extract/pipeline.py with OCR), on the scanned fixture:
KPIs read by OCR against the KPIs of the same pages' text layer, plans and fields, the evidence."""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from functools import cache

import pymupdf
import pytest

from extract.evaluate import kpi_gold, score_kpis
from extract.pipeline import DocumentReading
from extract.read import pdf
from extract.read.ocr import find_tesseract
from tests.conftest import CORPUS, PDFS, read_whole

SCANNED = CORPUS / "scanned"
SCANS = ("kyoukai-kenpo-r3-scan", "chikyosai-oita-datahealth-plan-scan",
         "tokyo-ishikokuho-tokutei-kenshin-plan-scan")


def sidecar(scan_id: str) -> dict:
    return json.loads((SCANNED / f"{scan_id}.json").read_text(encoding="utf-8"))


@cache
def scanned(scan_id: str) -> DocumentReading:
    """The scan read with OCR (once per session)."""
    return read_whole((SCANNED / f"{scan_id}.pdf").read_bytes(), ocr=find_tesseract())


@cache
def typeset(scan_id: str) -> DocumentReading:
    """The same pages' text layer: the source PDF's pages, copied into one document."""
    side = sidecar(scan_id)
    source = pymupdf.open(PDFS / f"{side['of']}.pdf")
    doc = pymupdf.open()
    for page in side["pages"]:
        doc.insert_pdf(source, from_page=page["source_page"] - 1, to_page=page["source_page"] - 1)
    return read_whole(doc.tobytes(no_new_id=True))


def key(reading) -> str:
    return reading.plan.branch or "main"


def test_kpis_read_by_ocr_match_the_text_layers(corpus_pdfs) -> None:
    total = None
    for scan_id in SCANS:
        found = {key(r): r.kpis for r in scanned(scan_id).plans}
        score = score_kpis(found, kpi_gold({key(r): r.kpis for r in typeset(scan_id).plans}))
        total = score if total is None else total + score
    assert total is not None and total.expected >= 80  # enough KPIs for the figures to mean something
    assert total.precision >= 0.90, total
    assert total.recall >= 0.85, total
    # a number OCR misread is dropped rather than stored: the values kept are mostly the page's
    values = [m for m in total.mismatches if m.field == "value"]
    wrong = [m for m in values if m.found is not None]
    assert len(wrong) <= 0.1 * total.matched, wrong


@pytest.mark.parametrize("scan_id", SCANS)
def test_plans_are_found_as_in_the_text_layer(corpus_pdfs, scan_id: str) -> None:
    def facts(reading: DocumentReading) -> list[tuple]:
        return [(r.plan.insurer, r.plan.branch, r.plan.plan_type, r.plan.fiscal_year, r.plan.period_start,
                 r.plan.period_end, r.plan.page_start, r.plan.page_end) for r in reading.plans]  # fmt: skip

    assert facts(scanned(scan_id)) == facts(typeset(scan_id))


def test_the_fields_of_a_kyoukai_plan_are_found(corpus_pdfs) -> None:
    def fields(reading) -> list[str]:
        return [s.heading for s in reading.sections if s.level == 1]

    pairs = list(zip(scanned(SCANS[0]).plans, typeset(SCANS[0]).plans, strict=True))
    assert fields(pairs[0][1]) == ["基盤的保険者機能関係", "戦略的保険者機能関係", "組織・運営体制関係"]
    assert fields(pairs[0][0]) == fields(pairs[0][1])  # 北海道: its three fields, read by OCR
    measures = [s.heading for s in pairs[0][0].sections if s.level == 2]
    want = [s.heading for s in pairs[0][1].sections if s.level == 2]
    alike = [w for w in want if any(SequenceMatcher(None, m, w).ratio() >= 0.8 for m in measures)]
    assert len(alike) >= 0.8 * len(want), (measures, want)  # its measures, a character misread here and there


def test_pages_say_they_were_read_by_ocr_and_records_too(corpus_pdfs) -> None:
    reading = scanned("tokyo-ishikokuho-tokutei-kenshin-plan-scan")  # page 1 typeset, page 2 scanned
    cover, scan = reading.document.pages
    assert (cover.quality, cover.reader, cover.ocr_confidence) == ("ok", "pymupdf", None)
    assert scan.quality == "ocr" and scan.reader == "tesseract" and 70 <= (scan.ocr_confidence or 0) <= 100
    assert reading.document.text_quality == "mixed" and reading.document.ocr
    (plan,) = reading.plans
    assert plan.plan.ocr_pages == [2]
    assert plan.kpis and all(k.ocr == (k.page == 2) for k in plan.kpis)
    assert all(s.ocr == (s.page_end >= 2) for s in plan.sections)
    assert all(p.ocr for p in plan.programs if p.page_start <= 2 <= p.page_end)


def test_a_page_with_a_text_layer_is_never_ocrd(corpus_pdfs) -> None:
    data = (SCANNED / "tokyo-ishikokuho-tokutei-kenshin-plan-scan.pdf").read_bytes()
    told: list[tuple[int, int]] = []
    before = pdf.STATS["ocr_pages"]
    parsed = pdf.read_pdf(data, ocr=find_tesseract(), on_ocr=lambda done, total: told.append((done, total)))
    assert pdf.STATS["ocr_pages"] - before == 1 and told == [(0, 1), (1, 1)]
    typeset_page = pymupdf.open(PDFS / "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf")
    cover = pdf.read_pdf(typeset_page.tobytes(no_new_id=True)).pages[0]
    assert parsed.pages[0].text == cover.text  # read as without --ocr
    # a typeset document with --ocr: not a page OCR'd, the same reading as without
    plain = (PDFS / "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf").read_bytes()
    before = pdf.STATS["ocr_pages"]
    with_ocr = pdf.read_pdf(plain, ocr=find_tesseract())
    assert pdf.STATS["ocr_pages"] == before
    assert with_ocr.model_dump(exclude={"ocr"}) == pdf.read_pdf(plain).model_dump(exclude={"ocr"})


def test_without_ocr_a_scan_reads_as_before(corpus_pdfs) -> None:
    parsed = pdf.read_pdf((SCANNED / "kyoukai-kenpo-r3-scan.pdf").read_bytes())
    assert parsed.text_quality == "no_text" and not parsed.ocr
    assert all(p.quality == "no_text" and p.ocr_confidence is None for p in parsed.pages)
