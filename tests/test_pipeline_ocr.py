"""Scanned plans through the whole pipeline (extract/pipeline.py with OCR), on the scanned fixture:
KPIs read by OCR against the hand gold of the pages scanned, plans and fields against the same
pages' text layer, the evidence."""

from __future__ import annotations

import bisect
import itertools
import json
from difflib import SequenceMatcher
from functools import cache

import pymupdf
import pytest

from extract.evaluate import score_kpis
from extract.pipeline import DocumentReading
from extract.read import pdf
from extract.read.ocr import find_tesseract
from tests.conftest import CORPUS, PDFS, ROOT, manifest, read_whole

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


def source_pages(doc_id: str) -> dict[int, int]:
    """Each line of a corpus text (1-based) and the page of the plain PDF it is typeset on.

    Every character of every line is in the PDF, in order (corpus/README.md): the lines' first
    characters are looked for, line after line, in PyMuPDF's text of the pages (white space
    removed); the running headers, footers and the second copies of fake-bold headings are
    text no line starts with, and are passed over."""
    doc = pymupdf.open(PDFS / f"{doc_id}.pdf")
    pages = ["".join(page.get_text().split()) for page in doc]
    text = "".join(pages)
    starts = list(itertools.accumulate((len(p) for p in pages[:-1]), initial=0))
    entry = next(d for d in manifest() if d["id"] == doc_id)
    lines = (CORPUS / "texts" / entry["text"]).read_text(encoding="utf-8").split("\n")
    found, at = {}, 0
    for number, line in enumerate(lines, 1):
        start = "".join(line.split())[:12]
        if start and (where := text.find(start, at)) >= 0:
            found[number] = bisect.bisect_right(starts, where)
            at = where + len(start)
    return found


def scan_gold(scan_id: str) -> dict:
    """The hand gold (tests/gold) of the pages a scan holds: the records stated on them, each with
    the lines of those pages that state it (``stated``), of the plans they belong to."""
    side = sidecar(scan_id)
    gold = json.loads((ROOT / "tests" / "gold" / f"{side['of']}.json").read_text(encoding="utf-8"))
    page_of = source_pages(side["of"])
    assert {r["line"] for r in gold["records"]} <= page_of.keys()  # every record's page is known
    held = {page["source_page"] for page in side["pages"]}
    records = []
    for record in gold["records"]:
        lines = [line for line in record.get("stated") or [record["line"]] if page_of[line] in held]
        if lines:
            records.append({**record, "stated": lines} if record.get("stated") else record)
    plans = [key for key in gold["plans_annotated"] if any(r["plan"] == key for r in records)]
    return {**gold, "plans_annotated": plans, "records": records}


def by_plan(reading: DocumentReading) -> dict[str, list]:
    """KPIs by the gold's plan keys: the branch in a compilation, ``main`` for a single plan."""
    return {(r.plan.branch if len(reading.plans) > 1 else "main"): r.kpis for r in reading.plans}


def test_kpis_read_by_ocr_against_the_hand_gold_of_the_scanned_pages(corpus_pdfs) -> None:
    """The scans' KPIs against the gold written by hand for the pages they hold (北海道 and 岐阜
    whole, 大分's 特定健診 targets, 東京's goal and target tables). Floors at what is read today
    (Tesseract 5.3, jpn): 79 of the 92 records found, 84 read. Since the HTML left in 大分's earlier
    tables was removed from the corpus text, its target table stands a line higher on the scanned
    page, and Tesseract reads two of its rows' figures less well (86 of 91 before). The rest that
    is lost is mostly not OCR's:
    a page printed alone loses its context — 東京's 特定健診予定者数 table, whose section heading
    (実施予定者数) stands on a page not scanned, is read as targets (5 records; from the same pages'
    text layer as well), and the programs the targets stand under are named on other pages."""
    total = None
    for scan_id in SCANS:
        score = score_kpis(by_plan(scanned(scan_id)), scan_gold(scan_id))
        total = score if total is None else total + score
    assert total is not None
    assert (total.expected, total.predicted, total.matched) == (92, 84, 79), (total.missed, total.extra)
    figures = {"precision": total.precision, "recall": total.recall, **total.agreements()}
    low = {name: round(figures[name], 3) for name, floor in OCR_FLOORS.items() if figures[name] < floor}
    assert low == {}, [str(m) for name in low for m in total.wrong(name)][:10]
    # a number OCR misread is dropped rather than stored: the values kept are the page's but three
    # (55.0％ read 55.09: the ％ sign as a digit)
    wrong = [m for m in total.mismatches if m.field == "value" and m.found is not None]
    assert len(wrong) <= 3, wrong


OCR_FLOORS = {
    "precision": 79 / 84, "recall": 79 / 92, "indicator": 0.721, "comparator": 1.0, "value": 0.898,
    "unit": 1.0, "target_year": 1.0, "kind": 0.949, "population": 0.772, "baseline_value": 0.860,
    "baseline_year": 0.860, "actual_value": 1.0, "program": 0.189, "indicator_id": 0.848,
    "population_norm": 0.848, "sources": 0.975,
}  # fmt: skip
"""Every figure of the scans' KPIs against the hand gold, at what is read today (rounded down)."""


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
