"""The reader on real third-party PDFs (corpus/real, see its README) and on the bundled corpus."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from corpus.builder.source import single
from extract.read.normalize import normalize_text
from extract.read.pdf import SECOND_OPINION_TRIES, STATS, PdfReadError, read_pdf
from extract.read.quality import is_suspicious
from tests.conftest import CORPUS, manifest, parsed
from tests.mutations import joined, page_tree_last, repeated_pages, without_unicode_maps


def _read(path: Path):
    return read_pdf(path.read_bytes())


def _text(doc) -> str:
    return "\n".join(page.text for page in doc.pages)


def test_fake_bold_duplicate_chars_are_read_once(real_dir: Path) -> None:
    text = _text(_read(real_dir / "issue-71-duplicate-chars.pdf"))
    assert "计算机科学与技术" in text
    assert "计计" not in text and "算算" not in text


def test_kangxi_radicals_are_read_as_kanji_in_every_text(real_dir: Path) -> None:
    """The file's text layer says ⼀ (U+2F00, a Kangxi radical) where the page shows 一: a font
    map's quirk, folded in the normalized text and in the raw text alike (which keeps what is
    the document's own: full-width digits and brackets)."""
    doc = _read(real_dir / "issue15340.pdf")
    assert "一つの箱内" in _text(doc).replace("\n", "")
    assert "一つの箱内" in doc.pages[0].raw_text.replace("\n", "")
    assert not any("\u2e80" <= ch <= "\u2fdf" for ch in doc.pages[0].raw_text + _text(doc))


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
        (b"%PDF-1.7\n1 0 obj garbage " + b"\x00" * 200 + b"\n%%EOF\n", "malformed"),
        # a download cut short (or preallocated and never filled): no %%EOF at the end
        (b"%PDF-1.7\n1 0 obj garbage " + b"\x00" * 200, "truncated"),
    ],
)
def test_bad_bytes(data: bytes, kind: str) -> None:
    with pytest.raises(PdfReadError) as info:
        read_pdf(data)
    assert info.value.kind == kind


TOKYO = "tokyo-ishikokuho-tokutei-kenshin-plan-3rd.pdf"


