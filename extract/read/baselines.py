"""Baselines: the glyphs MuPDF read as separate lines joined where they are one line of text, and a
joined line cut again where table cells stand apart on it.

MuPDF starts a new line wherever the pen jumps, and office software makes it jump inside words:
LibreOffice draws a digit or a space in a fallback font as a run of its own, out of order
(``第6`` · ``章個別…`` · a space placed after ``章``); Word sets a short title letter-spaced
(``実 施 状 況``, a character's width between the characters) or spread over the line
(均等割り付け: ``第１章 総`` … ``則``), and a tab after a heading's number (``第1`` ⇥
``特定健康診査``). Read as separate lines, none of these is a heading. So the pieces of one baseline
are ordered by position, and those that the text shows belong together are joined: a piece of one
glyph, pieces that touch, a letter-spaced kana or kanji, a title spread over the line, a number
and the title after its tab. Pieces that are words of their own at a cell's distance stay apart,
and :mod:`extract.read.cells` cuts a joined line again at a table's rules.

A space is written where the PDF has one, or where a gap is as wide as one (LibreOffice draws no
space glyph): between Latin words set apart, or between two words of kana and kanji — but not in
Word's autospace gap between Japanese and digits (narrower than a space) nor between the
characters of a letter-spaced word (:func:`cells_of`).
"""

from __future__ import annotations

import re

from extract.read.glyphs import Glyph, is_cjk
from extract.read.rawlines import RawLine

CELL_GAP = 1.5
"""A horizontal gap wider than this many font sizes between two glyphs on one line separates cells."""
SPACE_GAP = 0.3
"""A gap this many font sizes wide beside kana or kanji is a space (LibreOffice's space is about
0.34 em; Word's and LibreOffice's autospace gap 0.2 to 0.25 em)."""
LATIN_SPACE_GAP = 0.15
"""Between two Latin letters or digits, the narrower gap of a proportional font's space."""
TAB_GAP = 4.0
"""How many font sizes a heading's title may stand after its number (a tab stop) …"""
TAB_POINTS = 72.0
"""… or how many points, in small type (a table of contents' hanging indent of an inch)."""
SPREAD_GAP = 3.5
"""How many font sizes apart Word may spread a short title's characters (均等割り付け)."""

_NUMERIC = re.compile(r"^[\d,.%‰\-−—]+$")  # a number cell ...
_NUMERIC_END = re.compile(r"(^|\s)[\d,.%‰\-−—]+\s+$")  # ... after a number cell and a space: two cells
_LABEL = re.compile(
    r"^(?:第\s*[0-9０-９一二三四五六七八九十]+\s*[章節部条款項]?|[序終]\s*章|[0-9０-９]{1,2}(?:\s*[.．\-－]\s*[0-9０-９]{1,2}){0,3}"
    r"\s*[.．)）]?|[（(]\s*[0-9０-９一二三四五六七八九十ア-ンa-zA-Z]{1,3}\s*[)）]|[①-⑳㉑-㉟ⅰ-ⅻⅠ-Ⅻ]"
    r"|[ア-ン][.．)）]|STEP\s*[0-9０-９]+(?:-[0-9０-９]+)?|[■□●○◆◇◎])$"
)
"""A piece that is a heading's number or mark alone: what a tab separates from the title."""


class _Piece:
    """One of MuPDF's lines on a baseline: its glyphs and where it stands in the stream."""

    __slots__ = ("glyphs", "order", "oy", "reach", "size", "text", "x0", "x1")

    def __init__(self, glyphs: list[Glyph], order: int) -> None:
        self.glyphs, self.order = glyphs, order
        first = next((g for g in glyphs if not g.c.isspace()), None)
        inked = first is not None
        if first is None:
            first = glyphs[0]
        x0, x1, oy, size = first.x0, first.x1, first.oy, first.size
        reach = glyphs[0].x1
        for g in glyphs:  # one pass: a page has thousands of glyphs
            if g.x1 > reach:  # its spaces included
                reach = g.x1
            if inked and g.c.isspace():
                continue
            if g.x0 < x0:
                x0 = g.x0
            if g.x1 > x1:
                x1 = g.x1
            if g.oy > oy:
                oy = g.oy
            if g.size > size:
                size = g.size
        self.x0, self.x1, self.oy, self.size, self.reach = x0, x1, oy, size, reach
        self.text = "".join([g.c for g in glyphs]).strip()


