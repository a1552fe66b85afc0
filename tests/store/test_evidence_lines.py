"""The lines each record was read from (extract/store/evidence_lines.py): found in the worker at load
time for every section, KPI, program and health issue of the corpus, and again by planex upgrade
for a database from before the table."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract import store
from extract.cli import app
from extract.store.evidence_lines import EVIDENCE, IndexedLine, LineIndex, squash
from tests.demo_db import demo_db


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, corpus_pdfs: Path) -> Path:
    return demo_db(tmp_path_factory, corpus_pdfs)


def index(*pages: list[str]) -> LineIndex:
    return LineIndex(
        IndexedLine(p, n, squash(t)) for p, lines in enumerate(pages, 1) for n, t in enumerate(lines, 1)
    )


def found(idx: LineIndex, text: str, first: int = 1, last: int = 9) -> list[tuple[int, int]]:
    return [(idx.lines[k].page, idx.lines[k].line_no) for k in idx.locate(text, first, last)]


def test_a_line_of_the_text_is_the_line_equal_to_it() -> None:
    idx = index(["○ 審査手順の標準化の推進", "■ KPI：査定率を 0.3％以上とする", "○ 審査業務の強化"])
    assert found(idx, "■ KPI：査定率を 0.3％以上とする") == [(1, 2)]


def test_a_wrapped_sentence_is_the_run_of_lines_it_was_set_in() -> None:
    idx = index(["前文", "■ KPI：柔道整復施術療養費の申請の割合を対前年度以", "下とする", "次の行"])
    assert found(idx, "■ KPI：柔道整復施術療養費の申請の割合を対前年度以下とする") == [(1, 2), (1, 3)]


def test_a_part_inside_a_longer_line_is_that_line() -> None:
    idx = index(["１．基盤的保険者機能関係 １．健全な財政運営", "○ 評議会における議論"])
    assert found(idx, "１．健全な財政運営") == [(1, 1)]


def test_parts_are_found_in_reading_order_then_anywhere_on_the_pages() -> None:
    # a table row of equal figures: each 99.3 is the next one, not the first again
    idx = index(["受診率 (%)", "99.3", "99.3", "99.3", "合計 (%)", "90.8"])
    assert found(idx, "受診率 (%)\n99.3\n99.3\n99.3") == [(1, 1), (1, 2), (1, 3), (1, 4)]
    # a part printed before the one the record names first is still found
    assert found(idx, "合計 (%)\n受診率 (%)") == [(1, 1), (1, 5)]


def test_only_the_record_s_pages_are_looked_at_and_missing_parts_are_left_out() -> None:
    idx = index(["特定健診実施率を 55.0％以上とする"], ["特定健診実施率を 55.0％以上とする"])
    assert found(idx, "特定健診実施率を 55.0％以上とする", 2, 2) == [(2, 1)]
    assert found(idx, "どこにもない文\n特定健診実施率を 55.0％以上とする", 1, 1) == [(1, 1)]
    assert found(idx, "どこにもない文", 1, 2) == []
    # a lone bullet or unit is never found inside another line
    assert found(idx, "％", 1, 2) == []


def test_comparison_ignores_spaces_and_width() -> None:
    assert squash("■ KPI：①サービス　スタンダード ") == squash("■KPI:①サービススタンダード")


def _line_texts(db: sqlite3.Connection) -> dict[tuple[str, int, int], str]:
    rows = db.execute("select doc_id, page_no, line_no, text from lines")
    return {(d, p, n): squash(t or "") for d, p, n, t in rows}


@pytest.mark.parametrize(("kind", "table", "column"), [
    ("kpi", "kpis", "raw_text"), ("program", "programs", "raw_text"),
    ("health_issue", "health_issues", "raw_text"), ("section", "sections", "text"),
])  # fmt: skip
def test_every_record_of_the_demo_database_has_the_lines_that_hold_its_text(
    demo: Path, kind: str, table: str, column: str
) -> None:
    """Every record has evidence lines, and they hold each line of its text, in the record's pages."""
    with sqlite3.connect(demo) as db:
        texts = _line_texts(db)
        evidence: dict[str, list[tuple]] = {}
        for ref, doc, page, line in db.execute(
            f"select ref_id, doc_id, page_no, line_no from {EVIDENCE} where kind = ?", [kind]
        ):
            evidence.setdefault(ref, []).append((doc, page, line))
        records = db.execute(f"select id, {column} from {table}").fetchall()
    assert records
    missing, unfound = [], []
    for ref, text in records:
        lines = evidence.get(ref)
        if not lines:
            missing.append(ref)
            continue
        held = "".join(texts[key] for key in sorted(lines))
        parts = [squash(part) for part in (text or "").splitlines()]
        unfound += [(ref, part) for part in parts if part and part not in held]
    assert missing == []
    assert unfound == []


def test_a_kpi_s_lines_are_on_its_page_or_the_next(demo: Path) -> None:
    with sqlite3.connect(demo) as db:
        far = db.execute(
            f"""select k.id, e.page_no, k.page, k.sources from kpis k join {EVIDENCE} e
            on e.kind = 'kpi' and e.ref_id = k.id where e.page_no not between k.page and k.page + 1"""
        ).fetchall()
    # a target stated twice keeps the lines of its second place too (its sources)
    assert all(f'"page": {p}' in sources or f'"page": {p - 1}' in sources for _, p, _, sources in far)


def test_planex_upgrade_finds_the_evidence_of_a_database_from_before_it(demo: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copy(demo, old)
    with sqlite3.connect(old) as db:
        db.execute("pragma journal_mode = delete")
        before = sorted(db.execute(f"select * from {EVIDENCE}").fetchall())
        db.execute(f"drop table {EVIDENCE}")
        db.execute("pragma user_version = 5")
    refused = CliRunner().invoke(app, ["show", "--evidence", "x", "--db", str(old)])
    assert refused.exit_code == 1 and "planex upgrade" in refused.output
    result = CliRunner().invoke(app, ["upgrade", "--db", str(old)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(old) as db:
        assert db.execute("pragma user_version").fetchone()[0] == store.SCHEMA_VERSION
        after = sorted(db.execute(f"select * from {EVIDENCE}").fetchall())
    assert after == before and len(after) > 10_000


def test_a_document_loaded_again_keeps_one_copy_of_its_evidence(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copy(demo, copy)
    db = store.open_db(copy)
    try:
        doc_id = db.execute("select doc_id from kpis limit 1").fetchone()[0]
        count = db.execute(f"select count(*) from {EVIDENCE} where doc_id = ?", [doc_id]).fetchone()[0]
        with db.atomic():
            store.delete_document(db, doc_id)
        assert db.execute(f"select count(*) from {EVIDENCE} where doc_id = ?", [doc_id]).fetchone()[0] == 0
    finally:
        db.close()
    assert count > 0
