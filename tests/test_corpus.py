"""The corpus manifest and the corpus builder (corpus/build.py).

The corpus is built once per module into a temporary folder, by running the builder as a
script (from another working directory, to show that its paths do not depend on the cwd).
Expectations come from the source texts, the manifest, the texts' README and the font
itself -- never from the builder's code.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pymupdf
import pytest
from rapidfuzz import fuzz

from corpus.builder.source import single

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
TEXTS = CORPUS / "texts"
BUILD = CORPUS / "build.py"
FONT = os.environ.get("PLANEX_FONT") or "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"

PLAN_TYPES = {"business_plan", "data_health_plan", "tokutei_kenshin_plan", "other"}
SLIDES = "mhlw-datahealth-consortium-call-slides"
KYOUKAI = "kyoukai-kenpo-r3-branch-plans"
A4 = (595.28, 841.89)
WS = re.compile(r"\s+")
UNMAPPED = "\x00\ufffd"  # how MuPDF extracts a glyph that has no Unicode mapping


def _manifest() -> dict:
    with (CORPUS / "manifest.toml").open("rb") as fh:
        return tomllib.load(fh)


MANIFEST = _manifest()["document"]
VARIANTS = _manifest().get("variant", [])


def squash(text: str) -> str:
    return WS.sub("", text)


def folders(out: Path) -> list[str]:
    """Where the builder writes each layout, below ``out`` (never into corpus/ from a test)."""
    return ["--out", str(out), "--published", str(out / "published"), "--variants", str(out / "variants"),
            "--scanned", str(out / "scanned"), "--overprint", str(out / "overprint"),
            "--word", str(out / "word"), "--calc", str(out / "calc")]  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Build the whole corpus once, both layouts; returns (out dir, builder stdout). How long it
    takes is measured by ``make bench``, not asserted here."""
    out = tmp_path_factory.mktemp("corpus")
    cwd = tmp_path_factory.mktemp("elsewhere")
    command = [sys.executable, str(BUILD), *folders(out)]
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


@pytest.fixture(scope="module")
def font() -> pymupdf.Font:
    if not Path(FONT).is_file():
        pytest.skip(f"font {FONT} not installed")
    return pymupdf.Font(fontfile=FONT)


def open_pdf(built: tuple[Path, str], entry: dict) -> pymupdf.Document:
    return pymupdf.open(built[0] / f"{entry['id']}.pdf")


def sidecar(built: tuple[Path, str], entry: dict) -> dict:
    return json.loads((built[0] / f"{entry['id']}.json").read_text(encoding="utf-8"))


DIGITS = "0-9０-９"
LEVEL_ONE = re.compile(
    rf"^(?:序\s*章|第\s*[{DIGITS}一二三四五六七八九十]+\s*章)(?:\s|$)"  # 序章, 第N章
    rf"|^(?:令和|平成)\s*[{DIGITS}元]+\s*年度\s*\S*事業計画（[^）]+）$"  # 令和 3年度 事業計画（○○支部）
    rf"|^STEP\s*[{DIGITS}]+(?:\s*[-－‐][{DIGITS}]+)?(?:\s|$)"  # STEP１-１
    rf"|^[{DIGITS}]+[．.]\s*\S+関係(?:\s|$)"  # １．基盤的保険者機能関係
)
FIELD_LABEL = re.compile(rf"^([{DIGITS}]+[．.]\s*\S+関係)\s+\S")


def level_one_headings(text: str, field_label: str | None = None) -> list[str]:
    """The lines of a source text that corpus/README.md says are set as level-1 headings, written
    here from the README, not taken from the builder: a line (not of a table) of at most 40
    characters, not ending in 。, that starts a chapter, a branch plan, a STEP or a 協会けんぽ field;
    and the field label that heads a longer line. A document whose manifest entry has a
    ``field_label`` spells its fields so: its lines that open with one are its fields."""
    found = []
    fields = re.compile(rf"({field_label})\s+\S") if field_label else FIELD_LABEL
    for raw in text.splitlines():
        line = raw.strip()
        if not line or "\t" in raw:
            continue
        short = len(line) <= 40 and not line.endswith("。")
        if field_label and re.match(field_label, line):
            found.append(line if short else fields.match(line).group(1))  # type: ignore[union-attr]
        elif short and LEVEL_ONE.search(line):
            found.append(line)
        elif field := fields.match(line):
            found.append(field.group(1))
    return found


