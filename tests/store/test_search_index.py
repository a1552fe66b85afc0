"""A KPI record's sentence in the search index (``extract.store.search_index.kpi_sentence``): the
cells of a table row apart, the lines of a wrapped sentence or cell together. Expectations come
from the lines as the reader laid them out (their table cells), not from the code under test."""

from __future__ import annotations

import json

import sqlite_utils

from extract.read.normalize import normalize_text
from extract.store.search_index import PageLine, kpi_sentence
from extract.use.search import search
from tests.search_corpus import CORPUS_COUNTS


def _line(text: str, cell: tuple[int, int, int] | None = None, y0: float = 100.0) -> PageLine:
    return PageLine(1, text, 300.0, 10.5, False, cell, y0, y0 + 10.5)


def test_the_cells_of_a_row_are_apart_and_a_wrapped_line_is_joined() -> None:
    row = [_line("受診勧奨通知率 (%) ※", (1, 4, 0)), *(_line("100", (1, 4, c)) for c in range(1, 4))]
    assert kpi_sentence("\n".join(line.text for line in row), row) == "受診勧奨通知率 (%) ※ 100 100 100"
    in_a_cell = [_line("■ KPI:医療データ等を活用した効果的な意見発", (2, 1, 1)),
                 _line("信を実施する", (2, 1, 1), 111)]  # fmt: skip
    assert kpi_sentence("■ KPI:医療データ等を活用した効果的な意見発\n信を実施する", in_a_cell) == (
        "■ KPI:医療データ等を活用した効果的な意見発信を実施する"
    )
    unruled = [_line("合計受診率 (%)"), _line("90.8"), _line("90.9")]  # side by side, no table rules
    assert kpi_sentence("合計受診率 (%)\n90.8\n90.9", unruled) == "合計受診率 (%) 90.8 90.9"
    wrapped = [_line("■KPI:割合を 21.1%から 18."), _line("7%に減少させる。", y0=112.0)]  # a figure cut in two
    expected = "■KPI:割合を 21.1%から 18.7%に減少させる。"
    assert kpi_sentence("■KPI:割合を 21.1%から 18.\n7%に減少させる。", wrapped) == expected
    assert kpi_sentence("ＫＰＩ：受診率\n９０％", []) == "KPI:受診率90%"  # lines not found: joined, as before


def _cells_of_one_row(db: sqlite_utils.Database, kpi_id: str) -> list[str] | None:
    """The KPI's lines, if each stands in its own cell of one table row (read from the lines table)."""
    sql = "select doc_id, page, raw_text from kpis where id = ?"
    doc_id, page, raw = db.execute(sql, [kpi_id]).fetchone()
    parts = [normalize_text(p).strip() for p in raw.splitlines() if p.strip()]
    lines = db.execute("select text, cell from lines where doc_id = ? and page_no = ? order by line_no",
                       [doc_id, page]).fetchall()  # fmt: skip
    cells, start = [], 0
    for part in parts:
        k = next((i for i in range(start, len(lines)) if lines[i][0].strip() == part), None)
        if k is None or lines[k][1] is None:
            return None
        cell = json.loads(lines[k][1])
        cells.append((cell["table"], cell["row"], cell["col"]))
        start = k + 1
    one_row = len({c[:2] for c in cells}) == 1 and len(set(cells)) == len(cells) > 1
    return parts if one_row else None


def test_a_kpi_table_row_is_found_by_its_cells(db: sqlite_utils.Database) -> None:
    """planex search 通知率 showed 受診勧奨通知率 (%)※100100100…: the row's cells glued into one word."""
    hits = search(db, "通知率", kind="kpi", limit=50)
    notice = [h for h in hits if h.sentence.startswith("受診勧奨通知率")]
    assert notice and all("100 100" in h.sentence and "100100" not in h.sentence for h in notice)
    rows = 0
    for kpi_id, sentence in db.execute(
        "select ref_id, sentence from search_sentences where kind = 'kpi' order by id"
    ).fetchall():
        cells = _cells_of_one_row(db, kpi_id)
        if cells is not None:
            assert sentence == " ".join(cells), kpi_id
            rows += 1
    assert rows == CORPUS_COUNTS["kpi_table_rows"]  # the KPI tables of the corpus's data health plans
    found = {h.sentence for h in search(db, "100", kind="kpi", limit=500)}
    assert any(s.startswith("受診勧奨通知率") for s in found)  # a cell's figure is a word of its own


def test_a_kpi_sentence_wrapped_over_lines_stays_one_word(db: sqlite_utils.Database) -> None:
    """A KPI stated in a paragraph keeps its wrapped lines together: 対前年度以 / 下 is still 以下."""
    raw = db.execute(
        "select raw_text from kpis where raw_text like '%施術の申請の' || char(10) || '割合%' limit 1"
    ).fetchone()[0]
    expected = "".join(normalize_text(p).strip() for p in raw.splitlines())
    assert any(h.sentence == expected for h in search(db, "申請の割合", kind="kpi", limit=200))


def test_unwrapped_joins_a_word_cut_by_a_line_break_and_keeps_items_apart() -> None:
    from extract.store.search_index import breaks_word, unwrapped

    assert breaks_word("別に取り組むべき課", "題(阻害要因)を明確にし")
    assert breaks_word("個別の医療機", "関・薬局に対する")
    assert not breaks_word("特定健診受診率", "特定保健指導実施率")  # two rows of a table
    assert not breaks_word("KPI", "特定健診")
    text = "\n".join([
        "<課題分析>", "・別に取り組むべき課", "題を明確にする。", "・ホームページ、メールマガジン、通知",
        "チラシ等を活用する。", "・次の項目",
    ])  # fmt: skip
    assert unwrapped(text, []).split("\n") == [
        "<課題分析>", "・別に取り組むべき課題を明確にする。",
        "・ホームページ、メールマガジン、通知チラシ等を活用する。", "・次の項目",
    ]  # fmt: skip
