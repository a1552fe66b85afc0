"""The database ``make demo`` loads -- the plain corpus, its revised plans and the broken real
PDFs -- once per test session, for the tests of evidence, comparisons and the served pages."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from extract.use.loader import load
from tests.conftest import CORPUS, PDFS, REAL

REVISIONS = CORPUS / "revisions"
_DB: dict[str, Path] = {}


def revisions() -> list[dict]:
    with (CORPUS / "manifest.toml").open("rb") as fh:
        return tomllib.load(fh)["revision"]


def revision_pdfs() -> Path:
    """The revised plans typeset (``corpus/revisions``), built here if ``make corpus`` was not run."""
    for entry in revisions():
        if not (REVISIONS / f"{entry['id']}.pdf").exists():
            subprocess.run([sys.executable, str(CORPUS / "build.py"), "--only", entry["id"]], check=True)
    return REVISIONS


def demo_db(tmp_path_factory: pytest.TempPathFactory, corpus_pdfs: Path) -> Path:
    """``make demo``'s database (``planex load corpus/pdfs corpus/revisions corpus/real``)."""
    if "db" not in _DB:
        path = tmp_path_factory.mktemp("demo") / "demo.db"
        summary = load([PDFS, revision_pdfs(), REAL], path)
        assert summary.loaded >= len(revisions()) + 8, summary
        _DB["db"] = path
    return _DB["db"]