def source(entry: dict) -> str:
    """The text as typeset: the transcription's ``**`` emphasis marks are never printed, and a run
    it holds twice over is set once, in bold (corpus/texts/README.md; tests/corpus/test_source.py)."""
    text = (TEXTS / entry["text"]).read_text(encoding="utf-8").replace("**", "")
    return "\n".join("\t".join(single(cell) for cell in line.split("\t")) for line in text.split("\n"))


def drawn_twice(runs: list[str]) -> int:
    """Characters of the second copies of bold runs (the transcription's doubled runs) that the text
    extraction gives: MuPDF folds the copy of a lone character drawn right after it (its own
    fake-bold rule), so a one-character run comes out once."""
    return sum(len(squash(r)) for r in runs if len(squash(r)) > 1)


def transcription(entry: dict) -> str:
    """The text as transcribed, its doubled runs twice (as PyMuPDF reads the copies of fake bold)."""
    return (TEXTS / entry["text"]).read_text(encoding="utf-8").replace("**", "")


def body_text(doc: pymupdf.Document, entry: dict) -> str:
    """The text of the whole PDF without page footers and running headers.

    The footer is the last thing on a page and the header the first; both are checked here,
    so a missing footer or header fails every test that reads the body."""
    parts = []
    for page in doc:
        text = page.get_text().rstrip()
        footer = f"- {page.number + 1} -"
        assert text.endswith(footer), f"page {page.number + 1}: no footer {footer!r}"
        text = text[: -len(footer)]
        if page.number > 0:
            assert text.startswith(entry["short_title"] + "\n"), f"page {page.number + 1}: no header"
            text = text[len(entry["short_title"]) :]
        parts.append(text)
    return "".join(parts)


def first_miss(needle: str, haystack: str) -> int | None:
    """Index of the first character of needle that is not found, in order, in haystack
    (None when needle is a subsequence of haystack)."""
    j = 0
    for i, ch in enumerate(needle):
        j = haystack.find(ch, j)
        if j < 0:
            return i
        j += 1
    return None


# An HTML tag (<p>, </ul>, <ol style="…">, <br/>) or entity (&amp; &nbsp; &#12354;): what a web page
# or a converter leaves in a transcription, never part of a published plan. Angle brackets around
# Japanese words (<生活習慣病予防健診>, <Ⅰ・Ⅱ・Ⅲ>) and a bare & (Q&A) are the documents' own text.
HTML = re.compile(
    r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>"  # a tag, with or without attributes
    r"|&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);"  # an entity
)


def test_html_pattern_tells_markup_from_the_documents_brackets() -> None:
    markup = ['<ul style="list-style-type: none">', "<p>", "</p>", "<br/>", "&amp;", "&nbsp;", "&#12354;"]
    assert all(HTML.fullmatch(m) for m in markup)
    text = "<生活習慣病予防健診> (3)ジェネリック医薬品の使用促進 <Ⅱ・Ⅲ> Q&A リサーチ&テクノロジーズ 1<2 3>2"
    assert not HTML.search(text)


def test_no_text_holds_html_markup() -> None:
    files = [*sorted(TEXTS.glob("*.txt")), CORPUS / "manifest.toml"]
    assert len(files) == len(MANIFEST) + 1 >= 6  # every text of the manifest, and the manifest
    found = [
        f"{path.name}:{n}: {m.group()}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for m in HTML.finditer(line)
    ]
    assert found == []


# --- the manifest -------------------------------------------------------------------------
def test_manifest_covers_every_text_once() -> None:
    texts = sorted(p.name for p in TEXTS.glob("*.txt"))
    assert sorted(e["text"] for e in MANIFEST) == texts
    ids = [e["id"] for e in MANIFEST]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["id"])
