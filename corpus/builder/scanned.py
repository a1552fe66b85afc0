"""Scans of corpus pages: image-only PDFs, as smaller insurers and older plans publish them.

``build_scans(pdfs, out)`` turns pages of the plain layout's PDFs (``corpus/pdfs``) into the
scans listed in the manifest's ``[[scan]]`` entries, written to ``corpus/scanned/{id}.pdf`` with
a sidecar ``{id}.json``. A scanned page is what a flatbed scanner and an office's PDF tool make
of a printed page, so that OCR is tested on the faults real scans have:

* rendered in grey (8 bits) at :data:`DPI` dots per inch,
* turned by a fraction of a degree (a sheet never lies straight on the glass; under a degree,
  as a scanner's feeder leaves it), a different angle on every page,
* speckled: dust and toner specks, a few dark and light pixels scattered over the page,
* saved as JPEG (its ringing around every stroke) and placed, alone, on a page of the source's
  size: the PDF has no text layer at all.

A page listed in ``sideways`` is scanned as a sheet fed into the scanner the wrong way: its
image is turned by a quarter (the text runs up the page) and the PDF page is landscape, as a
scanner writes it; the reader must find the page's orientation.

A page listed in ``text_pages`` is copied as it is, with its text layer: a document scanned in
part (a cover page typeset, the tables scanned) is common, and it shows that the reader OCRs only
pages without text.

Everything is a function of the source PDF's bytes and the manifest: the angle and the specks of
a page come from a random generator seeded with the scan's id and the page number, JPEG encoding
is deterministic, and the PDF is saved with fixed metadata and no random file ID, so two builds
give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pymupdf

DPI = 200
"""Resolution of the scans: what office scanners default to for documents."""
MAX_ANGLE = 0.7
"""Largest turn of a page, in degrees (each page gets an angle of 0.2° to this, either way)."""
MIN_ANGLE = 0.2
SPECKS_PER_MILLION = 2500
"""Specks per million pixels (0.25 % of the page): a dusty glass, not a ruined page."""
JPEG_QUALITY = 75
FIXED_DATE = "D:20240401000000+09'00'"
PRODUCER = "planex corpus/scanned.py (PyMuPDF)"


def _rng(scan_id: str, page_no: int) -> random.Random:
    """A generator of its own for each page, so a page's scan does not depend on the others."""
    seed = hashlib.sha256(f"{scan_id}:{page_no}".encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def page_angle(scan_id: str, page_no: int) -> float:
    """The angle (degrees) page ``page_no`` of scan ``scan_id`` is turned by."""
    rng = _rng(scan_id, page_no)
    return round(rng.uniform(MIN_ANGLE, MAX_ANGLE) * rng.choice((-1, 1)), 2)


def scan_image(page: pymupdf.Page, scan_id: str, page_no: int, sideways: bool = False) -> bytes:
    """The JPEG a scanner makes of ``page``: grey, turned (by a quarter more if fed ``sideways``),
    speckled."""
    rng = _rng(scan_id, page_no)
    rng.random()  # the angle's draws (page_angle): the specks come after them
    rng.random()
    zoom = DPI / 72
    matrix = pymupdf.Matrix(zoom, zoom).prerotate(page_angle(scan_id, page_no) + (-90 if sideways else 0))
    pix = page.get_pixmap(matrix=matrix, colorspace=pymupdf.csGRAY, alpha=False)
    samples = bytearray(pix.samples)
    width, height = pix.width, pix.height
    for _ in range(width * height * SPECKS_PER_MILLION // 1_000_000):
        x, y = rng.randrange(width - 1), rng.randrange(height - 1)
        shade = rng.choice((0, 40, 90, 255))
        size = rng.choice((1, 1, 1, 2))  # most specks one pixel, some two by two
        for dy in range(size):
            row = (y + dy) * pix.stride
            for dx in range(size):
                samples[row + x + dx] = shade
    grey = pymupdf.Pixmap(pymupdf.csGRAY, width, height, bytes(samples), False)
    grey.set_dpi(DPI, DPI)
    return grey.tobytes("jpeg", jpg_quality=JPEG_QUALITY)


def build_scan(entry: dict, source: Path, out: Path) -> dict:
    """Write ``out/{id}.pdf`` from the pages of ``source`` the entry lists; return its sidecar."""
    scan_id = entry["id"]
    text_pages = set(entry.get("text_pages", []))
    sideways = set(entry.get("sideways", []))
    src = pymupdf.open(source)
    doc = pymupdf.open()
    pages = []
    for number, source_page in enumerate(entry["pages"], start=1):
        page = src[source_page - 1]
        if source_page in text_pages:
            doc.insert_pdf(src, from_page=source_page - 1, to_page=source_page - 1)
            pages.append({"page": number, "source_page": source_page, "scanned": False})
            continue
        turned = source_page in sideways
        image = scan_image(page, scan_id, number, turned)
        width, height = (page.rect.height, page.rect.width) if turned else (page.rect.width, page.rect.height)
        target = doc.new_page(width=width, height=height)
        target.insert_image(target.rect, stream=image)
        pages.append({"page": number, "source_page": source_page, "scanned": True,
                      "angle": page_angle(scan_id, number), "sideways": turned})  # fmt: skip
    src.close()
    doc.set_metadata({
        "title": "", "author": "", "subject": "", "keywords": "", "creator": PRODUCER,
        "producer": PRODUCER, "creationDate": FIXED_DATE, "modDate": FIXED_DATE,
    })  # fmt: skip  # a scanner writes no title: the reader must find it on the page
    out.mkdir(parents=True, exist_ok=True)
    doc.save(out / f"{scan_id}.pdf", garbage=4, deflate=True, no_new_id=True)
    doc.close()
    sidecar = {"id": scan_id, "of": entry["of"], "dpi": DPI, "pages": pages}
    dump = json.dumps(sidecar, ensure_ascii=False, indent=1) + "\n"
    (out / f"{scan_id}.json").write_text(dump, encoding="utf-8")
    return sidecar


def build_scans(entries: list[dict], pdfs: Path, out: Path) -> list[dict]:
    """Every ``[[scan]]`` entry, from the plain layout's PDFs in ``pdfs``."""
    return [build_scan(entry, pdfs / f"{entry['of']}.pdf", out) for entry in entries]
