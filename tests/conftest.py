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
BUILDER = {"plain": PDFS, "published": PUBLISHED}
"""The corpus typeset by planex's builder as one plain column, and as the plans are published
(corpus/builder/published.py): every test of sections, KPIs and programs runs on both."""
PRODUCERS = {"word": CORPUS / "word", "calc": CORPUS / "calc", "overprint": CORPUS / "overprint"}
"""The corpus written by real producers: Word and Excel documents exported by LibreOffice, a PDF
printer's overprinted bold (``make corpus``; LibreOffice needed)."""
LAYOUTS = {**BUILDER, **PRODUCERS}
READ_LIKE_PLAIN: dict[str, tuple[str, ...]] = {
    "word": ("kyoukai-kenpo-r3-branch-plans", "chikyosai-oita-datahealth-plan-3rd",
             "tokyo-ishikokuho-tokutei-kenshin-plan-3rd", "variant-midori-kenpo-datahealth-plan-3rd",
             "variant-hikari-kokuho-tokutei-kenshin-plan-4th", "variant-sakura-kyosai-datahealth-plan-3rd",
             "variant-kyoukai-kenpo-r3-branch-styles"),
    "calc": ("kyoukai-kenpo-r3-branch-plans", "like-kenpo-datahealth-plan-step-format",
             "variant-kyoukai-kenpo-r3-branch-styles"),
    "overprint": ("chikyosai-oita-datahealth-plan-3rd",),
}  # fmt: skip
"""Of the documents each real producer writes (the manifest's ``[document.word]``, ``.calc``,
``.overprint``), those whose every section, KPI and program test runs on that producer's PDF too,
against the same expectations: a document joins here once the reader reads it as it reads the
plain layout (issue 24; the others' figures: ``bench/producers_bench.py``)."""


def layouts_of(doc_id: str) -> list[str]:
    """The layouts a test of ``doc_id`` runs on: the builder's two, and the producers that write it."""
    return [*BUILDER, *(name for name, ids in READ_LIKE_PLAIN.items() if doc_id in ids)]


def manifest() -> list[dict]:
    with (CORPUS / "manifest.toml").open("rb") as fh:
        return tomllib.load(fh)["document"]


def _built() -> bool:
    with (CORPUS / "manifest.toml").open("rb") as fh:
        variants = tomllib.load(fh).get("variant", [])
    wanted = [folder / f"{doc['id']}.pdf" for doc in manifest() for folder in BUILDER.values()]
    return all(p.exists() for p in wanted + [VARIANTS / f"{v['id']}.pdf" for v in variants])


@pytest.fixture(scope="session")
def corpus_pdfs() -> Path:
    """The typeset corpus (plain layout; published/ and variants/ beside it); built here if
    ``make corpus`` has not been run."""
    if not _built():
        subprocess.run([sys.executable, str(CORPUS / "build.py")], check=True)
    return PDFS


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reads(*doc_ids): the corpus documents a test reads; it runs on each of their layouts"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes ``layout`` runs on every layout of the documents it reads, named by its
    ``reads`` mark: with a ``doc_id`` or ``entry`` argument, once per document and layout of that
    document; without, on the layouts all of them share. Unmarked: the builder's two layouts."""
    if "layout" not in metafunc.fixturenames:
        return
    mark = metafunc.definition.get_closest_marker("reads")
    docs: tuple[str, ...] = mark.args if mark else ()
    by_id = {e["id"]: e for e in manifest()}
    for name, value in (("doc_id", lambda d: d), ("entry", lambda d: by_id[d])):
        if name in metafunc.fixturenames and docs:
            pairs = [(layout, value(doc)) for doc in docs for layout in layouts_of(doc)]
            ids = [f"{layout}-{doc}" for doc in docs for layout in layouts_of(doc)]
            metafunc.parametrize(("layout", name), pairs, ids=ids, indirect=["layout"], scope="session")
            return
    shared = [lay for lay in LAYOUTS if all(lay in layouts_of(doc) for doc in docs)] if docs else [*BUILDER]
    metafunc.parametrize("layout", shared, indirect=True, scope="session")


@pytest.fixture(scope="session")
def layout(request: pytest.FixtureRequest, corpus_pdfs: Path) -> str:
    """A layout of the corpus (see :func:`pytest_generate_tests`); a real producer's folder is
    built here (LibreOffice) if ``make corpus`` has not been run."""
    name = request.param
    if name in PRODUCERS and not all((PRODUCERS[name] / f"{d}.pdf").exists() for d in READ_LIKE_PLAIN[name]):
        subprocess.run([sys.executable, str(CORPUS / "build.py"), "--layout", name], check=True)
    return name


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
