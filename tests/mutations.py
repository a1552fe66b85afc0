"""Damaged copies of corpus PDFs, made the ways real downloads get damaged (for the robustness tests).

Every function is deterministic: the same bytes (and, for :func:`mutate`, the same seeded
``random.Random``) give the same damaged file, so a failure found once can be reproduced.

- :func:`mutate`: truncation (a download cut short), byte flips (a bad disk), a deleted run
  (a broken tool dropping bytes) or an inserted run (random bytes, or bytes of the file itself
  spliced in elsewhere, as tools that rewrite PDFs badly do).
- :func:`page_tree_last`: the same PDF written with its page tree and catalog as the last
  objects, as Word and many other producers write them, so that cutting the file short loses
  the page tree while the pages themselves are still in the file.
- :func:`without_unicode_maps`: every font's ToUnicode map removed, so that every page comes
  out garbled (a font without a usable Unicode map, the classic broken Japanese PDF).
- :func:`repeated_pages`: a document made long by copying its pages.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

import pymupdf

pymupdf.TOOLS.mupdf_display_errors(False)  # damaged files are the point here: no noise on stderr
pymupdf.TOOLS.mupdf_display_warnings(False)

MUTATIONS = ("truncate", "flip", "delete", "insert")


def first_pages(path: Path, pages: int) -> bytes:
    """The first ``pages`` pages of a PDF as a PDF of its own (a small source to mutate)."""
    doc = pymupdf.open(path)
    doc.select(list(range(min(pages, doc.page_count))))
    data = doc.tobytes(garbage=4, deflate=True, no_new_id=True)
    doc.close()
    return data


def mutate(data: bytes, how: str, rng: random.Random) -> bytes:
    """``data`` damaged one way (see :data:`MUTATIONS`)."""
    size = len(data)
    if how == "truncate":
        # Half the cuts fall in the last fifth, where the page objects and contents usually are:
        # those leave pages to recover, the others mostly cut through the embedded font.
        low = 0.8 if rng.random() < 0.5 else 0.0
        return data[: max(1, int(size * rng.uniform(low, 1.0)))]
    out = bytearray(data)
    if how == "flip":
        for _ in range(rng.randint(1, 40)):
            i = rng.randrange(size)
            out[i] ^= 1 << rng.randrange(8)
        return bytes(out)
    if how == "delete":
        for _ in range(rng.randint(1, 3)):
            start = rng.randrange(len(out))
            del out[start : start + rng.randint(1, 4096)]
        return bytes(out)
    if how == "insert":
        at, length = rng.randrange(size), rng.randint(1, 4096)
        if rng.random() < 0.5:
            source = rng.randrange(size)
            run = data[source : source + length]
        else:
            run = rng.randbytes(length)
        return bytes(out[:at]) + run + bytes(out[at:])
    raise ValueError(f"unknown mutation {how!r}")


def page_tree_last(data: bytes) -> tuple[bytes, int]:
    """The PDF rewritten (classic xref table) with the page tree nodes and the catalog as its last
    objects; returns the bytes and the offset where the first of those objects starts."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    tree = {doc.pdf_catalog()}
    tree |= {x for x in range(1, doc.xref_length()) if doc.xref_get_key(x, "Type") == ("name", "/Pages")}
    order = [x for x in range(1, doc.xref_length()) if x not in tree] + sorted(tree)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    tree_starts = 0
    for xref in order:
        if xref == min(tree):
            tree_starts = len(out)
        offsets[xref] = len(out)
        out += f"{xref} 0 obj\n{doc.xref_object(xref, compressed=True)}\n".encode("latin-1")
        if doc.xref_is_stream(xref):
            out += b"stream\n" + doc.xref_stream_raw(xref) + b"\nendstream\n"
        out += b"endobj\n"
    xref_at = len(out)
    count = doc.xref_length()
    out += f"xref\n0 {count}\n0000000000 65535 f \n".encode()
    for xref in range(1, count):
        out += f"{offsets.get(xref, 0):010d} 00000 {'n' if xref in offsets else 'f'} \n".encode()
    out += f"trailer\n<</Size {count}/Root {doc.pdf_catalog()} 0 R>>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    doc.close()
    return bytes(out), tree_starts