def test_manifest_entry_is_complete(entry: dict) -> None:
    for key in ("id", "text", "title", "insurer", "plan_type", "period", "published_at", "short_title"):
        assert isinstance(entry.get(key), str) and entry[key].strip(), key
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", entry["id"])
    assert entry["id"] == Path(entry["text"]).stem.replace("_", "-")
    assert entry["plan_type"] in PLAN_TYPES
    assert re.fullmatch(r"FY\d{4}(?:-FY\d{4})?", entry["period"])
    years = [int(y) for y in re.findall(r"\d{4}", entry["period"])]
    assert years == sorted(years)
    assert re.match(r"https://[^/]+\.[a-z]+/", entry["published_at"])
    assert len(entry["short_title"]) <= 30
    if "page_break_before" in entry:
        re.compile(entry["page_break_before"])


def test_manifest_facts_from_the_texts_readme() -> None:
    by_id = {e["id"]: e for e in MANIFEST}
    assert by_id[KYOUKAI]["insurer"] == "全国健康保険協会"
    assert by_id[KYOUKAI]["plan_type"] == "business_plan"
    assert by_id[KYOUKAI]["period"] == "FY2021"  # 令和3年度
    assert by_id["chikyosai-oita-datahealth-plan-3rd"]["period"] == "FY2024-FY2029"  # 令和6–11年度
    assert by_id["tokyo-ishikokuho-tokutei-kenshin-plan-3rd"]["plan_type"] == "tokutei_kenshin_plan"
    assert by_id[SLIDES]["insurer"] == "厚生労働省"


# --- the build ------------------------------------------------------------------------------
def test_build_reports_each_document(built: tuple[Path, str]) -> None:
    _, stdout = built
    reported = {tuple(line.split()[:2]) for line in stdout.splitlines() if line.strip()}
    for entry in MANIFEST:
        assert (entry["id"], "plain") in reported and (entry["id"], "published") in reported, entry["id"]
    for variant in VARIANTS:
        assert (variant["id"], "variant") in reported


