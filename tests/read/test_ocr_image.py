"""Scanned page images made ready for OCR (extract/ocr_image.py), on the scanned fixture."""

from __future__ import annotations

import json

import numpy as np
import pymupdf
import pytest

from extract.read.cells import page_rules
from extract.read.ocr import page_image
from extract.read.ocr_image import despeckle, erase_rules, find_rules, grey_array, skew_angle
from tests.conftest import CORPUS, PDFS

SCANNED = CORPUS / "scanned"
TOKYO = "tokyo-ishikokuho-tokutei-kenshin-plan-scan"


def sidecar(scan_id: str) -> dict:
    return json.loads((SCANNED / f"{scan_id}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("scan_id", ["kyoukai-kenpo-r3-scan", TOKYO])
def test_the_skew_of_every_scanned_page_is_measured(corpus_pdfs, scan_id: str) -> None:
    doc = pymupdf.open(SCANNED / f"{scan_id}.pdf")
    for info in sidecar(scan_id)["pages"]:
        if not info["scanned"]:
            continue
        pix = doc[info["page"] - 1].get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
        # the builder turned the page by +angle; turning it back is -angle
        assert skew_angle(grey_array(pix)) == pytest.approx(-info["angle"], abs=0.1), info


def test_a_scanned_tables_rules_are_found_where_the_typeset_ones_are(corpus_pdfs) -> None:
    info = sidecar(TOKYO)["pages"][1]
    typeset, _ = page_rules(pymupdf.open(PDFS / f"{sidecar(TOKYO)['of']}.pdf")[info["source_page"] - 1])
    image = page_image(pymupdf.open(SCANNED / f"{TOKYO}.pdf")[1], 200)
    want = sorted({round(r.x0) for r in typeset if not r.horizontal})
    found = sorted({round(r.x0) for r in image.rules if not r.horizontal})
    assert len(found) == len(want)
    # the scan is the page turned and fitted back onto the sheet: a few points off at most
    assert all(abs(a - b) <= 4 for a, b in zip(found, want, strict=True))
    rows = {round(r.y0) for r in typeset if r.horizontal}
    assert all(any(abs(r.y0 - y) <= 5 for r in image.rules if r.horizontal) for y in rows)


def test_erased_rules_are_gone_and_text_stays() -> None:
    grey = np.full((200, 400), 255, dtype=np.uint8)
    grey[50:52, 20:380] = 0  # a horizontal rule two pixels thick
    grey[20:180, 200] = 30  # a vertical rule one pixel wide
    grey[100:130, 40:44] = 0  # a stroke of a character: short
    horizontal, vertical = find_rules(grey, 200)
    assert [round(y) for y, _, _ in horizontal] == [50] and [round(x) for x, _, _ in vertical] == [200]
    clean = erase_rules(grey, horizontal, vertical)
    assert find_rules(clean, 200) == ([], [])
    assert (clean[100:130, 40:44] == 0).all()


def test_specks_go_and_thin_strokes_stay() -> None:
    grey = np.full((60, 60), 255, dtype=np.uint8)
    grey[10, 10] = 0  # a speck
    grey[30:32, 40:42] = 40  # a speck of two by two
    grey[20:45, 25] = 0  # an I one pixel wide: it keeps all but the ends
    grey[50:53, 50:53] = 0  # a decimal point
    clean = despeckle(grey)
    assert clean[10, 10] == 255 and (clean[30:32, 40:42] == 255).all()
    assert (clean[23:42, 25] == 0).all() and (clean[50:53, 50:53] == 0).all()
