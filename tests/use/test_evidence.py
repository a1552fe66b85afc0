"""A record's evidence (extract/use/evidence.py): every KPI, program and search hit of make demo's
database has its page and lines; the page is drawn with those lines boxed, from the original PDF
(read back with PyMuPDF: the boxed region holds the record's text) or, once the file has moved,
from the lines planex stored; and ``planex show --evidence ID --png FILE`` writes the picture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pymupdf
import pytest
from typer.testing import CliRunner

from extract import store
from extract.cli import app
from extract.store.evidence_lines import squash
from extract.use.evidence import BOX, EvidenceError, evidence_png, find_evidence, render_page
from extract.use.loader import load
from extract.use.search import search
from tests.conftest import PDFS
from tests.demo_db import demo_db

QUERIES = ("受診勧奨", "特定健診", "ジェネリック医薬品", "重症化予防", "喫煙率", "健康宣言", "被扶養者 -歯科")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, corpus_pdfs: Path) -> Path:
    return demo_db(tmp_path_factory, corpus_pdfs)


@pytest.fixture()
def db(demo: Path):
    database = store.open_db(demo, read_only=True)
    yield database
    database.close()


def boxed_text(pdf: Path, page_no: int, boxes) -> str:
    """What the PDF itself holds inside the boxes (PyMuPDF, not planex's stored lines)."""
    with pymupdf.open(pdf) as doc:
        page = doc[page_no - 1]
        clips = [pymupdf.Rect(b.x0 - 1, b.y0 - 1, b.x1 + 1, b.y1 + 1) for b in boxes]
        return "".join(squash(page.get_text("text", clip=clip)) for clip in clips)


@pytest.mark.parametrize("kind", ["kpi", "program", "health_issue"])
def test_every_record_has_its_page_and_lines(db, kind: str) -> None:
    """Walk every record of a kind through the library: each has boxed lines on a page of its
    document, and those lines hold the record's text."""
    table = {"kpi": "kpis", "program": "programs", "health_issue": "health_issues"}[kind]
    ids = [r[0] for r in db.execute(f"select id from {table} order by id")]
    assert len(ids) > (10 if kind == "health_issue" else 700)
    empty, unheld = [], []
    for ref_id in ids:
        found = find_evidence(db, ref_id)
        assert found.kind == kind and found.pdf is not None and found.note is None
        if not found.pages or not all(p.boxes for p in found.pages):
            empty.append(ref_id)
            continue
        held = "".join(squash(b.text) for p in found.pages for b in p.boxes)
        first = squash(found.record["raw_text"].splitlines()[0])
        if first not in held:
            unheld.append((ref_id, first))
    assert empty == [] and unheld == []


def test_every_search_hit_has_its_evidence(db) -> None:
    hits = [hit for q in QUERIES for hit in search(db, q, limit=200)]
    assert len(hits) > 500
    kinds = set()
    for hit in hits:
        assert hit.ref_id, hit
        sentence = None if hit.kind == "kpi" else hit.sentence
        found = find_evidence(db, hit.ref_id, hit.kind, sentence=sentence, page=hit.page)
        kinds.add(found.kind)
        boxes = [b for p in found.pages for b in p.boxes]
        assert boxes, hit
        # the boxes hold the hit's sentence, wrapped or not, on the record's pages
        held = "".join(squash(b.text) for b in boxes)
        assert squash(hit.sentence)[:12] in held or held in squash(hit.sentence), (hit.sentence, held)
        record = found.record
        first = record.get("page") or record["page_start"]
        last = (record.get("page_end") or first) + 1
        assert all(first <= p.page_no <= last or f'"page": {p.page_no}' in (record.get("sources") or "")
                   for p in found.pages), (hit, found.pages)  # fmt: skip
    assert kinds == {"section", "kpi", "program", "health_issue"}


def test_a_section_hit_boxes_its_sentence_not_the_whole_section(db) -> None:
    hit = next(h for h in search(db, "出張相談窓口の廃止", limit=5) if h.kind == "section")
    whole = find_evidence(db, hit.ref_id, "section")
    narrowed = find_evidence(db, hit.ref_id, "section", sentence=hit.sentence)
    shown = [b.text for p in narrowed.pages for b in p.boxes]
    assert shown == ["○ 年金事務所内の出張相談窓口の廃止に関する周知"]
    assert sum(len(p.boxes) for p in whole.pages) > 3


def test_the_boxed_region_of_the_original_page_holds_the_kpi_s_text(db) -> None:
    """A sample of KPIs across documents: the PDF's own text inside the boxes is the KPI's."""
    rows = db.execute(
        "select id, min(rowid) from kpis group by doc_id, page % 7 order by id limit 40"
    ).fetchall()
    assert len(rows) >= 20
    for ref_id, _ in rows:
        found = find_evidence(db, ref_id)
        page = found.pages[0]
        held = boxed_text(found.pdf, page.page_no, page.boxes)
        first_line = squash(found.record["raw_text"].splitlines()[0])
        assert first_line[:10] in held, (ref_id, first_line, held)


def _box_pixels(png: bytes, boxes, zoom: float) -> list[tuple[int, int, int]]:
    pix = pymupdf.Pixmap(png)
    out = []
    for b in boxes:  # the left edge of the drawn box, halfway down
        x = int((b.x0 - 1.5) * zoom)
        y = int((b.y0 + b.y1) / 2 * zoom)
        out.append(max((pix.pixel(x + dx, y) for dx in (-1, 0, 1)), key=lambda c: c[0] - c[2]))
    return out


def test_the_page_is_drawn_with_the_lines_boxed(db) -> None:
    ref_id = db.execute("select id from kpis where raw_text like '■ KPI%' order by id limit 1").fetchone()[0]
    found, png = evidence_png(db, ref_id, zoom=2.0)
    assert png.startswith(b"\x89PNG")
    page = found.pages[0]
    pix = pymupdf.Pixmap(png)
    assert (pix.width, pix.height) == (round(page.width * 2), round(page.height * 2))
    red = [int(c * 255) for c in BOX]
    for r, g, b in _box_pixels(png, page.boxes, 2.0):
        assert r > 150 and g < 120 and b < 120, ((r, g, b), red)
    # and without boxes the same place is white paper
    plain = pymupdf.open(found.pdf)[page.page_no - 1].get_pixmap(matrix=pymupdf.Matrix(2, 2)).tobytes("png")
    assert all(c[0] > 200 and c[2] > 200 for c in _box_pixels(plain, page.boxes, 2.0))


def test_unknown_ids_and_pages_are_named(db) -> None:
    with pytest.raises(EvidenceError, match="no KPI, program, health issue or section with id 'nope'"):
        find_evidence(db, "nope")
    ref_id = db.execute("select id from kpis limit 1").fetchone()[0]
    with pytest.raises(EvidenceError, match="page 9999"):
        render_page(find_evidence(db, ref_id), 9999)


def test_a_moved_pdf_is_drawn_from_the_stored_lines_with_a_note(tmp_path: Path) -> None:
    pdf = tmp_path / "plans" / "hikari.pdf"
    pdf.parent.mkdir()
    shutil.copy(PDFS / "variant-hikari-kokuho-tokutei-kenshin-plan-4th.pdf", pdf)
    path = tmp_path / "moved.db"
    assert load([pdf], path).loaded == 1
    db = store.open_db(path, read_only=True)
    try:
        ref_id = db.execute("select id from kpis order by page, id limit 1").fetchone()[0]
        assert find_evidence(db, ref_id).pdf == pdf
        pdf.rename(tmp_path / "elsewhere.pdf")
        found, png = evidence_png(db, ref_id)
    finally:
        db.close()
    assert found.pdf is None and str(pdf) in (found.note or "") and "no longer at" in (found.note or "")
    assert png.startswith(b"\x89PNG")
    assert abs(pymupdf.Pixmap(png).width - found.pages[0].width * 1.5) <= 1
    for r, g, b in _box_pixels(png, found.pages[0].boxes, 1.5):  # the lines are boxed there too
        assert r > 150 and g < 120 and b < 120


def test_a_changed_file_at_the_path_is_not_taken_for_the_pdf(tmp_path: Path) -> None:
    pdf = tmp_path / "hikari.pdf"
    shutil.copy(PDFS / "variant-hikari-kokuho-tokutei-kenshin-plan-4th.pdf", pdf)
    path = tmp_path / "changed.db"
    assert load([pdf], path).loaded == 1
    shutil.copy(PDFS / "variant-midori-kenpo-datahealth-plan-3rd.pdf", pdf)
    db = store.open_db(path, read_only=True)
    try:
        found = find_evidence(db, db.execute("select id from kpis limit 1").fetchone()[0])
    finally:
        db.close()
    assert found.pdf is None and "content changed" in (found.note or "")


def test_show_evidence_writes_the_picture(demo: Path, db, tmp_path: Path) -> None:
    sql = "select id from kpis where indicator_id = 'generic_share' order by id limit 1"
    ref_id = db.execute(sql).fetchone()[0]
    out = tmp_path / "kpi.png"
    result = CliRunner().invoke(app, ["show", "--evidence", ref_id, "--png", str(out), "--db", str(demo)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
    assert f"kpi {ref_id}" in result.output and "#page=" in result.output and f"wrote {out}" in result.output
    text = CliRunner().invoke(app, ["show", "--evidence", ref_id, "--db", str(demo)])
    assert text.exit_code == 0 and "generic_share" in text.output and "read from" in text.output
    missing = CliRunner().invoke(app, ["show", "--evidence", "nope", "--db", str(demo)])
    assert missing.exit_code == 2 and "no KPI, program, health issue or section" in missing.output
    stray = CliRunner().invoke(app, ["show", "北海道", "--png", str(out), "--db", str(demo)])
    assert stray.exit_code == 2 and "--evidence" in stray.output
