"""Excel workbooks that open ready to filter: typed cells, one sheet per table.

An analyst who opens a CSV in Excel gets text cells, one table per file, a header that scrolls
away and Japanese columns cut short. Here every sheet is written from the same record functions
and column lists as the CSV exports (``extract.use.export``), so a column added there appears in the
workbook without an edit, and:

- numbers are numbers (value, baseline, actual, pages, years as integers), flags are TRUE/FALSE,
  text is text: a string is always written as a string, so a plan's ``=``, ``+``, ``-`` or ``@``
  at the start of a cell never becomes a formula;
- the header row is frozen and every sheet has an autofilter;
- columns are as wide as their text, counting East Asian wide characters (and the ambiguous ones
  a Japanese font draws wide: ○, ①, ※) as two, up to a cap;
- the evidence (``raw_text``) and list columns (one action, KPI or issue per line, as in the CSV)
  wrap, and every cell is aligned to the top so a wrapped row still reads across.

XlsxWriter writes the files (``constant_memory``: rows stream to disk, so memory stays flat). It
was chosen over openpyxl by speed: see ``bench/workbook_bench.py`` and the README. The workbook is
written to a temporary file beside the target and renamed, so a failed write never leaves half a
workbook; a sheet longer than Excel's 1,048,576 rows continues on ``KPIs (2)`` and so on.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils
import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from extract import __version__, store
from extract.use import export

MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header included
MAX_COLUMNS = 16_384
MAX_CELL_CHARS = 32_767  # Excel shows and keeps no more in one cell
WIDTH_CAP = 60  # characters of '0'; wider text wraps (evidence) or runs into the next empty cell
WRAPPED_COLUMNS = frozenset({"raw_text", "sources"})  # the evidence, wrapped even where it has no line break
NARROW_COLUMNS = {"doc_id": 18, "sha256": 18}  # 64 hex digits; the first 16 tell documents apart
TRUNCATED = "…[cut at Excel's 32,767 characters: the full text is in the database]"

KPIS = "KPIs"
KPIS_BY_PLAN = "KPIs by plan"
PROGRAMS = "programs"
HEALTH_ISSUES = "health issues"
CHANGES = "changes"
PLANS = "plans"
SOURCES = "sources"

PLAN_SHEET_COLUMNS = (
    "plan_id", "doc_id", "source_file", "number", "insurer", "insurer_type", "branch", "plan_type",
    "plan_fiscal_year", "period_start", "period_end", "title", "page_start", "page_end", "garbled_pages",
    "sections", "kpis", "programs", "health_issues",
)  # fmt: skip
"""The plans sheet: a plan's metadata and how many records were read from it."""

SOURCE_SHEET_COLUMNS = (
    "status", "file_name", "path", "sha256", "pages", "bytes", "title", "text_quality", "plans", "kpis",
    "programs", "health_issues", "error_kind", "message", "at", "planex_version",
)  # fmt: skip
"""The sources sheet: every loaded document (status ``loaded``) and every file that failed
(status ``failed``, with the ``load_errors`` kind and message), so a reader sees what is missing."""


class WorkbookError(Exception):
    """The workbook could not be written; the message says why and what to do.

    ``usage`` is true when the target itself is wrong (no such folder, a folder given as the
    file), false for a failure while writing (permission, a full disk).
    """

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class Sheet:
    """One table to write: its sheet name, its columns in order, and its rows (dicts by column)."""

    name: str
    columns: tuple[str, ...]
    rows: Sequence[Mapping[str, Any]] = field(repr=False)


def display_width(text: str) -> int:
    """Width of the longest line of ``text`` in Excel column units (the width of a '0').

    Wide and full-width characters (kanji, kana) and the ambiguous ones (○, ①, ※, which a
    Japanese font draws wide) count two; everything else one.
    """
    if text.isascii():
        return max(map(len, text.split("\n"))) if "\n" in text else len(text)
    widest = 0
    for line in text.split("\n"):
        width = sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in line)
        widest = max(widest, width)
    return widest


def _value_width(value: Any) -> int:
    if isinstance(value, str):
        return display_width(value)
    if isinstance(value, bool):
        return 5  # FALSE
    if isinstance(value, float):
        return min(len(f"{value:g}"), 11)  # Excel's General format shows at most 11 characters
    return len(str(value))


@dataclass(frozen=True)
class _Layout:
    widths: list[float]
    wrapped: list[bool]


