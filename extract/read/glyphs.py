"""Glyphs: a page's characters one by one, as the producer drew them, cleaned before they become
lines (:mod:`extract.read.layout`).

What office software and PDF printers draw that is not text, handled here where the geometry of
every character is known, so that no later stage has to mend the text:

- **Overprinted bold.** Word printed through a PDF printer (Acrobat Distiller, CubePDF), and many
  producers' "fake bold", draw a bold run two to four times, each copy offset by a fraction of a
  point. Copies of the same character drawn within about a point of one already drawn, at the
  same size, are that character: one glyph per glyph, whatever the number of copies and their
  offsets, and the kept one is bold.
- **Autospace.** Word and LibreOffice set Japanese apart from digits and Latin letters with a
  gap, not a space character (``令和 3 年度`` is written ``令和3年度`` with wider spacing).
  MuPDF turns every such gap into a space; here a space is put only where the PDF has one, or
  between two Latin letters or digits set apart (words positioned one by one). Letter-spaced
  kana and kanji (``目 的`` set wide) get no space either.
- **Furigana** (ruby): small kana set above a kanji run, which MuPDF reads into the line or as a
  line of its own before the word (``きんきゅうあんぜんかくほ緊急安全確保``). Small kana above the
  baseline of a larger line are dropped (:func:`is_ruby` for a line of their own).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SAME_GLYPH = 1.0
"""Points within which a copy of a character (the same character, the same size) is an overprint."""
SAME_GLYPH_SHARE = 0.3
"""… but never more than this share of the font size: two characters written one after the other
are at least half an em apart, even in small type."""
RUBY_SIZE = 0.7
"""Ruby is set at most this share of the size of the text it reads (usually half)."""
RUBY_RISE = 0.3
"""… with its baseline above the text's by at least this many of the text's font sizes."""

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u2e80-\u2fdf\u3005-\u3007々〆ヶ]")
_KANA = re.compile(r"^[\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ffー・]+$")

Turn = Callable[[float, float], tuple[float, float]]
"""From MuPDF's coordinates of a page to the page as shown (:func:`extract.read.layout.turner`)."""


@dataclass(slots=True)
class Glyph:
    """One character as drawn: its box and origin on the page as shown, size, and boldness."""

    c: str
    x0: float
    y0: float
    x1: float
    y1: float
    ox: float
    oy: float
    size: float
    bold: bool
    span: int
    """Which run of the producer's (MuPDF span) the glyph came in, numbered over the page."""


class Overprints:
    """The glyphs drawn so far on a page, by character, to tell a copy from a new glyph.

    Copies are remembered too: a printer that shifts each copy a little further (0.3, 0.6, 0.9
    pt) makes a chain, every link within a point of the one before.

    They are filed by character and by a band of the page's height (:data:`_BAND` points), so
    that a glyph is compared only with the copies of its character near its baseline, not with
    every one drawn on the page (a page has hundreds of ``の``); of the drawings that match, the
    first drawn is the one it copies."""

    __slots__ = ("_drawn", "_seen")

    def __init__(self) -> None:
        self._seen: dict[str, dict[int, list[tuple[int, float, float, float, Glyph]]]] = {}
        self._drawn = 0

    def add_span(self, chars: Iterable[dict], size: float, bold: bool, span: int, turn: Turn | None,
                 out: list[Glyph]) -> None:  # fmt: skip
        """Append to ``out`` the glyphs of one of the producer's runs (MuPDF ``rawdict`` characters,
        all of one ``size``, turned by ``turn`` if the page is) that overprint none kept before; a
        copy makes the glyph it copies bold (a space drawn twice is one space, and says nothing of
        boldness).

        A copy is of the same character and size, its origin within the size's tolerance of the
        earliest drawing it matches (copies count too: a printer that shifts each copy a little
        further makes a chain). Done a run at a time, not a glyph at a time: the tolerance is the
        run's, and a page has thousands of glyphs."""
        seen = self._seen
        tol = _tolerance(size)  # once a run
        matchable = math.isfinite(tol)  # no size: no copy
        reach_bands = tol <= 64 * _BAND
        isfinite, floor = math.isfinite, math.floor
        number = self._drawn
        for ch in chars:
            c = ch["c"]
            x0, y0, x1, y1 = ch["bbox"]
            ox, oy = ch["origin"]
            if turn is not None:
                (ax, ay), (bx, by) = turn(x0, y0), turn(x1, y1)
                x0, y0, x1, y1 = min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)
                ox, oy = turn(ox, oy)
            bands = seen.get(c)
            finite = isfinite(oy)  # a drawing without a finite baseline matches nothing, now or later
            kept: Glyph | None = None
            if bands and finite and matchable:  # none the first of its character
                first: tuple[int, float, float, float, Glyph] | None = None
                if reach_bands:  # the bands a baseline within tol reaches (and a hair more: rounding)
                    low, high = floor((oy - tol - _HAIR) / _BAND), floor((oy + tol + _HAIR) / _BAND)
                    near: Iterable[int] = (low,) if low == high else range(low, high + 1)
                else:  # type as big as a page: every band of the character
                    near = sorted(bands)
                for at in near:
                    drawn = bands.get(at)
                    if drawn is None:
                        continue
                    for entry in drawn:
                        if (abs(entry[1] - ox) <= tol and abs(entry[2] - oy) <= tol
                                and abs(entry[3] - size) <= 0.5):  # fmt: skip
                            if first is None or entry[0] < first[0]:
                                first = entry
                            break  # a band is in drawing order: its first match is its earliest
                if first is not None:
                    kept = first[4]
                    kept.bold = kept.bold or not c.isspace()
            if kept is None:
                kept = Glyph(c, x0, y0, x1, y1, ox, oy, size, bold, span)
                out.append(kept)
            if finite:
                entry = (number, ox, oy, size, kept)
                at = floor(oy / _BAND)
                if bands is None:
                    seen[c] = {at: [entry]}
                else:
                    band = bands.get(at)
                    if band is None:
                        bands[at] = [entry]
                    else:
                        band.append(entry)
                number += 1
        self._drawn = number


