"""Shared by the search and compare tests: the corpus database, and expectations read from the
source texts (never from the code under test).

The 協会けんぽ compilation ``corpus/texts/kyoukai-kenpo_r3_branch-plans.txt`` starts each branch
at a line ``令和 3年度 事業計画（○○支部）`` (茨城 writes ``令和３年度``, hence the normalization).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from extract.read.normalize import normalize_text
from extract.use.loader import load
from tests.conftest import CORPUS, manifest

BRANCH_TEXT = CORPUS / "texts" / "kyoukai-kenpo_r3_branch-plans.txt"
STYLES_TEXT = CORPUS / "texts" / "variant-kyoukai-kenpo_r3_branch-styles.txt"
"""Five of those branch plans numbered otherwise (北海道, 岩手, 岐阜, 兵庫, 鹿児島): in the corpus
database too, beside the compilation's."""
CORPUS_COUNTS = {"kpis": 1570, "programs": 910, "kpi_table_rows": 575}
"""What the corpus database holds (corpus/pdfs loaded): exact, as the corpus fixes them, so that a
record lost or gained anywhere shows (the branch-styles variant's 110 KPI records and 112 measures,
tests/gold and tests/expected, are in it). ``kpi_table_rows``: KPI sentences that are one row of a
table's cells (tests/store/test_search_index.py): 575 since a label wrapped in its cell
(さくら's 受診勧奨後の受診者数 / (人), six targets) is read as one cell's text."""
_BRANCH_START = re.compile(r"(?m)^\s*令和\s*3年度\s*事業計画[(（](.+?)支部[)）]\s*$")
_DB: dict[str, Path] = {}


def corpus_db(tmp_path_factory: pytest.TempPathFactory, pdfs: Path) -> Path:
    """The corpus loaded by the real loader, once per test session."""
    if "db" not in _DB:
        path = tmp_path_factory.mktemp("search") / "corpus.db"
        summary = load([pdfs], path)
        assert summary.loaded == len(manifest()) and not summary.failed_total
        _DB["db"] = path
    return _DB["db"]


@cache
def branch_texts(source: Path = BRANCH_TEXT) -> dict[str, str]:
    """{branch: normalized text} of the 35 branch plans (or of the 5 of the variant, ``STYLES_TEXT``)."""
    parts = _BRANCH_START.split(normalize_text(source.read_text(encoding="utf-8")))
    texts = {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}
    assert len(texts) == (35 if source == BRANCH_TEXT else 5)
    return texts


def branches_with(word: str, *, across_lines: bool = False) -> set[str]:
    """Branches whose text has ``word`` on one line (or anywhere, line breaks and spaces ignored).

    Spaces are ignored either way: the source pads Japanese with them (令和 3年度).
    """
    word = "".join(normalize_text(word).split())
    found = set()
    for branch, text in branch_texts().items():
        pieces = (
            ["".join(text.split())] if across_lines else ["".join(ln.split()) for ln in text.splitlines()]
        )
        if any(word in piece for piece in pieces):
            found.add(branch)
    return found