def test_build_is_deterministic(built: tuple[Path, str], tmp_path: Path) -> None:
    entry = min(MANIFEST, key=lambda e: (TEXTS / e["text"]).stat().st_size)
    proc = subprocess.run(
        [sys.executable, str(BUILD), *folders(tmp_path), "--only", entry["id"]],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    names = [f"{entry['id']}.json", f"{entry['id']}.pdf"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == names
    assert sorted(p.name for p in (tmp_path / "published").iterdir()) == names
    for folder in (Path(), Path("published")):
        for suffix in (".pdf", ".json"):
            again = (tmp_path / folder / f"{entry['id']}{suffix}").read_bytes()
            assert again == (built[0] / folder / f"{entry['id']}{suffix}").read_bytes(), (folder, suffix)


def test_unknown_id_is_an_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(BUILD), *folders(tmp_path), "--only", "no-such-document"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert "no-such-document" in proc.stderr


def test_missing_font_is_a_clear_error(tmp_path: Path) -> None:
    env = dict(os.environ, PLANEX_FONT=str(tmp_path / "no-such-font.ttf"))
    command = [sys.executable, str(BUILD), *folders(tmp_path)]
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    assert proc.returncode != 0
    assert "fonts-ipaexfont-gothic" in proc.stderr and "PLANEX_FONT" in proc.stderr
    assert not list(tmp_path.glob("*.pdf"))


# --- each PDF -------------------------------------------------------------------------------
def spans_of(page: pymupdf.Page) -> list[dict]:
    return [s for b in page.get_text("dict")["blocks"] for ln in b.get("lines", []) for s in ln["spans"]]


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["id"])
def test_pdf_is_a4_with_title_and_sidecar(built: tuple[Path, str], entry: dict) -> None:
    doc = open_pdf(built, entry)
    assert doc.page_count > 0
    for page in doc:
        assert page.rect.width == pytest.approx(A4[0], abs=1.0)
        assert page.rect.height == pytest.approx(A4[1], abs=1.0)
    assert doc.metadata["title"] == entry["title"]
    side = sidecar(built, entry)
    assert side["id"] == entry["id"]
    assert side["pages"] == doc.page_count


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["id"])
def test_font_is_embedded_subset_ipaexgothic(built: tuple[Path, str], entry: dict) -> None:
    doc = open_pdf(built, entry)
    fonts = {f for page in doc for f in page.get_fonts(full=True)}
    assert fonts
    for xref, ext, _type, basefont, *_ in fonts:
        assert "IPAexGothic" in basefont, basefont
        assert re.match(r"[A-Z]{6}\+", basefont), f"not a subset: {basefont}"
        _name, ext2, _, content = doc.extract_font(xref)
        assert ext == ext2 == "ttf", (ext, ext2)  # embedded TrueType (FontFile2)
        assert content, f"{basefont} is not embedded"
        assert "IPAexGothic" in pymupdf.Font(fontbuffer=content).name
        assert len(content) < 1_500_000, "the embedded font should be a subset"
    assert sum(len(doc.extract_font(f[0])[3]) for f in fonts) < 0.6 * Path(FONT).stat().st_size


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["id"])
def test_every_page_has_footer_and_running_header(built: tuple[Path, str], entry: dict) -> None:
    doc = open_pdf(built, entry)
    first = doc[0].get_text()
    assert not first.startswith(entry["short_title"]), "no running header on the first page"
    body_text(doc, entry)  # asserts footer and header on every page
    for page in doc:  # the footer is centred at the bottom, the header small at the top
        hits = page.search_for(f"- {page.number + 1} -")
        assert hits and hits[-1].y0 > page.rect.height * 0.9
        assert abs((hits[-1].x0 + hits[-1].x1) / 2 - page.rect.width / 2) < 2
        if page.number > 0:
            spans = spans_of(page)
            head = [s for s in spans if s["text"].strip() == entry["short_title"]]
            assert head and head[0]["bbox"][1] < page.rect.height * 0.1 and head[0]["size"] < 9


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["id"])
def test_page_breaks_before_each_branch(built: tuple[Path, str], entry: dict) -> None:
    side = sidecar(built, entry)
    if "page_break_before" not in entry:
        assert side["branch_starts"] == []
        return
    rx = re.compile(entry["page_break_before"])
    branch_lines = [ln.strip() for ln in source(entry).splitlines() if rx.search(ln.strip())]
    assert len(side["branch_starts"]) == len(branch_lines)
    starts = side["branch_starts"]
    assert starts == sorted(set(starts)), "each branch starts its own page"
    doc = open_pdf(built, entry)
    for line, page_no in zip(branch_lines, starts, strict=True):
        page = doc[page_no - 1]
        text = page.get_text()
        if page_no > 1:
            text = text.split("\n", 1)[1]  # below the running header
        assert squash(text).startswith(squash(line)), (page_no, line)