_TOLERANCES: dict[float, float] = {}


def _tolerance(size: float) -> float:
    """How far apart (points) a copy of a glyph of this size may be drawn: SAME_GLYPH, or a tenth
    of the size in big type, but never more than SAME_GLYPH_SHARE of it (remembered per size: a
    page has a few sizes and hundreds of glyphs)."""
    tol = _TOLERANCES.get(size)
    if tol is None:
        tol = min(max(SAME_GLYPH, 0.1 * size), SAME_GLYPH_SHARE * size)
        if len(_TOLERANCES) < 4096 and size == size:  # NaN is never found again: not kept
            _TOLERANCES[size] = tol
    return tol


_BAND = 4.0
"""The height of a band of the page in which :class:`Overprints` files what was drawn (points). A
glyph is compared with the bands its tolerance reaches, widened by :data:`_HAIR`."""
_HAIR = 1e-3
"""Points added to the reach of a glyph's tolerance when choosing bands: far more than the rounding
of a float subtraction on a page, so that rounding never hides a neighbour in the next band."""

@functools.lru_cache(maxsize=8192)
def is_cjk(ch: str) -> bool:
    """Kana, kanji, and the radicals that stand for kanji in some fonts' maps. Remembered per
    character: it is asked several times for every glyph of a page."""
    return bool(_CJK.match(ch))


def without_ruby(glyphs: list[Glyph]) -> list[Glyph]:
    """The line's glyphs without the furigana MuPDF read into it: kana in smaller type whose
    baseline stands above the line's main one."""
    if len(glyphs) < 2:
        return glyphs
    sizes = [g.size for g in glyphs]
    main = max(sizes)
    if min(sizes) > RUBY_SIZE * main:  # all in one size, as most lines are: no ruby
        return glyphs
    base = max((g.oy for g in glyphs if g.size >= main - 0.5), default=0.0)
    small = [g for g in glyphs if g.size <= RUBY_SIZE * main and g.oy < base - RUBY_RISE * main]
    if not small or not _KANA.match("".join(g.c for g in small)):
        return glyphs
    return [g for g in glyphs if g not in small]


def is_ruby(text: str, box: tuple[float, float, float, float], size: float,
            below: list[tuple[str, tuple[float, float, float, float], float]]) -> bool:  # fmt: skip
    """Whether a line of its own (``text`` in ``box`` at ``size``) is furigana: kana only, set
    small just above a line of larger type (one of ``below``) that spans it horizontally."""
    if not _KANA.match(text.replace(" ", "")):
        return False
    cx = (box[0] + box[2]) / 2
    for other_text, (x0, y0, x1, _y1), other_size in below:
        if (size <= RUBY_SIZE * other_size and x0 - size <= cx <= x1 + size
                and -0.5 * size <= y0 - box[3] <= 1.5 * size and any(map(is_cjk, other_text))):  # fmt: skip
            return True
    return False
