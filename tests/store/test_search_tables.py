"""The search index's tables (``extract.store.search_tables``) on the corpus loaded by the real
loader: each distinct sentence stored once with its places, deletion, and the conversion of a
database of schema 4 or older (one row per place, sentence and tokens in each)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from extract import store
from extract.store import search_tables, search_terms
from extract.use.search import search, search_by

VIEW_COLUMNS = "id, kind, ref_id, section_id, plan_id, doc_id, page, sentence, body_tokens, repeats"
QUERIES = ["健診", "受診勧奨", "ジェネリック医薬品の使用促進", "健", "KPI*", "禁煙 -喫煙"]


def _copy(db_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "copy.db"
    conn = sqlite3.connect(db_path)
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()
    shutil.copy(db_path, path)
    return path


def _integrity(db: sqlite_utils.Database) -> None:
    db.execute(f"insert into {search_tables.INDEX}({search_tables.INDEX}) values ('integrity-check')")


def test_a_sentence_of_many_plans_is_stored_and_indexed_once(db: sqlite_utils.Database) -> None:
    heading = "１． 基盤的保険者機能関係"  # every 協会けんぽ branch plan has it (corpus/texts)
    places = db.execute("select count(*) from search_sentences where sentence = ?", [heading]).fetchone()[0]
    assert places == 35
    assert db.execute("select count(*) from search_texts where sentence = ?", [heading]).fetchone()[0] == 1
    texts, all_places = db["search_texts"].count, db["search_places"].count
    assert texts < 0.7 * all_places  # the corpus repeats about half its sentences
    fts = db.execute("select count(*) from search_index_docsize").fetchone()[0]
    assert fts == texts  # one FTS5 row per distinct sentence
    repeated = db.execute(
        "select count(*) from (select sentence, body_tokens from search_texts group by 1, 2 "
        "having count(*) > 1)"
    ).fetchone()[0]
    assert repeated == 0
    _integrity(db)


def test_deleting_a_document_keeps_the_sentences_another_shares(db_path: Path, tmp_path: Path) -> None:
    db = store.open_db(_copy(db_path, tmp_path))
    shared = db.execute(
        "select text_id, min(doc_id), max(doc_id) from search_sentences group by text_id "
        "having count(distinct doc_id) > 1 and length(min(sentence)) > 10 order by text_id limit 1"
    ).fetchone()
    assert shared, "the corpus documents share sentences"
    text_id, gone, _ = shared
    kept = {r[0] for r in db.execute("select doc_id from search_sentences where text_id = ? and doc_id != ?",
                                     [text_id, gone])}  # fmt: skip
    own = {r[0] for r in db.execute(
        "select text_id from search_sentences group by text_id having max(doc_id) = ? and min(doc_id) = ?",
        [gone, gone])}  # fmt: skip
    before = db.execute(f"select {VIEW_COLUMNS} from search_sentences where doc_id != ? order by id",
                        [gone]).fetchall()  # fmt: skip
    with db.atomic():
        store.delete_document(db, gone)
    assert db.execute("select count(*) from search_sentences where doc_id = ?", [gone]).fetchone()[0] == 0
    assert db.execute(f"select {VIEW_COLUMNS} from search_sentences order by id").fetchall() == before
    assert db.execute("select count(*) from search_texts where id = ?", [text_id]).fetchone()[0] == 1
    marks = ",".join("?" * len(own))
    sql = f"select count(*) from search_texts where id in ({marks})"
    assert db.execute(sql, list(own)).fetchone()[0] == 0
    orphans = db.execute("select count(*) from search_texts t where not exists "
                         "(select 1 from search_places p where p.text_id = t.id)").fetchone()[0]  # fmt: skip
    assert orphans == 0
    assert db.execute("select count(*) from search_plans where doc_id = ?", [gone]).fetchone()[0] == 0
    _integrity(db)
    sentence = db.execute("select sentence from search_texts where id = ?", [text_id]).fetchone()[0]
    found = {h.doc_id for h in search(db, f'"{sentence}"', limit=1000) if h.sentence == sentence}
    assert found and found <= kept  # still found, in the documents that keep it
    db.close()


SCHEMA_2 = (  # the search index as planex wrote it until schema 4: one row per place
    """create table search_sentences (id integer primary key, kind text not null, ref_id text,
        section_id text, plan_id text, doc_id text not null, page integer, sentence text not null,
        body_tokens text not null, repeats integer not null default 0,
        padding text generated always as (substr('""" + "\ue000 " * 20 + """', 1,
            2 * max(0, 20 - length(sentence)))))""",
    "create index idx_search_sentences_doc_id on search_sentences(doc_id)",
    """create virtual table search_index using fts5(body_tokens, padding, content='search_sentences',
        content_rowid='id', tokenize='unicode61 remove_diacritics 0')""",
    """create trigger search_sentences_ad after delete on search_sentences begin
        insert into search_index(search_index, rowid, body_tokens, padding)
        values ('delete', old.id, old.body_tokens, old.padding); end""",
)


def _as_schema_2(path: Path) -> list[tuple]:
    """The database's search index laid out as schema 2 had it; returns its rows."""
    conn = sqlite3.connect(path)
    rows = conn.execute(f"select {VIEW_COLUMNS} from search_sentences order by id").fetchall()
    for statement in ("drop view search_sentences", "drop table search_index", "drop table search_places",
                      "drop table search_texts", "drop table search_plans", "drop table search_terms",
                      "drop table search_repeats", "drop table search_state"):  # fmt: skip
        conn.execute(statement)
    for statement in SCHEMA_2:
        conn.execute(statement)
    conn.executemany(f"insert into search_sentences ({VIEW_COLUMNS}) values ({','.join('?' * 10)})", rows)
    conn.execute("insert into search_index(search_index) values ('rebuild')")
    conn.execute("pragma user_version = 2")
    conn.commit()
    conn.close()
    return rows


