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