def _glue(at: float, to: float, like: Glyph, c: str) -> Glyph:
    """A glyph standing for the gap between two joined pieces: a space (``c == " "``) or nothing
    (``c == ""``: the gap is no space and no cell boundary)."""
    return Glyph(c, at, like.y0, to, like.y1, at, like.oy, like.size, like.bold, like.span)


def _alone(glyphs: list[Glyph], end: bool) -> bool:
    """Whether the piece's first (last, ``end``) glyph stands alone — a piece of one glyph, or a
    kana or kanji with no kana or kanji set close beside it: one character of a letter-spaced word."""
    inked = [g for g in glyphs if not g.c.isspace()]
    if end:
        inked = inked[::-1]
    if len(inked) == 1:
        return True
    if not inked or not is_cjk(inked[0].c):
        return False
    near, other = inked[0], inked[1]
    gap = near.x0 - other.x1 if end else other.x0 - near.x1
    return not is_cjk(other.c) or gap > SPACE_GAP * near.size


JOIN = "join"
"""A joint that only puts two pieces in one line: the gap between them decides whether it is a space."""


def _joint(left: _Piece, right: _Piece, label: str | None) -> str | None:
    """How two pieces on a baseline, ``right`` after ``left``, are joined: :data:`JOIN` (one line:
    fallback glyphs, a lone mark, a lone space), ``""`` as one word (letter spacing, a spread
    title, the rest of a number: ``第6`` ``章``), ``" "`` with a space (a number and the title
    after its tab: ``label`` is the line's text so far where it starts the line, as a heading's
    number does), or None (apart)."""
    gap = right.x0 - left.x1
    size = max(left.size, right.size)
    if not left.text or not right.text:  # a lone space placed apart (a fallback font's), even inside
        return JOIN if gap <= CELL_GAP * size else None  # the other piece: it stands where it is drawn
    if abs(left.size - right.size) > 1.0 or gap < -0.5 * size:
        return None
    if gap <= SPACE_GAP * size or right.x0 - left.reach <= 0.1 * size:
        # touching (the left piece's own spaces included): one run cut in two (a fallback font),
        # unless two figures of a table row
        return None if _NUMERIC.match(left.text) and _NUMERIC.match(right.text) else JOIN
    tab = max(TAB_GAP * size, TAB_POINTS)
    head = right.text.split()[0]
    goes_on = ((label or "").endswith("第") and head[:1].isdigit()) or head[:1] in "章節部条款項"
    if label is not None and gap <= tab and goes_on and _LABEL.match(label + head):
        return ""  # the number goes on (第 … 6 … 章: spread, or in runs of their own)
    if label is not None and gap <= tab and _LABEL.match(label):
        return " "
    spaced_out = _alone(left.glyphs, end=True) or _alone(right.glyphs, end=False)
    if (is_cjk(left.text[-1]) or is_cjk(right.text[0])) and spaced_out and gap <= SPREAD_GAP * size and (
            gap <= CELL_GAP * size or len(right.text) <= 2):  # fmt: skip
        return ""  # letter-spaced, or a short title spread over its line
    if len(left.glyphs) == 1 or len(right.glyphs) == 1:
        return JOIN if gap <= CELL_GAP * size else None  # a lone mark set apart (★ in a fallback font)
    return None


