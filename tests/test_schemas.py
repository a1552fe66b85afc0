"""JSON Schemas in schemas/json/: up to date with the models, and valid for the records planex writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import sqlite_utils

from schemas import jsonschema as planex_schemas
from schemas.programs import HealthIssue, Program
from tests.conftest import ROOT


def test_stored_schemas_match_the_models() -> None:
    assert planex_schemas.stale() == [], "run: make schemas"


def test_check_fails_on_a_stale_or_stray_file(tmp_path: Path) -> None:
    planex_schemas.write_all(tmp_path)
    assert planex_schemas.stale(tmp_path) == []
    kpi = tmp_path / "Kpi.schema.json"
    kpi.write_text(kpi.read_text(encoding="utf-8").replace("indicator", "indikator"), encoding="utf-8")
    (tmp_path / "Old.schema.json").write_text("{}", encoding="utf-8")
    assert planex_schemas.stale(tmp_path) == ["Kpi.schema.json", "Old.schema.json"]
    command = [sys.executable, "-m", "schemas.jsonschema", "--check"]
    checked = subprocess.run(command, cwd=ROOT, capture_output=True)
    assert checked.returncode == 0  # the repository's own files are current


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((planex_schemas.JSON_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_stored_records_validate(db: sqlite_utils.Database) -> None:
    """Rows of the database, read back as records, satisfy the published schemas."""
    from extract.store import LIST_COLUMNS

    for table, model in (("programs", Program), ("health_issues", HealthIssue)):
        validator = _validator(model.__name__)
        rows = list(db.query(f"select * from {table}"))
        assert rows
        for row in rows:
            for name in LIST_COLUMNS & row.keys():
                row[name] = json.loads(row[name])
            record = model.model_validate(row).model_dump(mode="json")
            validator.validate(record)
    kpi = _validator("Kpi")
    for row in db.query("select * from kpis limit 300"):
        # a list stored as JSON, a flag as 0 or 1
        kpi.validate({**row, "sources": json.loads(row["sources"]), "ocr": bool(row["ocr"])})
    bad = dict(next(db.query("select * from kpis limit 1")), comparator="about")
    assert not kpi.is_valid(bad)


def test_search_json_output_validates(db_path: Path) -> None:
    from typer.testing import CliRunner

    from extract.cli import app

    result = CliRunner().invoke(app, ["search", "健診", "--db", str(db_path), "--json", "--limit", "5"])
    hits = json.loads(result.stdout)
    validator = _validator("Hit")
    assert len(hits) == 5
    for hit in hits:
        validator.validate(hit)


def test_every_record_type_is_described_in_the_readme() -> None:
    readme = (ROOT / "schemas" / "README.md").read_text(encoding="utf-8")
    for model in planex_schemas.RECORD_TYPES:
        assert f"`{model.__name__}`" in readme, model.__name__
