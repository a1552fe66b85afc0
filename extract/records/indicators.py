"""Canonical indicators: map the many spellings of a KPI to one id (schemas/indicators.toml)."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

from extract.read.normalize import normalize_text

INDICATORS_FILE = Path(__file__).resolve().parents[2] / "schemas" / "indicators.toml"


@cache
def catalogue() -> list[tuple[str, str, list[re.Pattern[str]]]]:
    """(id, Japanese label, compiled patterns) in file order."""
    with INDICATORS_FILE.open("rb") as fh:
        entries = tomllib.load(fh)["indicator"]
    return [(e["id"], e["label"], [re.compile(p) for p in e["patterns"]]) for e in entries]


def labels() -> dict[str, str]:
    return {ident: label for ident, label, _ in catalogue()}


def canonical_id(indicator: str, population: str | None = None) -> str:
    """The canonical id of an indicator as written, or "" when nothing matches."""
    text = re.sub(r"\s+", "", normalize_text(indicator))
    for ident, _, patterns in catalogue():
        if any(p.search(text) for p in patterns):
            return ident
    return ""