def _layout(columns: Sequence[str], rows: Sequence[Mapping[str, Any]], cap: int = WIDTH_CAP) -> _Layout:
    """Column widths (header and values, padded, capped) and which columns wrap.

    A column wraps when it is evidence or holds a line break (a list, one item per line). A
    column at the cap is only looked at for line breaks, and not at all once it wraps, so long
    text costs little on 100,000 rows.
    """
    widths = [min(display_width(c) + 3.0, NARROW_COLUMNS.get(c, cap)) for c in columns]  # + filter button
    caps = [NARROW_COLUMNS.get(c, cap) for c in columns]
    wrapped = [c in WRAPPED_COLUMNS for c in columns]
    measured = [(i, c) for i, c in enumerate(columns)]
    seen: dict[str, int] = {}  # plans repeat their insurers, units and indicators thousands of times
    for row in rows:
        done = False
        for i, column in measured:
            value = row.get(column)
            if value is None or value == "":
                continue
            if widths[i] < caps[i]:
                if isinstance(value, str):
                    width = seen.get(value)
                    if width is None:
                        width = seen[value] = display_width(value)
                else:
                    width = _value_width(value)
                widths[i] = max(widths[i], width + 1.0)
            if not wrapped[i] and isinstance(value, str) and "\n" in value:
                wrapped[i] = True
            done = done or (wrapped[i] and widths[i] >= caps[i])
        if done:
            measured = [(i, c) for i, c in measured if not (wrapped[i] and widths[i] >= caps[i])]
            if not measured:
                break
    return _Layout([min(w, float(c)) for w, c in zip(widths, caps, strict=True)], wrapped)


def _cut(text: str) -> str:
    """Text for one cell: Excel keeps at most 32,767 UTF-16 units, so longer text says it was cut."""
    if len(text) <= MAX_CELL_CHARS // 2 or len(text.encode("utf-16-le")) // 2 <= MAX_CELL_CHARS:
        return text
    room, units, keep = MAX_CELL_CHARS - len(TRUNCATED), 0, 0
    for keep, ch in enumerate(text):  # noqa: B007 - keep is the cut point once the loop breaks
        units += 2 if ord(ch) > 0xFFFF else 1  # outside the BMP: two UTF-16 units
        if units > room:
            break
    return text[:keep] + TRUNCATED


def _sheet_names(name: str, parts: int) -> list[str]:
    return [name] + [f"{name} ({n})" for n in range(2, parts + 1)]


def _write_sheet(book: xlsxwriter.Workbook, sheet: Sheet, formats: dict[str, Any]) -> None:
    columns = sheet.columns
    layout = _layout(columns, sheet.rows)
    per_sheet = MAX_ROWS - 1
    parts = max(1, -(-len(sheet.rows) // per_sheet))
    for part, name in enumerate(_sheet_names(sheet.name, parts)):
        chunk = sheet.rows[part * per_sheet : (part + 1) * per_sheet]
        ws = book.add_worksheet(name)
        for i, (width, wraps) in enumerate(zip(layout.widths, layout.wrapped, strict=True)):
            ws.set_column(i, i, width, formats["wrap"] if wraps else formats["body"])
        ws.write_row(0, 0, columns, formats["header"])
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(chunk), max(len(columns) - 1, 0))
        _write_cells(ws, columns, chunk)


def _write_cells(ws: Any, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    """Each value by its Python type: str → string (never a formula), bool → boolean, int and
    float → number, None → an empty cell; anything else as its text. Cells take their column's
    format (top-aligned, wrapped where the column wraps) from ``set_column``."""
    write_string, write_number, write_boolean = ws.write_string, ws.write_number, ws.write_boolean
    indexed = list(enumerate(columns))
    half = MAX_CELL_CHARS // 2
    for r, row in enumerate(rows, start=1):
        for c, column in indexed:
            value = row.get(column)
            if value is None:
                continue
            if isinstance(value, str):
                if value:
                    write_string(r, c, value if len(value) <= half else _cut(value))
            elif isinstance(value, bool):
                write_boolean(r, c, value)
            elif isinstance(value, int | float):
                write_number(r, c, value)
            else:
                write_string(r, c, _cut(str(value)))


def write_workbook(path: Path, sheets: Iterable[Sheet]) -> dict[str, int]:
    """Write ``sheets`` to the workbook ``path``; returns the rows written per sheet (header aside).

    Written to a temporary file in the same folder and renamed over ``path`` at the end, so the
    target is either the old file or the whole new workbook. Raises ``WorkbookError``.
    """
    path, sheets = Path(path), list(sheets)
    for sheet in sheets:
        if len(sheet.columns) > MAX_COLUMNS:
            count = len(sheet.columns)
            raise WorkbookError(f"sheet {sheet.name!r} has {count} columns; Excel allows {MAX_COLUMNS}")
    folder = path.parent
    if path.is_dir():
        example = path / "plans.xlsx"
        raise WorkbookError(f"{path} is a folder: give a file name, such as {example}", usage=True)
    if not folder.is_dir():
        raise WorkbookError(f"cannot write {path}: there is no folder {folder} (create it first)", usage=True)
    if path.exists() and not path.is_file():  # /dev/stdout, a pipe, /dev/full: never replace it
        return _write_in_place(path, sheets)
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WorkbookError(f"cannot write {path}: {exc.strerror or exc}") from None
    os.close(handle)
    temp = Path(temp_name)
    try:
        counts = _write_book(temp, sheets)
        os.chmod(temp, _file_mode(path))
        os.replace(temp, path)
    except (OSError, XlsxWriterException) as exc:
        temp.unlink(missing_ok=True)
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise WorkbookError(f"cannot write {path}: {reason}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return counts


def _write_in_place(path: Path, sheets: list[Sheet]) -> dict[str, int]:
    """Write into a target that is not a regular file (renaming over it would replace a device or
    a pipe with a file). Built in memory first: a zip file that fails to close on the target
    (a full disk) would try again when collected and print a traceback."""
    buffer = io.BytesIO()
    counts = _write_book(buffer, sheets)
    try:
        with path.open("wb") as fh:
            fh.write(buffer.getbuffer())
    except OSError as exc:
        raise WorkbookError(f"cannot write {path}: {exc.strerror or exc}") from None
    return counts


def _write_book(target: Path | io.BytesIO, sheets: list[Sheet]) -> dict[str, int]:
    """The workbook written to ``target``; the rows written per sheet."""
    counts: dict[str, int] = {}
    book = xlsxwriter.Workbook(
        target if isinstance(target, io.BytesIO) else str(target),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
         "strings_to_numbers": False, "nan_inf_to_errors": True},
    )  # fmt: skip
    book.set_properties({"title": "planex export", "comments": f"written by planex {__version__}"})
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "valign": "top"}),
        "body": book.add_format({"valign": "top"}),
        "wrap": book.add_format({"valign": "top", "text_wrap": True}),
    }
    for sheet in sheets:
        _write_sheet(book, sheet, formats)
        counts[sheet.name] = len(sheet.rows)
    book.close()
    return counts


