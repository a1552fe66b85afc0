"""make bench: OCR of the scanned fixture (corpus/scanned) -- pages per second, and how the KPIs read
by OCR compare with the KPIs of the same pages' text layer.

Each scan is read by the pipeline with OCR (``read_document(data, ocr=...)``) in this process,
one Tesseract thread: the pages per second are those of one core (the loader runs one worker per
core). The reference is the text layer of the same pages: the source PDF's pages copied into one
document (``twin``), read by the same pipeline without OCR. KPIs are paired as the gold sets pair
them (``extract.evaluate.score_kpis``: same plan, indicator texts alike), and the plans' metadata
and the 協会けんぽ fields compared.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCANNED = ROOT / "corpus" / "scanned"
PDFS = ROOT / "corpus" / "pdfs"


def twin(sidecar: dict) -> bytes:
    """The text-layer twin of a scan: the source's pages it was made of, in one PDF."""
    source = pymupdf.open(PDFS / f"{sidecar['of']}.pdf")
    doc = pymupdf.open()
    for page in sidecar["pages"]:
        doc.insert_pdf(source, from_page=page["source_page"] - 1, to_page=page["source_page"] - 1)
    return doc.tobytes(garbage=3, no_new_id=True)


def plan_key(reading) -> str:
    return reading.plan.branch or "main"


def main() -> None:
    from extract.evaluate import kpi_gold, score_kpis
    from extract.pipeline import read_document
    from extract.read.ocr import find_tesseract
    from extract.read.pdf import STATS

    engine = find_tesseract()
    total = None
    pages = seconds = 0.0
    rows = []
    for sidecar_path in sorted(SCANNED.glob("*.json")):
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
        data = (SCANNED / f"{sidecar['id']}.pdf").read_bytes()
        before, started = STATS["ocr_pages"], time.perf_counter()
        scanned = read_document(data, ocr=engine)
        seconds += time.perf_counter() - started
        pages += STATS["ocr_pages"] - before
        typeset = read_document(twin(sidecar))
        found = {plan_key(r): r.kpis for r in scanned.plans}
        score = score_kpis(found, kpi_gold({plan_key(r): r.kpis for r in typeset.plans}))
        total = score if total is None else total + score
        same_plans = [(a.plan.branch, a.plan.insurer, a.plan.period_start, a.plan.period_end)
                      == (b.plan.branch, b.plan.insurer, b.plan.period_start, b.plan.period_end)
                      for a, b in zip(scanned.plans, typeset.plans, strict=False)]  # fmt: skip
        fields = [[s.heading for s in r.sections if s.level == 1] for r in scanned.plans]
        want = [[s.heading for s in r.sections if s.level == 1] for r in typeset.plans]
        confidences = [p.ocr_confidence for p in scanned.document.pages if p.ocr_confidence is not None]
        plans_ok = len(scanned.plans) == len(typeset.plans) and all(same_plans)
        mean = sum(confidences) / max(1, len(confidences))
        rows.append((sidecar["id"], len(sidecar["pages"]), score, plans_ok, fields == want, mean))
    assert total is not None, "no scans: run make corpus"
    print("\n=== OCR of the scanned fixture (corpus/scanned; Tesseract, one thread) ===")
    print(f"{'scan':<44}{'pages':>6}{'KPIs':>6}{'P':>7}{'R':>7}{'plans':>7}{'top sections':>14}{'conf':>6}")
    for name, count, score, plans_ok, fields_ok, confidence in rows:
        same = "same" if plans_ok else "DIFF"
        print(f"{name:<44}{count:>6}{score.expected:>6}{score.precision:>7.3f}{score.recall:>7.3f}"
              f"{same:>7}{'same' if fields_ok else 'DIFF':>14}{confidence:>6.1f}")  # fmt: skip
    print(f"KPIs read by OCR vs the text layer: expected {total.expected}, found {total.predicted}, "
          f"matched {total.matched}: precision {total.precision:.3f}, recall {total.recall:.3f}")
    agreements = ", ".join(f"{name} {value:.3f}" for name, value in total.agreements().items() if value < 1)
    print(f"fields of matched KPIs below 1: {agreements or 'none'}")
    print(f"OCR: {pages:.0f} pages in {seconds:.1f} s: {pages / seconds:.2f} pages/s on one core "
          "(the reading of the pages' text and structure included)")


if __name__ == "__main__":
    main()
