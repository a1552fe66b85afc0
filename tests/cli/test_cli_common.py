"""What every command shares: help that reads as prose, and a start that loads only what the
command needs (``extract/cli/common.py``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from extract.cli import app
from tests.conftest import ROOT

runner = CliRunner()


def _commands(group=None, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    group = group or get_command(app)
    out = []
    for name, command in group.commands.items():
        out.append((*prefix, name))
        if hasattr(command, "commands"):
            out += _commands(command, (*prefix, name))
    return out


COMMANDS = _commands()
READING = {("search",), ("show",), ("plans",), ("programs",), ("kpis",), ("info",), ("documents",),
           ("compare",), ("serve",), ("export", "kpis"), ("export", "workbook")}  # fmt: skip


def _help(command: tuple[str, ...]) -> str:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_command_list_is_whole() -> None:
    assert len(COMMANDS) >= 20 and set(COMMANDS) >= READING


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_names_no_python_types(command: tuple[str, ...]) -> None:
    """A flag takes no value and shows none; an option names what it takes (FILE, N, TEXT)."""
    text = _help(command)
    assert not re.search(r"<(bool|int|float|path|str|text)[^>]*>", text), text
    assert "--help" in text


def test_defaults_and_filters_are_told() -> None:
    load = _help(("load",))
    assert re.search(r"--workers.*Parallel reader processes\..*default: .*one per CPU", load)
    assert "created if missing" in load
    for command in READING:
        text = _help(command)
        db_line = re.search(r"--db\s+FILE\s+([^│]*)", text).group(1)
        assert "created if missing" not in db_line and "read-only" in db_line, (command, db_line)
    kinds = " ".join(_help(("search",)).split())
    assert re.search(r"heading, section, program, health_issue, kpi", kinds)
    for command in (("kpis",), ("export", "kpis"), ("export", "programs"), ("programs",)):
        text = _help(command)
        for option in ("--insurer", "--branch", "--plan-type", "--year"):
            assert option in text, (command, option)


def test_the_list_of_commands_shows_whole_sentences() -> None:
    """The first paragraph of a command's docstring is one line in the list, not cut mid-way."""
    listing = runner.invoke(app, ["kpis", "--help"], env={"COLUMNS": "200"}).output
    remap = next(line for line in listing.splitlines() if "remap" in line)
    assert "without reading any PDF" in remap


HEAVY = ("spacy", "ginza", "sudachipy", "pdfplumber", "pymupdf", "fitz", "pytesseract", "pandas", "numpy",
         "extract.pipeline", "extract.read.pdf", "extract.records.kpis")  # fmt: skip


@pytest.mark.parametrize("args", [["search", "健診", "--limit", "1"], ["search", "禁煙", "--by", "branch"],
                                  ["kpis", "--limit", "1"], ["plans"], ["info"]], ids=" ".join)  # fmt: skip
def test_reading_commands_do_not_load_the_reader(db_path: Path, args: list[str]) -> None:
    """A command that only reads the database imports none of the PDF reader, GiNZA or the
    data-frame libraries: each costs a cold start a part of a second (``make bench`` measures it)."""
    script = (
        "import json, sys\n"
        "from extract.cli import app\n"
        "try:\n"
        f"    app({[*args, '--db', str(db_path)]!r})\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print(json.dumps([code, sorted(sys.modules)]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "120"}, timeout=300)  # fmt: skip
    code, modules = json.loads(result.stdout.splitlines()[-1])
    assert code in (0, None), result.stderr
    loaded = [m for m in modules if m.split(".")[0] in HEAVY or m in HEAVY]
    assert loaded == []


def test_output_cut_off_by_the_reader_is_no_error(db_path: Path) -> None:
    """``planex … | head``: the command stops without an error line when the pipe closes."""
    for args in (["kpis", "remap", "--help"], ["kpis", "--db", str(db_path)]):
        reader = subprocess.Popen(["head", "-n", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        result = subprocess.run([sys.executable, "-m", "extract.cli", *args], cwd=ROOT, stdout=reader.stdin,
                                stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "100"},
                                timeout=300)  # fmt: skip
        reader.stdin.close()
        reader.wait()
        assert "error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
