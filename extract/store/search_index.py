"""The search index's sentences: a document's sections, programs, health issues and KPIs cut
into the sentences a search finds, each with where it stands and its bigram tokens.

The worker builds the rows here (``extract.store.rows.document_rows``, in
:data:`~extract.store.search_tables.SENTENCE_COLUMNS` order: ``kind`` — ``heading``,
``section``, ``program``, ``health_issue`` or ``kpi`` —, ``ref_id``: the id of the row in its own
table, ``section_id``, ``plan_id``, ``doc_id``, ``page``, the sentence as written (normalized), its
tokens (:mod:`extract.store.bigrams`) and ``repeats``); the parent stores them in the document's
transaction, each distinct sentence once (:mod:`extract.store.search_tables`).

Why sentences and not sections: a hit should show the sentence that says it. A section's text is
split at 。 and at line breaks, except where a paragraph wrapped: a line running to the right
margin, or one the next line visibly continues (see :func:`continues`), is joined to the next —
else 受診勧 / 奨 would not be found. Each sentence keeps the page of its first line. A KPI read
from a table row keeps its cells apart (:func:`kpi_sentence`).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from extract.read.normalize import normalize_text
from extract.store.bigrams import CJK_CHARS, index_tokens, sentence_key
from extract.store.search_tables import INDEX, MIN_LENGTH, SENTENCE_COLUMNS, SENTENCES
from schemas.records import Page

__all__ = ["INDEX", "MIN_LENGTH", "SENTENCES", "SENTENCE_COLUMNS", "PageLine", "continues", "kpi_sentence",
           "parsed_page_lines", "record_sentence_rows", "section_sentence_rows", "sentence_key",
           "sentences", "unwrapped"]  # fmt: skip


@dataclass(frozen=True)
class PageLine:
    """A line as laid out, with what tells a wrapped line (its right end and font size) and what
    tells a table row's cells apart (the table cell it stands in, its top and bottom)."""

    page: int
    text: str  # stripped
    x1: float
    size: float
    vertical: bool
    cell: tuple[int, int, int] | None = None
    """(table, row, column) of the ruled table cell the line stands in; ``None`` outside tables."""
    y0: float = 0.0
    y1: float = 0.0


def _right_edges(lines: Sequence[PageLine]) -> dict[int, float]:
    """Where full lines end on each page (as ``extract.structure.headings.plan_lines`` measures it)."""
    ends: dict[int, list[float]] = {}
    for line in lines:
        if not line.vertical and len(line.text) >= 20:
            ends.setdefault(line.page, []).append(line.x1)
    return {page: sorted(xs)[int(len(xs) * 0.75)] for page, xs in ends.items()}


class _Cursor:
    """Finds a section's lines among the page lines, moving forward only (reading order)."""

    WINDOW = 100
    """How far ahead a line may be found: a short line (0, ○, KPI) must not match a page away."""

    def __init__(self, lines: Sequence[PageLine]) -> None:
        self.lines = lines
        self.edges = _right_edges(lines)
        self.pos = 0
        self.where: dict[str, list[int]] = {}
        for k, line in enumerate(lines):
            self.where.setdefault(line.text, []).append(k)

    def find(self, text: str) -> PageLine | None:
        positions = self.where.get(text, [])
        i = bisect.bisect_left(positions, self.pos)
        if i == len(positions) or positions[i] - self.pos > self.WINDOW:
            return None
        self.pos = positions[i] + 1
        return self.lines[positions[i]]

    def wraps(self, line: PageLine | None) -> bool:
        """The line reaches the right margin: the paragraph goes on in the next line."""
        if line is None or line.vertical:
            return False
        edge = self.edges.get(line.page)
        return edge is not None and line.x1 >= edge - 1.5 * line.size


_SENTENCE_END = re.compile(r"(?<=。)")
# A line opening with a bullet or a number starts a new item, even after a line that reached the margin.
_NEW_ITEM = re.compile(r"^([・■□【※◆◇●○〇◎\-‐*＊]|[①-⑳]|\(?\d{1,2}[).]|\d{1,2}\s|第\d|STEP)")
# A line cannot start with these unless it continues the previous one (kinsoku, okurigana, particles).
_CONTINUING_START = re.compile(r"^[\u3041-\u3096ァィゥェォッャュョヮー、。，,.)）」』】〉》]")
_OPEN_END = re.compile(r"[、，,・(（「『【〈《\u3041-\u3096]$")  # ends open, or in a particle (を, の, と …)
_CLOSED_END = re.compile(r"[。!?！？)）」』】〉》:：]$")
_NUMERIC = re.compile(r"^[\d\s.,%％()（）/~〜\-+△▲]*$")
_CJK = re.compile(f"[{CJK_CHARS}]")


def _glue(left: str, right: str) -> str:
    """Join a wrapped line: Japanese runs on without a space, Latin words get one back."""
    if left and right and not _CJK.match(left[-1]) and not _CJK.match(right[0]):
        return left + " " + right
    return left + right


