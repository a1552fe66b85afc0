"""``planex load`` as a new user meets it: the wrong --db, an empty folder, an 80-column terminal
(``extract/cli/load.py``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extract.cli import app
from tests.conftest import ROOT

runner = CliRunner()


@pytest.mark.parametrize(
    ("content", "kind"),
    [(b"shopping list: milk, eggs\n", "a text file"), (b"PK\x03\x04rest of a workbook", "a ZIP archive")],
)
def test_loading_into_a_file_that_is_no_database_says_what_it_is(
    tmp_path: Path, real_dir: Path, content: bytes, kind: str
) -> None:
    """The message says what the file is and what to do, not to run the command that failed."""
    notes = tmp_path / "notes.db"
    notes.write_bytes(content)
    result = runner.invoke(app, ["load", str(real_dir), "--db", str(notes), "-q"])
    assert result.exit_code == 2
    message = " ".join(result.output.split())
    assert kind in message and "will not overwrite it" in message and "new file name" in message
    assert f"planex load FOLDER --db {notes}" not in message
    assert notes.read_bytes() == content


def test_a_folder_without_pdfs_loads_nothing_and_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "readme.txt").write_text("not a plan", encoding="utf-8")
    db = tmp_path / "plans.db"
    result = runner.invoke(app, ["load", str(folder), "--db", str(db)])
    assert result.exit_code == 0
    assert "warning: no PDF file in" in " ".join(result.output.split())
    assert not db.exists() and not Path(f"{db}-wal").exists()
    strict = runner.invoke(app, ["load", str(folder), "--db", str(db), "--strict"])
    assert strict.exit_code == 1 and not db.exists()


def test_the_summary_fits_an_80_column_terminal(tmp_path: Path, real_dir: Path) -> None:
    """Each figure of the summary stays on one line in a terminal 80 columns wide."""
    result = subprocess.run(
        [sys.executable, "-m", "extract.cli", "load", str(real_dir), "--db", str(tmp_path / "p.db")],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, "COLUMNS": "80"}, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    figures = re.compile(r"^\d+ pages read in [\d.]+ s \(\d+ pages/s\)$", re.MULTILINE)
    assert figures.search(result.stdout), result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
