"""The reader on real third-party PDFs (corpus/real, see its README) and on the bundled corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from extract.normalize import normalize_text
from extract.pdf import PdfReadError, read_pdf
from extract.quality import is_suspicious
from tests.conftest import CORPUS, manifest


def _read(path: Path):
    return read_pdf(path.read_bytes())


def _text(doc) -> str:
    return "\n".join(page.text for page in doc.pages)


def test_fake_bold_duplicate_chars_are_read_once(real_dir: Path) -> None:
    text = _text(_read(real_dir / "issue-71-duplicate-chars.pdf"))
    assert "计算机科学与技术" in text
    assert "计计" not in text and "算算" not in text


def test_kangxi_radicals_are_normalized_and_raw_text_kept(real_dir: Path) -> None:
    doc = _read(real_dir / "issue15340.pdf")
    assert "一つの箱内" in _text(doc).replace("\n", "")
    assert "\u2f00" in doc.pages[0].raw_text  # the raw text still has the Kangxi radical


def test_vertical_writing_comes_out_as_words(real_dir: Path) -> None:
    doc = _read(real_dir / "vertical.pdf")
    assert doc.pages[0].text.splitlines() == ["あいうえお", "日本語"]
    assert [p.quality for p in doc.pages] == ["ok", "no_text", "no_text"]


def test_shift_jis_cmap_falls_back_to_pdfplumber(real_dir: Path) -> None:
    page = _read(real_dir / "90ms_rksj_h_sample.pdf").pages[0]
    assert "日本語テスト" in page.text
    assert page.reader == "pdfplumber"
    assert page.quality == "ok"


@pytest.mark.parametrize(
    ("name", "kind", "words"),
    [("password-example.pdf", "encrypted", "password required"), ("empty.pdf", "empty", "empty")],
)
def test_unreadable_files_raise_a_specific_error(real_dir: Path, name: str, kind: str, words: str) -> None:
    with pytest.raises(PdfReadError) as info:
        _read(real_dir / name)
    assert info.value.kind == kind
    assert words in info.value.message


def test_malformed_file_loads_what_can_be_read(real_dir: Path) -> None:
    doc = _read(real_dir / "malformed-from-issue-932.pdf")
    assert doc.pages[0].text.split() == ["2021", "3", "31"]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"<!DOCTYPE html><html>404 Not Found</html>", "not_pdf"),
        (b"%PDF-1.7\n1 0 obj garbage " + b"\x00" * 200, "malformed"),
    ],
)
def test_bad_bytes(data: bytes, kind: str) -> None:
    with pytest.raises(PdfReadError) as info:
        read_pdf(data)
    assert info.value.kind == kind


@pytest.mark.parametrize("kept", [1 / 3, 1 / 2, 9 / 10])
def test_a_pdf_cut_before_its_page_tree_is_malformed(corpus_pdfs: Path, kept: float) -> None:
    """A partial download: the corpus PDFs keep their page tree at the end, so a cut file has no
    pages to repair from and must be reported as malformed, with the reason."""
    data = (corpus_pdfs / "like-kenpo-datahealth-plan-step-format.pdf").read_bytes()
    with pytest.raises(PdfReadError) as info:
        read_pdf(data[: int(len(data) * kept)])
    assert info.value.kind == "malformed" and info.value.message


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", normalize_text(text))


def _readable(text: str) -> str:
    """Squashed text without garbage glyphs: characters with no Unicode mapping in the source
    (the slide deck's broken symbol font) cannot survive typesetting with any real font."""
    return "".join(ch for ch in _squash(text) if not is_suspicious(ch) and ch != "\ufffd")


@pytest.mark.parametrize("entry", manifest(), ids=lambda d: d["id"])
def test_corpus_text_matches_its_source(corpus_pdfs: Path, entry: dict) -> None:
    doc = _read(corpus_pdfs / f"{entry['id']}.pdf")
    source = (CORPUS / "texts" / entry["text"]).read_text(encoding="utf-8")
    similarity = fuzz.ratio(_readable(_text(doc)), _readable(source))
    assert similarity >= 99.5, f"{entry['id']}: {similarity:.2f}"  # measured 99.92-100


@pytest.mark.parametrize("entry", manifest(), ids=lambda d: d["id"])
def test_corpus_fake_bold_headings_are_not_doubled(corpus_pdfs: Path, entry: dict) -> None:
    sidecar = json.loads((corpus_pdfs / f"{entry['id']}.json").read_text(encoding="utf-8"))
    doc = _read(corpus_pdfs / f"{entry['id']}.pdf")
    text = _squash(_text(doc))
    source = _squash((CORPUS / "texts" / entry["text"]).read_text(encoding="utf-8"))
    bold_text = _squash("".join(line.text for page in doc.pages for line in page.lines if line.bold))
    for heading in sidecar["fake_bold"]:
        squashed = _squash(heading)
        assert squashed in bold_text, heading  # a long heading may wrap onto two lines
        # Some source texts already carry doubled headings (fake bold of the original PDF);
        # the reader must add none of its own.
        for doubled in ("".join(ch * 2 for ch in squashed), squashed * 2):
            assert text.count(doubled) <= source.count(doubled), heading


@pytest.mark.parametrize("entry", manifest(), ids=lambda d: d["id"])
def test_corpus_footers_and_running_headers_are_dropped(corpus_pdfs: Path, entry: dict) -> None:
    doc = _read(corpus_pdfs / f"{entry['id']}.pdf")
    header = _squash(entry["short_title"])
    for page in doc.pages:
        squashed_lines = [_squash(line) for line in page.text.splitlines()]
        assert f"-{page.page_no}-" not in squashed_lines, page.page_no
        if page.page_no > 1:
            assert header not in squashed_lines, page.page_no
