"""The source texts (corpus/texts) as blocks: blank lines, body lines, headings and tables.

Every producer of the corpus reads a text the same way, so that the same lines are headings,
tables and body text whichever software sets them. Rules are general, nothing is special-cased
per line:

* short lines (<= 40 characters, not ending in 。) that start with a numbering pattern of
  Japanese plans are headings of level 1 to 3; a 協会けんぽ field label (１．…関係) heading a
  longer line becomes a heading of its own, the rest of the line body text; a document that
  spells its fields otherwise (``（２）…関係``, ``Ⅰ．…``, a ``１．基本方針`` preamble) says how in the
  manifest (``field_label``, :func:`field_labels`), and its field labels are level 1 instead;
* runs of consecutive lines containing a TAB are tables, one cell per TAB-separated field;
* blank lines are paragraph spacing;
* ``**…**`` is the transcription's mark of an emphasized run set on a line of its own in the
  published document (``4 評価指標と目標値**(1) アウトカム (成果)**``): it is typeset as that line,
  the marks themselves never (see corpus/texts/README.md);
* a run the transcription holds twice over -- a whitespace-separated piece that is ``X`` + ``X``
  (``課題及び阻害要因課題及び阻害要因``, ``齢齢``; X a word, not a number like ``11`` or ``100100``
  nor a leader like ``……``), a whole line that is one (``STEP１-１ 基本情報STEP１-１ 基本情報``), or a
  label whose numbers are each their digits doubled (``STEP１１-３３``) -- is ``X`` set in bold: the
  published document drew it twice at nearly the same spot (fake bold) and the extraction the
  seed came from read both copies. Blocks hold the text once (:func:`single`); each producer sets
  the runs (:func:`bold_runs`) as it sets bold, run by run, so no PDF of the corpus holds the
  doubled characters of the transcription and planex reads each glyph once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_HEADING_CHARS = 40

# Numbering patterns of Japanese plan documents.  Matched against the stripped line; only
# lines of at most MAX_HEADING_CHARS characters become headings (see FIELD_LABEL for the one
# exception).  Digits may be ASCII or full width.
D = "0-9０-９"
KANJI_NUM = "一二三四五六七八九十"
JA = "\u3005\u3040-\u30ff\u3400-\u9fff"  # kana and kanji: a title starts with one
HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = tuple(
    (level, re.compile(rx))
    for level, rx in (
        # level 1: chapters, document / branch-plan title lines, STEP sections, 協会けんぽ fields
        (1, rf"^(?:序\s*章|第\s*[{D}{KANJI_NUM}]+\s*章)(?:\s|$)"),
        (1, rf"^(?:令和|平成)\s*[{D}元]+\s*年度\s*\S*事業計画（[^）]+）$"),
        (1, rf"^STEP\s*[{D}]+(?:\s*[-－‐][{D}]+)?(?:\s|$)"),
        (1, rf"^[{D}]+[．.]\s*\S+関係(?:\s|$)"),
        # level 2: program numbers (第1 特定健康診査), 1.1, １．/1., 【…】 alone, "1 見出し"
        (2, rf"^第\s*[{D}]+\s+\S"),
        (2, rf"^[{D}]+[．.][{D}]+\s+[{JA}【「]"),
        (2, rf"^[{D}]+[．.](?![{D}])\s*[^\s{D}]"),
        (2, r"^【[^】]+】$"),
        (2, rf"^[{D}]{{1,2}}[ 　]+(?![歳年月日人名件円時分回箇])[{JA}【「]\S"),
        # level 3: （１）/(1), ⅰ）/Ⅰ）
        (3, rf"^[（(]\s*[{D}]+\s*[）)]\s*\S"),
        (3, r"^[ⅰ-ⅻⅠ-Ⅻ]+\s*[）)]\s*\S"),
    )
)
# A 協会けんぽ field label ("１．基盤的保険者機能関係") at the start of a long line: in the
# published table the field column and the first measure were merged into one text line.
# The label alone becomes the heading and the rest of the line follows as body text.
FIELD_LABEL = re.compile(rf"^([{D}]+[．.]\s*\S+関係)\s+(\S.*)$")


def field_labels(entry: dict) -> re.Pattern[str] | None:
    """The manifest's ``field_label`` of a document whose 協会けんぽ fields are not all ``１．…関係``
    (a pattern of the label at the start of a source line), or None."""
    rx = entry.get("field_label")
    return re.compile(rx) if rx else None


def split_field(line: str, fields: re.Pattern[str]) -> tuple[str, str] | None:
    """(label, rest of the line) of a stripped source line that opens with a field label."""
    m = fields.match(line)
    if m is None or (m.end() < len(line) and not line[m.end()].isspace()):
        return None
    return m.group(0).strip(), line[m.end() :].strip()


def heading_level(line: str) -> int:
    """Heading level (1-3) of a stripped source line, 0 for body text."""
    if not line or len(line) > MAX_HEADING_CHARS or line.endswith("。"):
        return 0  # long lines and sentences are body text
    for level, rx in HEADING_PATTERNS:
        if rx.search(line):
            return level
    return 0


# --- runs the transcription holds twice (fake bold read twice) ---------------------------
Runs = list[tuple[str, bool]]
"""A line as (text, bold) runs, in order; their texts joined are the line as the document shows it."""
_NUMBER = re.compile(r"[\d\s.,%‰\-]+")  # a repeated number (11, 100100) is a number, not bold
_WORD = re.compile(r"\w")
_JA_CHAR = re.compile(f"[{JA}]")
_LABEL = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]+\d+(?:[-－‐]\d+)+")  # STEP１１-３３: letters, then numbers
_GAPS = re.compile(r"(\s+)")


def _once(piece: str) -> str | None:
    """``X`` of a piece ``X`` + ``X`` drawn twice, else None."""
    n = len(piece)
    half = piece[: n // 2]
    if n < 2 or n % 2 or piece[n // 2 :] != half or _NUMBER.fullmatch(half) or not _WORD.search(half):
        return None
    if n == 2 and not _JA_CHAR.match(half):
        return None  # one doubled character is bold only in Japanese text (予予, 齢齢: a vertical header)
    return half


def _all_once(piece: str) -> str | None:
    """``XY`` of a piece ``XXYY`` -- doubled runs one after the other (two cells of a doubled header
    row read into one piece: ``評価評価資格資格``) -- else None."""
    if (whole := _once(piece)) is not None:
        return whole
    for cut in range(len(piece) - 2, 1, -1):  # the longest first run that is doubled
        head = _once(piece[:cut])
        rest = _all_once(piece[cut:]) if head is not None else None
        if rest is not None:
            return head + rest
    return None


def _digits_once(piece: str) -> str | None:
    """``STEP１-３`` of ``STEP１１-３３``: a label every number of which is its digits doubled."""
    if not _LABEL.fullmatch(piece):
        return None
    runs = re.findall(r"\d+", piece)
    if not all(len(r) % 2 == 0 and r[0::2] == r[1::2] for r in runs):
        return None
    return re.sub(r"\d+", lambda m: m.group()[0::2], piece)


def bold_runs(line: str) -> Runs:
    """``line`` of the transcription as runs: each run it holds twice over once, bold; white space
    between two bold runs bold too, so that a bold phrase is one run (see the module's docstring)."""
    stripped = line.strip()
    n = len(stripped)
    if n >= 2 and n % 2 == 0 and _GAPS.search(stripped) and _once(stripped) is not None:
        lead, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()) :]
        whole = [(lead, False), (stripped[: n // 2], True), (trail, False)]
        return [r for r in whole if r[0]]
    runs: Runs = []
    for part in _GAPS.split(line):
        if not part:
            continue
        once = None if part.isspace() else (_all_once(part) or _digits_once(part))
        runs.append((once or part, once is not None))
    merged: Runs = []
    for k, (text, bold) in enumerate(runs):  # a gap between two bold runs is bold
        if text.isspace() and 0 < k < len(runs) - 1 and runs[k - 1][1] and runs[k + 1][1]:
            bold = True
        if merged and merged[-1][1] == bold:
            merged[-1] = (merged[-1][0] + text, bold)
        else:
            merged.append((text, bold))
    return merged


def single(line: str) -> str:
    """``line`` as the document shows it: every run the transcription holds twice over, once."""
    return "".join(text for text, _ in bold_runs(line))


def wrap_runs(runs: Runs, wrap: Callable[[str], list[str]]) -> list[Runs]:
    """``runs`` on each of the lines ``wrap`` breaks their text into (``wrap`` gives consecutive
    pieces of the text it is given, as ``Metrics.wrap`` does)."""
    mask = [bold for text, bold in runs for _ in text]
    out: list[Runs] = []
    pos = 0
    for part in wrap("".join(t for t, _ in runs)):
        piece: Runs = []
        for k, ch in enumerate(part, pos):
            if piece and piece[-1][1] == mask[k]:
                piece[-1] = (piece[-1][0] + ch, mask[k])
            else:
                piece.append((ch, mask[k]))
        out.append(piece)
        pos += len(part)
    return out


# --- source parsing ---------------------------------------------------------------------
@dataclass
class Block:
    kind: str  # "blank" | "text" | "heading" | "table"
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)
    runs: Runs = field(default_factory=list)  # of ``text``: where it is bold (bold_runs)
    row_runs: list[list[Runs]] = field(default_factory=list)  # of each cell of ``rows``

    @classmethod
    def of(cls, kind: str, line: str, level: int = 0) -> Block:
        """A text or heading block of a transcription line: its text once, its runs."""
        runs = bold_runs(line)
        return cls(kind, "".join(t for t, _ in runs), level, runs=runs)


EMPHASIS = "**"
_EMPHASIZED = re.compile(r"\*\*(.+?)\*\*")


def emphasized_lines(line: str) -> list[str]:
    """A source line with ``**…**`` runs as the lines it stands for: the text before a run, then
    each run on a line of its own (``a**b**c`` → ``a``, ``b``, ``c``)."""
    parts = [p.strip() for p in _EMPHASIZED.split(line)]
    return [p.replace(EMPHASIS, "") for p in parts if p.replace(EMPHASIS, "").strip()]


def parse(text: str, fields: re.Pattern[str] | None = None) -> list[Block]:
    """Split a source text into blocks: blank lines, body lines, headings and tables; ``fields``
    (:func:`field_labels`) marks the field labels of a document that spells them otherwise."""
    blocks: list[Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        raw = lines[i]
        if "\t" in raw:
            rows = []
            while i < len(lines) and "\t" in lines[i]:
                rows.append([bold_runs(c.strip()) for c in lines[i].split("\t")])
                i += 1
            texts = [["".join(t for t, _ in cell) for cell in row] for row in rows]
            blocks.append(Block("table", rows=texts, row_runs=rows))
            continue
        i += 1
        if EMPHASIS in raw:  # each emphasized run a line of its own, the marks dropped
            blocks.extend(b for part in emphasized_lines(raw) for b in parse(part, fields))
            continue
        line = single(raw).strip()  # headings are found on the text as the document shows it
        if not line:
            blocks.append(Block("blank"))
            continue
        field = split_field(line, fields) if fields is not None else None
        if field is not None:  # as 1．…関係 lines are: a short line whole, a long one's label
            whole = len(line) <= MAX_HEADING_CHARS and not line.endswith("。")
            blocks.append(Block.of("heading", raw.strip() if whole else field[0], 1))
            if field[1] and not whole:
                blocks.append(Block.of("text", field[1]))
            continue
        level = heading_level(line)
        if level:
            blocks.append(Block.of("heading", raw.strip(), level))
            continue
        m = FIELD_LABEL.match(line)
        if m:
            blocks.append(Block.of("heading", m.group(1), 1))
            blocks.append(Block.of("text", m.group(2)))
            continue
        blocks.append(Block.of("text", raw.strip()))
    return blocks



ASCII_RUN = re.compile(r"[0-9A-Za-z.,%()\-+/:~]+")
"""A run of characters a table column should not break inside (numbers, units, codes)."""
