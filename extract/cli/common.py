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
import inspect
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, get_args

import sqlite_utils
import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperArgument, TyperGroup, TyperOption
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


_METAVARS: dict[type, str] = {int: "N", float: "NUMBER", Path: "PATH", str: "TEXT"}


def _annotation(param: Any) -> Any:
    """The Python type an option was declared with (Typer keeps it on its parameters; ``str``
    where a Typer release does not, which names it TEXT)."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", str)
    return next((t for t in get_args(annotation) if t is not type(None)), annotation)


def tidy_help(command: Any) -> None:
    """Make a command's help read as prose, for it and every command under it.

    Options are named the way a reader says it (``--db FILE``, ``--limit N``), and a flag not
    at all: Typer shows ``<bool>`` beside every flag and ``<path>``, ``<int range>`` beside the
    rest, which reads like code (an option's own ``metavar`` is kept). The first paragraph of a
    docstring is one line, as the list of commands shows it (Typer's rich mode keeps the
    docstring's line breaks, which cut the summary mid-sentence); later paragraphs keep theirs,
    for the examples.
    """
    if getattr(command, "help", None):
        first, *rest = inspect.cleandoc(command.help).split("\n\n")
        command.help = "\n\n".join([" ".join(first.split()), *rest])
    for param in getattr(command, "params", []):
        if isinstance(param, TyperArgument):  # named in its own column already; its help says what
            param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
        if not isinstance(param, TyperOption) or param.metavar is not None:
            continue
        if param.is_flag:
            param.metavar = ""
            continue
        name = _METAVARS.get(_annotation(param), "TEXT")
        param.metavar = "FILE" if name == "PATH" and param.name in ("db", "out") else name
    help_option = command.get_help_option  # made on first use, for the context's option names

    def flag_help_option(ctx: Any) -> Any:
        option = help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = flag_help_option
    for sub in getattr(command, "commands", {}).values():
        tidy_help(sub)


class PlanexGroup(TyperGroup):
    """The command group: every exception a command lets out becomes one line and an exit status.

    Typer's own exits (usage errors, ``typer.Exit``, Ctrl-C's Abort) pass through unchanged.
    ``PLANEX_TRACEBACK=1`` re-raises instead, for a developer who wants to see where. Every
    command's help is tidied by :func:`tidy_help`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tidy_help(self)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (TyperException, typer.Exit, typer.Abort):  # usage errors, exits, Ctrl-C
            raise
        except BrokenPipeError:  # the reader went away (planex … | head): stop quietly, status 1
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush
            raise typer.Exit(1) from None
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
    Path,
    typer.Option("--db", help="The planex database to read (made by planex load); opened read-only.",
                 show_default=True),
]
"""``--db`` of the commands that only read: they never write to the file (it may be shared)."""
WritableDbOption = Annotated[
    Path, typer.Option("--db", help="The planex database to change (made by planex load).", show_default=True)
]
"""``--db`` of the commands that change a database loaded before (reindex, upgrade, kpis remap)."""


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
    """The planex database at ``db``, opened read-only: nothing is written to it, so a shared
    copy on a read-only medium answers too. A one-line error if it is not one (missing, not
    SQLite, a PDF, another program's database, from a newer planex, or from an older one that
    must be converted first with ``planex upgrade``)."""
    return store.open_db(db, read_only=True)


def open_database_for_writing(db: Path) -> sqlite_utils.Database:
    """The planex database at ``db``, which must exist, opened to change it (brought up to this
    planex's schema on the way)."""
    store.check_database(db, create=False, upgrade=True)
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
InsurerOption = Annotated[
    str | None, typer.Option(help="Part of the insurer's name, or its type: 協会けんぽ, 健保組合, 共済組合 …")
]
BranchOption = Annotated[str | None, typer.Option(help="Branch: 北海道 or 北海道支部, 大分 or 大分県.")]
PlanTypeOption = Annotated[
    str | None,
    typer.Option("--plan-type", help="business_plan (事業計画), data_health_plan (データヘルス計画) or "
                 "tokutei_kenshin_plan (特定健診)."),
]  # fmt: skip
YearOption = Annotated[
    str | None, typer.Option(help="Fiscal year (2021, 令和3, R3) or a year within a plan's period.")
]


def year_option(value: str | None) -> int | None:
    """``--year``: 2021, 令和3, R3年度 → a Western year; anything else is a usage error."""
    from extract.read.normalize import normalize_text
    from extract.structure.dates import parse_year

    if value is None:
        return None
    text = normalize_text(value).strip()
    year = int(text) if text.isdigit() else parse_year(text if "年" in text else text + "年")
    if year is None or not 1900 <= year <= 2200:
        fail(f"--year: cannot read a year in {value!r} (e.g. 2021 or 令和3)")
    return year
