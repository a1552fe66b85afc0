"""The ``planex`` command line: a thin layer over the library functions.

Every command takes ``--db FILE`` (default ``planex.db``). Run ``planex COMMAND --help`` for
examples.

Two rules keep its output trustworthy on any input:

- Text from a PDF, a file name or a library's error message is data, never markup: the consoles
  parse no rich markup (nor emoji codes) at all, and styles are given as ``Text`` objects or
  ``style=`` arguments. A title such as ``[/'PDF', /'Text']`` prints as written.
- An ordinary mistake or a broken environment gets one line saying what to do and exit status
  2 (usage: a bad argument) or 1 (anything else), never a traceback (:class:`PlanexGroup`).
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import sqlite_utils
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
from rich.text import Text
from typer.core import TyperGroup
from typer.exceptions import TyperException

from extract import __version__, store
from extract.loader import (
    DEFAULT_TIMEOUT,
    FileOutcome,
    LoadInterrupted,
    LoadSummary,
    UsageError,
    discover,
    load,
    open_target,
)

console = Console(markup=False, emoji=False)
err_console = Console(stderr=True, markup=False, emoji=False)


class CommandFailed(Exception):
    """A command cannot do what was asked; ``message`` says what to do, ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _error_line(message: str) -> Text:
    return Text.assemble(("error: ", "red"), message)


