"""The Excel producer (corpus/builder/calc.py): workbooks printed by LibreOffice Calc carry what
Calc's printing does -- print titles on every page, the page header and footer and the merged
cells written out of reading order, a merged label cell left open at the foot of a page. Read
back with PyMuPDF; expectations from the manifest, the source texts and the page geometry."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from itertools import pairwise
from pathlib import Path

import pymupdf
import pytest

from tests.conftest import CORPUS, manifest

FOLDER = CORPUS / "calc"
ENTRIES = [e for e in manifest() if "calc" in e]
KYOUKAI = "kyoukai-kenpo-r3-branch-plans"
STYLES = "variant-kyoukai-kenpo-r3-branch-styles"  # the branch plans numbered otherwise
STEP = "like-kenpo-datahealth-plan-step-format"


@pytest.fixture(scope="module")
def built() -> Path:
    """corpus/calc, built here (LibreOffice) if ``make corpus`` has not been run."""
    if not all((FOLDER / f"{e['id']}.pdf").exists() for e in ENTRIES):
        subprocess.run([sys.executable, str(CORPUS / "build.py"), "--layout", "calc"], check=True)
    return FOLDER


def pdf(doc_id: str) -> pymupdf.Document:
    return pymupdf.open(FOLDER / f"{doc_id}.pdf")


def sidecar(doc_id: str) -> dict:
    return json.loads((FOLDER / f"{doc_id}.json").read_text(encoding="utf-8"))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_the_branch_plans_and_the_step_form_are_workbooks() -> None:
    layouts = {e["id"]: e["calc"]["layout"] for e in ENTRIES}
    assert layouts == {KYOUKAI: "branch_sheets", STYLES: "branch_sheets", STEP: "step_sheets"}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_printed_by_calc(built: Path, entry: dict) -> None:
    doc = pdf(entry["id"])
    assert doc.metadata["creator"] == "Calc" and doc.metadata["producer"].startswith("LibreOffice")
    assert sidecar(entry["id"])["pages"] == doc.page_count
    for page in doc:
        assert page.rect.width > page.rect.height  # landscape


def test_one_sheet_per_branch_each_starting_a_page(built: Path) -> None:
    side = sidecar(KYOUKAI)
    entry = next(e for e in ENTRIES if e["id"] == KYOUKAI)
    rx = re.compile(entry["page_break_before"])
    source = (CORPUS / "texts" / entry["text"]).read_text(encoding="utf-8")
    titles = [line.strip() for line in source.splitlines() if rx.search(line.strip())]
    assert [s["title"] for s in side["sheets"]] == titles  # 35 sheets, in the source's order
    assert side["branch_starts"] == sorted(set(side["branch_starts"])) and len(side["branch_starts"]) == 35
    doc = pdf(KYOUKAI)
    for title, start in zip(titles, side["branch_starts"], strict=True):
        assert squash(title) in squash(doc[start - 1].get_text())
    assert {s["fit"] for s in side["sheets"]} >= {"width"}


def test_print_titles_repeat_the_header_row_on_every_page(built: Path) -> None:
    assert sidecar(KYOUKAI)["sheets"][0]["print_titles"] == ["分野", "具体的施策等"]
    for page in pdf(KYOUKAI):
        lines = [line.strip() for line in page.get_text().splitlines()]
        assert "分野" in lines and "具体的施策等" in lines, page.number + 1


def test_the_stream_writes_header_and_footer_first_and_merged_cells_after_others(built: Path) -> None:
    doc = pdf(KYOUKAI)
    side = sidecar(KYOUKAI)
    page = doc[0]
    # the order of the content stream: MuPDF's lines unsorted
    lines = [(ln["bbox"][1], "".join(s["text"] for s in ln["spans"]).strip())
             for b in page.get_text("dict", sort=False)["blocks"] for ln in b.get("lines", [])]  # fmt: skip
    lines = [(y, t) for y, t in lines if t]
    footer = next(k for k, (_, t) in enumerate(lines) if t == "- 1 -")
    header_row = next(k for k, (_, t) in enumerate(lines) if t == "分野")
    assert footer < header_row  # the footer, at the foot of the page, comes before the table
    title = squash(side["sheets"][0]["title"])
    at = next(k for k, (_, t) in enumerate(lines) if squash(t) == title)
    title_y = lines[at][0]
    below = [k for k, (y, _) in enumerate(lines) if y > title_y + 20]
    assert min(below) < at  # cells lower on the page were written before the merged title


def label_column(page: pymupdf.Page) -> tuple[pymupdf.Rect, list[pymupdf.Rect]]:
    """The label column below the header row (x from the vertical rules through the header),
    and the horizontal rules below the header row."""
    header = page.search_for("分野")[0]
    rules = [d["rect"] for d in page.get_drawings()]
    xs = sorted({round(r.x0) for r in rules if r.width < 1.5 and r.y0 <= header.y0 and r.y1 >= header.y1})
    flat = [r for r in rules if r.height < 1.5 and r.y0 > header.y1 + 2]
    bottom = max((r.y0 for r in flat), default=header.y1 + 3)
    return pymupdf.Rect(xs[0], header.y1 + 2, xs[1], bottom), flat


def test_a_merged_label_cell_is_not_closed_at_the_foot_of_the_page(built: Path) -> None:
    doc = pdf(KYOUKAI)
    starts = set(sidecar(KYOUKAI)["branch_starts"])
    checked = 0
    for page, following in pairwise(doc):
        if following.number + 1 in starts:
            continue  # the sheet ends on this page
        column, flat = label_column(page)
        nxt, _ = label_column(following)
        top_row = pymupdf.Rect(nxt.x0 + 1, nxt.y0, nxt.x1 - 1, nxt.y0 + 12)
        if following.get_text("text", clip=top_row).strip():
            continue  # a new field starts the next page: this one closes its label cell
        foot = [r for r in flat if abs(r.y0 - column.y1) < 1]  # the rule under the page's last row
        assert any(r.x0 >= column.x1 - 2 for r in foot), page.number + 1  # closes the right column's row
        assert not any(r.x0 <= column.x0 + 2 for r in foot), page.number + 1  # not the label column
        checked += 1
    assert checked >= 20


def test_the_step_form_has_a_sheet_per_step_with_its_title_merged(built: Path) -> None:
    side = sidecar(STEP)
    titles = [s["title"] for s in side["sheets"] if s["title"]]
    assert len(titles) == 6 and all(t.startswith("STEP") for t in titles)
    doc = pdf(STEP)
    for sheet in side["sheets"]:
        if sheet["title"]:
            assert squash(sheet["title"]) in squash(doc[sheet["first_page"] - 1].get_text())
            assert sheet["merged"][0] == sheet["title"]
