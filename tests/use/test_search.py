"""Full-text search on the real corpus, loaded by the real loader; expectations come from the
source texts in corpus/texts (see tests/search_corpus.py), not from the code under test."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from typer.testing import CliRunner

from extract import store
from extract.cli import app
from extract.read.normalize import normalize_text
from extract.store import search_index
from extract.use.search import SearchError, highlighter, mark_pair, parse_query, search, search_by, to_match
from tests.conftest import PDFS, read_whole
from tests.search_corpus import branches_with

runner = CliRunner()
KYOUKAI = "全国健康保険協会"


def squash(text: str) -> str:
    return "".join(normalize_text(text).split())


def kyoukai_branches(db: sqlite_utils.Database, query: str) -> set[str]:
    return {g.branch for g in search_by(db, query, "branch", insurer=KYOUKAI) if g.branch}


# -- two-character words: the reason for the bigram index ------------------------------------------


@pytest.mark.parametrize(("word", "branches"), [("健診", 35), ("禁煙", 7), ("喫煙", 8), ("ナッジ", 9)])
def test_short_words_are_found_in_every_branch_plan_that_has_them(
    db: sqlite_utils.Database, word: str, branches: int
) -> None:
    # Counts read from corpus/texts: e.g. 禁煙 appears in the plans of 7 of the 35 branches.
    expected = branches_with(word)
    assert len(expected) == branches
    assert kyoukai_branches(db, word) == expected


@pytest.mark.parametrize("word", ["健診", "禁煙", "喫煙"])
def test_a_trigram_index_finds_no_two_character_word(db: sqlite_utils.Database, word: str) -> None:
    # Why the bigram index: SQLite's own trigram tokenizer, over the same section text, finds nothing.
    db.execute("create virtual table if not exists temp.trigram_probe using fts5(text, tokenize='trigram')")
    if not db.execute("select count(*) from temp.trigram_probe").fetchone()[0]:
        db.execute("insert into temp.trigram_probe(text) select text from sections")
    trigram = db.execute(
        "select count(*) from temp.trigram_probe where trigram_probe match ?", [f'"{word}"']
    ).fetchone()
    assert trigram[0] == 0
    assert kyoukai_branches(db, word) >= branches_with(word)  # the bigram index finds every branch


@pytest.mark.parametrize(
    "word", ["受診勧奨", "被扶養者", "インセンティブ", "がん検診", "重症化予防", "歯科", "KPI"]
)
def test_found_exactly_where_the_source_has_the_word(db: sqlite_utils.Database, word: str) -> None:
    """Everything the source has on one line is found; nothing is found that the source lacks.

    (A word broken over two lines by the source's own extraction, インセン/ティブ, may or may not
    be found: the typeset line does not reach the margin, so only the text tells a wrap.)
    """
    found = kyoukai_branches(db, word)
    assert branches_with(word) <= found <= branches_with(word, across_lines=True)


def test_every_hit_contains_the_words_and_shows_them(db: sqlite_utils.Database) -> None:
    hits = search(db, "健診", limit=200)
    assert len(hits) == 200
    for hit in hits:
        assert "健診" in squash(hit.sentence)
        left, right = mark_pair(hit.sentence)
        assert f"{left}健診{right}" in hit.snippet
        assert all(hit.sentence[a:b] == "健診" for a, b in hit.marks)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_hit_is_a_sentence_on_its_page(db: sqlite_utils.Database) -> None:
    pages = dict(
        ((p["doc_id"], p["page_no"]), squash(p["text"]))
        for p in db.query("select doc_id, page_no, text from pages")
    )
    hits = search(db, "ナッジ", limit=100)
    assert {h.branch for h in hits} == branches_with("ナッジ")  # the 9 branches whose text has it
    for hit in hits:
        assert len(hit.sentence) < 300 and "\n" not in hit.sentence
        assert squash(hit.sentence)[:12] in pages[(hit.doc_id, hit.page)]


def test_a_paragraph_wrapped_over_lines_is_one_sentence(db: sqlite_utils.Database) -> None:
    # 新潟: "…事業所等へ幹部" runs to the margin, "職員等の訪問によ" / "る受診勧奨を行う。" is a break
    # the source text itself has mid-word; both are joined, and the next bullet is not.
    hits = search(db, "訪問による受診勧奨", branch="新潟")
    assert [h.sentence for h in hits] == [
        "・事業所カルテ等の可視化データを活用し、健診実施率への影響が大きいと見込まれる事業所等へ幹部"
        "職員等の訪問による受診勧奨を行う。"
    ]


def test_sentences_split_at_full_stops_bullets_and_unwrapped_lines() -> None:
    lines = [
        search_index.PageLine(3, "○ 医療機関へのアプローチ", 200.0, 10.5, False),
        search_index.PageLine(
            3, "・ジェネリック医薬品の使用割合が低い地域に対して、薬剤師会と連携し", 539.0, 10.5, False
        ),
        search_index.PageLine(4, "た取組を行う。また、希望シールを配布する", 300.0, 10.5, False),
        search_index.PageLine(4, "■KPI:使用割合を80%以上とする", 250.0, 10.5, False),
    ]
    text = "\n".join(line.text for line in lines)
    cursor = search_index._Cursor(lines * 3)  # enough long lines for a right margin
    assert search_index.sentences(text, cursor, 3) == [
        (3, "○ 医療機関へのアプローチ"),
        (3, "・ジェネリック医薬品の使用割合が低い地域に対して、薬剤師会と連携した取組を行う。"),
        (4, "また、希望シールを配布する"),
        (4, "■KPI:使用割合を80%以上とする"),
    ]


def test_one_character_finds_every_word_holding_it(db: sqlite_utils.Database) -> None:
    one = {h.sentence for h in search(db, "煙", limit=2000)}
    assert one >= {h.sentence for h in search(db, "禁煙", limit=2000)} | {
        h.sentence for h in search(db, "喫煙", limit=2000)
    }
    assert all("煙" in h.sentence for h in search(db, "煙", limit=2000))


# -- query language ---------------------------------------------------------------------------------


def test_phrases_and_words() -> None:
    assert to_match(parse_query("ジェネリック医薬品")) == '"ジェ ェネ ネリ リッ ック ク医 医薬 薬品"'
    assert to_match(parse_query("健")) == '"健" *'
    assert to_match(parse_query("KPI*")) == '"kpi" *'
    assert to_match(parse_query("健診 OR 禁煙")) == '("健診") OR ("禁煙")'
    assert to_match(parse_query("(健診 OR 禁煙) -歯科")) == '((("健診") OR ("禁煙"))) NOT ("歯科")'
    assert (
        to_match(parse_query("健診 NOT 歯科 AND 被扶養者"))
        == '(("健診") AND ("被扶 扶養 養者")) NOT ("歯科")'
    )
    assert to_match(parse_query('"北海道 薬剤師"')) == '"北海 海道 道薬 薬剤 剤師"'


def test_phrase_matches_only_the_exact_wording(db: sqlite_utils.Database) -> None:
    phrase = search(db, "ジェネリック医薬品の使用促進", limit=500)
    assert phrase and all("ジェネリック医薬品の使用促進" in squash(h.sentence) for h in phrase)
    both = search(db, "ジェネリック医薬品 使用促進", limit=500)
    assert len(both) > len(phrase)
    assert all("ジェネリック医薬品" in squash(h.sentence) and "使用促進" in squash(h.sentence) for h in both)
    quoted = search(db, '"北海道 薬剤師会"', branch="北海道")
    assert any("北海道薬剤師会" in squash(h.sentence) for h in quoted)


def test_or_not_and_prefix(db: sqlite_utils.Database) -> None:
    smoking = {h.sentence for h in search(db, "禁煙", limit=1000)}
    either = {h.sentence for h in search(db, "禁煙 OR 喫煙", limit=1000)}
    assert smoking < either
    without = search(db, "禁煙 -喫煙", limit=1000)
    assert without and all("喫煙" not in squash(h.sentence) for h in without)
    assert all("禁煙" in squash(h.sentence) for h in without)
    assert {h.sentence for h in search(db, "KP*", limit=50)} >= {
        h.sentence for h in search(db, "KPI", limit=50)
    }


@pytest.mark.parametrize(
    ("typed", "plain"),
    [("ＫＰＩ", "KPI"), ("kpi", "KPI"), ("１５", "15"), ("ｼﾞｪﾈﾘｯｸ", "ジェネリック"), ("ＤＰＣ", "DPC")],
)
def test_full_width_and_half_width_are_the_same(db: sqlite_utils.Database, typed: str, plain: str) -> None:
    expected = [(h.plan_id, h.sentence) for h in search(db, plain, limit=100)]
    assert expected
    assert [(h.plan_id, h.sentence) for h in search(db, typed, limit=100)] == expected


# -- filters ----------------------------------------------------------------------------------------


def test_branch_filter_accepts_the_suffix(db: sqlite_utils.Database) -> None:
    hits = search(db, "健診", branch="北海道", limit=100)
    assert hits and {h.branch for h in hits} == {"北海道"}
    assert [h.sentence for h in search(db, "健診", branch="北海道支部", limit=100)] == [
        h.sentence for h in hits
    ]
    # 大分 and 大分県 are the same prefecture: the 協会けんぽ branch and the 共済組合 branch both match
    oita = {(h.insurer, h.branch) for h in search(db, "健診", branch="大分県", limit=500)}
    assert oita == {(KYOUKAI, "大分"), ("地方職員共済組合", "大分県")}
    assert {(h.insurer, h.branch) for h in search(db, "健診", branch="大分", limit=500)} == oita


def test_insurer_plan_type_year_and_section_filters(db: sqlite_utils.Database) -> None:
    assert {h.insurer for h in search(db, "健診", insurer="地方職員共済組合", limit=500)} == {
        "地方職員共済組合"
    }
    assert {h.insurer for h in search(db, "健診", insurer="協会けんぽ", limit=500)} == {KYOUKAI}
    types = {h.plan_type for h in search(db, "健診", plan_type="data_health_plan", limit=500)}
    assert types == {"data_health_plan"}
    assert {h.plan_type for h in search(db, "健診", plan_type="事業計画", limit=50)} == {"business_plan"}
    # 2021: the branch plans (FY2021) and Tokyo's (2018-2023); not Like's (2018-2020) nor Oita's (2024-2029)
    assert {h.insurer for h in search(db, "健診", year=2021, limit=2000)} == {
        KYOUKAI,
        "東京都医師国民健康保険組合",
    }
    # 2025: Oita's plan and the three variants (2024-2029, corpus/manifest.toml)
    assert {h.insurer for h in search(db, "健診", year=2025, limit=2000)} == {
        "地方職員共済組合", "みどり健康保険組合", "ひかり建設国民健康保険組合", "さくら県市町村職員共済組合"
    }  # fmt: skip
    in_section = search(db, "薬剤師会", section="ジェネリック医薬品の使用促進", limit=500)
    assert in_section and all("ジェネリック医薬品の使用促進" in squash(h.section or "") for h in in_section)
    assert len(in_section) < len(search(db, "薬剤師会", limit=500))
    assert search(db, "ジェネリック", section="（３）ジェネリック", limit=5)  # full-width, as in the heading


@pytest.mark.parametrize(
    ("filters", "message"),
    [({"branch": "どこにもない"}, "no branch"), ({"plan_type": "novel"}, "unknown plan type")],
)
def test_bad_filters_say_why(db: sqlite_utils.Database, filters: dict, message: str) -> None:
    with pytest.raises(SearchError, match=message):
        search(db, "健診", **filters)


# -- command line -----------------------------------------------------------------------------------


def test_cli_prints_hits_with_the_match_marked(db_path: Path) -> None:
    result = runner.invoke(app, ["search", "ナッジ", "--db", str(db_path), "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert "【ナッジ】" in result.output and "全国健康保険協会" in result.output and "p." in result.output
    as_json = runner.invoke(app, ["search", "ナッジ", "--db", str(db_path), "--json", "--branch", "長崎"])
    hits = json.loads(as_json.stdout)
    assert hits and {h["branch"] for h in hits} == {"長崎"}
    assert {"insurer", "branch", "plan_type", "fiscal_year", "section", "page", "snippet", "score"} <= set(
        hits[0]
    )


def test_cli_takes_unquoted_words_and_exclusions(db_path: Path) -> None:
    result = runner.invoke(app, ["search", "禁煙", "-喫煙", "--db", str(db_path), "--json", "--limit", "100"])
    assert result.exit_code == 0, result.output
    sentences = [squash(h["sentence"]) for h in json.loads(result.stdout)]
    assert sentences and all("禁煙" in s and "喫煙" not in s for s in sentences)
    typo = runner.invoke(app, ["search", "禁煙", "--limt", "3", "--db", str(db_path)])
    assert typo.exit_code == 2 and "no such option: --limt" in typo.output


def test_by_branch_lists_every_branch_that_mentions_it(db_path: Path) -> None:
    result = runner.invoke(app, ["search", "受診勧奨", "--db", str(db_path), "--by", "branch", "--json"])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)
    kyoukai = {g["branch"]: g for g in groups if g["insurer"] == KYOUKAI}
    assert set(kyoukai) == branches_with("受診勧奨")
    assert len(kyoukai) == 35
    for group in groups:
        assert group["hits"] >= 1 and "受診勧奨" in squash(group["sentence"])
        assert {"branch", "hits", "sentence", "section", "page"} <= set(group)
    assert [g["hits"] for g in groups] == sorted((g["hits"] for g in groups), reverse=True)
    table = runner.invoke(app, ["search", "受診勧奨", "--db", str(db_path), "--by", "insurer"])
    assert table.exit_code == 0 and "地方職員共済組合" in table.output


HOSTILE = [
    *['"', "(", ")", "*", "-", "", "   ", "AND", "OR", "NOT", "NEAR(", "NEAR(健診 禁煙, 5)", "\\", "\x00"],
    *[
        "x" * 10_000,
        "健" * 10_000,
        "NOT 健診",
        "健診 OR -禁煙",
        "(" * 50 + "健診",
        "健診" + ")" * 50,
        '"健診',
    ],
    *[
        'a"b"c',
        "健診 AND AND",
        "-(健診)",
        "'; drop table plans; --",
        "**",
        "^健診",
        "{健診 禁煙}",
        "text:健診",
    ],
    *["健診 +禁煙", "、。・", "健診" + " OR 禁煙" * 40],
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_any_input_is_answered_cleanly(db_path: Path, query: str) -> None:
    result = runner.invoke(app, ["search", query, "--db", str(db_path)])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert "error:" in result.output


def test_hostile_inputs_leave_the_database_alone(db_path: Path) -> None:
    for query in HOSTILE:
        runner.invoke(app, ["search", query, "--db", str(db_path)])
    conn = sqlite3.connect(db_path)
    assert conn.execute("select count(*) from plans").fetchone()[0] == 47  # 40 branch plans, 7 others
    conn.close()


@pytest.mark.parametrize("query", ["", "(", "NOT 健診", "x" * 10_000])
def test_search_errors_explain(db: sqlite_utils.Database, query: str) -> None:
    with pytest.raises(SearchError) as err:
        search(db, query)
    assert re.search(r"nothing to search|too long|excluded words", str(err.value))


# -- the index is kept in step with the documents ------------------------------------------------------


def test_index_follows_writes_and_deletes(tmp_path: Path, corpus_pdfs: Path) -> None:
    db = store.open_db(tmp_path / "t.db")
    pdf = PDFS / "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf"
    reading = read_whole(pdf.read_bytes())
    parsed = reading.document
    for _ in range(2):  # writing twice replaces, it does not duplicate
        store.write_document(db, reading, pdf)
    count = db[search_index.SENTENCES].count
    assert count > 100
    db.execute(f"insert into {search_index.INDEX}({search_index.INDEX}) values ('integrity-check')")
    loaded = db.execute(
        f"select kind, ref_id, page, sentence from {search_index.SENTENCES} order by id"
    ).fetchall()
    assert search(db, "特定保健指導", limit=5)
    assert store.rebuild_index(db) == count  # an old database gets the same index
    rebuilt = db.execute(
        f"select kind, ref_id, page, sentence from {search_index.SENTENCES} order by id"
    ).fetchall()
    assert rebuilt == loaded
    db.execute(f"insert into {search_index.INDEX}({search_index.INDEX}) values ('integrity-check')")
    with db.atomic():
        store.delete_document(db, parsed.id)
    assert db[search_index.SENTENCES].count == 0
    assert (
        db.execute(
            f"select count(*) from {search_index.INDEX} where {search_index.INDEX} match 'kpi'"
        ).fetchone()[0]
        == 0
    )
    with pytest.raises(SearchError, match="nothing"):
        search(db, "、")
    assert search(db, "特定保健指導") == []


def test_programs_and_health_issues_are_searchable(db: sqlite_utils.Database) -> None:
    """Program names, purposes and actions are in the index (kind ``program``), and a sentence
    that is both a section's and a program's is shown once."""
    hits = search(db, "禁煙", kind="program", limit=50)
    assert hits and all(h.kind == "program" and "禁煙" in h.sentence for h in hits)
    assert any(h.insurer and "地方職員" in h.insurer for h in hits)
    issues = search(db, "メタボリックシンドローム", kind="health_issue", limit=20)
    assert {h.insurer for h in issues} == {"ライク健康保険組合", "地方職員共済組合"}
    from extract.use.search import sentence_key

    hits = search(db, "受診勧奨", limit=200)
    keys = [(h.plan_id, sentence_key(h.sentence)) for h in hits]
    assert len(keys) == len(set(keys)) == 200
    with pytest.raises(SearchError, match="unknown kind"):
        search(db, "健診", kind="kpis")
    kpis = search(db, "特定保健指導 実施率", kind="kpi", limit=50)
    assert len(kpis) == 50 and all(h.kind == "kpi" for h in kpis)


def test_a_match_mark_is_never_the_plans_own_bracket(db: sqlite_utils.Database) -> None:
    """Plans write 【目的】 and 【未治療者への受診勧奨】 themselves: such a sentence marks its matches
    with 《》, so what the plan bracketed and what matched stay apart."""
    from extract.use.search import marks_in, snippet

    hits = search(db, "受診勧奨", limit=400)
    own = [h for h in hits if "【" in h.sentence]
    plain = [h for h in hits if "【" not in h.sentence and "】" not in h.sentence]
    assert own and plain
    for hit in own:
        assert "《受診勧奨》" in hit.snippet
        assert re.findall(r"《([^》]*)》", hit.snippet) == ["受診勧奨"] * len(re.findall("《", hit.snippet))
    assert all("【受診勧奨】" in h.snippet for h in plain)
    sentence = "【目的】受診勧奨を行う"
    marks = marks_in(sentence, highlighter(parse_query("受診勧奨")))
    assert snippet(sentence, marks) == "【目的】《受診勧奨》を行う"


def test_an_older_database_gets_the_new_column(tmp_path: Path) -> None:
    """A database made before records were indexed has no ``repeats`` column: opening it adds one."""
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.execute(
        f"create table {search_index.SENTENCES} (id integer primary key, kind text not null, ref_id text, "
        "section_id text, plan_id text, doc_id text not null, page integer, sentence text not null, "
        "body_tokens text not null)"
    )
    values = "(1, 'section', 's', 's', 'p', 'd', 1, '健診', '健診')"
    con.execute(f"insert into {search_index.SENTENCES} values {values}")
    con.commit()
    con.close()
    db = store.open_db(path)
    store.ensure_schema(db)
    row = db.execute(f"select kind, repeats from {search_index.SENTENCES}").fetchone()
    assert row == ("section", 0)


# -- tables in the published layout: a header row repeated on every page is no text -----------------
PUBLISHED = PDFS.parent / "published"


def _repeated_headers(doc_id: str) -> list[list[str]]:
    """Header rows the builder repeated on later pages (from the published sidecar)."""
    side = json.loads((PUBLISHED / f"{doc_id}.json").read_text(encoding="utf-8"))
    if side["layout"] == "branch_table":
        return [side["header"]] if len(side["header_pages"]) > len(side["branch_starts"]) else []
    return [t["header"] for t in side["header_pages"]]


@pytest.mark.parametrize(
    "doc_id", ["kyoukai-kenpo-r3-branch-plans", "chikyosai-oita-datahealth-plan-3rd",
               "tokyo-ishikokuho-tokutei-kenshin-plan-3rd"],
)  # fmt: skip
def test_a_repeated_header_row_is_no_section_text_nor_search_sentence(corpus_pdfs: Path, doc_id: str) -> None:
    side = json.loads((PUBLISHED / f"{doc_id}.json").read_text(encoding="utf-8"))
    headers = _repeated_headers(doc_id)
    assert headers, "the published layout repeats a header row here"
    reading = read_whole((PUBLISHED / f"{doc_id}.pdf").read_bytes())
    parsed = reading.document
    rows = store.document_rows(reading)
    columns, sections = rows.tables[store.SECTIONS]
    texts = [row[columns.index("text")] or "" for row in sections]
    columns, sentence_rows = rows.tables[search_index.SENTENCES]
    sentences = {squash(row[columns.index("sentence")]) for row in sentence_rows}
    pages = {p.page_no: p for p in parsed.pages}
    for header in headers:
        cells = [squash(c) for c in header]
        assert squash("".join(header)) not in sentences
        # kept once, as the table's header: its lines are there, with the role header
        assert any(ln.role == "header" and squash(ln.text) in cells for p in parsed.pages for ln in p.lines)
    for table in side["header_pages"] if side["layout"] == "word" else []:
        cells = [squash(c) for c in table["header"]]
        for n in table["pages"][1:]:  # the pages the table runs onto do not start with it again
            top = [squash(ln.text) for ln in pages[n].lines[: len(cells)]]
            assert top != cells, (n, table["header"])
    if doc_id == "kyoukai-kenpo-r3-branch-plans":  # 分野 and 具体的施策等 stand nowhere else in the plans
        words = {"分野", "具体的施策等"}
        assert not words & sentences
        assert not any(words & {squash(line) for line in t.splitlines()} for t in texts)
        header_lines = [ln for p in parsed.pages for ln in p.lines if squash(ln.text) in words]
        assert len(header_lines) == 2 * len(side["branch_starts"])  # once per branch plan's table
        assert all(ln.role == "header" for ln in header_lines)


def test_a_phrase_is_marked_however_many_spaces_the_pdf_set_inside_it() -> None:
    """A justified table cell sets 特定保健指導    実施率 with four spaces; the index reads the
    phrase there, so the mark must find it too."""
    from extract.use.search import highlighter, marks_in, parse_query

    sentence = "特定保健指導    実施率 31.9%"
    for query in ('"保健指導 実施率"', "保健指導実施率", '"特定保健指導 実施率"'):
        marks = marks_in(sentence, highlighter(parse_query(query)))
        found = [sentence[a:b] for a, b in marks]
        assert found in (["保健指導    実施率"], ["特定保健指導    実施率"]), query