def continues(previous: str, reached_margin: bool, line: str) -> bool:
    """Whether ``line`` goes on with the sentence of ``previous`` (an unfinished line before it).

    Yes when the previous line ran to the right margin (it wrapped), or when the text says so:
    the line starts with what cannot open a line (a particle, okurigana, a small kana, 、) or the
    previous one ends open (、・, an opening bracket, hiragana: a sentence without its 。 yet).
    Never before a bullet or a number, nor around a table's figures.
    """
    if (
        _CLOSED_END.search(previous)
        or _NEW_ITEM.match(line)
        or _NUMERIC.match(line)
        or _NUMERIC.match(previous)
    ):
        return False
    return reached_margin or bool(_CONTINUING_START.match(line) or _OPEN_END.search(previous))


def sentences(text: str, cursor: _Cursor, first_page: int) -> list[tuple[int, str]]:
    """(page, sentence) of a section's text: split at 。 and at line breaks that end a sentence."""
    out: list[tuple[int, str]] = []
    buf, buf_page, page = "", first_page, first_page
    previous, reached_margin = "", False

    def flush() -> None:
        nonlocal buf
        if buf.strip():
            out.append((buf_page, buf.strip()))
        buf = ""

    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        if buf and not continues(previous, reached_margin, line):
            flush()
        found = cursor.find(line)
        if found is not None:
            page = max(found.page, first_page)
        for part in _SENTENCE_END.split(line):
            if not part:
                continue
            if not buf:
                buf_page = page
            buf = _glue(buf, part)
            if part.endswith("。"):
                flush()
        previous, reached_margin = line, cursor.wraps(found)
    flush()
    return out


@functools.cache
def _word_tokenizer() -> Any:
    """SudachiPy's tokenizer (GiNZA's own dictionary, long units), made once per process."""
    from sudachipy import dictionary, tokenizer

    return dictionary.Dictionary().create(tokenizer.Tokenizer.SplitMode.C)


def breaks_word(left: str, right: str) -> bool:
    """Whether a line break between ``left`` and ``right`` falls inside a word (``課⏎題``,
    ``医療機⏎関``, ``ジェネリック⏎医薬品``): the break was a wrap, whatever the line's length
    says (a table cell wraps at its own edge, a transcribed text where its source did). Only
    the few characters around the break are tokenized."""
    if not (left and right and _CJK.match(left[-1]) and _CJK.match(right[0])):
        return False
    head, tail = left[-8:], right[:8]
    cut = len(head)
    return any(m.begin() < cut < m.end() for m in _word_tokenizer().tokenize(head + tail))


def _mid_sentence(previous: str, line: str) -> bool:
    """A line that stops between two kana/kanji after a comma (``…とで、医薬品の使用⏎促進を図る``):
    a sentence under way, not a heading or a list entry, which have no 、."""
    return bool(re.search(r"[、，]", previous) and _CJK.match(previous[-1]) and _CJK.match(line[:1]))


def unwrapped(text: str, lines: Sequence[PageLine]) -> str:
    """``text`` (a section's, line by line as the PDF set it) with the lines that wrap joined:
    ``取り組むべき課⏎題`` reads ``取り組むべき課題``; a line that starts an item, or follows one that
    ends a sentence, keeps its line break. A line wraps when it ran to the margin (``lines`` are
    the page lines the text was read from, as :func:`sentences` uses them), when the text says
    so (:func:`continues`, :func:`_mid_sentence`), or when the break cuts a word
    (:func:`breaks_word`)."""
    cursor = _Cursor(lines)
    out: list[str] = []
    previous, reached_margin = "", False
    for raw in text.split("\n"):
        line = raw.strip()
        found = cursor.find(line) if line else None
        so_far = out[-1] if out else ""
        wrapped = reached_margin or _mid_sentence(so_far, line) or breaks_word(so_far, line)
        if so_far and line and previous and continues(previous, wrapped, line):
            out[-1] = _glue(out[-1], line)
        else:
            out.append(line)
        previous, reached_margin = line, cursor.wraps(found)
    return "\n".join(out)


def section_sentence_rows(
    doc_id: str, page_lines: Sequence[PageLine], section_rows: Iterable[Sequence]
) -> list[tuple]:
    """Rows of ``search_sentences`` (in :data:`SENTENCE_COLUMNS` order) for a document's sections.

    ``section_rows`` are rows of the ``sections`` table in ``store.SECTION_COLUMNS`` order, in
    reading order; ``page_lines`` the document's lines in page order.
    """
    cursor = _Cursor(page_lines)
    rows: list[tuple] = []
    for sid, plan_id, _parent, level, label, heading, _path, page_start, _end, text, *_ in section_rows:
        title = f"{label} {heading}".strip()
        if level and title:
            rows.append(("heading", sid, sid, plan_id, doc_id, page_start, title, index_tokens(title), 0))
        for page, sentence in sentences(text or "", cursor, page_start):
            rows.append(("section", sid, sid, plan_id, doc_id, page, sentence, index_tokens(sentence), 0))
    return rows