def _catalogue(path: Path):
    """The built-in indicator catalogue extended by the user's file; a bad file is one line."""
    from extract.indicators import CatalogueError, load_catalogue

    try:
        return load_catalogue(path)
    except CatalogueError as exc:
        fail(str(exc))


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` (as data, not markup) and exit with ``code`` (2: usage)."""
    err_console.print(_error_line(message), soft_wrap=True)
    raise typer.Exit(code)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def explain(exc: BaseException) -> tuple[str, int]:
    """The one line and exit status for an exception that escaped a command."""
    if isinstance(exc, CommandFailed):
        return exc.message, exc.code
    if isinstance(exc, store.DatabaseProblem):
        return str(exc), 2 if exc.usage else 1
    if isinstance(exc, sqlite3.DatabaseError):
        what = _one_line(exc)
        if "locked" in what:
            return f"the database is busy ({what}): another planex is writing it; try again later", 1
        if "full" in what:
            return f"cannot write the database: {what} — free some space and run the command again", 1
        if "malformed" in what:
            return f"the database is damaged ({what}): load the PDFs again into a new --db", 1
        return f"cannot use the database: {what} (is --db a planex database, whole and readable?)", 1
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror or _one_line(exc)}", 1
    if isinstance(exc, MemoryError):
        return "out of memory", 1
    return (
        f"planex failed: {type(exc).__name__}: {_one_line(exc)} — this is a bug, please report it with the "
        "command you ran (PLANEX_TRACEBACK=1 shows where it happened)", 1,
    )  # fmt: skip


class PlanexGroup(TyperGroup):
    """The command group: every exception a command lets out becomes one line and an exit status.

    Typer's own exits (usage errors, ``typer.Exit``, Ctrl-C's Abort) pass through unchanged.
    ``PLANEX_TRACEBACK=1`` re-raises instead, for a developer who wants to see where.
    """

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (TyperException, typer.Exit, typer.Abort):  # usage errors, exits, Ctrl-C
            raise
        except Exception as exc:
            if os.environ.get("PLANEX_TRACEBACK"):
                raise
            message, code = explain(exc)
            err_console.print(_error_line(message), soft_wrap=True)
            raise typer.Exit(code) from None


if TYPE_CHECKING:
    from extract.workbook import Sheet

app = typer.Typer(
    cls=PlanexGroup,
    help=(
        "planex: published Japanese health-insurer plan PDFs (事業計画, データヘルス計画, "
        "特定健康診査等実施計画) into a searchable SQLite database.\n\n"
        "Start with:  planex load FOLDER --db plans.db  then  planex info --db plans.db\n\n"
        "Exit status: 0 done, 1 failed (a file with --strict, a database or disk problem), "
        "2 usage error (a bad argument), 130 interrupted."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def cell(value: object, style: str = "") -> Text:
    """A table cell holding data (never parsed as markup)."""
    return Text("" if value is None else str(value), style=style)

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


def _open_db(db: Path) -> sqlite_utils.Database:
    """The planex database at ``db``, for reading; a one-line error if it is not one
    (missing, not SQLite, a PDF, another program's database, from a newer planex)."""
    store.check_database(db)
    return store.open_db(db)


def _check_out(out: Path) -> None:
    """Fail early, before any work, on an ``--out`` that cannot be written to."""
    if out.is_dir():
        fail(f"--out {out} is a folder: give a file name, e.g. {out / 'export.csv'}")
    if not out.parent.is_dir():
        why = f"{out.parent} is a file" if out.parent.exists() else "create it first"
        fail(f"cannot write {out}: there is no folder {out.parent} ({why})")


@contextmanager
def _writing(out: Path) -> Iterator[None]:
    """Turn a failed write (not writable, disk full) into one line and exit status 1."""
    try:
        yield
    except OSError as exc:
        why = exc.strerror or _one_line(exc)
        full = exc.errno == errno.ENOSPC
        hint = "free some space or choose another --out" if full else "choose another --out"
        raise CommandFailed(f"cannot write {out}: {why} (nothing written; {hint})") from None


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
) -> None:
    """Load plan PDFs into the database.

    A document's id is the SHA-256 of its bytes: unchanged files are skipped, so an interrupted
    run simply continues when started again. Bad files (encrypted, empty, not a PDF, malformed,
    timed out, scans without text, cut short with nothing left) are recorded in the load_errors
    table and the batch goes on; of a file cut short, the pages that survive are loaded.

    Example:  planex load downloads/ --db plans.db --workers 2
              planex load downloads/ --db plans.db --indicators my-indicators.toml
    """
    catalogue = _catalogue(indicators) if indicators is not None else None
    try:
        total = len(discover(paths))
    except UsageError as exc:
        fail(str(exc))
    open_target(db).close()  # a database that cannot be written is reported before any work
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]loading"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files · {task.fields[pages]} pages · {task.fields[rate]} pages/s"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}", style="dim", markup=False),  # a file name is data
        console=err_console,
        disable=quiet or as_json,
        transient=False,
    )
    with progress:
        task = progress.add_task("load", total=total, pages=0, rate="-", current="")
        state = {"pages": 0}
        import time

        t0 = time.perf_counter()

        def on_file(outcome: FileOutcome) -> None:
            state["pages"] += outcome.pages
            elapsed = max(time.perf_counter() - t0, 1e-6)
            progress.update(
                task,
                advance=1,
                pages=state["pages"],
                rate=f"{state['pages'] / elapsed:.0f}",
                current=outcome.path.name[:40],
            )
            if as_json:
                sys.stdout.write(json.dumps(_outcome_json(outcome), ensure_ascii=False) + "\n")
                sys.stdout.flush()

        try:
            summary = load(paths, db, workers=workers, timeout=timeout, force=force, progress=on_file,
                           catalogue=catalogue)  # fmt: skip
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
    if strict and summary.failed_total:
        raise typer.Exit(1)


def _outcome_json(outcome: FileOutcome) -> dict[str, Any]:
    """One file's line of ``planex load --json``."""
    return {
        "type": "file", "path": str(outcome.path), "outcome": outcome.outcome, "pages": outcome.pages,
        "truncated": outcome.truncated, "seconds": round(outcome.seconds, 3),
        "cpu_seconds": round(outcome.cpu_seconds, 3), "second_opinions": outcome.second_opinions,
        "message": outcome.message,
    }  # fmt: skip


def _report(summary: LoadSummary, db_path: Path, as_json: bool) -> None:
    if not as_json:
        _print_summary(summary, db_path)
        return
    line = {"type": "summary", "files": summary.files, "loaded": summary.loaded,
            "unchanged": summary.unchanged, "truncated": summary.truncated, "failed": dict(summary.failed),
            "pages": summary.pages, "seconds": round(summary.seconds, 3)}  # fmt: skip
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
    for kind, count in sorted(summary.failed.items()):
        table.add_row(cell(f"failed: {kind}", "red"), str(count))
    rate = summary.pages / summary.seconds if summary.seconds else 0.0
    table.caption = f"{summary.pages} pages read in {summary.seconds:.1f} s ({rate:.0f} pages/s)"
    if summary.remapped is not None:
        table.caption += (f"; KPI records mapped again with the new indicator catalogue: "
                          f"{summary.remapped.changed} of {summary.remapped.records} changed")  # fmt: skip
    console.print(table)
    if summary.failed_total:
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
    database = _open_db(db)
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


@app.command("documents")
def documents_command(
    db: DbOption = Path("planex.db"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
) -> None:
    """List the loaded documents (pages, text quality, title) and the files that failed."""
    database = _open_db(db)
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


def _plan_rows(database) -> list[dict]:
    return list(
        database.query(
            f"select p.*, d.file_name from {store.PLANS} p join {store.DOCUMENTS} d on d.id = p.doc_id "
            "order by d.file_name, p.number"
        )
    )


@app.command("plans")
def plans_command(
    db: DbOption = Path("planex.db"),
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array instead of a table.")] = False,
) -> None:
    """List the plans found in the loaded documents, with insurer, branch, type and years.

    One PDF can hold many plans (協会けんぽ's compilation holds one per branch).
    """
    database = _open_db(db)
    rows = _plan_rows(database)
    database.close()
    if as_json:
        for row in rows:
            row["garbled_pages"] = json.loads(row["garbled_pages"] or "[]")
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"{len(rows)} plans")
    for col in ("plan", "insurer", "type", "branch", "plan type", "years", "pages", "file"):
        table.add_column(col)
    for row in rows:
        years = (
            str(row["fiscal_year"])
            if row["fiscal_year"]
            else f"{row['period_start'] or '?'}-{row['period_end'] or '?'}"
            if row["period_start"]
            else ""
        )
        table.add_row(
            row["id"], row["insurer"] or "", row["insurer_type"], row["branch"] or "", row["plan_type"],
            years, f"{row['page_start']}-{row['page_end']}", row["file_name"],
        )  # fmt: skip
    console.print(table)


def _find_plan(database, key: str) -> dict:
    """A plan by id (or id prefix), branch (北海道, 北海道支部) or insurer name."""
    rows = _plan_rows(database)
    branch = key.removesuffix("支部")
    for test in (
        lambda r: r["id"] == key,
        lambda r: r["id"].startswith(key),
        lambda r: (r["branch"] or "") == branch,
        lambda r: key in (r["insurer"] or "") or key in (r["title"] or ""),
    ):
        found = [r for r in rows if test(r)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(f"{r['id']} ({r['branch'] or r['insurer']})" for r in found[:10])
            fail(f"'{key}' matches {len(found)} plans: {names}")
    fail(f"no plan '{key}' (see: planex plans --db FILE)")


_SAME_PLAN = ("insurer", "branch", "plan_type", "fiscal_year", "period_start", "period_end")


def _find_plans(database, key: str) -> list[dict]:
    """The plan ``key`` names (see :func:`_find_plan`), or the same plan in several documents.

    Two documents may hold one plan: a compilation and the branch's own file, or the same plan in
    two layouts. Plans with the same insurer, branch, type and years are given together, in file
    order; plans that differ in any of them are ambiguous, and the error lists them."""
    rows = _plan_rows(database)
    branch = key.removesuffix("支部")
    for test in (
        lambda r: r["id"] == key,
        lambda r: r["id"].startswith(key),
        lambda r: (r["branch"] or "") == branch,
        lambda r: key in (r["insurer"] or "") or key in (r["title"] or ""),
    ):
        found = [r for r in rows if test(r)]
        if len(found) == 1 or (found and len({tuple(r[f] for f in _SAME_PLAN) for r in found}) == 1):
            return found
        if found:
            return [_find_plan(database, key)]  # reports the ambiguity and exits
    return [_find_plan(database, key)]


def _outline(sections: list[dict]) -> tuple:
    """A plan's outline as compared across documents: levels, labels and headings, normalized."""
    from extract.normalize import normalize_text

    def key(text: str | None) -> str:
        return "".join(normalize_text(text or "").split())

    return tuple((s["level"], key(s["label"]), key(s["heading"])) for s in sections if s["level"])


@app.command("show")
def show_command(
    plan: Annotated[str, typer.Argument(help="Plan id (or its start), branch (北海道) or insurer.")],
    db: DbOption = Path("planex.db"),
    section: Annotated[
        str | None,
        typer.Option("--section", "-s", help="Print this section's text: its path, or the end of it."),
    ] = None,
) -> None:
    """Print a plan's section tree, or one section's text.

    When the same plan (insurer, branch, type and years) is in several loaded documents -- a
    compilation and the branch's own file, or one plan in two layouts -- the outline is printed
    once for every different outline, with the documents that hold it; ``--section`` prints the
    section from the first of them and names the others. A plan id picks one document's plan.

    Examples:  planex show 北海道 --db plans.db
               planex show 北海道 --db plans.db --section ジェネリック医薬品の使用促進
    """
    from rich.tree import Tree

    from extract.normalize import normalize_text

    database = _open_db(db)
    rows = _find_plans(database, plan)
    documents = database.query(f"select id, path, file_name from {store.DOCUMENTS}")
    paths = {d["id"]: d["path"] or d["file_name"] for d in documents}
    query = f"select * from {store.SECTIONS} where plan_id = ? order by id"
    by_plan = {r["id"]: list(database.query(query, [r["id"]])) for r in rows}
    database.close()
    row = rows[0]
    sections = by_plan[row["id"]]
    if len(rows) > 1:
        outlines = {_outline(by_plan[r["id"]]) for r in rows}
        same = "the same outline" if len(outlines) == 1 else f"{len(outlines)} different outlines"
        err_console.print(
            Text.assemble(
                ("note:", "yellow"),
                f" '{plan}' is one plan in {len(rows)} documents, with {same}"
                + (" (shown once)" if len(outlines) == 1 else " (each shown with its documents)")
                + "; a plan id picks one: "
                + ", ".join(f"{r['id']} ({paths.get(r['doc_id'], r['file_name'])})" for r in rows),
            )
        )
    if section is not None:
        wanted = "".join(normalize_text(section).split())

        def squash(text: str) -> str:
            return "".join(normalize_text(text).split())

        hits = [s for s in sections if squash(s["path"]) == wanted] or [
            s for s in sections if squash(s["path"]).endswith(wanted)
        ] or [s for s in sections if wanted in squash(s["path"])]  # fmt: skip
        if not hits:
            fail(f"no section '{section}' in plan {row['id']}")
        for hit in hits:
            console.rule(Text(f"{hit['path']}  (p. {hit['page_start']}-{hit['page_end']})"))
            console.print(hit["text"], markup=False, highlight=False)
        if len(rows) > 1:
            others = ", ".join(paths.get(r["doc_id"], "") for r in rows[1:])
            first = paths.get(row["doc_id"], "")
            console.print(Text(f"(from {first}; the plan is also in {others})", style="dim"))
        return
    shown: dict[tuple, list[dict]] = {}
    for r in rows:
        shown.setdefault(_outline(by_plan[r["id"]]), []).append(r)
    for members in shown.values():
        row = members[0]
        title = f"{row['insurer'] or ''} {row['branch'] or ''} {row['plan_type']} — {row['title']}".strip()
        tree = Tree(Text.assemble((title, "bold"), " ", (f"({row['id']})", "dim")))
        if len(rows) > 1:
            for m in members:
                tree.add(Text(f"in {paths.get(m['doc_id'], m['file_name'])} ({m['id']})", style="dim"))
        nodes = {}
        for s in by_plan[row["id"]]:
            if s["level"] == 0:
                continue
            parent = nodes.get(s["parent_id"], tree)
            label = Text.assemble(s["path"].rsplit(" > ", 1)[-1], " ", (f"p.{s['page_start']}", "dim"))
            nodes[s["id"]] = parent.add(label)
        console.print(tree)


kpis_app = typer.Typer(
    help="KPIs and numeric targets: list them (planex kpis), find unmapped indicators, map them again "
    "with your own indicator catalogue, list the catalogue.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(kpis_app, name="kpis")
export_app = typer.Typer(
    help="Export records to CSV (Excel-friendly with --excel), JSON lines or an Excel workbook (.xlsx)."
)
app.add_typer(export_app, name="export")
PopulationOption = Annotated[
    str | None,
    typer.Option(help="Only this normalized population: insured, dependents or all (or 被扶養者 …)."),
]
IndicatorsOption = Annotated[
    Path | None,
    typer.Option("--indicators", help="Your indicator catalogue (TOML, as schemas/indicators.toml)."),
]


def _population(value: str | None) -> str | None:
    from extract.indicators import POPULATION_LABELS, POPULATIONS, normalized_population

    if value is None:
        return None
    wanted = value.strip()
    if wanted in POPULATIONS:
        return wanted
    by_label = {label: key for key, label in POPULATION_LABELS.items()}
    found = by_label.get(wanted) or normalized_population(wanted)
    if found is None:
        fail(f"--population must be insured, dependents or all (or 被保険者, 被扶養者, 全体), not {value!r}")
    return found


@kpis_app.callback()
def kpis_command(
    ctx: typer.Context,
    db: DbOption = Path("planex.db"),
    branch: Annotated[str | None, typer.Option(help="Only this branch (北海道 or 北海道支部).")] = None,
    indicator: Annotated[
        str | None, typer.Option(help="Canonical id (generic_share), its label, or part of the indicator.")
    ] = None,
    population: PopulationOption = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 200,
) -> None:
    """Show KPI and target records in the terminal.

    Example:  planex kpis --db plans.db --indicator tokutei_kenshin_rate --population dependents
    """
    if ctx.invoked_subcommand is not None:
        return
    from extract.export import kpi_records

    wanted = _population(population)
    database = _open_db(db)
    rows = kpi_records(database, branch=branch, indicator=indicator, population=wanted)
    database.close()
    shown = f" (first {limit})" if len(rows) > limit else ""
    table = Table(title=f"{len(rows)} KPI / target records{shown}")
    for col in ("branch / insurer", "FY", "kind", "indicator", "id", "population", "target", "page"):
        table.add_column(col)
    from extract.export import target_text

    for row in rows[:limit]:
        table.add_row(
            cell(row["branch"] or row["insurer"] or ""), cell(row["target_year"] or ""), cell(row["kind"]),
            cell(row["indicator"][:40]), cell(row["indicator_id"]), cell(row["population_norm"]),
            cell(target_text(row)), cell(row["pages"]),
        )  # fmt: skip
    console.print(table)


@kpis_app.command("unmapped")
def kpis_unmapped_command(
    db: DbOption = Path("planex.db"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 100,
) -> None:
    """Indicators that map to no canonical indicator, most frequent first, with a program and a
    section they stand in (what a rule of your catalogue would name).

    Add the frequent ones to your catalogue (see README "Your own indicators"), then run
    planex kpis remap --indicators FILE.
    """
    from extract.export import unmapped

    database = _open_db(db)
    rows = unmapped(database)
    database.close()
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    records = sum(r["records"] for r in rows)
    shown = f" (first {limit})" if len(rows) > limit else ""
    table = Table(title=f"{len(rows)} unmapped indicators, {records} records{shown}")
    for col in ("indicator", "records", "plans", "unit", "program", "section"):
        table.add_column(col)
    for row in rows[:limit]:
        table.add_row(cell(row["indicator"]), cell(row["records"]), cell(row["plans"]), cell(row["unit"]),
                      cell(row["program"]), cell((row["section"] or "").rsplit(" > ", 1)[-1]))  # fmt: skip
    console.print(table)


@kpis_app.command("remap")
def kpis_remap_command(
    db: DbOption = Path("planex.db"),
    indicators: IndicatorsOption = None,
    builtin: Annotated[
        bool, typer.Option("--builtin", help="Drop the catalogue kept in the database: planex's own only.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Map every stored KPI record again — canonical id, rule, normalized population — without
    reading any PDF: with your catalogue (--indicators, then kept in the database for later
    loads), with the one the database keeps, or with planex's own (--builtin; after an upgrade).

    Example:  planex kpis remap --db plans.db --indicators my-indicators.toml
    """
    from extract.indicators import builtin_catalogue

    if indicators is not None and builtin:
        fail("give --indicators FILE or --builtin, not both")
    catalogue = _catalogue(indicators) if indicators is not None else None
    database = _open_db(db)
    try:
        if catalogue is None:
            catalogue = builtin_catalogue() if builtin else store.stored_catalogue(database)
        result = store.remap_kpis(database, catalogue)
    finally:
        database.close()
    if as_json:
        line = {"records": result.records, "changed": result.changed, "mapped": result.mapped,
                "catalogue": catalogue.user_source or "planex"}  # fmt: skip
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        return
    used = f"planex's catalogue + {catalogue.user_source}" if catalogue.user_text else "planex's catalogue"
    without = result.records - result.mapped
    console.print(cell(f"{result.records} KPI records mapped with {used}: {result.changed} changed, "
                       f"{result.mapped} with a canonical indicator, {without} without"))  # fmt: skip


@kpis_app.command("indicators")
def kpis_indicators_command(
    db: Annotated[
        Path | None, typer.Option("--db", help="Show the catalogue this database keeps (with yours).")
    ] = None,
    indicators: IndicatorsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The indicator catalogue: id, Japanese label, unit, whom it counts when the plan does not
    say, what it counts, and where the entry comes from (planex, or your file).

    Example:  planex kpis indicators --indicators my-indicators.toml
    """
    from extract.indicators import builtin_catalogue

    if indicators is not None:
        catalogue = _catalogue(indicators)
    elif db is not None:
        database = _open_db(db)
        catalogue = store.stored_catalogue(database)
        database.close()
    else:
        catalogue = builtin_catalogue()
    rows = [{"id": i.id, "label": i.label, "unit": i.unit, "population": i.population, "counts": i.counts,
             "origin": i.origin} for i in catalogue.indicators]  # fmt: skip
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"{len(rows)} canonical indicators")
    for col in ("id", "label", "unit", "population", "counts", "from"):
        table.add_column(col)
    for row in rows:
        table.add_row(*(cell(row[k]) for k in ("id", "label", "unit", "population", "counts", "origin")))
    console.print(table)


OutOption = Annotated[Path, typer.Option("--out", "-o", help="File to write (.csv, .jsonl or .xlsx).")]
ExcelOption = Annotated[bool, typer.Option("--excel", help="UTF-8 with BOM, so Excel shows Japanese.")]
FormatOption = Annotated[
    str | None,
    typer.Option("--format", help="csv, jsonl or xlsx (default: from the --out extension, else csv)."),
]


@export_app.command("kpis")
def export_kpis_command(
    out: OutOption,
    db: DbOption = Path("planex.db"),
    wide: Annotated[
        bool, typer.Option("--wide", help="One row per plan, one column per canonical indicator and year.")
    ] = False,
    excel: ExcelOption = False,
    fmt: FormatOption = None,
    branch: Annotated[str | None, typer.Option(help="Only this branch.")] = None,
    indicator: Annotated[str | None, typer.Option(help="Only this indicator (id, label or part).")] = None,
    population: PopulationOption = None,
) -> None:
    """Export KPI records: one row per record (long), or one row per plan (--wide), a column
    per canonical indicator, normalized population and target year.

    Examples:  planex export kpis --db plans.db --out kpis.csv --excel
               planex export kpis --db plans.db --out kpis.xlsx   (typed cells)
    """
    from extract import export

    _check_format(fmt)
    _check_out(out)
    database = _open_db(db)
    wanted = _population(population)
    rows = export.kpi_records(database, branch=branch, indicator=indicator, population=wanted)
    catalogue = store.stored_catalogue(database)
    database.close()
    if wide:
        table_rows, columns = export.wide(rows, catalogue)
    else:
        table_rows, columns = rows, export.KPI_EXPORT_COLUMNS
    _write_rows(table_rows, columns, out, excel, fmt, sheet="KPIs by plan" if wide else "KPIs")


def _write_rows(
    rows: list[dict], columns: tuple[str, ...], out: Path, excel: bool, fmt: str | None, sheet: str
) -> None:
    from extract import export

    fmt = fmt or _format_of(out)
    if fmt == "xlsx":
        from extract.workbook import Sheet

        count = _write_workbook(out, [Sheet(sheet, columns, rows)])[sheet]
    else:
        with _writing(out):
            if fmt == "jsonl":
                count = export.write_jsonl(rows, out, columns)
            else:
                count = export.write_csv(rows, out, columns, excel=excel)
    err_console.print(f"wrote {count} rows to {out}")


def _format_of(out: Path) -> str:
    """The format an --out name asks for when --format is not given: .xlsx, .jsonl, else csv."""
    return {".xlsx": "xlsx", ".jsonl": "jsonl"}.get(out.suffix.lower(), "csv")


def _write_workbook(out: Path, sheets: list[Sheet]) -> dict[str, int]:
    """Write the workbook; a bad --out (no such folder, not writable, disk full) is one line."""
    from extract.workbook import WorkbookError, write_workbook

    try:
        return write_workbook(out, sheets)
    except WorkbookError as exc:
        fail(str(exc), 2 if exc.usage else 1)


def _check_format(fmt: str | None) -> None:
    if fmt not in (None, "csv", "jsonl", "xlsx"):
        fail(f"--format must be csv, jsonl or xlsx, not {fmt!r}")


PlanFilter = Annotated[str | None, typer.Option("--plan", help="Plan id (or its start), see planex plans.")]


@export_app.command("programs")
def export_programs_command(
    out: OutOption,
    db: DbOption = Path("planex.db"),
    excel: ExcelOption = False,
    fmt: FormatOption = None,
    plan: PlanFilter = None,
    branch: Annotated[str | None, typer.Option(help="Only this branch.")] = None,
    insurer: Annotated[str | None, typer.Option(help="Only insurers whose name contains this.")] = None,
) -> None:
    """Export programs (保健事業): one row each, with budget, target population, purpose, actions,
    linked KPI targets (one per line) and the health issues they answer.

    Example:  planex export programs --db plans.db --out programs.csv --excel
    """
    from extract import export

    _check_format(fmt)
    _check_out(out)
    database = _open_db(db)
    rows = export.program_records(database, plan=plan, branch=branch, insurer=insurer)
    database.close()
    _write_rows(rows, export.PROGRAM_EXPORT_COLUMNS, out, excel, fmt, sheet="programs")


@export_app.command("health-issues")
def export_health_issues_command(
    out: OutOption,
    db: DbOption = Path("planex.db"),
    excel: ExcelOption = False,
    fmt: FormatOption = None,
    plan: PlanFilter = None,
) -> None:
    """Export health issues (健康課題) with their direction and the programs that answer them.

    Example:  planex export health-issues --db plans.db --out issues.csv --excel
    """
    from extract import export

    _check_format(fmt)
    _check_out(out)
    database = _open_db(db)
    rows = export.health_issue_records(database, plan=plan)
    database.close()
    _write_rows(rows, export.HEALTH_ISSUE_EXPORT_COLUMNS, out, excel, fmt, sheet="health issues")


@export_app.command("workbook")
def export_workbook_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Workbook to write (.xlsx).")],
    db: DbOption = Path("planex.db"),
) -> None:
    """Export everything as one Excel workbook, ready to filter: a sheet each for KPIs (one row
    per record, as export kpis), KPIs by plan (as --wide), programs, health issues, plans, and
    sources (the documents loaded and the files that failed).

    Numbers are numbers, text stays text (never a formula), the header is frozen,
    every sheet has an autofilter, columns fit their Japanese text, raw_text wraps.

    Example:  planex export workbook --db plans.db --out plans.xlsx
    """
    from extract import workbook

    _check_out(out)  # a folder, or none to write in
    if out.suffix.lower() != ".xlsx":
        fail(f"--out must end in .xlsx, not {out.name!r}")
    database = _open_db(db)
    sheets = workbook.workbook_sheets(database)
    database.close()
    counts = _write_workbook(out, sheets)
    summary = " · ".join(f"{name} {count}" for name, count in counts.items())
    err_console.print(Text(f"wrote {out} (rows per sheet): {summary}"), soft_wrap=True)


@app.command("programs")
def programs_command(
    db: DbOption = Path("planex.db"),
    plan: PlanFilter = None,
    branch: Annotated[str | None, typer.Option(help="Only this branch (北海道 or 北海道支部).")] = None,
    insurer: Annotated[str | None, typer.Option(help="Only insurers whose name contains this.")] = None,
    issues: Annotated[bool, typer.Option("--issues", help="Show the health issues instead.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 200,
) -> None:
    """Show programs (保健事業) in the terminal: name, target, budget, purpose or actions, KPIs.

    Examples:  planex programs --db plans.db --plan 8432f40b
               planex programs --db plans.db --branch 北海道
               planex programs --db plans.db --issues
    """
    from extract import export

    database = _open_db(db)
    if issues:
        rows = export.health_issue_records(database, plan=plan, branch=branch, insurer=insurer)
        database.close()
        table = Table(title=f"{len(rows)} health issues", show_lines=True)
        for col in ("plan", "no.", "health issue", "direction", "programs"):
            table.add_column(col, overflow="fold")
        for row in rows[:limit]:
            where = row["branch"] or row["insurer"] or row["plan_id"]
            table.add_row(where, str(row["number"]), row["issue"], row["direction"] or "", row["programs"])
        console.print(table)
        return
    rows = export.program_records(database, plan=plan, branch=branch, insurer=insurer)
    database.close()
    shown = f" (first {limit})" if len(rows) > limit else ""
    table = Table(title=f"{len(rows)} programs{shown}", show_lines=True)
    for col in ("plan", "no.", "program", "target", "budget (千円)", "purpose / actions", "KPIs"):
        table.add_column(col, overflow="fold")
    for row in rows[:limit]:
        where = row["branch"] or row["insurer"] or row["plan_id"]
        ages = f"{row['age_from']}〜{row['age_to']}歳" if row["age_from"] is not None else ""
        target = " ".join(str(x) for x in (row["population"], row["sex"], ages) if x)
        budget = "" if row["budget_thousand_yen"] is None else f"{row['budget_thousand_yen']:,.0f}"
        about = row["purpose"] or row["actions"] or row["summary"] or row["method"] or ""
        name = row["name"] + (" ★" if row["key_program"] else "")
        table.add_row(
            where, str(row["number"]), Text(name), Text(target), budget, Text(about[:160]),
            Text(row["kpis"][:160]),
        )  # fmt: skip
    console.print(table)


# --- search and compare (extract/search.py, extract/compare.py) ---------------------------------

InsurerOption = Annotated[str | None, typer.Option(help="Part of the insurer's name, or 協会けんぽ …")]
BranchOption = Annotated[str | None, typer.Option(help="Branch: 北海道 or 北海道支部.")]
PlanTypeOption = Annotated[str | None, typer.Option("--plan-type", help="business_plan, data_health_plan, …")]
YearOption = Annotated[str | None, typer.Option(help="Fiscal year (2021, 令和3) or a year in a plan period.")]


def _year(value: str | None) -> int | None:
    """2021, 令和3, R3年度 → a Western year; anything else is a usage error."""
    from extract.dates import parse_year
    from extract.normalize import normalize_text

    if value is None:
        return None
    text = normalize_text(value).strip()
    year = int(text) if text.isdigit() else parse_year(text if "年" in text else text + "年")
    if year is None or not 1900 <= year <= 2200:
        fail(f"--year: cannot read a year in {value!r} (e.g. 2021 or 令和3)")
    return year


def _marked(text: str, spans: list[tuple[int, int]]) -> Text:
    """Data as rich Text (never parsed as markup: plans contain [brackets]) with the spans
    highlighted — in colour on a terminal, in 【】 (《》 if the text has 【】) when piped."""
    if not console.is_terminal:
        from extract.search import mark_pair

        left, right = mark_pair(text)
        for a, b in reversed(spans):
            text = f"{text[:a]}{left}{text[a:b]}{right}{text[b:]}"
        return Text(text, overflow="fold")
    out = Text(text, overflow="fold")
    for a, b in spans:
        out.stylize("bold black on yellow", a, b)
    return out


@app.command("search", context_settings={"ignore_unknown_options": True})
def search_command(
    words: Annotated[list[str], typer.Argument(help="Words, \"phrases\", AND/OR/NOT, -word, word*, ( ).")],
    db: DbOption = Path("planex.db"),
    insurer: InsurerOption = None,
    branch: BranchOption = None,
    plan_type: PlanTypeOption = None,
    year: YearOption = None,
    section: Annotated[str | None, typer.Option(help="Only sections whose path contains this.")] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="Only these sentences: heading, section, program, health_issue (comma-separated)."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="Number of hits.")] = 20,
    by: Annotated[str | None, typer.Option("--by", help="branch or insurer: one row per group.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Full-text search of the plans' sentences, best first; Japanese words match anywhere.

    Examples:  planex search ジェネリック医薬品の使用促進 --db plans.db
               planex search "健診 被扶養者 -歯科" --branch 北海道 --db plans.db
               planex search 受診勧奨 --by branch --db plans.db
               planex search 禁煙 --kind program --db plans.db   (programs' names, purposes, actions)
    """
    from extract.search import SearchError, search, search_by, snippet_spans

    unknown = [w for w in words if w.startswith("--")]  # -word excludes a word; --word is a typo
    if unknown:
        fail(f"no such option: {unknown[0]} (see planex search --help)")
    query = " ".join(words)
    database = _open_db(db)
    filters = {"insurer": insurer, "branch": branch, "plan_type": plan_type, "year": _year(year),
               "section": section, "kind": kind}  # fmt: skip
    try:
        if by is not None:
            groups = search_by(database, query, by, **filters)
        else:
            hits = search(database, query, limit=limit, **filters)
    except SearchError as exc:
        fail(str(exc))
    finally:
        database.close()
    if as_json:
        rows = groups if by is not None else hits
        sys.stdout.write(json.dumps([r.model_dump() for r in rows], ensure_ascii=False, indent=2) + "\n")
        return
    if by is not None:
        table = Table(title=f"{query}: {sum(g.hits for g in groups)} sentences in {len(groups)} {by} groups")
        table.add_column(by, no_wrap=True)
        table.add_column("hits", justify="right")
        table.add_column("page", justify="right")
        table.add_column("best sentence", overflow="fold")
        for g in groups:
            name = (g.branch or g.insurer or "-") if by == "branch" else (g.insurer or "-")
            best = _marked(*snippet_spans(g.sentence, g.marks, 60))
            table.add_row(name, str(g.hits), str(g.page or ""), best)
        console.print(table)
        return
    if not hits:
        err_console.print(f"no hits for {query!r}")
        return
    for n, hit in enumerate(hits, start=1):
        where = " ".join(x for x in (hit.insurer, hit.branch) if x) or hit.plan_id
        years = hit.fiscal_year or (f"{hit.period_start}-{hit.period_end}" if hit.period_start else "")
        about = f"{hit.plan_type} {years} p.{hit.page}"
        console.print(Text(f"{n:>2} ", style="bold"), _marked(where, []), _marked(about, []), style="default")
        console.print("    ", _marked(hit.section or "", []), style="cyan")
        text, spans = snippet_spans(hit.sentence, hit.marks)
        console.print("    ", _marked(text, spans))


@app.command("compare")
def compare_command(
    heading: Annotated[str, typer.Argument(help="The section heading, e.g. ジェネリック医薬品の使用促進.")],
    db: DbOption = Path("planex.db"),
    insurer: InsurerOption = None,
    branch: BranchOption = None,
    plan_type: PlanTypeOption = None,
    year: YearOption = None,
    min_score: Annotated[float, typer.Option("--min-score", min=0, max=1, help="Heading similarity.")] = 0.8,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write FILE.md or FILE.csv.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Line up one section across plans: the section with this heading in every plan.

    Numbering (３．, ③, (3)), field tags (〈Ⅱ、Ⅲ〉) and small wording differences are ignored.
    CSV is written UTF-8 with a byte-order mark, so Excel opens it correctly.

    Examples:  planex compare ジェネリック医薬品の使用促進 --db plans.db
               planex compare ジェネリック医薬品の使用促進 --db plans.db --out generic.md
    """
    from rich.columns import Columns
    from rich.panel import Panel

    from extract import compare as cmp
    from extract.search import SearchError

    if out is not None and out.suffix.lower() not in (".md", ".csv"):
        fail(f"--out must end in .md or .csv, not {out.name!r}")
    if out is not None:
        _check_out(out)
    database = _open_db(db)
    try:
        found, missing = cmp.compare(database, heading, insurer=insurer, branch=branch, plan_type=plan_type,
                                     year=_year(year), min_score=min_score)  # fmt: skip
    except SearchError as exc:
        fail(str(exc))
    finally:
        database.close()
    if out is not None:
        with _writing(out):
            if out.suffix.lower() == ".csv":
                cmp.write_csv(out, found)
            else:
                cmp.write_markdown(out, heading, found, missing)
        err_console.print(f"wrote {len(found)} plans to {out}")
    elif as_json:
        sys.stdout.write(json.dumps([c.model_dump() for c in found], ensure_ascii=False, indent=2) + "\n")
    else:
        panels = [
            Panel(_marked(c.text, []), title=Text.assemble((cmp.plan_name(c), "bold"), f" {c.insurer or ''}"),
                  subtitle=Text(f"{c.heading} · p.{c.page_start}-{c.page_end} · {c.score:.2f}"), width=64)
            for c in found
        ]  # fmt: skip
        console.print(Columns(panels))
    summary = f"{heading}: found in {len(found)} plans"
    if missing:
        summary += f"; not in {len(missing)}: " + ", ".join(cmp.plan_name(m) for m in missing)
    err_console.print(summary)


@app.command("reindex")
def reindex_command(db: DbOption = Path("planex.db")) -> None:
    """Rebuild the search index from the stored sections, programs, health issues and KPIs
    (a database from an older planex). To extract what a newer planex reads (programs came with
    0.2.0), run planex load again: documents loaded by another version are read again."""
    from extract.search_index import rebuild_index

    database = _open_db(db)
    count = rebuild_index(database)
    database.close()
    err_console.print(f"indexed {count} sentences")


@app.command("serve")
def serve_command(
    db: DbOption = Path("planex.db"),
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 exposes the database to your network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8001,
) -> None:
    """Browse the database in Datasette (read-only), until Ctrl-C.

    Tables have titles and column descriptions. Japanese full-text search works in the canned
    queries — [bold]search[/] (sentences, best first, match in 【】), [bold]kpi_by_indicator[/]
    (one indicator's targets across plans), [bold]compare_measure[/] (one measure across plans) —
    and in the search box of the search_sentences table. Every page has a JSON twin (add .json).

    Examples:  planex serve --db plans.db       then open http://127.0.0.1:8001/plans
               http://127.0.0.1:8001/plans/search?q=受診勧奨
               http://127.0.0.1:8001/plans/kpi_by_indicator.json?indicator=generic_share&_shape=array
    """
    from extract.serve import ServeError, serve

    def ready(url: str) -> None:
        err_console.print("serving ", Text(url, style="bold"), " (read-only; Ctrl-C stops)", sep="")

    store.check_database(db)
    try:
        serve(db, host=host, port=port, on_ready=ready, log_level="warning")
    except ServeError as exc:
        fail(str(exc))


if __name__ == "__main__":
    app()
