"""``planex load``, ``info`` and ``documents``: PDFs into the database, and what it holds.

``load`` is a thin layer over ``extract.use.loader.load`` (workers, timeouts, errors per file);
it adds the progress bar, the summary tables and ``--json`` lines."""

from __future__ import annotations

import json
import sys
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Column, Table
from rich.text import Text

from extract import store
from extract.cli.common import (
    DbOption,
    WritableDbOption,
    app,
    cell,
    console,
    err_console,
    fail,
    open_database,
    open_database_for_writing,
    user_catalogue,
)
from extract.use.limits import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from extract.use.loader import FileOutcome, LoadSummary


@app.command("load")
def load_command(
    paths: Annotated[list[Path], typer.Argument(help="PDF files and/or folders (searched recursively).")],
    db: Annotated[
        Path,
        typer.Option("--db", help="The planex database to load into (created if missing)."),
    ] = Path("planex.db"),
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", min=1, show_default="one per CPU", help="Parallel reader processes."),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(min=1, metavar="SECONDS", help="Seconds after which one file is given up as 'timeout'."),
    ] = DEFAULT_TIMEOUT,
    force: Annotated[
        bool, typer.Option("--force", help="Read files again: unchanged ones and ones that failed before.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 if any file failed (now, or before and skipped).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print one JSON line per file (outcome, pages, seconds, CPU seconds, "
                     "pages read again by pdfplumber, message) and a summary line, instead of the tables."),
    ] = False,
    indicators: Annotated[
        Path | None,
        typer.Option("--indicators", help="Your indicator catalogue (TOML, as schemas/indicators.toml): "
                     "kept in the database, new and stored KPI records are mapped with it."),
    ] = None,
    ocr: Annotated[
        bool,
        typer.Option("--ocr", help="Read pages that have no text layer (scans) by OCR with Tesseract's "
                     "Japanese model (Debian: tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert). "
                     "Pages with text are read as always; OCR'd pages get quality 'ocr' and their "
                     "records ocr = 1."),
    ] = False,
) -> None:
    """Load plan PDFs into the database.

    A document's id is the SHA-256 of its bytes: unchanged files are skipped, so an interrupted
    run simply continues when started again. Bad files (encrypted, empty, not a PDF, malformed,
    timed out, scans without text, cut short with nothing left) are recorded in the load_errors
    table and the batch goes on; of a file cut short, the pages that survive are loaded. A rerun
    does not read again a file whose same bytes failed for a reason of their own (it counts as
    "failed before"; timeouts are tried again); --force reads everything again.

    Example:  planex load downloads/ --db plans.db --workers 2
              planex load downloads/ --db plans.db --indicators my-indicators.toml
              planex load scans/ --db plans.db --ocr
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from extract.use.loader import LoadInterrupted, UsageError, discover, load, open_target

    catalogue = user_catalogue(indicators) if indicators is not None else None
    try:
        total = len(discover(paths))
    except UsageError as exc:
        fail(str(exc))
    if total == 0:
        where = ", ".join(str(p) for p in paths)
        err_console.print(
            Text("warning: ", style="yellow"),
            f"no PDF file in {where} (folders are searched recursively for *.pdf): nothing loaded, "
            f"{db} not created or changed",
            sep="", soft_wrap=True,
        )  # fmt: skip
        if strict:
            raise typer.Exit(1)
        return
    open_target(db).close()  # a database that cannot be written is reported before any work
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]loading"),
        BarColumn(bar_width=12),
        MofNCompleteColumn(),
        TextColumn("· {task.fields[pages]} pages · {task.fields[rate]} pages/s"),
        TextColumn("{task.fields[ocr]}"),
        TimeElapsedColumn(),
        TextColumn(  # a file name is data; cut to what the terminal has left, never wrapped
            "{task.fields[current]}", style="dim", markup=False,
            table_column=Column(no_wrap=True, overflow="ellipsis", min_width=0, ratio=1),
        ),
        console=err_console,
        disable=quiet or as_json,
        transient=False,
    )
    with progress:
        task = progress.add_task("load", total=total, pages=0, rate="-", current="", ocr="")
        state = {"pages": 0, "ocr": 0}
        ocr_done: dict[Path, int] = {}

        def ocr_text() -> str:
            return f" · {state['ocr'] + sum(ocr_done.values())} pages OCR'd" if ocr else ""

        def on_ocr(path: Path, done: int, to_do: int) -> None:
            ocr_done[path] = done
            progress.update(task, ocr=ocr_text(), current=f"{path.name[:32]} OCR {done}/{to_do}")
        import time

        t0 = time.perf_counter()

        def on_file(outcome: FileOutcome) -> None:
            state["pages"] += outcome.pages
            state["ocr"] += outcome.ocr_pages
            ocr_done.pop(outcome.path, None)
            elapsed = max(time.perf_counter() - t0, 1e-6)
            progress.update(
                task,
                advance=1,
                pages=state["pages"],
                rate=f"{state['pages'] / elapsed:.0f}",
                current=outcome.path.name[:40],
                ocr=ocr_text(),
            )
            if as_json:
                sys.stdout.write(json.dumps(_outcome_json(outcome), ensure_ascii=False) + "\n")
                sys.stdout.flush()

        try:
            summary = load(paths, db, workers=workers, timeout=timeout, force=force, progress=on_file,
                           catalogue=catalogue, ocr=ocr, ocr_progress=on_ocr)  # fmt: skip
        except UsageError as exc:
            fail(str(exc))
        except LoadInterrupted as exc:
            progress.stop()
            _report(exc.summary, db, as_json)
            err_console.print(
                Text("interrupted: ", style="yellow"),
                "every file listed as loaded is safely stored; run the same command again to load the rest.",
                sep="",
            )
            raise typer.Exit(130) from None
    _report(summary, db, as_json)
    if strict and (summary.failed_total or summary.failed_before):  # skipped as failed before: still failed
        raise typer.Exit(1)


def _outcome_json(outcome: FileOutcome) -> dict[str, Any]:
    """One file's line of ``planex load --json``."""
    return {
        "type": "file", "path": str(outcome.path), "outcome": outcome.outcome, "pages": outcome.pages,
        "truncated": outcome.truncated, "seconds": round(outcome.seconds, 3),
        "cpu_seconds": round(outcome.cpu_seconds, 3), "second_opinions": outcome.second_opinions,
        "second_opinions_kept": outcome.second_opinions_kept, "ocr_pages": outcome.ocr_pages,
        "message": outcome.message,
    }  # fmt: skip


