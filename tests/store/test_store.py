"""The SQLite store: table names other tools rely on, and the full-text index over sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract import store
from tests.conftest import PDFS, read_whole
from tests.search_corpus import branches_with


def test_tables_and_columns_keep_their_names(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "t.db")
    columns = {name: set(db[name].columns_dict) for name in db.table_names()}
    assert {"id", "file_name", "path", "sha256", "pages", "bytes", "title", "text_quality", "loaded_at",
            "planex_version"} <= columns["documents"]  # fmt: skip
    assert {"doc_id", "page_no", "text", "raw_text", "quality"} <= columns["pages"]
    assert {"file_name", "path", "sha256", "kind", "message", "at"} <= columns["load_errors"]
    assert {"id", "doc_id", "insurer", "insurer_type", "branch", "plan_type", "fiscal_year", "period_start",
            "period_end", "title", "page_start", "page_end"} <= columns["plans"]  # fmt: skip
    assert {"id", "plan_id", "parent_id", "level", "label", "heading", "path", "page_start", "page_end",
            "text"} <= columns["sections"]  # fmt: skip


def test_sections_are_searchable_and_replaced_on_reload(tmp_path: Path, corpus_pdfs: Path) -> None:
    from extract.use.search import search

    db = store.open_db(tmp_path / "t.db")
    reading = read_whole((PDFS / "kyoukai-kenpo-r3-branch-plans.pdf").read_bytes())
    for _ in range(2):  # writing twice replaces, it does not duplicate
        store.write_document(db, reading, PDFS / "kyoukai-kenpo-r3-branch-plans.pdf")
    hits = search(db, '"ジェネリック医薬品の使用促進"', limit=500)
    # every branch whose text has the phrase on a line (corpus/texts), and no other
    assert {h.branch for h in hits} == branches_with("ジェネリック医薬品の使用促進")
    assert db["plans"].count == 35
    counts = db.execute("select count(*), count(distinct id) from sections").fetchone()
    assert counts[0] == counts[1]
    store.delete_document(db, reading.document.id)
    assert db["sections"].count == 0 and db["plans"].count == 0 and db["kpis"].count == 0
    assert search(db, "ジェネリック", limit=5) == []


def test_a_database_records_its_schema_and_an_older_one_is_brought_up_to_it(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "t.db")
    assert db.execute("pragma user_version").fetchone()[0] == store.SCHEMA_VERSION
    # as planex 0.2.0 left it: no schema version, no truncated column
    db.execute("alter table documents drop column truncated")
    db.execute("pragma user_version = 0")
    db.close()
    before = (tmp_path / "t.db").read_bytes()
    for read in (store.check_database, lambda path: store.open_db(path, read_only=True)):
        with pytest.raises(store.DatabaseProblem, match="older planex") as info:
            read(tmp_path / "t.db")  # reading converts nothing: it says how to
        assert "planex upgrade --db" in str(info.value) and not info.value.usage
    assert (tmp_path / "t.db").read_bytes() == before
    store.check_database(tmp_path / "t.db", upgrade=True)
    again = store.open_db(tmp_path / "t.db")
    assert "truncated" in again["documents"].columns_dict
    assert again.execute("pragma user_version").fetchone()[0] == store.SCHEMA_VERSION
    again.close()


def test_a_database_from_a_newer_planex_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    db = store.open_db(path)
    db.execute(f"pragma user_version = {store.SCHEMA_VERSION + 1}")
    db.close()
    before = path.read_bytes()
    for check in (store.check_database, store.open_db):
        with pytest.raises(store.DatabaseProblem, match="newer planex") as info:
            check(path)
        assert not info.value.usage  # the argument is right; this planex is too old
    assert path.read_bytes() == before


def test_remap_maps_stored_records_again_without_reading_pdfs(tmp_path: Path, corpus_pdfs: Path) -> None:
    """kpis remap: from the columns a record keeps (indicator, program, section, context,
    population, unit), with the catalogue stored beside them; planex's own again after."""
    from extract.records.indicators import builtin_catalogue, catalogue_from

    db = store.open_db(tmp_path / "t.db")
    path = PDFS / "chikyosai-oita-datahealth-plan-3rd.pdf"
    store.write_document(db, read_whole(path.read_bytes()), path)
    before = dict(db.execute("select id, indicator_id from kpis").fetchall())
    mine = catalogue_from(
        '[[indicator]]\nid = "stress_check_rate"\nlabel = "ストレスチェック受検率"\nunit = "%"\n'
        'names = ["ストレスチェック受検率"]\n', "mine.toml"
    )
    db.execute("delete from pages")  # no page is read again: the records alone are enough
    result = store.remap_kpis(db, mine)
    after = dict(db.execute("select id, indicator_id from kpis").fetchall())
    changed = {k for k in after if after[k] != before[k]}
    assert result.changed == len(changed) == 6  # ストレスチェック受検率 2024-2029 (corpus/texts)
    assert {after[k] for k in changed} == {"stress_check_rate"}
    assert store.stored_catalogue(db).user_text == mine.user_text
    again = store.remap_kpis(db, builtin_catalogue())
    assert again.changed == 6 and dict(db.execute("select id, indicator_id from kpis").fetchall()) == before
    assert store.stored_catalogue(db).user_text == ""


def test_a_database_of_schema_1_gains_the_new_kpi_columns(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute("create table documents (id text primary key, file_name text)")
    columns = ("id", "doc_id", "plan_id", "page", "section", "program", "kind", "indicator", "indicator_id",
               "comparator", "value", "unit", "target_year", "baseline_value", "baseline_year",
               "actual_value", "population", "raw_text")  # the kpis table of schema 1
    conn.execute(f"create table kpis ({', '.join(columns)})")
    row = {"id": "k1", "doc_id": "d", "indicator": "特定健診実施率", "indicator_id": "", "unit": "%"}
    conn.execute(f"insert into kpis values ({', '.join('?' * len(columns))})", [row.get(c) for c in columns])
    conn.execute("pragma user_version = 1")
    conn.commit()
    conn.close()
    db = store.open_db(path)
    assert {"indicator_rule", "population_norm", "sources", "context"} <= set(db["kpis"].columns_dict)
    assert db.execute("pragma user_version").fetchone()[0] == store.SCHEMA_VERSION == 8
    assert store.remap_kpis(db, store.stored_catalogue(db)).changed == 1  # mapped without reading a PDF
    mapped = db.execute("select indicator_id, population_norm from kpis").fetchone()
    assert mapped == ("tokutei_kenshin_rate", "all")


def test_the_api_lists_what_it_imports_on_demand() -> None:
    """``extract.store`` imports its names lazily; each listed name resolves, none is missing."""
    import extract.store as package

    assert set(package.__all__) == set(package._MODULE_OF)
    assert all(getattr(package, name) is not None for name in package.__all__)


@pytest.mark.parametrize(
    ("content", "what"),
    [(b"", "empty file"), (b"%PDF-1.7\n", "is a PDF"), (b"id,name\n1,x\n", "a text file"),
     (b"PK\x03\x04\x14\x00", "ZIP archive")],
)  # fmt: skip
def test_a_file_that_is_no_database_is_named_for_what_it_is(
    tmp_path: Path, content: bytes, what: str
) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(store.DatabaseProblem, match=what):
        store.check_database(path)
    if content:  # an empty file may become the new database a load makes
        with pytest.raises(store.DatabaseProblem, match=what) as info:
            store.check_database(path, create=True)
        assert "planex load FOLDER --db" not in str(info.value)
    assert path.read_bytes() == content
