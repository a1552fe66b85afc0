"""What every producer of the corpus shares: where things are, the manifest, the fonts, the
ToUnicode maps of fonts the builder embeds itself, and the JSON sidecars.

Paths are relative to the corpus folder (``corpus/``), so the builder runs from any directory.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
import unicodedata
from collections import Counter
from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent.parent  # corpus/
MANIFEST = HERE / "manifest.toml"
TEXTS = HERE / "texts"
DEFAULT_OUT = HERE / "pdfs"
# Beside pdfs/, so that loading a folder loads one layout of each document.
DEFAULT_PUBLISHED = HERE / "published"
DEFAULT_VARIANTS = HERE / "variants"
DEFAULT_REVISIONS = HERE / "revisions"  # later versions of corpus plans, plain layout (manifest [[revision]])
DEFAULT_SCANNED = HERE / "scanned"  # image-only PDFs of plain-layout pages (builder/scanned.py)
DEFAULT_WORD = HERE / "word"  # python-docx -> LibreOffice Writer -> PDF (builder/word.py)
DEFAULT_CALC = HERE / "calc"  # openpyxl -> LibreOffice Calc -> PDF (builder/calc.py)
DEFAULT_OVERPRINT = HERE / "overprint"  # a PDF printer's overprinted bold (builder/overprint.py)
FONT_ENV = "PLANEX_FONT"
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
FONT_NAME = "ipaexg"  # resource name of the font on each page
KANGXI = {unicodedata.normalize("NFKC", chr(cp)): chr(cp) for cp in range(0x2F00, 0x2FD6)}
"""Ordinary kanji -> the Kangxi radical drawn the same (⼊ U+2F0A for 入, ⽅ U+2F45 for 方, …)."""
ASCENT = 0.88  # baseline position within the line box, as a fraction of the font size

# Fixed metadata so that every build gives the same bytes.
FIXED_DATE = "D:20240401000000+09'00'"
PRODUCER = "planex corpus/build.py (PyMuPDF)"


def text_of(entry: dict) -> str:
    """The source text of a manifest entry."""
    return (TEXTS / entry["text"]).read_text(encoding="utf-8")


def write_sidecar(out: Path, sidecar: dict) -> None:
    """``out/{id}.json``: what tests of the reader need to know about ``out/{id}.pdf``."""
    dump = json.dumps(sidecar, ensure_ascii=False, indent=1) + "\n"
    (out / f"{sidecar['id']}.json").write_text(dump, encoding="utf-8")


def metadata(entry: dict, producer: str = PRODUCER) -> dict:
    """Fixed PDF metadata of a document typeset by the builder (the same bytes on every build)."""
    return {"title": entry["title"], "author": entry["insurer"],
            "subject": f"{entry['plan_type']} {entry['period']}", "keywords": "",
            "creator": producer, "producer": producer, "creationDate": FIXED_DATE,
            "modDate": FIXED_DATE}  # fmt: skip


def find_font() -> str:
    env = os.environ.get(FONT_ENV)
    if env:
        if Path(env).is_file():
            return env
        sys.exit(
            f"build.py: {FONT_ENV}={env} is not a file.\n"
            f"Point {FONT_ENV} at ipaexg.ttf, or unset it and `apt-get install fonts-ipaexfont-gothic`."
        )
    for cand in FONT_CANDIDATES:
        if Path(cand).is_file():
            return cand
    sys.exit(
        "build.py: the Japanese font IPAexGothic was not found "
        f"(looked in {', '.join(FONT_CANDIDATES)}).\n"
        "Install it with `apt-get install fonts-ipaexfont-gothic`, "
        f"or set {FONT_ENV} to the path of ipaexg.ttf."
    )


def load_manifest(path: Path = MANIFEST) -> list[dict]:
    with open(path, "rb") as f:
        return tomllib.load(f)["document"]


def load_variants(path: Path = MANIFEST) -> list[dict]:
    """The manifest's ``[[variant]]`` entries, each completed with its base document's keys."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    base = {e["id"]: e for e in data["document"]}
    return [{**base[v["of"]], **v} for v in data.get("variant", [])]


def load_revisions(path: Path = MANIFEST) -> list[dict]:
    """The manifest's ``[[revision]]`` entries: a later version of a document's plans (the next
    year's, or the same plan updated), typeset in the plain layout into ``revisions/``."""
    with open(path, "rb") as f:
        return tomllib.load(f).get("revision", [])


def load_scans(path: Path = MANIFEST) -> list[dict]:
    """The manifest's ``[[scan]]`` entries: pages of plain-layout PDFs to scan."""
    with open(path, "rb") as f:
        return tomllib.load(f).get("scan", [])