def without_unicode_maps(data: bytes) -> bytes:
    """The PDF with every font's /ToUnicode map removed: its text can no longer be decoded."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    for xref in range(1, doc.xref_length()):
        if doc.xref_get_key(xref, "ToUnicode")[0] != "null":
            doc.xref_set_key(xref, "ToUnicode", "null")
    out = doc.tobytes(garbage=1, deflate=True, no_new_id=True)
    doc.close()
    return out


def repeated_pages(data: bytes, pages: int) -> bytes:
    """The PDF made ``pages`` pages long by copying its pages in order, again and again."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    original = doc.page_count
    while doc.page_count < pages:
        doc.fullcopy_page(doc.page_count % original)
    out = doc.tobytes(garbage=1, deflate=True, no_new_id=True)
    doc.close()
    return out


def joined(*parts: bytes) -> bytes:
    """One PDF with the pages of ``parts``, in order."""
    doc = pymupdf.open()
    for part in parts:
        with pymupdf.open(stream=part, filetype="pdf") as source:
            doc.insert_pdf(source)
    out = doc.tobytes(garbage=1, deflate=True, no_new_id=True)
    doc.close()
    return out


def with_title(data: bytes, title: str) -> bytes:
    """The PDF with ``title`` as its metadata title (text a PDF hands the reader verbatim)."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    doc.set_metadata({**(doc.metadata or {}), "title": title})
    out = doc.tobytes(garbage=1, deflate=True, no_new_id=True)
    doc.close()
    return out


def has_eof_marker(data: bytes) -> bool:
    return re.search(rb"%%EOF\s*$", data[-1024:]) is not None


def text_readable(data: bytes) -> bool:
    """True if PyMuPDF alone, with no help, reads some text on some page of ``data``."""
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception:
        return False
    try:
        for index in range(doc.page_count):
            try:
                if doc.load_page(index).get_text().strip():
                    return True
            except Exception:
                continue
        return False
    except Exception:
        return False
    finally:
        doc.close()


@dataclass
class Mutant:
    path: Path
    source: str
    how: str


@dataclass
class Batch:
    """A download folder: the unmutated sources (``0-originals/``, loaded first, so that their
    times include every first-use cost a worker pays) and their damaged copies (``1-mutants/``)."""

    originals: dict[str, Path]
    mutants: list[Mutant]


def sources(corpus_pdfs: Path, real_dir: Path, pages: int = 4) -> dict[str, bytes]:
    """Small sources: the first ``pages`` pages of every corpus PDF, the small real PDFs that can
    be read (vertical writing, a Shift-JIS CMap font, fake bold, Kangxi radicals), and a plan
    whose fonts lost their Unicode maps: every page garbled, so that pdfplumber (pdfminer) is
    asked about its damaged copies, as it is about real plans with broken fonts."""
    found = {path.stem: first_pages(path, pages) for path in sorted(corpus_pdfs.glob("*.pdf"))}
    tokyo = found["tokyo-ishikokuho-tokutei-kenshin-plan-3rd"]
    found["tokyo-without-unicode-maps"] = without_unicode_maps(tokyo)
    for name in ("vertical", "90ms_rksj_h_sample", "issue-71-duplicate-chars", "issue15340"):
        found[name] = (real_dir / f"{name}.pdf").read_bytes()
    return found


def build_batch(folder: Path, sources: dict[str, bytes], count: int, seed: int) -> Batch:
    """``count`` distinct damaged copies of ``sources`` (the mutations in turn, sources at random
    from a ``random.Random(seed)``), written into ``folder`` with the originals."""
    rng = random.Random(seed)
    (folder / "0-originals").mkdir(parents=True)
    (folder / "1-mutants").mkdir()
    originals = {}
    seen = set()
    for name, data in sources.items():
        originals[name] = folder / "0-originals" / f"{name}.pdf"
        originals[name].write_bytes(data)
        seen.add(data)
    names = sorted(sources)
    mutants = []
    while len(mutants) < count:
        how = MUTATIONS[len(mutants) % len(MUTATIONS)]
        name = rng.choice(names)
        data = mutate(sources[name], how, rng)
        if data in seen:  # the same bytes twice would be one document under two names
            continue
        seen.add(data)
        path = folder / "1-mutants" / f"{len(mutants):03d}-{how}-{name}.pdf"
        path.write_bytes(data)
        mutants.append(Mutant(path, name, how))
    return Batch(originals, mutants)
