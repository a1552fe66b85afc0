"""The ``planex`` command line: a thin layer over the library functions.

Every command takes ``--db FILE`` (default ``planex.db``). Run ``planex COMMAND --help`` for
examples.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from extract import __version__, store
from extract.loader import DEFAULT_TIMEOUT, LoadInterrupted, LoadSummary, UsageError, discover, load

app = typer.Typer(
    help=(
        "planex: published Japanese health-insurer plan PDFs (事業計画, データヘルス計画, "
        "特定健康診査等実施計画) into a searchable SQLite database.\n\n"
        "Start with:  planex load FOLDER --db plans.db  then  planex info --db plans.db"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    Path, typer.Option("--db", help="SQLite database file (created if missing).", show_default=True)
]


def _version(value: bool) -> None:
    if value:
        console.print(f"planex {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """planex command line."""


def _existing_db(db: Path) -> None:
    if not db.exists():
        hint = f"create one with: planex load FOLDER --db {db}"
        err_console.print(f"[red]error:[/] no database at {db} ({hint})")
        raise typer.Exit(2)


@app.command("load")
def load_command(
    paths: Annotated[list[Path], typer.Argument(help="PDF files and/or folders (searched recursively).")],
    db: DbOption = Path("planex.db"),
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", min=1, help="Parallel reader processes [default: CPUs].")
    ] = None,
    timeout: Annotated[
        float, typer.Option(min=1, help="Seconds after which one file is given up as 'timeout'.")
    ] = DEFAULT_TIMEOUT,
    force: Annotated[bool, typer.Option("--force", help="Reload files even if unchanged.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit with status 1 if any file failed.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Load plan PDFs into the database.

    A document's id is the SHA-256 of its bytes: unchanged files are skipped, so an interrupted
    run simply continues when started again. Bad files (encrypted, empty, not a PDF, malformed,
    timed out, scans without text) are recorded in the load_errors table and the batch goes on.

    Example:  planex load downloads/ --db plans.db --workers 2
    """
    try:
        total = len(discover(paths))
    except UsageError as exc:
        err_console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]loading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files · {task.fields[pages]} pages · {task.fields[rate]} pages/s"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}", style="dim"),
        console=err_console,
        disable=quiet,
        transient=False,
    )
    failures: list[tuple[str, str]] = []
    with progress:
        task = progress.add_task("load", total=total, pages=0, rate="-", current="")
        state = {"pages": 0}
        import time

        t0 = time.perf_counter()

        def on_file(path: Path, outcome: str, pages: int) -> None:
            state["pages"] += pages
            elapsed = max(time.perf_counter() - t0, 1e-6)
            progress.update(
                task,
                advance=1,
                pages=state["pages"],
                rate=f"{state['pages'] / elapsed:.0f}",
                current=path.name[:40],
            )
            if outcome not in ("loaded", "unchanged"):
                failures.append((str(path), outcome))

        try:
            summary = load(paths, db, workers=workers, timeout=timeout, force=force, progress=on_file)
        except UsageError as exc:
            err_console.print(f"[red]error:[/] {exc}")
            raise typer.Exit(2) from None
        except LoadInterrupted as exc:
            progress.stop()
            _print_summary(exc.summary, db)
            err_console.print(
                "[yellow]interrupted:[/] every file listed as loaded is safely stored; "
                "run the same command again to load the rest."
            )
            raise typer.Exit(130) from None
    _print_summary(summary, db)
    if strict and summary.failed_total:
        raise typer.Exit(1)


def _print_summary(summary: LoadSummary, db_path: Path) -> None:
    table = Table(title=f"planex load → {db_path}", show_header=True)
    table.add_column("outcome")
    table.add_column("files", justify="right")
    table.add_row("loaded", str(summary.loaded))
    table.add_row("unchanged (skipped)", str(summary.unchanged))
    for kind, count in sorted(summary.failed.items()):
        table.add_row(f"[red]failed: {kind}[/]", str(count))
    rate = summary.pages / summary.seconds if summary.seconds else 0.0
    table.caption = f"{summary.pages} pages read in {summary.seconds:.1f} s ({rate:.0f} pages/s)"
    console.print(table)
    if summary.failed_total:
        db = store.open_db(db_path)
        errors = Table(title="files that failed (table load_errors)")
        for col in ("file", "kind", "message"):
            errors.add_column(col)
        for row in db.query(f"select file_name, kind, message from {store.LOAD_ERRORS} order by file_name"):
            errors.add_row(row["file_name"], f"[red]{row['kind']}[/]", row["message"])
        console.print(errors)
        db.close()


@app.command("info")
def info_command(
    db: DbOption = Path("planex.db"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Counts per table, pages per quality, documents per quality and load errors per kind."""
    _existing_db(db)
    database = store.open_db(db)
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
            table.add_row(name, str(count))
        console.print(table)


@app.command("documents")
def documents_command(
    db: DbOption = Path("planex.db"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """List the loaded documents (pages, text quality, title) and the files that failed."""
    _existing_db(db)
    database = store.open_db(db)
    docs = list(
        database.query(
            f"select substr(id, 1, 12) as id, file_name, pages, text_quality, title from {store.DOCUMENTS} "
            "order by file_name"
        )
    )
    errors = list(
        database.query(f"select file_name, kind, message from {store.LOAD_ERRORS} order by file_name")
    )
    database.close()
    if as_json:
        for row in docs:
            sys.stdout.write(json.dumps({"type": "document", **row}, ensure_ascii=False) + "\n")
        for row in errors:
            sys.stdout.write(json.dumps({"type": "load_error", **row}, ensure_ascii=False) + "\n")
        return
    table = Table(title="documents")
    for col, justify in (("id", "left"), ("file", "left"), ("pages", "right"), ("quality", "left"),
                         ("title", "left")):  # fmt: skip
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in docs:
        quality = row["text_quality"]
        colour = "green" if quality == "ok" else "yellow"
        table.add_row(
            row["id"], row["file_name"], str(row["pages"]), f"[{colour}]{quality}[/]", row["title"][:60]
        )
    console.print(table)
    if errors:
        err_table = Table(title="load errors")
        for col in ("file", "kind", "message"):
            err_table.add_column(col)
        for row in errors:
            err_table.add_row(row["file_name"], f"[red]{row['kind']}[/]", row["message"])
        console.print(err_table)


if __name__ == "__main__":
    app()
