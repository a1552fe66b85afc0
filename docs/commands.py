"""Write docs/commands.md, the command reference, from the ``planex`` command line itself.

The reference is generated rather than written so that it cannot drift from the CLI: every
command, argument, option, default and range comes from the Typer app, as ``planex COMMAND
--help`` shows it. ``make docs`` runs this file; ``tests/test_docs.py`` fails when the committed
page differs from what it writes.

Typer's own generator (``typer extract.cli utils docs``) was tried: it escapes quotes as HTML
entities (``&#x27;``), cuts each command's summary to a few words and runs the example lines of a
docstring into one paragraph. This walks the same command tree and keeps examples as code.

    python docs/commands.py [--output docs/commands.md]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: import the checkout's planex
    sys.path.insert(0, str(ROOT))

import typer  # noqa: E402
from rich.errors import MarkupError  # noqa: E402
from rich.text import Text  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

OUTPUT = ROOT / "docs" / "commands.md"
EXAMPLES = re.compile(r"^(Examples?):\s*")
# what Markdown would read as emphasis, an HTML tag or a table cell (an underscore inside a word,
# as in load_errors, is none); code spans keep everything as written
SPECIAL = re.compile(r"([\\*|]|<(?=[A-Za-z/!?])|(?<!\w)_|_(?!\w))")
CODE_SPAN = re.compile(r"(``?[^`]+``?)")

HEADER = """\
# Command reference

<!-- Generated from the planex command line by `make docs` (docs/commands.py): do not edit. -->

Every command and option of `planex`, as `planex COMMAND --help` prints them. Every command
also takes `--help`. This page is written by `make docs` from the command line itself; for what
the commands are for, with examples and their output, read the [user guide](guide.md).
"""


def plain(text: str) -> str:
    """The text as the terminal shows it: the help is written in rich markup (``[bold]…[/]``)."""
    try:
        return Text.from_markup(text).plain
    except MarkupError:
        return text


def escape(text: str) -> str:
    """Markdown for prose from the CLI: special characters escaped outside code spans."""
    parts = CODE_SPAN.split(text)
    return "".join(part if index % 2 else SPECIAL.sub(r"\\\1", part) for index, part in enumerate(parts))


def anchor(path: str) -> str:
    """GitHub's anchor for a heading ``planex export kpis`` (in backticks)."""
    return path.lower().replace(" ", "-")


def help_blocks(text: str) -> list[str]:
    """A command's docstring as Markdown blocks: paragraphs as prose, examples as a code block."""
    blocks = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in paragraph.splitlines()]
        found = EXAMPLES.match(lines[0])
        if found:
            lines[0] = lines[0][found.end() :]
            body = "\n".join(line for line in lines if line)
            blocks.append(f"{found.group(1)}:\n\n```\n{body}\n```")
        else:
            blocks.append(escape(plain(" ".join(lines))))
    return blocks


def param_row(param: Any, ctx: Any) -> str | None:
    """One table row: the argument or option as usage writes it, and its help with default and range."""
    record = param.get_help_record(ctx)
    if record is None or record[0] == "--help":
        return None
    names, help_text = record
    own = param.help or ""
    if own and help_text.startswith(own):  # the param's own words are markup; the [default: …] is not
        help_text = plain(own) + help_text[len(own) :]
    help_text = re.sub(r"\s+", " ", help_text).strip()
    names = names.replace("|", "\\|")  # a table cell ends at a pipe, even in a code span ([csv|jsonl])
    return f"| `{names}` | {escape(help_text)} |"


def command_section(command: Any, ctx: Any, depth: int, nested: bool = True) -> list[str]:
    """A command's heading, help, usage and parameters, then (``nested``) its subcommands'."""
    path = ctx.command_path
    lines = [f"{'#' * depth} `{path}`", ""]
    for block in help_blocks(command.help or ""):
        lines += [block, ""]
    usage = " ".join([path, *command.collect_usage_pieces(ctx)])
    lines += [f"Usage: `{usage}`", ""]
    rows = [row for param in command.get_params(ctx) if (row := param_row(param, ctx))]
    if rows:
        lines += ["| argument or option | description |", "|---|---|", *rows, ""]
    for sub, sub_ctx in subcommands(command, ctx) if nested else []:
        lines += command_section(sub, sub_ctx, depth + 1)
    return lines


def subcommands(command: Any, ctx: Any) -> list[tuple[Any, Any]]:
    """A group's visible commands in the order ``--help`` lists them, each with its context."""
    if not isinstance(command, TyperGroup):
        return []
    found = []
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is not None and not sub.hidden:
            found.append((sub, sub.make_context(name, [], parent=ctx, resilient_parsing=True)))
    return found


def contents(command: Any, ctx: Any, indent: str = "") -> list[str]:
    """The list of commands, each linked to its section, with the first sentence of its help."""
    lines = []
    for sub, sub_ctx in subcommands(command, ctx):
        first = re.split(r"\n\s*\n", (sub.help or "").strip())[0].replace("\n", " ")
        summary = re.split(r"(?<=\.)\s", plain(first), maxsplit=1)[0]
        path = sub_ctx.command_path
        lines.append(f"{indent}- [`{path}`](#{anchor(path)}): {escape(summary)}")
        lines += contents(sub, sub_ctx, indent + "  ")
    return lines


def render() -> str:
    """The whole page, from the planex app as installed in this checkout."""
    from extract.cli import app

    command = typer.main.get_command(app)
    ctx = command.make_context("planex", [], resilient_parsing=True)
    lines = [HEADER, "- [`planex`](#planex): the command itself: its version, exit statuses and commands"]
    lines += [*contents(command, ctx), ""]
    lines += command_section(command, ctx, 2, nested=False)
    for sub, sub_ctx in subcommands(command, ctx):
        lines += command_section(sub, sub_ctx, 2)
    return "\n".join(lines).rstrip("\n") + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the file to write (docs/commands.md)")
    args = parser.parse_args()
    args.output.write_text(render(), encoding="utf-8")
    print(f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


if __name__ == "__main__":
    main()