def joined_on_baselines(drawn: list[tuple[bool, list[Glyph]]]) -> list[tuple[bool, list[Glyph]]]:
    """MuPDF's lines (glyph lists, in stream order), the pieces of one line joined: on each
    baseline the pieces in order of position, neighbours joined where :func:`_joint` says so.
    A joined line stands where its first piece stood in the stream; its glyphs are in order of
    position, with a glue glyph (a space, or an empty one) in each gap that joins."""
    horizontal = [(k, _Piece(glyphs, k)) for k, (vertical, glyphs) in enumerate(drawn) if not vertical]
    ordered = sorted(horizontal, key=lambda item: (item[1].oy, item[1].x0))
    merged: dict[int, list[Glyph]] = {}
    absorbed: set[int] = set()
    k = 0
    while k < len(ordered):  # one baseline at a time
        base = ordered[k][1]
        end = k + 1
        while end < len(ordered) and abs(ordered[end][1].oy - base.oy) <= 0.25 * base.size:
            end += 1
        line = sorted((p for _, p in ordered[k:end]), key=lambda p: p.x0)
        chain: list[_Piece] = [line[0]]
        glyphs = list(line[0].glyphs)
        for piece in line[1:]:
            # a lone space is judged by where it stands; anything else against the chain's text
            inked = next((p for p in reversed(chain) if p.text), chain[-1])
            label = "".join(g.c for g in glyphs).strip() if chain[0] is line[0] else None
            how = _joint(inked, piece, label)
            if how is None:
                merged[min(p.order for p in chain)] = glyphs
                absorbed.update(p.order for p in chain)
                chain, glyphs = [piece], list(piece.glyphs)
                continue
            reach = max(p.x1 for p in chain)
            wide = piece.x0 - reach > SPACE_GAP * piece.size
            if how != JOIN and piece.text and wide:  # bridged: no cell boundary (a space there already)
                glue = "" if glyphs[-1].c.isspace() else how
                glyphs.append(_glue(reach, piece.x0, piece.glyphs[0], glue))
            glyphs.extend(piece.glyphs)
            chain.append(piece)
        merged[min(p.order for p in chain)] = glyphs
        absorbed.update(p.order for p in chain)
        k = end
    out: list[tuple[bool, list[Glyph]]] = []
    for k, (vertical, glyphs) in enumerate(drawn):
        if vertical:
            out.append((True, glyphs))
        elif k in merged:
            out.append((False, sorted(merged[k], key=lambda g: (g.x0 + g.x1) / 2)))
    return out


def _spaced(glyphs: list[Glyph], k: int, j: int) -> bool:
    """Whether a space stands between ``glyphs[j]`` and ``glyphs[k]`` (inked, nothing between but
    glue), which the PDF wrote without one: a gap as wide as a space — between Latin letters or
    digits a little narrower — but neither Word's autospace gap between Japanese and a digit nor
    the gap between the characters of a letter-spaced word."""
    a, b = glyphs[j], glyphs[k]
    gap = b.x0 - a.x1
    size = b.size if b.size > a.size else a.size  # max(a.size, b.size), called for every glyph
    if gap <= LATIN_SPACE_GAP * size and gap <= SPACE_GAP * size:  # most: letters that touch
        return False  # too narrow for any space, whichever the script
    if not (is_cjk(a.c) or is_cjk(b.c)):
        return gap > LATIN_SPACE_GAP * size
    if gap <= SPACE_GAP * size:
        return False
    if is_cjk(a.c) and is_cjk(b.c):  # a word break, unless either side is a letter-spaced character
        before = glyphs[j - 1] if j > 0 else None
        after = glyphs[k + 1] if k + 1 < len(glyphs) else None
        tight_before = before is not None and is_cjk(before.c) and a.x0 - before.x1 <= SPACE_GAP * size
        tight_after = after is not None and is_cjk(after.c) and after.x0 - b.x1 <= SPACE_GAP * size
        return tight_before and tight_after
    return True


