"""The Word producer (corpus/builder/word.py, word_tables.py, word_branches.py): the PDFs that
LibreOffice Writer exports from the .docx files really carry the habits of Word documents.
Read back with PyMuPDF; expectations from the manifest, the source texts and the geometry of the
page, with the sidecar only saying where to look."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pymupdf
import pytest

from tests.conftest import CORPUS, manifest

FOLDER = CORPUS / "word"
ENTRIES = [e for e in manifest() if "word" in e]
BY_ID = {e["id"]: e for e in ENTRIES}
OITA = "chikyosai-oita-datahealth-plan-3rd"
TOKYO = "tokyo-ishikokuho-tokutei-kenshin-plan-3rd"
KYOUKAI = "kyoukai-kenpo-r3-branch-plans"
JA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\u2f00-\u2fdf]")
LATIN = re.compile(r"[0-9A-Za-z]")


@pytest.fixture(scope="module")
def built() -> Path:
    """corpus/word, built here (LibreOffice) if ``make corpus`` has not been run."""
    if not all((FOLDER / f"{e['id']}.pdf").exists() for e in ENTRIES):
        subprocess.run([sys.executable, str(CORPUS / "build.py"), "--layout", "word"], check=True)
    return FOLDER


def pdf(doc_id: str) -> pymupdf.Document:
    return pymupdf.open(FOLDER / f"{doc_id}.pdf")


def sidecar(doc_id: str) -> dict:
    return json.loads((FOLDER / f"{doc_id}.json").read_text(encoding="utf-8"))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def chars(page: pymupdf.Page) -> list[list[dict]]:
    """The characters of each line as drawn (no space made up from the gaps)."""
    lines = [ln for b in page.get_text("rawdict", flags=pymupdf.TEXT_INHIBIT_SPACES)["blocks"]
             for ln in b.get("lines", [])]  # fmt: skip
    return [[{**c, "size": s["size"]} for s in ln["spans"] for c in s["chars"]] for ln in lines]


def baselines(page: pymupdf.Page, min_size: float = 0.0) -> list[list[dict]]:
    """The characters of the page by baseline, left to right: a line as drawn, however widely
    its characters are spaced (MuPDF makes lines of its own at wide gaps)."""
    drawn = [c for line in chars(page) for c in line if c["size"] >= min_size]
    rows: dict[int, list[dict]] = {}
    for c in drawn:
        rows.setdefault(round(c["origin"][1]), []).append(c)
    return [sorted(row, key=lambda c: c["origin"][0]) for row in rows.values()]


def test_the_word_producer_covers_the_branch_plans_and_the_data_health_plans() -> None:
    assert {KYOUKAI, OITA, TOKYO} <= set(BY_ID)
    assert BY_ID[KYOUKAI]["word"]["layout"] == "branch_table"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_exported_by_libreoffice_writer_with_the_title(built: Path, entry: dict) -> None:
    doc = pdf(entry["id"])
    assert doc.metadata["creator"] == "Writer" and doc.metadata["producer"].startswith("LibreOffice")
    assert doc.metadata["title"] == entry["title"]
    assert sidecar(entry["id"])["pages"] == doc.page_count


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_no_character_of_the_source_is_lost(built: Path, entry: dict) -> None:
    """Every character of the source text is on the pages, as often as the source has it (spaces
    and Unicode forms aside; the order is the exporter's: wrapped table cells interleave)."""
    text = Counter(squash("".join(page.get_text() for page in pdf(entry["id"]))))
    source = Counter(squash((CORPUS / "texts" / entry["text"]).read_text(encoding="utf-8").replace("**", "")))
    assert not source - text


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["id"])
def test_a_running_header_on_every_page_the_first_too(built: Path, entry: dict) -> None:
    header = squash(sidecar(entry["id"]).get("running_header", entry["short_title"]))
    for page in pdf(entry["id"]):
        top = min((ln for ln in chars(page) if ln), key=lambda ln: ln[0]["origin"][1])
        assert squash("".join(c["c"] for c in top)) == header, page.number + 1
        assert top[0]["origin"][1] < page.rect.height * 0.1


def test_the_table_of_contents_has_dot_leaders_and_page_numbers(built: Path) -> None:
    side = sidecar(OITA)
    first = side["toc_pages"][0]
    lines = pdf(OITA)[first - 1].get_text().splitlines()
    assert "目次" in [line.strip() for line in lines]
    entries = [line for line in lines if re.search(r"\.{10,}\s*\d+\s*$", line)]
    assert len(entries) >= 30 and len(side["toc"]) >= 30
    assert entries[0].startswith("第1") and "背景及び趣旨" in entries[0]


def test_autospace_leaves_a_gap_and_no_space_between_japanese_and_digits(built: Path) -> None:
    gaps = 0
    for page in pdf(OITA):
        for line in chars(page):
            for a, b in pairwise(line):
                ja_latin = JA.match(a["c"]) and LATIN.match(b["c"])
                latin_ja = LATIN.match(a["c"]) and JA.match(b["c"])
                if (ja_latin or latin_ja) and b["bbox"][0] - a["bbox"][2] > 1.0:  # a gap of about 1/5 em
                    gaps += 1
    assert gaps > 100
    plain = "".join(page.get_text(flags=pymupdf.TEXT_INHIBIT_SPACES) for page in pdf(OITA))
    spaced = "".join(page.get_text() for page in pdf(OITA))
    between = re.compile(rf"{JA.pattern} \d|\d {JA.pattern}")
    # no space character is drawn between them; MuPDF makes one of many of the gaps
    assert len(between.findall(spaced)) > len(between.findall(plain)) + 100