def test_a_schema_2_database_is_converted_when_opened(db_path: Path, db: sqlite_utils.Database,
                                                      tmp_path: Path) -> None:  # fmt: skip
    path = _copy(db_path, tmp_path)
    rows = _as_schema_2(path)
    old = sqlite3.connect(path)
    sql = "select type from sqlite_master where name = 'search_sentences'"
    assert old.execute(sql).fetchone() == ("table",)
    old.close()
    converted = store.open_db(path)
    assert converted.execute("pragma user_version").fetchone()[0] == store.SCHEMA_VERSION == 8
    sql = "select name, type from sqlite_master where name like 'search_%'"
    kinds = dict(converted.execute(sql).fetchall())
    assert kinds["search_sentences"] == "view" and kinds["search_texts"] == "table"
    assert "search_sentences_old" not in kinds
    assert converted.execute(f"select {VIEW_COLUMNS} from search_sentences order by id").fetchall() == rows
    _integrity(converted)
    for query in QUERIES:  # the same hits as the database loaded by this planex
        assert search(converted, query, limit=50) == search(db, query, limit=50), query
        assert search_by(converted, query) == search_by(db, query), query
    assert store.rebuild_index(converted) == len(rows)  # planex reindex makes the same sentences again
    assert converted.execute(f"select {VIEW_COLUMNS} from search_sentences order by id").fetchall() == rows
    converted.close()


def test_the_view_is_the_old_tables_shape(db: sqlite_utils.Database) -> None:
    """Readers of search_sentences (Datasette, notebooks) find the columns they knew."""
    columns = [r[1] for r in db.execute("pragma table_xinfo(search_sentences)")]
    assert columns[:11] == [*VIEW_COLUMNS.split(", "), "padding"] and "text_id" in columns
    sql = "select sentence, padding from search_sentences where length(sentence) < 5 limit 1"
    short = db.execute(sql).fetchone()
    assert short and short[1].count("\ue000") == 20 - len(short[0])


@pytest.mark.parametrize("rows", [[], [("section", "s1", "s1", None, "d", 1, "健診", "健診 診", 0)]])
def test_rows_without_a_plan_or_without_rows_are_stored(tmp_path: Path, rows: list[tuple]) -> None:
    db = store.open_db(tmp_path / "t.db")
    with db.atomic():
        search_tables.insert_sentences(db, rows)
        search_tables.insert_sentences(db, rows)  # again: the same sentence is referenced, not stored twice
    assert db["search_places"].count == 2 * len(rows) and db["search_texts"].count == len(rows)
    with db.atomic():
        search_tables.delete_document(db, "d")
    assert db["search_places"].count == db["search_texts"].count == db["search_plans"].count == 0
    _integrity(db)
    db.close()