def _report(summary: LoadSummary, db_path: Path, as_json: bool) -> None:
    if not as_json:
        _print_summary(summary, db_path)
        return
    line = {"type": "summary", "files": summary.files, "loaded": summary.loaded,
            "unchanged": summary.unchanged, "failed_before": summary.failed_before,
            "truncated": summary.truncated, "failed": dict(summary.failed),
            "pages": summary.pages, "ocr_pages": summary.ocr_pages,
            "seconds": round(summary.seconds, 3)}  # fmt: skip
    if summary.remapped is not None:
        line["kpis_remapped"] = summary.remapped.changed
    sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")


def _print_summary(summary: LoadSummary, db_path: Path) -> None:
    table = Table(title=Text(f"planex load → {db_path}"), show_header=True)
    table.add_column("outcome")
    table.add_column("files", justify="right")
    table.add_row("loaded", str(summary.loaded))
    if summary.truncated:
        table.add_row(cell("  of which cut short (pages recovered)", "yellow"), str(summary.truncated))
    table.add_row("unchanged (skipped)", str(summary.unchanged))
    if summary.failed_before:
        skipped = cell("failed before (skipped; --force tries again)", "yellow")
        table.add_row(skipped, str(summary.failed_before))
    for kind, count in sorted(summary.failed.items()):
        table.add_row(cell(f"failed: {kind}", "red"), str(count))
    rate = summary.pages / summary.seconds if summary.seconds else 0.0
    figures = [f"{summary.pages} pages read in {summary.seconds:.1f} s ({rate:.0f} pages/s)"]
    if summary.ocr_pages:
        figures.append(f"{summary.ocr_pages} of them by OCR (quality 'ocr': check those first)")
    if summary.remapped is not None:
        figures.append(f"KPI records mapped again with the new indicator catalogue: "
                       f"{summary.remapped.changed} of {summary.remapped.records} changed")  # fmt: skip
    console.print(table)
    for line in figures:  # below the table, not its caption: a caption wraps at the table's width
        console.print(Text(line))
    if summary.failed_total or summary.failed_before:
        db = store.open_db(db_path)
        rows = list(db.query(f"select file_name, kind, message from {store.LOAD_ERRORS} order by file_name"))
        db.close()
        console.print(_errors_table("files that failed (table load_errors)", rows))


