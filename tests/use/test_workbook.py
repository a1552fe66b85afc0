"""The Excel workbook: read back with openpyxl, against the CSV exports of the same database.

The database is a copy of the session's corpus database with the broken real-world PDFs loaded
into it too (so the sources sheet has load errors) and a few records edited to start like a
formula (=, +, -, @), as plans' text can.
"""

from __future__ import annotations

import csv
import re
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from extract import store
from extract.cli import app
from extract.use import workbook
from extract.use.export import KPI_EXPORT_COLUMNS, PROGRAM_EXPORT_COLUMNS
from extract.use.loader import load

runner = CliRunner()
FORMULA_LIKE = ("=SUM(A1:A9)", "+81 3 1234", "-5%以上", '@CELL("address")')
PROGRAM_NAME = '=HYPERLINK("http://example.com","特定健診")'
SHEETS = ["KPIs", "KPIs by plan", "programs", "health issues", "changes", "plans", "sources"]


@pytest.fixture(scope="module")
def books_db(db_path: Path, real_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the corpus database, plus corpus/real (two files fail), plus formula-like text."""
    copy = tmp_path_factory.mktemp("workbook") / "plans.db"
    source, target = sqlite3.connect(db_path), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    ids = [row[0] for row in target.execute("select id from kpis order by id limit ?", [len(FORMULA_LIKE)])]
    for kpi_id, text in zip(ids, FORMULA_LIKE, strict=True):
        target.execute("update kpis set indicator = ? where id = ?", [text, kpi_id])
    target.execute("update programs set name = ? where id = (select min(id) from programs)", [PROGRAM_NAME])
    target.commit()
    target.close()
    summary = load([real_dir], copy)
    assert summary.failed_total == 2  # empty.pdf and password-example.pdf, in load_errors
    return copy


@pytest.fixture(scope="module")
def book_path(books_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("book") / "plans.xlsx"
    result = runner.invoke(app, ["export", "workbook", "--db", str(books_db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "KPIs" in result.output and str(out) in result.output
    return out


@pytest.fixture(scope="module")
def book(book_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(book_path)


def csv_export(db: Path, folder: Path, *args: str) -> list[dict[str, str]]:
    out = folder / "table.csv"
    result = runner.invoke(app, ["export", *args, "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def sheet_rows(ws) -> list[dict]:
    rows = ws.iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, row, strict=True)) for row in rows]


def as_csv_text(value: object) -> str:
    """A workbook value as the CSV writes it: None empty, numbers as Python prints them."""
    if value is None:
        return ""
    return str(value)


def test_one_sheet_per_table_with_the_csv_columns(book: openpyxl.Workbook, books_db: Path,
                                                  tmp_path: Path) -> None:  # fmt: skip
    assert book.sheetnames == SHEETS
    header = [c.value for c in book["KPIs"][1]]
    assert tuple(header) == KPI_EXPORT_COLUMNS
    assert tuple(c.value for c in book["programs"][1]) == PROGRAM_EXPORT_COLUMNS
    wide = csv_export(books_db, tmp_path, "kpis", "--wide")
    assert [c.value for c in book["KPIs by plan"][1]] == list(wide[0])


@pytest.mark.parametrize(("sheet", "args"), [
    ("KPIs", ["kpis"]), ("KPIs by plan", ["kpis", "--wide"]), ("programs", ["programs"]),
    ("health issues", ["health-issues"]),
])  # fmt: skip
def test_sheets_hold_what_the_csv_exports_hold(book: openpyxl.Workbook, books_db: Path, tmp_path: Path,
                                               sheet: str, args: list[str]) -> None:  # fmt: skip
    expected = csv_export(books_db, tmp_path, *args)
    rows = sheet_rows(book[sheet])
    assert len(rows) == len(expected) > 0
    for got, want in zip(rows, expected, strict=True):
        for column, text in want.items():
            value = got[column]
            if isinstance(value, bool) or not isinstance(value, int | float):
                assert as_csv_text(value) == text, (sheet, column)
            else:
                assert value == float(text), (sheet, column)


def test_plans_and_sources_sheets_count_the_database(book: openpyxl.Workbook, books_db: Path) -> None:
    db = store.open_db(books_db)
    plans = db.execute("select count(*) from plans").fetchone()[0]
    documents = db.execute("select count(*) from documents").fetchone()[0]
    kpis_by_doc = dict(db.execute("select doc_id, count(*) from kpis group by doc_id").fetchall())
    db.close()
    assert len(sheet_rows(book["plans"])) == plans
    sources = sheet_rows(book["sources"])
    assert [r["status"] for r in sources] == ["loaded"] * documents + ["failed"] * 2
    failed = {r["file_name"]: r["error_kind"] for r in sources if r["status"] == "failed"}
    assert failed == {"empty.pdf": "empty", "password-example.pdf": "encrypted"}
    by_sha = {r["sha256"]: r["kpis"] for r in sources if r["status"] == "loaded"}
    assert {k: v for k, v in by_sha.items() if v} == kpis_by_doc  # doc id is the SHA-256


def test_numbers_are_numbers_and_text_is_text(book: openpyxl.Workbook, books_db: Path) -> None:
    db = store.open_db(books_db)
    stored = sorted(r[0] for r in db.execute("select value from kpis where value is not null"))
    db.close()
    ws = book["KPIs"]
    col = {name: i for i, name in enumerate(KPI_EXPORT_COLUMNS)}
    values, years = [], 0
    for row in ws.iter_rows(min_row=2):
        for name in ("value", "baseline_value", "actual_value", "page"):
            cell = row[col[name]]
            assert cell.value is None or (cell.data_type == "n" and isinstance(cell.value, int | float)), name
        if row[col["value"]].value is not None:
            values.append(row[col["value"]].value)
        for name in ("target_year", "baseline_year", "plan_fiscal_year"):
            year = row[col[name]].value
            assert year is None or (type(year) is int and 1990 < year < 2100), (name, year)
            years += year is not None
        for name in ("doc_id", "indicator", "raw_text", "source_file"):
            assert row[col[name]].data_type == "s", name
    assert sorted(values) == stored and len(values) > 500
    assert years > 1000
    programs = sheet_rows(book["programs"])
    assert any(isinstance(r["budget_thousand_yen"], int | float) for r in programs)
    assert {type(r["key_program"]) for r in programs} <= {bool, type(None)}
    assert any(r["key_program"] is True for r in programs)


def test_formula_like_text_stays_a_string(book: openpyxl.Workbook, book_path: Path) -> None:
    indicator = get_column_letter(KPI_EXPORT_COLUMNS.index("indicator") + 1)
    indicators = {c.value: c for c in book["KPIs"][indicator][1:]}
    for text in FORMULA_LIKE:
        assert indicators[text].data_type == "s", text
    name = get_column_letter(PROGRAM_EXPORT_COLUMNS.index("name") + 1)
    names = [c for c in book["programs"][name][1:] if c.value == PROGRAM_NAME]
    assert len(names) == 1 and names[0].data_type == "s"
    with zipfile.ZipFile(book_path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(SHEETS)
        for name in sheets:
            assert not re.search(rb"<f[ >]", archive.read(name)), name  # no formula anywhere


def test_frozen_header_and_autofilter_on_every_sheet(book: openpyxl.Workbook) -> None:
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{get_column_letter(ws.max_column)}{ws.max_row}", ws.title
        assert all(c.font.bold for c in ws[1]), ws.title


def test_columns_fit_japanese_text_and_evidence_wraps(book: openpyxl.Workbook) -> None:
    ws = book["KPIs"]
    col = {name: get_column_letter(i + 1) for i, name in enumerate(KPI_EXPORT_COLUMNS)}
    width = {name: ws.column_dimensions[letter].width for name, letter in col.items()}
    insurers = [c.value for c in ws[col["insurer"]][1:] if c.value]
    assert "全国健康保険協会" in insurers  # 8 kanji: 16 columns wide, not 8
    assert width["insurer"] >= max(2 * len(i) for i in insurers if not i.isascii())
    assert width["unit"] < width["insurer"]
    assert max(width.values()) <= workbook.WIDTH_CAP + 1  # capped (XlsxWriter adds a pixel pad)
    assert width["raw_text"] > workbook.WIDTH_CAP - 1  # evidence is long: at the cap, wrapped
    assert all(c.alignment.wrap_text for c in ws[col["raw_text"]][1:] if c.value)
    assert not any(c.alignment.wrap_text for c in ws[col["indicator"]][1:] if c.value)


def test_list_columns_keep_one_item_per_line_and_wrap(book: openpyxl.Workbook) -> None:
    ws = book["programs"]
    actions = PROGRAM_EXPORT_COLUMNS.index("actions") + 1
    cells = [row[actions - 1] for row in ws.iter_rows(min_row=2) if row[actions - 1].value]
    multi = [c for c in cells if "\n" in c.value]
    assert len(multi) > 100  # 協会けんぽ measures list their ○ actions
    assert all(c.alignment.wrap_text for c in multi)


def test_display_width_counts_wide_characters_twice() -> None:
    assert workbook.display_width("KPI") == 3
    assert workbook.display_width("全国健康保険協会") == 16
    assert workbook.display_width("特定健診 90%") == 12
    assert workbook.display_width("①受診率") == 8  # ① is drawn wide in a Japanese font
    assert workbook.display_width("○ 受診勧奨\n・特定保健指導の実施") == 20  # the longest line


@pytest.mark.parametrize(("args", "out_name", "sheet"), [
    (["kpis"], "k.xlsx", "KPIs"),
    (["kpis", "--wide"], "wide.XLSX", "KPIs by plan"),
    (["programs", "--format", "xlsx"], "programs.data", "programs"),
    (["health-issues"], "issues.xlsx", "health issues"),
])  # fmt: skip
def test_single_sheet_exports_by_extension_or_format(books_db: Path, tmp_path: Path, args: list[str],
                                                     out_name: str, sheet: str) -> None:  # fmt: skip
    out = tmp_path / out_name
    result = runner.invoke(app, ["export", *args, "--db", str(books_db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    expected = csv_export(books_db, tmp_path, *[a for a in args if a not in ("--format", "xlsx")])
    with out.open("rb") as fh:  # openpyxl reads by content only from a file object (programs.data)
        ws = openpyxl.load_workbook(fh)
    assert ws.sheetnames == [sheet]
    assert ws[sheet].max_row - 1 == len(expected) > 0
    assert ws[sheet].freeze_panes == "A2" and ws[sheet].auto_filter.ref
    assert f"wrote {len(expected)} rows" in result.output
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_jsonl_extension_writes_json_lines(books_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "kpis.jsonl"
    assert runner.invoke(app, ["export", "kpis", "--db", str(books_db), "--out", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith('{"doc_id": ')


def test_bad_out_is_one_line_and_no_traceback(books_db: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a file, not a folder", encoding="utf-8")
    cases = [
        (["workbook"], tmp_path / "missing" / "plans.xlsx", "there is no folder"),
        (["workbook"], tmp_path, "is a folder"),
        (["workbook"], tmp_path / "notes.txt" / "plans.xlsx", "there is no folder"),
        (["workbook"], tmp_path / "plans.csv", "must end in .xlsx"),
        (["kpis"], tmp_path / "missing" / "kpis.xlsx", "there is no folder"),
        (["programs", "--format", "xlsx"], tmp_path / "missing" / "p", "there is no folder"),
    ]
    for args, out, message in cases:
        result = runner.invoke(app, ["export", *args, "--db", str(books_db), "--out", str(out)])
        assert result.exit_code in (1, 2), (args, out, result.output)
        assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], result.output
    assert not (tmp_path / "missing").exists() and not (tmp_path / "plans.csv").exists()


def test_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "plans.xlsx"
    workbook.write_workbook(out, [workbook.Sheet("t", ("a",), [{"a": 1}])])
    before = out.read_bytes()
    too_wide = workbook.Sheet("t", tuple(f"c{i}" for i in range(workbook.MAX_COLUMNS + 1)), [])
    with pytest.raises(workbook.WorkbookError, match="columns"):
        workbook.write_workbook(out, [too_wide])
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plans.xlsx"]  # no temporary file left


def test_the_file_gets_the_permissions_of_a_file_written_directly(tmp_path: Path) -> None:
    out, plain = tmp_path / "plans.xlsx", tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    workbook.write_workbook(out, [workbook.Sheet("t", ("a",), [{"a": 1}])])
    assert out.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777  # not mkstemp's 0600
    out.chmod(0o640)
    workbook.write_workbook(out, [workbook.Sheet("t", ("a",), [{"a": 2}])])
    assert out.stat().st_mode & 0o777 == 0o640  # replacing a file keeps its permissions


def test_a_sheet_past_the_row_limit_continues(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "MAX_ROWS", 6)  # Excel's 1,048,576, made small
    rows = [{"n": n, "text": f"row {n}"} for n in range(12)]
    out = tmp_path / "long.xlsx"
    counts = workbook.write_workbook(out, [workbook.Sheet("KPIs", ("n", "text"), rows)])
    assert counts == {"KPIs": 12}
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["KPIs", "KPIs (2)", "KPIs (3)"]
    got = [r["n"] for ws in book.worksheets for r in sheet_rows(ws)]
    assert got == list(range(12))
    assert all(ws.freeze_panes == "A2" and ws.auto_filter.ref for ws in book.worksheets)


def test_text_longer_than_a_cell_is_cut_with_a_note(tmp_path: Path) -> None:
    long = "健" * 40_000
    out = tmp_path / "long.xlsx"
    workbook.write_workbook(out, [workbook.Sheet("t", ("raw_text",), [{"raw_text": long}])])
    cell = openpyxl.load_workbook(out)["t"]["A2"].value
    assert len(cell) <= workbook.MAX_CELL_CHARS and cell.endswith(workbook.TRUNCATED)
    assert cell.startswith("健" * 30_000)
