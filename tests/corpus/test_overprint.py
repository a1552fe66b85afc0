"""The overprinting printer (corpus/builder/overprint.py): bold drawn two to four times a fraction
of a point apart, and Kangxi radicals in the text layer. Read back from the PDF with PyMuPDF;
expectations from the manifest, the source text and the sidecar's list of runs, which the PDF must
bear out copy by copy."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pymupdf
import pytest

from tests.conftest import CORPUS, manifest

FOLDER = CORPUS / "overprint"
ENTRIES = [e for e in manifest() if "overprint" in e]


@pytest.fixture(scope="module")
def built() -> Path:
    """corpus/overprint, built here if ``make corpus`` has not been run."""
    if not all((FOLDER / f"{e['id']}.pdf").exists() for e in ENTRIES):
        subprocess.run([sys.executable, str(CORPUS / "build.py"), "--layout", "overprint"], check=True)
    return FOLDER


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def sidecar(entry: dict) -> dict:
    return json.loads((FOLDER / f"{entry['id']}.json").read_text(encoding="utf-8"))


def test_a_document_with_headings_and_target_tables_is_overprinted() -> None:
    assert ENTRIES, "the manifest names a document for the overprinting printer"
    text = (CORPUS / "texts" / ENTRIES[0]["text"]).read_text(encoding="utf-8")
    assert "目標値" in text and "\t" in text  # it has target tables, whose header rows are bold


def clusters(spans: list[dict]) -> list[list[dict]]:
    """Spans of one text grouped by where they are drawn: those within a point of the first."""
    groups: list[list[dict]] = []
    for span in sorted(spans, key=lambda s: (s["origin"][1], s["origin"][0])):
        x, y = span["origin"]
        near = (g for g in groups if abs(g[0]["origin"][0] - x) < 1 and abs(g[0]["origin"][1] - y) < 1)
        home = next(near, None)
        if home is None:
            groups.append([span])
        else:
            home.append(span)
    return groups


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_each_bold_run_is_drawn_two_to_four_times_within_a_point(built: Path, entry: dict) -> None:
    doc = pymupdf.open(built / f"{entry['id']}.pdf")
    runs = sidecar(entry)["overprints"]
    assert len(runs) > 100
    by_place: dict[tuple[int, str], list[int]] = {}
    for run in runs:  # runs of a character or two MuPDF may join to a neighbouring cell's line
        if len(run["text"].strip()) >= 3:
            by_place.setdefault((run["page"], nfkc(run["text"])), []).append(len(run["offsets"]))
    offsets = set()
    for (page_no, text), counts in by_place.items():
        page = doc[page_no - 1]
        # (the text layer names Kangxi radicals where the run has ordinary kanji)
        spans = [s for b in page.get_text("dict")["blocks"] for ln in b.get("lines", []) for s in ln["spans"]
                 if nfkc(s["text"]) == text]  # fmt: skip
        drawn = [g for g in clusters(spans) if len(g) > 1]  # not the same text set once, not bold
        # each run of this text on this page is one cluster of as many copies as the sidecar says
        assert sorted(len(g) for g in drawn) == sorted(counts), (page_no, text)
        for group in drawn:
            x0, y0 = group[0]["origin"]
            for span in group[1:]:
                dx, dy = span["origin"][0] - x0, span["origin"][1] - y0
                assert 0.09 <= max(abs(dx), abs(dy)) <= 0.91, (text, dx, dy)
                offsets.add(round(dx, 2))
    assert {len(run["offsets"]) for run in runs} == {2, 3, 4}  # every number of copies occurs
    assert len(offsets) > 20  # offsets vary from run to run


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_table_header_rows_are_overprinted(built: Path, entry: dict) -> None:
    runs = {run["text"] for run in sidecar(entry)["overprints"]}
    assert "目標値" in runs  # a KPI table's header cell


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_the_text_layer_holds_kangxi_radicals_for_ordinary_kanji(built: Path, entry: dict) -> None:
    doc = pymupdf.open(built / f"{entry['id']}.pdf")
    text = "".join(page.get_text() for page in doc)
    radicals = {ch for ch in text if 0x2F00 <= ord(ch) <= 0x2FDF}
    assert set(sidecar(entry)["kangxi"]) == radicals
    assert {"⼊", "⽅", "⽇"} <= radicals  # 入, 方, 日: in the source text
    # every kanji that looks like a radical is written as one: none is left in its ordinary form
    ordinary = {unicodedata.normalize("NFKC", ch) for ch in radicals}
    assert not ordinary & set(text)
    source = (CORPUS / "texts" / entry["text"]).read_text(encoding="utf-8")
    assert ordinary <= set(source)
