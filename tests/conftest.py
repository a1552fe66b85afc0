"""Shared fixtures: the bundled corpus (built on demand) and the real third-party PDFs."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
REAL = CORPUS / "real"
PDFS = CORPUS / "pdfs"


def manifest() -> list[dict]:
    with (CORPUS / "manifest.toml").open("rb") as fh:
        return tomllib.load(fh)["document"]


@pytest.fixture(scope="session")
def corpus_pdfs() -> Path:
    """The typeset corpus; built here if ``make corpus`` has not been run."""
    if not all((PDFS / f"{doc['id']}.pdf").exists() for doc in manifest()):
        subprocess.run([sys.executable, str(CORPUS / "build.py")], check=True)
    return PDFS


@pytest.fixture(scope="session")
def real_dir() -> Path:
    return REAL


@pytest.fixture(scope="session")
def db_path(tmp_path_factory: pytest.TempPathFactory, corpus_pdfs: Path) -> Path:
    """The corpus loaded by the real loader into one database, once per test session."""
    from tests.search_corpus import corpus_db

    return corpus_db(tmp_path_factory, corpus_pdfs)


@pytest.fixture()
def db(db_path: Path):
    """An open connection to the session's corpus database (read it, do not change it)."""
    from extract import store

    database = store.open_db(db_path)
    yield database
    database.close()