def _as_schema_5(path: Path) -> None:
    """The database's search index laid out as schema 5 had it: sentence ids in the order they
    were stored (no length in them), no token counts, no repeats."""
    conn = sqlite3.connect(path)
    mask = search_terms.ORDER_MASK
    for statement in ("drop trigger search_texts_ad", "drop trigger search_texts_au",
                      f"update search_places set text_id = text_id & {mask}",
                      f"update search_texts set id = id & {mask}",
                      "drop table search_terms", "drop table search_repeats", "drop table search_state",
                      "insert into search_index(search_index) values ('rebuild')",
                      "pragma user_version = 5"):  # fmt: skip
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_a_schema_5_database_gets_length_ordered_ids_token_counts_and_repeats(
    db_path: Path, db: sqlite_utils.Database, tmp_path: Path
) -> None:
    path = _copy(db_path, tmp_path)
    _as_schema_5(path)
    old = sqlite3.connect(path)
    assert old.execute("select max(id) from search_texts").fetchone()[0] == db["search_texts"].count
    old.close()
    converted = store.open_db(path)
    assert converted.execute("pragma user_version").fetchone()[0] == 8
    for table in ("search_texts", "search_places", "search_terms", "search_repeats", "search_state"):
        sql = f"select * from {table} order by " + ("1, 2, 3" if table == "search_repeats" else "1")
        assert converted.execute(sql).fetchall() == db.execute(sql).fetchall(), table
    _integrity(converted)
    for query in QUERIES:
        assert search(converted, query, limit=50) == search(db, query, limit=50), query
    converted.close()


FILTERS = [{"branch": "北海道"}, {"year": 2021}, {"insurer": "協会けんぽ"}, {"plan_type": "data_health_plan"},
           {"insurer": "健保組合", "kind": "program"}]  # fmt: skip


def test_a_schema_7_database_gets_the_plan_fields_a_filter_reads(
    db_path: Path, db: sqlite_utils.Database, tmp_path: Path
) -> None:
    """Schema 8 copies each plan's insurer, branch, type and years into ``search_plans``; a
    database of schema 7 has them filled from ``plans`` when converted, and filters alike."""
    path = _copy(db_path, tmp_path)
    conn = sqlite3.connect(path)
    for name in search_tables.PLAN_FIELDS:
        conn.execute(f"alter table search_plans drop column {name}")
    conn.execute("pragma user_version = 7")
    conn.commit()
    conn.close()
    converted = store.open_db(path)
    fields = ", ".join(f"p.{name}" for name in search_tables.PLAN_FIELDS)
    expected = db.execute(f"select k.key, {fields} from search_plans k left join plans p on p.id = k.plan_id "
                          "order by k.key").fetchall()  # fmt: skip
    copied = converted.execute(f"select key, {', '.join(search_tables.PLAN_FIELDS)} from search_plans "
                               "order by key").fetchall()  # fmt: skip
    assert copied == expected and any(row[3] for row in copied)
    loaded = db.execute(f"select key, {', '.join(search_tables.PLAN_FIELDS)} from search_plans order by key")
    assert loaded.fetchall() == expected  # the loader copies them too
    for query in QUERIES:
        for f in FILTERS:
            assert search(converted, query, limit=30, **f) == search(db, query, limit=30, **f), (query, f)
    converted.close()


def test_a_rebuilt_index_is_one_segment(db_path: Path, db: sqlite_utils.Database, tmp_path: Path) -> None:
    """``planex reindex`` leaves FTS5 one segment to read per token, not the several its rebuild
    writes, and finds what it found before."""
    rebuilt = store.open_db(_copy(db_path, tmp_path))
    store.rebuild_index(rebuilt)
    segments = "select count(distinct segid) from search_index_idx"
    assert rebuilt.execute(segments).fetchone()[0] == 1
    _integrity(rebuilt)
    for query in QUERIES:
        assert search(rebuilt, query, limit=30) == search(db, query, limit=30), query
    rebuilt.close()


def test_compact_merges_the_segments_once(db_path: Path, tmp_path: Path) -> None:
    copy = store.open_db(_copy(db_path, tmp_path))
    copy.execute("insert into search_index(search_index) values ('rebuild')")  # several segments again
    assert search_tables.segments(copy) > 1
    assert search_tables.compact(copy) is True and search_tables.segments(copy) == 1
    assert search_tables.compact(copy) is False
    _integrity(copy)
    copy.close()
