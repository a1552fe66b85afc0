"""JSON Schema files for the record types, generated from the pydantic models.

``python -m schemas.jsonschema`` (or ``make schemas``) writes one ``{Name}.schema.json`` per record
type into ``schemas/json/``; ``python -m schemas.jsonschema --check`` exits 1 when a stored file
differs from what the models give, which the test suite runs. Other programs (any language) can
validate planex's JSON lines exports and ``--json`` output against them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from schemas.diff import PlanDiff, PlanLink
from schemas.kpis import Kpi
from schemas.plans import Plan, Section
from schemas.programs import HealthIssue, Program
from schemas.records import LoadError, ParsedDocument
from schemas.search import Comparison, GroupHit, Hit

RECORD_TYPES: tuple[type[BaseModel], ...] = (
    Plan, Section, Kpi, Program, HealthIssue, LoadError, ParsedDocument, Hit, GroupHit, Comparison,
    PlanDiff, PlanLink,
)  # fmt: skip
"""Every record type a user meets: in the database tables, exports, and ``--json`` output."""

JSON_DIR = Path(__file__).resolve().parent / "json"
SCHEMA_ID = "https://planex.invalid/schemas/{name}.schema.json"


def schema_of(model: type[BaseModel]) -> dict:
    """The model's JSON Schema (draft 2020-12, as pydantic writes it), with an ``$id``."""
    schema = model.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID.format(name=model.__name__),
        **schema,
    }


def rendered(model: type[BaseModel]) -> str:
    return json.dumps(schema_of(model), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_all(directory: Path = JSON_DIR) -> list[Path]:
    """Write every schema file; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for model in RECORD_TYPES:
        path = directory / f"{model.__name__}.schema.json"
        path.write_text(rendered(model), encoding="utf-8")
        paths.append(path)
    return paths


def stale(directory: Path = JSON_DIR) -> list[str]:
    """Names of the schema files that are missing, differ from the models, or belong to no model."""
    wanted = {f"{m.__name__}.schema.json": rendered(m) for m in RECORD_TYPES}
    found = {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.schema.json")}
    return sorted(name for name in wanted.keys() | found.keys() if wanted.get(name) != found.get(name))


def main(argv: list[str]) -> int:
    if "--check" in argv:
        names = stale()
        if names:
            print(f"out of date: {', '.join(names)} (run: make schemas)", file=sys.stderr)
            return 1
        return 0
    for path in write_all():
        print(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
