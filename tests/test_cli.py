"""The planex command line: exit codes, summaries and JSON output."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from extract.cli import app

runner = CliRunner()


def test_load_reports_and_exits_by_outcome(tmp_path: Path, real_dir: Path) -> None:
    db = tmp_path / "p.db"
    result = runner.invoke(app, ["load", str(real_dir), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    assert "encrypted" in result.output and "password required" in result.output
    assert "empty" in result.output
    strict = runner.invoke(app, ["load", str(real_dir), "--db", str(db), "-q", "--strict"])
    assert strict.exit_code == 1
    assert "unchanged" in strict.output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["load", str(tmp_path / "nowhere"), "--db", str(tmp_path / "p.db")])
    assert missing.exit_code == 2
    assert "no such file or folder" in missing.output
    assert runner.invoke(app, ["load", "--workers", "0", str(tmp_path)]).exit_code == 2
    assert runner.invoke(app, ["info", "--db", str(tmp_path / "none.db")]).exit_code == 2


def test_info_json_counts_tables_and_qualities(tmp_path: Path, real_dir: Path) -> None:
    db = tmp_path / "p.db"
    runner.invoke(app, ["load", str(real_dir), "--db", str(db), "-q"])
    result = runner.invoke(app, ["info", "--db", str(db), "--json"])
    assert result.exit_code == 0
    facts = json.loads(result.stdout)
    assert facts["tables"]["documents"] == 5
    assert facts["tables"]["load_errors"] == 2
    assert facts["errors_by_kind"] == {"empty": 1, "encrypted": 1}
    assert facts["pages_by_quality"] == {"ok": 6, "no_text": 2}
    assert sum(facts["documents_by_quality"].values()) == 5


def test_documents_json_lists_documents_and_errors(tmp_path: Path, real_dir: Path) -> None:
    db = tmp_path / "p.db"
    runner.invoke(app, ["load", str(real_dir), "--db", str(db), "-q"])
    result = runner.invoke(app, ["documents", "--db", str(db), "--json"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    docs = {r["file_name"]: r for r in rows if r["type"] == "document"}
    errors = {r["file_name"]: r["kind"] for r in rows if r["type"] == "load_error"}
    assert docs["vertical.pdf"]["pages"] == 3
    assert errors == {"password-example.pdf": "encrypted", "empty.pdf": "empty"}


def test_help_teaches() -> None:
    result = runner.invoke(app, ["load", "--help"])
    assert result.exit_code == 0
    assert "--workers" in result.output and "--timeout" in result.output and "Example" in result.output