def _errors_table(title: str, rows: list[dict]) -> Table:
    table = Table(title=title)
    for col in ("file", "kind", "message"):
        table.add_column(col)
    for row in rows:
        table.add_row(cell(row["file_name"]), cell(row["kind"], "red"), cell(row["message"]))
    return table


@app.command("info")
def info_command(
    db: DbOption = Path("planex.db"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Counts per table, pages per quality, documents per quality and load errors per kind."""
    database = open_database(db)
    facts = store.info(database)
    database.close()
    if as_json:
        sys.stdout.write(json.dumps(facts, ensure_ascii=False, indent=2) + "\n")
        return
    for title, key in (
        ("rows per table", "tables"),
        ("pages per quality", "pages_by_quality"),
        ("documents per text quality", "documents_by_quality"),
        ("load errors per kind", "errors_by_kind"),
    ):
        table = Table(title=title)
        table.add_column("name")
        table.add_column("count", justify="right")
        for name, count in facts[key].items():
            table.add_row(cell(name), str(count))
        console.print(table)
    if facts["documents_truncated"]:
        cut = facts["documents_truncated"]
        console.print(f"{cut} documents loaded from files cut short (the pages that could be recovered)")


@app.command("upgrade")
def upgrade_command(db: WritableDbOption = Path("planex.db")) -> None:
    """Convert a database written by an older planex to this planex's layout, in place.

    Commands that only read (search, show, kpis, export, serve) never change a database, so a
    database from an older planex must be converted once before they can read it. This writes
    the file: on a shared, read-only copy, ask its owner, or convert a copy.

    Example:  planex upgrade --db plans.db
    """
    store.check_database(db, upgrade=True)
    with closing(store.connect_read_only(db)) as conn:
        before = conn.execute("pragma user_version").fetchone()[0]
    if before == store.SCHEMA_VERSION:
        err_console.print(f"{db} is up to date (database schema {before}): nothing to do")
        return
    open_database_for_writing(db).close()
    err_console.print(f"converted {db} from database schema {before} to {store.SCHEMA_VERSION}")


@app.command("documents")
def documents_command(
    db: DbOption = Path("planex.db"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """List the loaded documents (pages, text quality, title) and the files that failed."""
    database = open_database(db)
    docs = list(
        database.query(
            f"select substr(id, 1, 12) as id, file_name, pages, text_quality, truncated, title "
            f"from {store.DOCUMENTS} order by file_name"
        )
    )
    errors = list(
        database.query(f"select file_name, kind, message from {store.LOAD_ERRORS} order by file_name")
    )
    database.close()
    if as_json:
        for row in docs:
            row["truncated"] = bool(row["truncated"])
            sys.stdout.write(json.dumps({"type": "document", **row}, ensure_ascii=False) + "\n")
        for row in errors:
            sys.stdout.write(json.dumps({"type": "load_error", **row}, ensure_ascii=False) + "\n")
        return
    table = Table(title="documents")
    for col, justify in (("id", "left"), ("file", "left"), ("pages", "right"), ("quality", "left"),
                         ("title", "left")):  # fmt: skip
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in docs:
        quality = row["text_quality"] + (", cut short" if row["truncated"] else "")
        colour = "green" if quality == "ok" else "yellow"
        table.add_row(
            cell(row["id"]), cell(row["file_name"]), str(row["pages"]), cell(quality, colour),
            cell((row["title"] or "")[:60]),
        )  # fmt: skip
    console.print(table)
    if errors:
        console.print(_errors_table("load errors", errors))