# --- measuring and wrapping -------------------------------------------------------------
class Metrics:
    """Per-character advance widths of the font (in em), cached."""

    def __init__(self, font: pymupdf.Font):
        self.font = font
        self.cache: dict[str, float] = {}

    def em(self, ch: str) -> float:
        w = self.cache.get(ch)
        if w is None:
            w = self.font.text_length(ch, fontsize=1.0)
            self.cache[ch] = w
        return w

    def width(self, text: str, size: float) -> float:
        return sum(self.em(c) for c in text) * size

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """Break text into lines no wider than width, at any character (Japanese style).

        A line always gets at least one character, so nothing is ever dropped."""
        limit = width / size
        lines: list[str] = []
        start, acc = 0, 0.0
        for i, ch in enumerate(text):
            w = self.em(ch)
            if acc + w > limit and i > start:
                lines.append(text[start:i])
                start, acc = i, 0.0
            acc += w
        lines.append(text[start:])
        return lines



def refer_font(doc: pymupdf.Document, page: pymupdf.Page, name: str, xref: int) -> None:
    """Put the document's font object ``xref`` into the page's /Resources /Font as ``name``.

    Inserting the font file again on every page costs MuPDF 10-15 ms a page (it embeds the file
    and finds the object it already has); a reference costs nothing."""
    owner, key = page.xref, "Resources"
    kind, value = doc.xref_get_key(owner, key)
    if kind == "xref":
        owner, key = int(value.split()[0]), ""
    path = f"{key}/Font" if key else "Font"
    kind, value = doc.xref_get_key(owner, path)
    if kind == "xref":
        owner, path = int(value.split()[0]), ""
    doc.xref_set_key(owner, f"{path}/{name}" if path else name, f"{xref} 0 R")


# --- text extraction support ------------------------------------------------------------
def to_unicode_cmap(
    font: pymupdf.Font, used: Counter[str], remap: dict[str, str] | None = None
) -> tuple[bytes, list[str]]:
    """A ToUnicode CMap for the glyphs written, mapping each glyph to the character it was
    written for.

    MuPDF's own ToUnicode map comes from a reverse lookup of the font's cmap and picks an
    arbitrary one of the code points that share a glyph: IPAexGothic draws U+0020 and U+00A0,
    U+002D and U+2012, U+301C and U+FF5E with the same glyph, so spaces would come out as
    NO-BREAK SPACE and hyphens as FIGURE DASH.  Where two characters of one document share
    a glyph the more frequent one wins (returned as a list of the characters that lose).
    Glyph 0 (.notdef: characters the font lacks) gets no mapping, so such text stays garbled
    as in the published original. ``remap`` maps a character to the one its glyph should extract
    as instead (``overprint.py``: a printer driver's Kangxi radicals for ordinary kanji)."""
    by_gid: dict[int, Counter[str]] = {}
    for ch, n in used.items():
        gid = font.has_glyph(ord(ch))
        if gid:
            by_gid.setdefault(gid, Counter())[ch] += n
    entries, lost = [], []
    for gid in sorted(by_gid):
        ranked = sorted(by_gid[gid].items(), key=lambda kv: (-kv[1], kv[0]))
        lost.extend(ch for ch, _ in ranked[1:])
        named = (remap or {}).get(ranked[0][0], ranked[0][0])
        entries.append(f"<{gid:04X}> <{named.encode('utf-16-be').hex().upper()}>")
    out = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for i in range(0, len(entries), 100):
        chunk = entries[i : i + 100]
        out += [f"{len(chunk)} beginbfchar", *chunk, "endbfchar"]
    out += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end", ""]
    return "\n".join(out).encode("ascii"), lost


def fix_to_unicode(doc: pymupdf.Document, font: pymupdf.Font, used: Counter[str]) -> list[str]:
    """Replace the ToUnicode map of the embedded font(s); returns the characters that lose
    a shared glyph to another character."""
    xrefs = sorted({f[0] for page in doc for f in page.get_fonts() if f[4] == FONT_NAME})
    cmap, lost = to_unicode_cmap(font, used)
    for xref in xrefs:
        kind, value = doc.xref_get_key(xref, "ToUnicode")
        if kind == "xref":
            doc.update_stream(int(value.split()[0]), cmap)
        else:
            tu = doc.get_new_xref()
            doc.update_object(tu, "<<>>")
            doc.update_stream(tu, cmap)
            doc.xref_set_key(xref, "ToUnicode", f"{tu} 0 R")
    return lost



def squash(text: str) -> str:
    """Text without white space, NFKC-normalized: how the builder finds its texts in the PDFs that
    office software exported (which space and shape characters their own way)."""
    import re

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def page_texts(doc: pymupdf.Document) -> list[str]:
    """Each page's text, squashed."""
    return [squash(page.get_text()) for page in doc]


def first_pages(pages: list[str], texts: list[str]) -> list[int]:
    """The 1-based page where each of ``texts`` is found, in order, each at or after the last."""
    found, cursor = [], 0
    for text in texts:
        wanted = squash(text)
        cursor = next(n for n in range(cursor, len(pages)) if wanted in pages[n])
        found.append(cursor + 1)
    return found
