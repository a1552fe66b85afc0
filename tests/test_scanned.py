"""The scanned fixture (corpus/scanned.py): image-only pages made from plain-layout pages.

The scans are built by the builder into temporary folders, from plain PDFs typeset there too:
nothing is written inside the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pymupdf
import pytest

from tests.conftest import CORPUS

BUILD = CORPUS / "build.py"
SCANS = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8")).get("scan", [])


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory, corpus_pdfs: Path) -> Path:
    """The scans built into a temporary folder (from the plain PDFs, typeset there too)."""
    out = tmp_path_factory.mktemp("scans")
    command = [sys.executable, str(BUILD), "--layout", "scanned", "--out", str(out / "pdfs"),
               "--scanned", str(out / "scanned")]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out / "scanned"


def test_the_manifest_lists_scans_of_several_documents_with_plans_and_kpis() -> None:
    assert len({scan["of"] for scan in SCANS}) >= 2
    assert any(scan.get("sideways") for scan in SCANS)  # the reader must find a page's orientation
    assert any(scan.get("text_pages") for scan in SCANS)  # and OCR only pages without text
    assert 10 <= sum(len(scan["pages"]) for scan in SCANS) <= 20  # OCR time in the tests stays small


@pytest.mark.parametrize("scan", SCANS, ids=lambda s: s["id"])
def test_scanned_pages_have_no_text_and_one_grey_image(scans: Path, scan: dict) -> None:
    doc = pymupdf.open(scans / f"{scan['id']}.pdf")
    source = pymupdf.open(scans.parent / "pdfs" / f"{scan['of']}.pdf")  # the pages it was made from
    sidecar = json.loads((scans / f"{scan['id']}.json").read_text(encoding="utf-8"))
    assert doc.page_count == len(scan["pages"]) == len(sidecar["pages"])
    for page, info in zip(doc, sidecar["pages"], strict=True):
        original = source[info["source_page"] - 1]
        if info.get("sideways"):  # fed in sideways: a landscape sheet
            assert (page.rect.width, page.rect.height) == (original.rect.height, original.rect.width)
        else:
            assert page.rect == original.rect
        if info["source_page"] in scan.get("text_pages", []):
            assert not info["scanned"]
            assert page.get_text() == original.get_text()  # copied with its text layer
            continue
        assert info["scanned"] and 0.2 <= abs(info["angle"]) < 1.0
        assert page.get_text().strip() == ""
        images = page.get_images(full=True)
        assert len(images) == 1
        pix = pymupdf.Pixmap(doc, images[0][0])
        assert pix.n == 1  # grey
        assert abs(pix.width / (page.rect.width / 72) - 200) < 10  # about 200 dpi


def test_two_builds_give_the_same_bytes(scans: Path, tmp_path: Path) -> None:
    command = [sys.executable, str(BUILD), "--layout", "scanned", "--out", str(tmp_path / "pdfs"),
               "--scanned", str(tmp_path / "scanned")]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert SCANS
    for scan in SCANS:
        for suffix in (".pdf", ".json"):
            name = f"{scan['id']}{suffix}"
            assert (tmp_path / "scanned" / name).read_bytes() == (scans / name).read_bytes(), name


def test_pages_are_turned_and_speckled_differently(scans: Path) -> None:
    sidecar = json.loads((scans / f"{SCANS[0]['id']}.json").read_text(encoding="utf-8"))
    angles = [p["angle"] for p in sidecar["pages"] if p["scanned"]]
    assert len(set(angles)) > len(angles) // 2 and any(a < 0 for a in angles) and any(a > 0 for a in angles)
