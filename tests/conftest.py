"""Shared fixtures: the bundled corpus in both layouts (built on demand), the readings of its
documents (each read once per session and layout), and the real third-party PDFs."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
REAL = CORPUS / "real"
PDFS = CORPUS / "pdfs"
PUBLISHED = CORPUS / "published"
VARIANTS = CORPUS / "variants"
LAYOUTS = {"plain": PDFS, "published": PUBLISHED}
"""The corpus typeset as one plain column, and as the plans are published (corpus/published.py):
every test of sections, KPIs and programs runs on both, against the same expectations."""


def manifest() -> list[dict]:
    with (CORPUS / "manifest.toml").open("rb") as fh:
        return tomllib.load(fh)["document"]


def _built() -> bool:
    with (CORPUS / "manifest.toml").open("rb") as fh:
        variants = tomllib.load(fh).get("variant", [])
    wanted = [folder / f"{doc['id']}.pdf" for doc in manifest() for folder in LAYOUTS.values()]
    return all(p.exists() for p in wanted + [VARIANTS / f"{v['id']}.pdf" for v in variants])


@pytest.fixture(scope="session")
def corpus_pdfs() -> Path:
    """The typeset corpus (plain layout; published/ and variants/ beside it); built here if
    ``make corpus`` has not been run."""
    if not _built():
        subprocess.run([sys.executable, str(CORPUS / "build.py")], check=True)
    return PDFS


@pytest.fixture(scope="session", params=list(LAYOUTS))
def layout(request: pytest.FixtureRequest, corpus_pdfs: Path) -> str:
    """Each corpus layout in turn: ``plain`` or ``published``."""
    return request.param


def pdf_of(doc_id: str, layout: str = "plain") -> Path:
    return LAYOUTS[layout] / f"{doc_id}.pdf"


@cache
def parsed(doc_id: str, layout: str = "plain"):
    """A corpus document read by ``extract.read.pdf.read_pdf`` (once per session and layout)."""
    from extract.read.pdf import read_pdf

    return read_pdf(pdf_of(doc_id, layout).read_bytes())


def whole(reading):
    """``reading`` (an ``extract.pipeline.DocumentReading``), once it is shown that no stage failed.

    ``read_document`` and ``read_parsed`` record a stage that raises (``failures``) and return what
    the stages before it read: a test that only walks ``reading.plans`` would pass with every
    stage raising. Every reading a test expects to be whole goes through here."""
    assert reading.failures == [], [f.message for f in reading.failures]
    return reading


def read_whole(data: bytes, **kwargs):
    """``extract.pipeline.read_document(data, **kwargs)``, no stage failing (:func:`whole`)."""
    from extract.pipeline import read_document

    return whole(read_document(data, **kwargs))


@cache
def readings(doc_id: str, layout: str = "plain"):
    """Its plans with sections, KPIs, programs and health issues (``extract.pipeline``), once; no
    stage may have failed on it."""
    return read_whole(pdf_of(doc_id, layout).read_bytes()).plans


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
