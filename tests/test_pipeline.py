"""extract/pipeline.py: a stage that raises on a document keeps what the stages before it read.

The stage functions are replaced by ones that raise, as a bug on a strange file would; the PDF,
its reading and the database are the real ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extract import pipeline, store
from extract.pipeline import read_parsed
from extract.use.loader import document_error
from tests.conftest import parsed, readings

KYOUKAI = "kyoukai-kenpo-r3-branch-plans"


def test_a_plan_whose_records_fail_keeps_its_sections_and_the_other_plans_keep_theirs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    whole = readings(KYOUKAI)
    broken = whole[2].plan.id
    real = pipeline.plan_programs

    def programs_with_a_bug(plan, *args, **kwargs):
        if plan.id == broken:
            raise IndexError("list index out of range")
        return real(plan, *args, **kwargs)

    monkeypatch.setattr(pipeline, "plan_programs", programs_with_a_bug)
    reading = read_parsed(parsed(KYOUKAI))
    assert [p.plan.id for p in reading.plans] == [p.plan.id for p in whole]
    failed = reading.plans[2]
    assert (failed.kpis, failed.programs, failed.health_issues) == ([], [], [])
    assert [s.id for s in failed.sections] == [s.id for s in whole[2].sections] != []
    others = [(p.plan.id, len(p.kpis), len(p.programs)) for i, p in enumerate(reading.plans) if i != 2]
    assert others == [(p.plan.id, len(p.kpis), len(p.programs)) for i, p in enumerate(whole) if i != 2]
    assert [f.stage for f in reading.failures] == ["records"]
    message = reading.failures[0].message
    assert f"plan {whole[2].plan.number}" in message and whole[2].plan.branch in message
    assert "IndexError: list index out of range" in message


def test_a_structure_that_fails_keeps_the_pages_and_is_stored_as_partial(
    monkeypatch: pytest.MonkeyPatch, tmp_path, corpus_pdfs
) -> None:
    def structure_with_a_bug(document):
        raise ValueError("max() arg is an empty sequence")

    monkeypatch.setattr(pipeline, "read_structure", structure_with_a_bug)
    document = parsed(KYOUKAI)
    reading = read_parsed(document)
    assert reading.plans == [] and reading.document is document
    assert [f.stage for f in reading.failures] == ["structure"]
    rows = store.document_rows(reading)
    path = corpus_pdfs / f"{KYOUKAI}.pdf"
    error = document_error(path, rows)
    assert error is not None and error.kind == "partial"
    assert "structure stage failed" in error.message and "ValueError" in error.message
    db = store.open_db(tmp_path / "p.db")
    store.write_document(db, rows, path, error)
    assert db["pages"].count == len(document.pages)
    assert db["lines"].count == sum(len(p.lines) for p in document.pages)
    assert db.execute("select kind from load_errors").fetchall() == [("partial",)]
    assert db.execute("select count(*) from documents").fetchone()[0] == 1


def test_a_document_read_whole_has_no_error() -> None:
    reading = read_parsed(parsed(KYOUKAI))
    assert reading.failures == []
    assert document_error(Path("x.pdf"), store.document_rows(reading)) is None


def test_kangxi_radicals_are_kanji_in_headings_pages_and_search(tmp_path: Path) -> None:
    """A PDF printer's font map writes ⽅ (U+2F45) for the 方 the page shows: the heading, the
    page's raw text and a search find the kanji, and no stored text holds a radical."""
    import pymupdf

    from extract.use.search import search

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_font(fontname="ipa", fontfile="/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf")
    page.insert_text((60, 100), "第1章 申請の⽅法", fontname="ipa", fontsize=16)
    page.insert_text((60, 140), "本文は⼊札の⼿引きである。", fontname="ipa", fontsize=10.5)
    reading = pipeline.read_document(doc.tobytes())
    assert [(s.label, s.heading) for s in reading.plans[0].sections if s.level] == [("第1章", "申請の方法")]
    raw = reading.document.pages[0].raw_text.replace("\xa0", " ")  # the font maps its space to U+00A0
    assert raw.split("\n") == ["第1章 申請の方法", "本文は入札の手引きである。"]
    db = store.open_db(tmp_path / "k.db")
    store.write_document(db, reading, tmp_path / "k.pdf")
    assert [h.sentence for h in search(db, "方法")] == ["第1章 申請の方法"]
    texts = [v for row in db.query("select * from sections") for v in row.values() if isinstance(v, str)]
    assert texts and not any("\u2e80" <= ch <= "\u2fdf" for t in texts for ch in t)