def test_short_headings_are_letter_spaced(built: Path) -> None:
    side = sidecar(OITA)
    assert "1 目的" in side["letter_spaced"]
    found = 0
    for page in pdf(OITA):
        for line in baselines(page):
            text = "".join(c["c"] for c in line)
            if squash(text) == "1目的":  # the two kanji an em apart, no space character between
                first, second = (c for c in line if c["c"] in "目的")
                assert second["bbox"][0] - first["bbox"][2] > 0.5 * first["size"]
                found += 1
    assert found >= 10  # every program's 1 目的


def test_a_chapter_title_is_spread_over_a_wider_box(built: Path) -> None:
    side = sidecar(TOKYO)
    assert side["distributed"]
    title = squash(side["distributed"][0])
    for page in pdf(TOKYO):
        for row in baselines(page, min_size=18):  # the chapter's type
            if squash("".join(c["c"] for c in row)) == title:
                width = sum(c["bbox"][2] - c["bbox"][0] for c in row)
                assert row[-1]["bbox"][2] - row[0]["bbox"][0] > 1.5 * width  # far wider than its characters
                return
    pytest.fail("the distributed chapter title was not found")


def test_a_long_heading_wraps_onto_a_second_line(built: Path) -> None:
    heading = squash(sidecar(OITA)["wrapped_headings"][0])
    for page in pdf(OITA):
        lines = ["".join(c["c"] for c in ln) for ln in chars(page)]
        for a, b in pairwise(lines):
            if squash(a + b) == heading:
                return
    pytest.fail("the wrapped heading was not found on two lines")


def test_kangxi_radicals_stand_for_ordinary_kanji(built: Path) -> None:
    assert sidecar(TOKYO)["kangxi"]
    text = "".join(page.get_text() for page in pdf(TOKYO))
    radicals = {ch for ch in text if 0x2F00 <= ord(ch) <= 0x2FDF}
    assert {"⽉", "⽇", "⼈"} <= radicals  # 月, 日, 人
    assert squash(text).count("年3月31日") >= 1  # NFKC reads them as the kanji


def test_furigana_stands_above_its_word_in_smaller_type(built: Path) -> None:
    side = sidecar(OITA)
    readings = {r["word"]: r["reading"] for r in side["ruby"]}
    assert len(readings) >= 2
    found = 0
    for page in pdf(OITA):
        spans = [s for b in page.get_text("dict")["blocks"] for ln in b.get("lines", []) for s in ln["spans"]]
        for word, reading in readings.items():
            for ruby in (s for s in spans if s["text"].strip() == reading):
                x0, _, x1, bottom = ruby["bbox"]
                below = page.get_text("text", clip=pymupdf.Rect(x0 - 2, bottom - 1, x1 + 2, bottom + 12))
                assert word in squash(below), (word, page.number + 1)  # the word, right under it
                assert ruby["size"] <= 0.6 * min(s["size"] for s in spans if s["text"].strip() == "")
                found += 1
    assert found == len(side["ruby"])


def test_target_tables_merge_the_years_header_and_repeat_it_on_the_next_page(built: Path) -> None:
    side = sidecar(OITA)
    doc = pdf(OITA)
    grouped = [t for t in side["tables"] if t["header_rows"] == 2 and "目標値" in t["header"]]
    assert len(grouped) >= 10
    # the shaded 目標値 cell spans the year columns under it
    page = doc[grouped[0]["pages"][0] - 1]
    fills = [d["rect"] for d in page.get_drawings() if d.get("fill") and d["fill"] != (1.0, 1.0, 1.0)]
    cell = next(r for r in fills for hit in page.search_for("目標値") if r.contains(hit))
    years = [h for y in (2024, 2029) for h in page.search_for(str(y)) if cell.y1 - 1 <= h.y0 <= cell.y1 + 15]
    assert len(years) == 2 and cell.x0 <= years[0].x0 and cell.x1 >= years[1].x1
    continued = [t for t in side["tables"] if len(t["pages"]) > 1 and t["header"]]
    assert continued
    for table in continued:
        for n in table["pages"]:
            assert squash(table["header"][0]) in squash(doc[n - 1].get_text()), (table["header"], n)


def test_branch_plans_start_on_new_pages_and_a_label_is_cut_by_a_page_break(built: Path) -> None:
    side = sidecar(KYOUKAI)
    assert len(side["branch_starts"]) == 35 and side["branch_starts"] == sorted(set(side["branch_starts"]))
    assert {s["borders"] for s in side["styles"]} == {"grid", "fields", "none"}
    assert {s["orientation"] for s in side["styles"]} == {"portrait", "landscape"}
    assert side["split_labels"], "a row broken across pages cuts a field label in two"
    doc = pdf(KYOUKAI)
    for cut in side["split_labels"]:
        first, second = (squash(doc[n - 1].get_text()) for n in cut["pages"])
        head, rest = cut["parts"]
        assert head in first and rest in second
        assert squash(cut["label"]) not in first and squash(cut["label"]) not in second