def record_sentence_rows(
    doc_id: str,
    pages: Sequence[Page],
    programs: Iterable[tuple],
    issues: Iterable[tuple],
    kpis: Iterable[tuple] = (),
    section_rows: Sequence[tuple] = (),
    page_lines: Sequence[PageLine] = (),
) -> list[tuple]:
    """Rows of ``search_sentences`` for programs (kind ``program``: the name, then each sentence
    of the purpose, summary, method and actions), health issues (``health_issue``: the issue and
    its direction) and KPI records (``kpi``: the original sentence or table row, see
    :func:`kpi_sentence`; ``page_lines`` are the document's lines, which tell a row's cells apart).

    ``ref_id`` is the record's id; each pair holds the record and the id of the section it stands
    in; a sentence gets the page of the record's range that holds it. ``repeats`` is 1 for a
    sentence that the same plan's ``section_rows`` (heading and section sentences) already hold,
    so that counting hits counts it once (:func:`extract.use.search.search_by`) while ``--kind
    program`` still finds it."""
    rows: list[tuple] = []
    squashed = {p.page_no: "".join(p.text.split()) for p in pages}
    known = {(row[3], sentence_key(row[6], normalized=row[0] == "section")) for row in section_rows}

    def page_of(part: str, first: int, last: int) -> int:
        head = "".join(part.split())[:12]
        return next((n for n in range(first, last + 1) if head in squashed.get(n, "")), first)

    def add(kind: str, record, section_id: str | None, pages: tuple[int, int], text: str | None) -> None:
        # every indexed sentence is normalized text (a KPI's raw_text and a heading are as printed)
        text = normalize_text(text or "")
        parts = [text] if kind == "kpi" else re.split(r"(?<=。)|\n", text)
        for part in parts:
            part = part.strip()
            if part:
                page = page_of(part, *pages)
                tokens = index_tokens(part)
                repeats = int((record.plan_id, sentence_key(part, normalized=True)) in known)
                where = (section_id, record.plan_id, doc_id, page)
                rows.append((kind, record.id, *where, part, tokens, repeats))

    for program, section_id in programs:
        span = (program.page_start, program.page_end)
        for text in (program.name, program.purpose, program.summary, program.method, *program.actions):
            add("program", program, section_id, span, text)
    for issue, section_id in issues:
        span = (issue.page, issue.page + 1)
        add("health_issue", issue, section_id, span, issue.issue)
        add("health_issue", issue, section_id, span, issue.direction)
    by_page: dict[int, list[PageLine]] = {}
    for line in page_lines:
        by_page.setdefault(line.page, []).append(line)
    for kpi, section_id in kpis:
        lines = by_page.get(kpi.page, []) + by_page.get(kpi.page + 1, [])
        add("kpi", kpi, section_id, (kpi.page, kpi.page), kpi_sentence(kpi.raw_text, lines))
    return rows


def _side_by_side(a: PageLine, b: PageLine) -> bool:
    """Two lines of one table row: in different cells of a ruled table, or (no rules) on the same
    baseline — a wrapped line stands below the one it continues."""
    if a.cell is not None or b.cell is not None:
        return a.cell != b.cell
    return a.y1 > a.y0 and b.y1 > b.y0 and b.y0 < a.y1 and a.y0 < b.y1


def kpi_sentence(raw_text: str, lines: Sequence[PageLine]) -> str:
    """A KPI record's original text as one sentence (normalized): the lines of a table row kept
    apart by a space (受診勧奨通知率 (%) ※ 100 100 …), those of a wrapped sentence or cell joined.

    The record keeps its lines as printed; each is looked up among the lines of its page (and
    the next), in order, to see whether it stands beside the previous one or under it. A wrapped
    line is joined without a space (a figure is cut anywhere: 1 / 00社), and so is a line not found.
    """
    parts = [p.strip() for p in normalize_text(raw_text).splitlines() if p.strip()]
    if not parts:
        return ""
    where: dict[str, list[int]] = {}
    for k, line in enumerate(lines):
        where.setdefault(line.text, []).append(k)
    found: list[PageLine | None] = []
    pos = 0
    for part in parts:
        positions = where.get(part, [])
        i = bisect.bisect_left(positions, pos)
        k = positions[i] if i < len(positions) else (positions[0] if positions else None)
        found.append(None if k is None else lines[k])
        pos = pos if k is None else k + 1
    out = parts[0]
    for (a, b), part in zip(itertools.pairwise(found), parts[1:], strict=True):
        out += " " + part if a is not None and b is not None and _side_by_side(a, b) else part
    return out


def parsed_page_lines(pages: Iterable[Page]) -> list[PageLine]:
    """Lines of a parsed document's readable pages (garbled pages have no sections)."""
    return [
        PageLine(p.page_no, ln.text.strip(), ln.x1, ln.size, ln.vertical,
                 (ln.cell.table, ln.cell.row, ln.cell.col) if ln.cell else None, ln.y0, ln.y1)
        for p in pages
        if p.quality != "garbled"
        for ln in p.lines
    ]  # fmt: skip