def test_kyoukai_has_one_page_break_per_branch(built: tuple[Path, str]) -> None:
    entry = next(e for e in MANIFEST if e["id"] == KYOUKAI)
    # corpus/texts/README.md: 35 of the 47 branches, each starting at 令和 3年度 事業計画（○○支部）
    assert len(sidecar(built, entry)["branch_starts"]) == 35
    assert sidecar(built, entry)["branch_starts"][0] == 1


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["id"])
def test_fake_bold_headings_are_drawn_twice(built: tuple[Path, str], entry: dict) -> None:
    side = sidecar(built, entry)
    # exactly the level-1 headings (第N章, STEP, 1．…関係 …) are drawn twice, and the runs the
    # transcription holds twice (bold_runs); the さくら variant numbers its chapters Ⅰ…Ⅴ, set in the
    # body font like the rest of its headings: it has none
    assert sorted(side["fake_bold"]) == sorted(level_one_headings(source(entry), entry.get("field_label")))
    src = squash(source(entry))
    for heading in side["fake_bold"]:
        assert squash(heading) in src, heading
    doc = open_pdf(built, entry)
    copied = 0  # characters of spans drawn a second time a fraction of a point to the right
    for page in doc:
        spans = spans_of(page)
        for s in spans:
            for t in spans:
                if (
                    t is not s
                    and t["text"] == s["text"]
                    and t["origin"][1] == pytest.approx(s["origin"][1], abs=0.01)
                    and 0.1 < t["origin"][0] - s["origin"][0] < 1.0
                ):
                    if s["size"] >= 14:
                        copied += len(squash(t["text"]))
                    else:  # a run the transcription holds twice (a span of several, or of one)
                        bold = squash("".join(side["bold_runs"]))
                        assert squash(t["text"]) in bold, "only level-1 headings and doubled runs: fake bold"
    assert copied == sum(len(squash(h)) for h in side["fake_bold"])


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["id"])
def test_every_source_character_appears_in_order(
    built: tuple[Path, str], entry: dict, font: pymupdf.Font
) -> None:
    """Nothing dropped, nothing reworded: the source (less white space, less characters the
    font cannot draw) is a subsequence of the extracted text, and the only extra characters
    are the second copies of the fake-bold headings and runs."""
    side = sidecar(built, entry)
    drawable = "".join(ch for ch in squash(source(entry)) if font.has_glyph(ord(ch)))
    got = "".join(ch for ch in squash(body_text(open_pdf(built, entry), entry)) if ch not in UNMAPPED)
    miss = first_miss(drawable, got)
    assert miss is None, f"{drawable[max(0, miss - 20) : miss]} >>{drawable[miss : miss + 20]}"
    extra = sum(len(squash(h)) for h in side["fake_bold"]) + drawn_twice(side["bold_runs"])
    assert len(got) - len(drawable) == extra


@pytest.mark.parametrize("entry", MANIFEST, ids=lambda e: e["id"])
def test_text_similarity_to_source(built: tuple[Path, str], entry: dict) -> None:
    got = squash(body_text(open_pdf(built, entry), entry))
    ratio = fuzz.ratio(got, squash(transcription(entry)))
    if entry["id"] == SLIDES:
        # The slide deck's text has 144 characters (Latin letters with diacritics, Hebrew
        # points and letters, combining half marks: garbage from the original's broken symbol
        # font) that IPAexGothic has no glyph for; they are drawn as .notdef and extract as
        # U+0000.  Measured ratio 97.6; 95 leaves a margin.
        assert ratio >= 95, ratio
    else:
        # Plans: all but a handful of characters round-trip; the difference is mainly the
        # doubled fake-bold headings.  Measured 99.4-99.9.
        assert ratio >= 98, ratio


# --- the published layout (corpus/published.py) ------------------------------------------------
# Expectations from the manifest's [document.published] tables and the source texts.
PUBLISHED_FONTS = ("IPAexGothic", "IPAexMincho", "MigMix")
PUBLISHED = [e for e in MANIFEST if "published" in e]


def published(built: tuple[Path, str], entry: dict) -> pymupdf.Document:
    return pymupdf.open(built[0] / "published" / f"{entry['id']}.pdf")


def published_sidecar(built: tuple[Path, str], entry: dict) -> dict:
    return json.loads((built[0] / "published" / f"{entry['id']}.json").read_text(encoding="utf-8"))


def test_every_document_has_a_published_layout() -> None:
    assert [e["id"] for e in PUBLISHED] == [e["id"] for e in MANIFEST]
    layouts = {e["id"]: e["published"]["layout"] for e in PUBLISHED}
    assert layouts[KYOUKAI] == "branch_table"
    assert layouts["like-kenpo-datahealth-plan-step-format"] == "sheets"
    documents = ("chikyosai-oita-datahealth-plan-3rd", "tokyo-ishikokuho-tokutei-kenshin-plan-3rd")
    word = {layouts[k] for k in documents}
    assert word == {"word"}


@pytest.mark.parametrize("entry", PUBLISHED, ids=lambda e: e["id"])
def test_published_pages_are_a4_either_way_and_turned_pages_are_turned(
    built: tuple[Path, str], entry: dict
) -> None:
    doc = published(built, entry)
    assert doc.metadata["title"] == entry["title"]
    assert published_sidecar(built, entry)["pages"] == doc.page_count
    for page in doc:
        shown = sorted((page.rect.width, page.rect.height))
        assert shown == pytest.approx(sorted(A4), abs=1.0)
        if page.rotation:  # a landscape sheet written on a portrait page, turned
            assert page.rotation == 90 and page.mediabox.width < page.mediabox.height
            assert page.rect.width > page.rect.height