def _file_mode(path: Path) -> int:
    """The permissions ``path`` would have if written directly: its own if it exists, else those
    the umask gives a new file (mkstemp's temporary file is private to its owner)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# --- the tables of a database -----------------------------------------------------------------


def _counts(db: sqlite_utils.Database, table: str, key: str) -> dict[str, int]:
    sql = f"select {key} as k, count(*) as n from {table} group by 1"
    return {row["k"]: row["n"] for row in db.query(sql)}


def plan_records(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every plan with its document's file name and the number of sections and records read from
    it, in document order; ``garbled_pages`` as comma-separated page numbers."""
    rows = list(
        db.query(
            f"""select p.id as plan_id, p.doc_id, d.file_name as source_file, p.number, p.insurer,
                   p.insurer_type, p.branch, p.plan_type, p.fiscal_year as plan_fiscal_year,
                   p.period_start, p.period_end, p.title, p.page_start, p.page_end, p.garbled_pages
            from {store.PLANS} p join {store.DOCUMENTS} d on d.id = p.doc_id
            order by d.file_name, p.number"""
        )
    )
    counts = {t: _counts(db, t, "plan_id") for t in (store.SECTIONS, store.KPIS, store.PROGRAMS,
                                                     store.HEALTH_ISSUES)}  # fmt: skip
    for row in rows:
        row["garbled_pages"] = ", ".join(str(p) for p in json.loads(row["garbled_pages"] or "[]"))
        for table, by_plan in counts.items():
            row[table] = by_plan.get(row["plan_id"], 0)
    return rows


def source_records(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The loaded documents, then the files that failed to load, each by file name."""
    documents = list(
        db.query(
            f"""select 'loaded' as status, file_name, path, sha256, pages, bytes, title, text_quality,
                   loaded_at as at, planex_version, id from {store.DOCUMENTS} order by file_name"""
        )
    )
    counts = {t: _counts(db, t, "doc_id") for t in (store.PLANS, store.KPIS, store.PROGRAMS,
                                                    store.HEALTH_ISSUES)}  # fmt: skip
    for row in documents:
        for table, by_doc in counts.items():
            row[table] = by_doc.get(row["id"], 0)
    errors = db.query(
        f"""select 'failed' as status, file_name, path, sha256, kind as error_kind, message, at
        from {store.LOAD_ERRORS} order by file_name"""
    )
    return documents + list(errors)


def workbook_sheets(db: sqlite_utils.Database) -> list[Sheet]:
    """The sheets of ``planex export workbook``, from the functions and columns the CSV exports use;
    ``changes``: what changed in each plan since its previous version (``extract.use.diff``)."""
    from extract.use.diff import CHANGE_COLUMNS, change_records, linked_diffs

    kpis = export.kpi_records(db)
    wide_rows, wide_columns = export.wide(kpis, store.stored_catalogue(db))
    return [
        Sheet(KPIS, export.KPI_EXPORT_COLUMNS, kpis),
        Sheet(KPIS_BY_PLAN, wide_columns, wide_rows),
        Sheet(PROGRAMS, export.PROGRAM_EXPORT_COLUMNS, export.program_records(db)),
        Sheet(HEALTH_ISSUES, export.HEALTH_ISSUE_EXPORT_COLUMNS, export.health_issue_records(db)),
        Sheet(CHANGES, CHANGE_COLUMNS, change_records(linked_diffs(db))),
        Sheet(PLANS, PLAN_SHEET_COLUMNS, plan_records(db)),
        Sheet(SOURCES, SOURCE_SHEET_COLUMNS, source_records(db)),
    ]


def write_table(rows: Sequence[Mapping[str, Any]], path: Path, columns: tuple[str, ...], sheet: str) -> int:
    """One table as a one-sheet workbook (``planex export kpis --out kpis.xlsx``); returns its rows."""
    return write_workbook(path, [Sheet(sheet, columns, rows)])[sheet]
