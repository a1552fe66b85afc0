"""A document printed to PDF through a printer driver (a Word user's "print to PDF" with PScript5
and Acrobat Distiller, or CubePDF): written directly with PyMuPDF, into
``corpus/overprint/{id}.pdf`` with a sidecar ``{id}.json``.

The document is laid out as its published layout is (``published.typeset``, the manifest's
``[document.published]`` styles), with two habits of such drivers:

* **overprinted bold**: a bold run -- a heading, a table's header row -- is drawn two to four times,
  each extra copy 0.1 to 0.9 pt from the first (on some runs up or down as well), the number and
  the offsets varying from run to run (``sheet.overprint_offsets``, deterministic);
* **Kangxi radicals**: the font's ToUnicode map names, for the kanji that look like them, the
  Kangxi radical (U+2F00 block) instead -- the glyph is the ordinary kanji's, its text ``⼊`` for
  入, ``⽅`` for 方 -- as Distiller's maps for Japanese fonts do (``kangxi = true``).

The sidecar lists every overprinted run with its page and offsets (``overprints``) and the
Kangxi radicals the text layer holds.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pymupdf

from .common import KANGXI, metadata, text_of, write_sidecar
from .published import _styles, fix_to_unicode, typeset
from .sheet import Sheet, faces

PRODUCER = "PScript5.dll Version 5.2.2 / planex corpus/build.py (overprint)"


def build_overprint(entry: dict, out: Path, gothic: str) -> dict:
    """Write ``out/{id}.pdf`` and its sidecar; returns the sidecar."""
    spec = entry["overprint"]
    fonts = faces(gothic)
    doc = pymupdf.open()
    sheet = Sheet(doc, fonts, entry["short_title"])
    sheet.styles = [dataclasses.replace(style, bold="overprint") for style in _styles(entry["published"])]
    sheet.header_bold = True  # a table's header row is bold too, and overprinted
    info = typeset(entry, text_of(entry), fonts, doc, sheet=sheet)
    doc.set_metadata(metadata(entry, PRODUCER))
    doc.subset_fonts()
    remap = KANGXI if spec.get("kangxi") else None
    fix_to_unicode(doc, fonts, remap)
    doc.save(out / f"{entry['id']}.pdf", garbage=4, deflate=True, no_new_id=True)
    pages = doc.page_count
    doc.close()
    used = set().union(*(face.used for face in fonts.values()))
    radicals = sorted(KANGXI[ch] for ch in used if remap and ch in KANGXI)
    sidecar = {"id": entry["id"], "producer": "overprint (a PDF printer driver)", "pages": pages,
               "branch_starts": info["branch_starts"], "overprints": info.get("overprints", []),
               "kangxi": radicals, "bold": info["bold"], "header_pages": info["header_pages"]}  # fmt: skip
    write_sidecar(out, sidecar)
    return sidecar