def raw_line(glyphs: list[Glyph], text: str, vertical: bool = False) -> RawLine:
    """A line of these glyphs (at least one), with ``text`` made of them; its spans are the
    producer's runs, as (text, x, y, size): where :mod:`extract.read.cells` may cut it at a rule.

    Its box, size and boldness are those of its inked glyphs (of all, if none has ink), found in
    the same pass as its runs: a page has thousands of glyphs."""
    spans: list[tuple[str, float, float, float]] = []
    first: Glyph | None = None
    x0 = y0 = x1 = y1 = size = 0.0
    bold = False
    run: list | None = None
    for g in glyphs:
        c = g.c
        if not c or c.isspace():
            if run is not None:
                run[0] += c
                if g.x1 > run[5]:
                    run[5] = g.x1
            continue
        if first is None:
            first = g
            x0, y0, x1, y1, size, bold = g.x0, g.y0, g.x1, g.y1, g.size, g.bold
        else:
            if g.x0 < x0:
                x0 = g.x0
            if g.y0 < y0:
                y0 = g.y0
            if g.x1 > x1:
                x1 = g.x1
            if g.y1 > y1:
                y1 = g.y1
            if g.size > size:
                size = g.size
            if g.bold:
                bold = True
        if run is not None and (g.span != run[4] or g.x0 - run[5] > CELL_GAP * g.size):
            spans.append((run[0].rstrip(), run[1], run[2], run[3]))
            run = None
        if run is None:
            run = [c, g.ox, g.oy, g.size, g.span, g.x1]
            continue
        run[0] += c
        if g.x1 > run[5]:
            run[5] = g.x1
    if run is not None:
        spans.append((run[0].rstrip(), run[1], run[2], run[3]))
    if first is None:  # no ink at all (rare): the box of every glyph
        x0, y0 = min(g.x0 for g in glyphs), min(g.y0 for g in glyphs)
        x1, y1 = max(g.x1 for g in glyphs), max(g.y1 for g in glyphs)
        size, bold = max(g.size for g in glyphs), any(g.bold for g in glyphs)
    return RawLine(text, x0, y0, x1, y1, size, bold, vertical, spans)


def cells_of(glyphs: list[Glyph]) -> list[RawLine]:
    """A horizontal line's glyphs (in order of position) as lines: cut where a wide gap separates
    table cells, or where a number run follows a number and a space (two figures of a table row),
    with spaces where :func:`_spaced` reads one."""
    out: list[RawLine] = []
    piece: list[Glyph] = []
    text: list[str] = []

    def flush() -> None:
        joined = "".join(text).strip()
        if joined:
            out.append(raw_line(piece, joined))
        piece.clear()
        text.clear()

    inked = -1  # the last glyph with ink
    for k, g in enumerate(glyphs):
        c = g.c
        if not c or c.isspace():
            if piece:
                piece.append(g)
                text.append(c)
            continue
        if inked >= 0 and piece:
            last = glyphs[inked]
            # a space the PDF has within the next run, or glue, closes the gap; a run of nothing
            # but spaces does not (a cell is a run of its own)
            edge = last.x1
            glued = False  # an empty glue between: one word
            if k > inked + 1:
                for b in glyphs[inked + 1 : k]:
                    if not b.c:
                        glued = True
                    if (not b.c or b.span == g.span) and b.x1 > edge:
                        edge = b.x1
            if g.x0 - edge > CELL_GAP * g.size:
                flush()
            else:
                spaced = _spaced(glyphs, k, inked)
                after_space = text[-1].isspace()
                figures = g.span != last.span and (after_space or spaced)  # a run of figures after figures
                if figures and _NUMERIC.match(_run_text(glyphs, k)) and _NUMERIC_END.search(
                        "".join(text) + " "):  # fmt: skip
                    flush()
                elif not after_space and spaced and not glued:
                    text.append(" ")  # (an empty glue joins one word: no space)
        piece.append(g)
        text.append(c)
        inked = k
    flush()
    return out


def _run_text(glyphs: list[Glyph], k: int) -> str:
    """The text of the producer's run that starts at ``glyphs[k]``."""
    span = glyphs[k].span
    return "".join(g.c for g in glyphs[k:] if g.span == span).strip()
