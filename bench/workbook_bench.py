"""make bench: the time to write a workbook of 100,000 KPI rows, and the library comparison.

The corpus PDFs are loaded by the real loader into a fresh database; its KPI records (the rows
``planex export kpis`` writes) are repeated up to ROWS, each copy as if from another document
(its own doc_id, file name and evidence text). Each candidate then writes them as one sheet in
a fresh process (so peak RSS is its own), with the same cells: typed values, formula-like text
kept as text, header bold and frozen, an autofilter, the same column widths, top alignment,
raw_text and list columns wrapped. Timed: from the rows in memory to the closed file, column
widths included.

- ``planex``: ``extract.use.workbook.write_table`` — XlsxWriter in constant_memory mode (what
  planex uses);
- ``xlsxwriter``: XlsxWriter's default mode (shared strings, every cell in memory until close);
- ``openpyxl``: openpyxl's write-only mode (its fast mode) with every cell styled like planex's;
- ``openpyxl-plain``: the same without cell styles or formula protection (openpyxl's best case:
  ``ws.append`` of plain values), to show what the styling costs there.

openpyxl uses lxml when it is installed (not a planex dependency); the line says which.

Usage: python bench/workbook_bench.py [--rows 100000] [--candidates planex,xlsxwriter,openpyxl]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PDFS = ROOT / "corpus" / "pdfs"
CANDIDATES = ("planex", "xlsxwriter", "openpyxl", "openpyxl-plain")


def kpi_rows(db_path: Path, count: int) -> list[dict[str, Any]]:
    """The corpus KPI records repeated to ``count`` rows, each copy as if from another document:
    its own doc_id, file name and evidence text (other plans word their sentences differently;
    insurers, units and indicators repeat, as they do across real plans)."""
    from extract import store
    from extract.use import export

    db = store.open_db(db_path)
    base = export.kpi_records(db)
    db.close()
    rows = []
    for n in range(count):
        row = dict(base[n % len(base)])
        copy = n // len(base)
        if copy:
            row["doc_id"] = f"{row['doc_id'][:56]}{copy:08x}"
            row["source_file"] = f"{row['source_file'].removesuffix('.pdf')}-{copy}.pdf"
            row["raw_text"] = f"{row['raw_text']}（写{copy}）"
        rows.append(row)
    return rows


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write_xlsxwriter(rows: list[dict], columns: tuple[str, ...], out: Path) -> None:
    import xlsxwriter

    from extract.use import workbook

    layout = workbook._layout(columns, rows)
    book = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1, "valign": "top"})
    body, wrap = book.add_format({"valign": "top"}), book.add_format({"valign": "top", "text_wrap": True})
    ws = book.add_worksheet("KPIs")
    for i, (width, wraps) in enumerate(zip(layout.widths, layout.wrapped, strict=True)):
        ws.set_column(i, i, width, wrap if wraps else body)
    ws.write_row(0, 0, columns, header)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), len(columns) - 1)
    workbook._write_cells(ws, columns, rows)
    book.close()


def _write_openpyxl(rows: list[dict], columns: tuple[str, ...], out: Path, styled: bool) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from extract.use import workbook

    layout = workbook._layout(columns, rows)
    book = Workbook(write_only=True)
    ws = book.create_sheet("KPIs")
    for i, width in enumerate(layout.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    top, wrap = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    aligns = [wrap if w else top for w in layout.wrapped]
    head = []
    for name in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.alignment = Font(bold=True), top
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.border = Border(bottom=Side(style="thin"))
        head.append(cell)
    ws.append(head)
    for row in rows:
        values = [row.get(c) for c in columns]
        if not styled:
            ws.append(values)
            continue
        cells = []
        for value, align in zip(values, aligns, strict=True):
            if value is None or value == "":
                cells.append(None)
                continue
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl makes "=…" a formula otherwise
            cell.alignment = align
            cells.append(cell)
        ws.append(cells)
    book.save(out)


def run_candidate(name: str, db_path: Path, count: int, out: Path) -> dict[str, Any]:
    """One candidate in this process: the rows, then the timed write; seconds and memory."""
    from extract.use import export, workbook

    rows = kpi_rows(db_path, count)
    columns = export.KPI_EXPORT_COLUMNS
    before = _peak_mb()
    started = time.perf_counter()
    if name == "planex":
        workbook.write_table(rows, out, columns, workbook.KPIS)
    elif name == "xlsxwriter":
        _write_xlsxwriter(rows, columns, out)
    elif name in ("openpyxl", "openpyxl-plain"):
        _write_openpyxl(rows, columns, out, styled=name == "openpyxl")
    else:
        raise SystemExit(f"unknown candidate {name!r}")
    seconds = time.perf_counter() - started
    return {"candidate": name, "rows": len(rows), "seconds": seconds, "bytes": out.stat().st_size,
            "peak_rss_mb": _peak_mb(), "rss_growth_mb": max(0.0, _peak_mb() - before)}  # fmt: skip


def _library(name: str) -> str:
    if name.startswith("openpyxl"):
        import openpyxl
        from openpyxl.xml import LXML

        return f"openpyxl {openpyxl.__version__}" + (" (lxml)" if LXML else " (no lxml)")
    import xlsxwriter

    mode = "constant_memory" if name == "planex" else "default mode"
    return f"XlsxWriter {xlsxwriter.__version__}, {mode}"


def corpus_database(folder: Path) -> Path:
    from extract.use.loader import load

    db = folder / "corpus.db"
    load([PDFS], db, workers=1)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="KPI rows to write")
    parser.add_argument("--candidates", default=",".join(CANDIDATES), help="comma-separated")
    parser.add_argument("--runs", type=int, default=1, help="runs per candidate (the best is shown)")
    parser.add_argument("--candidate", help=argparse.SUPPRESS)  # one run, in a child process
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.candidate:
        result = run_candidate(args.candidate, args.db, args.rows, args.out)
        print(json.dumps({**result, "library": _library(args.candidate)}))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = corpus_database(folder)
        print(f"\nworkbook of {args.rows:,} KPI rows (the corpus's, repeated), one sheet, fresh process")
        planex: float | None = None
        print(f"{'candidate':<16}{'library':<36}{'seconds':>9}{'rows/s':>10}{'MB file':>9}{'+RSS MB':>9}")
        for name in args.candidates.split(","):
            best: dict[str, Any] | None = None
            for _ in range(args.runs):
                done = subprocess.run(
                    [sys.executable, __file__, "--candidate", name, "--db", str(db), "--rows", str(args.rows),
                     "--out", str(folder / f"{name}.xlsx")],
                    check=True, capture_output=True, text=True, cwd=ROOT,
                )  # fmt: skip
                result = json.loads(done.stdout.strip().splitlines()[-1])
                if best is None or result["seconds"] < best["seconds"]:
                    best = result
            assert best is not None
            rate = best["rows"] / best["seconds"]
            print(f"{name:<16}{best['library']:<36}{best['seconds']:>9.2f}{rate:>10,.0f}"
                  f"{best['bytes'] / 1e6:>9.1f}{best['rss_growth_mb']:>9.0f}")  # fmt: skip
            if name == "planex":
                planex = best["seconds"]
        if planex is not None:
            print(f"planex export: a workbook of {args.rows:,} KPI rows in {planex:.2f} s")


if __name__ == "__main__":
    main()
