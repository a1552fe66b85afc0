"""What every ``planex`` command shares: the app, the consoles, ``--db``, one-line errors.

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
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import sqlite_utils
import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup
from typer.exceptions import TyperException

from extract import __version__, store

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


def user_catalogue(path: Path):
    """The built-in indicator catalogue extended by the user's file; a bad file is one line."""
    from extract.records.indicators import CatalogueError, load_catalogue

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


def open_database(db: Path) -> sqlite_utils.Database:
    """The planex database at ``db``, for reading; a one-line error if it is not one
    (missing, not SQLite, a PDF, another program's database, from a newer planex)."""
    store.check_database(db)
    return store.open_db(db)


def check_out(out: Path) -> None:
    """Fail early, before any work, on an ``--out`` that cannot be written to."""
    if out.is_dir():
        fail(f"--out {out} is a folder: give a file name, e.g. {out / 'export.csv'}")
    if not out.parent.is_dir():
        why = f"{out.parent} is a file" if out.parent.exists() else "create it first"
        fail(f"cannot write {out}: there is no folder {out.parent} ({why})")


@contextmanager
def writing(out: Path) -> Iterator[None]:
    """Turn a failed write (not writable, disk full) into one line and exit status 1."""
    try:
        yield
    except OSError as exc:
        why = exc.strerror or _one_line(exc)
        full = exc.errno == errno.ENOSPC
        hint = "free some space or choose another --out" if full else "choose another --out"
        raise CommandFailed(f"cannot write {out}: {why} (nothing written; {hint})") from None


PlanFilter = Annotated[str | None, typer.Option("--plan", help="Plan id (or its start), see planex plans.")]