@pytest.mark.parametrize("entry", PUBLISHED, ids=lambda e: e["id"])
def test_published_fonts_are_embedded_subsets(built: tuple[Path, str], entry: dict) -> None:
    doc = published(built, entry)
    fonts = {f for page in doc for f in page.get_fonts(full=True)}
    total = 0
    for xref, ext, _type, basefont, *_ in fonts:
        assert any(name in basefont for name in PUBLISHED_FONTS), basefont
        assert re.match(r"[A-Z]{6}\+", basefont), f"not a subset: {basefont}"
        content = doc.extract_font(xref)[3]
        assert ext == "ttf" and content
        total += len(content)
    assert total < 3_000_000, "the embedded fonts should be subsets"


def test_the_compilation_varies_what_producers_vary(built: tuple[Path, str]) -> None:
    entry = next(e for e in PUBLISHED if e["id"] == KYOUKAI)
    side = published_sidecar(built, entry)
    styles = side["styles"]
    assert len(styles) == len(side["branch_starts"]) == 35
    assert {s["orientation"] for s in styles} == {"portrait", "landscape"}
    assert {s["body"] for s in styles} == {"gothic", "mincho"}
    assert {s["repeat_header"] for s in styles} == {True, False}
    assert len({s["label_width"] for s in styles}) >= 3
    assert any(s["rotate"] for s in styles)
    assert all(side["bold"][kind] for kind in ("font", "fake", "stroke")), "headings bold three ways"
    doc = published(built, entry)
    basefonts = " ".join(f[3] for page in doc for f in page.get_fonts())
    assert all(name in basefonts for name in PUBLISHED_FONTS)
    assert any(b" 2 Tr" in page.read_contents() for page in doc), "fill-and-stroke text"
    assert any(page.rotation == 90 for page in doc)


def test_the_header_row_repeats_on_the_pages_the_sidecar_names(built: tuple[Path, str]) -> None:
    entry = next(e for e in PUBLISHED if e["id"] == KYOUKAI)
    side = published_sidecar(built, entry)
    header = side["header"]
    rx = re.compile(entry["published"]["header_row"])
    assert rx.match(" ".join(header))
    doc = published(built, entry)
    starts = set(side["branch_starts"])
    repeated = [n for n in side["header_pages"] if n not in starts]
    assert repeated and len(repeated) < doc.page_count - len(starts)  # some branches repeat it, some do not
    for n in repeated:  # first thing on the page below the running header
        assert doc[n - 1].get_text().split("\n")[1 : 1 + len(header)] == header, n


@pytest.mark.parametrize("entry", PUBLISHED, ids=lambda e: e["id"])
def test_published_layout_writes_every_source_character_in_order(
    built: tuple[Path, str], entry: dict, font: pymupdf.Font
) -> None:
    """As in the plain layout: the source is a subsequence of the extracted text, and the only
    extra characters are the fake-bold copies and the header rows repeated on later pages."""
    side = published_sidecar(built, entry)
    drawable = "".join(ch for ch in squash(source(entry)) if font.has_glyph(ord(ch)))
    got = "".join(ch for ch in squash(body_text(published(built, entry), entry)) if ch not in UNMAPPED)
    miss = first_miss(drawable, got)
    assert miss is None, f"{drawable[max(0, miss - 20) : miss]} >>{drawable[miss : miss + 20]}"
    extra = sum(len(squash(h)) for h in side["bold"]["fake"]) + drawn_twice(side.get("bold_runs", []))
    if side["layout"] == "branch_table":
        repeats = len(side["header_pages"]) - len(side["branch_starts"])
        extra += repeats * len(squash("".join(side["header"])))
    else:
        extra += sum((len(t["pages"]) - 1) * len(squash("".join(t["header"]))) for t in side["header_pages"])
    # MigMix draws the few characters IPAex lacks (superscripts, U+2215): they come out in bold text
    assert 0 <= len(got) - len(drawable) - extra <= 5