def test_a_download_cut_inside_its_font_says_truncated(corpus_pdfs: Path) -> None:
    data = (corpus_pdfs / "like-kenpo-datahealth-plan-step-format.pdf").read_bytes()
    with pytest.raises(PdfReadError) as info:  # the embedded font is most of the file: nothing is left
        read_pdf(data[: len(data) // 3])
    assert info.value.kind == "truncated"
    assert "the file ends early: an incomplete download?" in info.value.message


def test_a_download_cut_before_its_page_tree_keeps_its_pages(corpus_pdfs: Path) -> None:
    """Word and many producers write the page tree last: cut short, MuPDF repairs the file to zero
    pages, but the page objects are all there."""
    original = read_pdf((corpus_pdfs / TOKYO).read_bytes())
    reordered, tree_at = page_tree_last((corpus_pdfs / TOKYO).read_bytes())
    assert [p.text for p in read_pdf(reordered).pages] == [p.text for p in original.pages]
    assert not read_pdf(reordered).truncated
    doc = read_pdf(reordered[:tree_at])
    assert doc.truncated
    assert [p.text for p in doc.pages] == [p.text for p in original.pages]
    cut_more = read_pdf(reordered[: tree_at - 3000])  # into the last page's content stream
    assert cut_more.truncated and 0 < len(cut_more.pages) < len(original.pages)
    whole = len(cut_more.pages) - 1
    assert [p.text for p in cut_more.pages[:whole]] == [p.text for p in original.pages[:whole]]


def test_a_download_cut_after_its_page_tree_keeps_the_pages_before_the_cut(corpus_pdfs: Path) -> None:
    data = (corpus_pdfs / TOKYO).read_bytes()
    original = read_pdf(data)
    doc = read_pdf(data[: int(len(data) * 0.95)])
    assert doc.truncated and len(doc.pages) == len(original.pages)  # page numbers stay the same
    kept = [p for p in doc.pages if p.quality == "ok"]
    assert 0 < len(kept) < len(original.pages)
    # whole pages as they were; the page the cut runs through keeps what was decoded before it
    assert [p.text for p in kept[:-1]] == [p.text for p in original.pages[: len(kept) - 1]]
    assert original.pages[len(kept) - 1].text.startswith(kept[-1].text.splitlines()[0])
    assert all(p.quality == "no_text" for p in doc.pages[len(kept) :])
    assert not original.truncated


def test_a_damaged_header_does_not_hide_a_readable_file(corpus_pdfs: Path) -> None:
    data = bytearray((corpus_pdfs / TOKYO).read_bytes())
    data[1] ^= 0x40  # %PDF- becomes %\x10DF-: one flipped bit
    assert b"%PDF-" not in bytes(data[:1024])
    assert [p.text for p in read_pdf(bytes(data)).pages] == [p.text for p in _read(corpus_pdfs / TOKYO).pages]


SLIDES = "mhlw-datahealth-consortium-call-slides.pdf"


def _break_second_page_dictionary(data: bytes) -> bytes:
    """One flipped bit in the second page's dictionary (``/Type/Page/MediaBox`` becomes
    ``/Type/Page-MediaBox``): MuPDF reads past it, pdfminer raises on it whenever it walks the
    pages — also when pdfplumber closes."""
    marker = b"/Type/Page/MediaBox"
    second = data.index(marker, data.index(marker) + 1)
    return data[:second] + b"/Type/Page-MediaBox" + data[second + len(marker) :]


def test_a_second_reader_that_raises_costs_no_page(corpus_pdfs: Path) -> None:
    original = _read(corpus_pdfs / SLIDES)  # the slide deck has garbled pages: pdfplumber is asked
    assert any(p.quality == "garbled" for p in original.pages)
    damaged = _break_second_page_dictionary((corpus_pdfs / SLIDES).read_bytes())
    doc = read_pdf(damaged)
    assert len(doc.pages) == len(original.pages)
    for mine, theirs in zip(doc.pages, original.pages, strict=True):
        if mine.page_no != 2:  # the page whose dictionary broke
            assert (mine.text, mine.quality) == (theirs.text, theirs.quality)


def test_second_opinions_stop_when_they_do_not_help(corpus_pdfs: Path) -> None:
    """A 500-page plan whose fonts lost their Unicode maps: every page garbled, pdfplumber no
    better. It is asked about the first few pages only, not 500 times (minutes of work)."""
    giant = repeated_pages(without_unicode_maps((corpus_pdfs / TOKYO).read_bytes()), 500)
    before = STATS["second_opinions"]
    doc = read_pdf(giant)
    assert len(doc.pages) == 500 and doc.text_quality == "garbled"
    assert STATS["second_opinions"] - before == SECOND_OPINION_TRIES


def test_second_opinions_go_on_where_they_help(real_dir: Path) -> None:
    """The Shift-JIS CMap sample, made long: pdfplumber reads every page right, so it is asked
    about every page."""
    long = repeated_pages((real_dir / "90ms_rksj_h_sample.pdf").read_bytes(), SECOND_OPINION_TRIES + 3)
    doc = read_pdf(long)
    assert [p.reader for p in doc.pages] == ["pdfplumber"] * (SECOND_OPINION_TRIES + 3)
    assert all("日本語テスト" in p.text for p in doc.pages)


def test_second_opinions_that_helped_once_do_not_go_on_for_ever(corpus_pdfs: Path, real_dir: Path) -> None:
    """A page pdfplumber rescues, then 60 garbled pages it cannot: its one success buys it no more
    than one wasted reading beyond the usual few, not one per page."""
    rescued = (real_dir / "90ms_rksj_h_sample.pdf").read_bytes()
    hopeless = repeated_pages(without_unicode_maps((corpus_pdfs / TOKYO).read_bytes()), 60)
    asked, kept = STATS["second_opinions"], STATS["second_opinions_kept"]
    doc = read_pdf(joined(rescued, hopeless))
    asked, kept = STATS["second_opinions"] - asked, STATS["second_opinions_kept"] - kept
    assert doc.pages[0].reader == "pdfplumber" and "日本語テスト" in doc.pages[0].text
    assert kept == 1
    assert asked - kept == max(SECOND_OPINION_TRIES, kept + 1)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", normalize_text(text))


def _source(entry: dict) -> str:
    """A corpus text as its PDFs show it: a run the transcription holds twice over is set once,
    in bold (corpus/texts/README.md)."""
    text = (CORPUS / "texts" / entry["text"]).read_text(encoding="utf-8")
    return "\n".join("\t".join(single(cell) for cell in line.split("\t")) for line in text.split("\n"))


def _readable(text: str) -> str:
    """Squashed text without garbage glyphs: characters with no Unicode mapping in the source
    (the slide deck's broken symbol font) cannot survive typesetting with any real font."""
    return "".join(ch for ch in _squash(text) if not is_suspicious(ch) and ch != "\ufffd")


@pytest.mark.parametrize("entry", manifest(), ids=lambda d: d["id"])
def test_corpus_text_matches_its_source(corpus_pdfs: Path, entry: dict) -> None:
    doc = _read(corpus_pdfs / f"{entry['id']}.pdf")
    source = _source(entry)
    similarity = fuzz.ratio(_readable(_text(doc)), _readable(source))
    assert similarity >= 99.5, f"{entry['id']}: {similarity:.2f}"  # measured 99.92-100


NO_FAKE_BOLD = {"mhlw-datahealth-consortium-call-slides", "variant-sakura-kyosai-datahealth-plan-3rd"}
"""The corpus documents without a level-1 heading: the slide deck, and the さくら variant, whose
chapters (Ⅰ…Ⅴ) are set in the body font."""


@pytest.mark.parametrize("entry", manifest(), ids=lambda d: d["id"])
def test_corpus_fake_bold_headings_are_not_doubled(corpus_pdfs: Path, entry: dict) -> None:
    sidecar = json.loads((corpus_pdfs / f"{entry['id']}.json").read_text(encoding="utf-8"))
    doc = _read(corpus_pdfs / f"{entry['id']}.pdf")
    text = _squash(_text(doc))
    source = _squash(_source(entry))
    bold_text = _squash("".join(line.text for page in doc.pages for line in page.lines if line.bold))
    if not sidecar["fake_bold"]:  # no heading drawn twice (tests/test_corpus.py says which): none bold
        assert entry["id"] in NO_FAKE_BOLD and bold_text == ""
        return
    for heading in sidecar["fake_bold"]:
        squashed = _squash(heading)
        assert squashed in bold_text, heading  # a long heading may wrap onto two lines
        # The reader reads each glyph once: no heading comes out doubled.
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


LIKE_KENPO = "like-kenpo-datahealth-plan-step-format"


@pytest.mark.reads(LIKE_KENPO)
def test_overprinted_bold_of_the_step_form_reads_once_and_bold(layout: str) -> None:
    """The STEP form's bold runs (drawn twice by its fake bold, or a bold font run in Calc) read
    once, bold, from every layout: no later stage mends doubled text."""
    lines = [line for page in parsed(LIKE_KENPO, layout).pages for line in page.lines]
    texts = [_squash(line.text) for line in lines]
    for title in ("STEP1-1基本情報", "STEP1-3基本分析", "STEP4-1事業報告"):
        found = [line for line, text in zip(lines, texts, strict=True) if text == title]
        assert found and all(line.bold for line in found), (title, [t for t in texts if "STEP" in t])
    whole = "".join(texts)
    for once in ("課題及び阻害要因", "実施状況・時期", "対象者", "保健事業の実施状況"):
        assert once in whole and once * 2 not in whole, once
    assert "STEP11-33" not in whole and "基本情報STEP" not in whole
