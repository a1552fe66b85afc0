"""What a heading looks like: numbering marks, and the tests that tell a heading from text.

Japanese plans mark their outline with numbering, not with markup: 第N章, 第N, N.N, N., N␣,
(N), ①, ⅰ, ア, STEP N-M, ○ … (:func:`match_style` gives a line's style, label and words). A
numbered line is a heading only when it looks like one, which is how a reader tells
``（１）実施状況`` from a sentence that starts with ``（１）``:

- it stands alone on its baseline (table cells share a baseline with their neighbours);
- its text after the mark is short, a title: no sentence (no 。, no topic …は、), no table
  cell (one letter, an empty cell ``-``), no second item run on (:func:`title_like`);
- it stops short of the right margin, unless its font is larger or bold (a wrapped paragraph
  reaches the margin; :func:`looks_like_heading`).

A table of contents (目次, dot leaders) is recognized (:func:`toc_lines`) so that its entries are
not taken for sections. :func:`plan_lines` wraps a plan's lines with what these tests need.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from extract.read.normalize import normalize_text
from schemas.records import Line

_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホ"
# A number glued to one of these is a quantity (3年, 5人, 2か月), not a heading number.
_COUNTERS = r"[年月日時分秒人名件回歳割倍点位者社所期号条項章節部か箇ヵヶカ万千百億円]"
# A number and a space before a counter that goes on as a quantity does (3 回以上, 1 人あたり, 5 年間,
# 2 か月): a line a table cell's text wrapped before, not a heading "3" titled 回以上…
_QUANTITY = (r"(?:[年月日時分秒人名件回歳割倍点位者社所]"
             r"(?:[\u3041-\u3096]|以上|以下|未満|以内|当たり|程度|間|目|超|前|後|分|ごと|毎)|[かヵヶカ]月)")
# (style, pattern) in the order they are tried; the pattern's group 1 is the label.
_STYLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("chapter", r"^(第\s*\d+\s*章|序\s*章|終\s*章)\s*"),
        ("section", r"^(第\s*\d+\s*節)\s*"),
        ("appendix", r"^((?:参考|付録)\s*\d{1,2}\s*\.?)\s*(?=[^\d\s.%,])"),
        ("dai", r"^(第\s*\d+)(?![\d章節条項回期号年部次])\s*"),
        ("step_sub", r"^((?i:STEP)\s*\d+\s*-\s*\d+)\s*"),
        ("step", r"^((?i:STEP)\s*\d+)(?!\s*-)\s*"),
        ("n.n.n", r"^(\d{1,2}\.\d{1,2}\.\d{1,2})\.?\s*(?=[^\d\s.%])"),
        ("n.n", r"^(\d{1,2}\.\d{1,2})\.?\s*(?=[^\d\s.%,])"),
        ("n-n-n", r"^(\d{1,2}-\d{1,2}-\d{1,2})(?![\d\-~])\s*(?=[^\d\s.%,:/()~\-])(?!" + _COUNTERS + r")"),
        ("n-n", r"^(\d{1,2}-\d{1,2})(?![\d\-~])\s*(?=[^\d\s.%,:/()~\-])(?!" + _COUNTERS + r")"),
        ("n.", r"^(\d{1,2}\s*\.)\s*(?=[^\d\s.%,])"),
        ("n", r"^(\d{1,2})(?:\s+(?=[^\d\s.%,:/()~\-])(?!" + _QUANTITY + r")"
              r"|(?=[一-龥ァ-ヴ])(?!" + _COUNTERS + r"))"),
        ("(n)", r"^(\(\s*\d{1,2}\s*\)|\d{1,2}\))\s*(?=\S)"),  # 1) is a slip for (1)
        ("[n]", r"^(【\s*\d{1,2}\s*】)\s*(?=[^\s】])"),  # 【1】特定健康診査
        ("circled", r"^([①-⑳㉑-㉟])\s*(?=\S)"),
        ("roman", r"^(\(?[ⅰ-ⅻ]\)|[ⅰ-ⅻ][.)]?|\(?(?:i{1,3}|iv|vi{0,3}|ix|x)\))\s*(?=\S)"),
        ("Roman", r"^([Ⅰ-Ⅻ][.)]?)\s*(?=\S)"),
        ("kana", rf"^([{_KANA}])[\s.、)]+(?=\S)"),
        ("(kana)", rf"^(\([{_KANA}]\))\s*(?=\S)"),
        ("bullet○", r"^([○〇◯])\s*(?=\S)"),
        ("bullet●", r"^([●◎])\s*(?=\S)"),
        ("bullet◆", r"^([◆◇])\s*(?=\S)"),
    )
)
# A line ending in a predicate is a sentence (a KPI part: ②郵送化率を95.0%以上とする), not a heading.
PREDICATE = re.compile(
    r"(とする|する|させる|される|図る|行う|努める|目指す|です|ます|ある|いる|なる|以上|以下|未満|とす)$"
)
_CLOSING = set("〉》）)」』】]、。,.・")
NEW_BLOCK = re.compile(r"^[・■□【※◆◇●○〇]")
_TOC_TITLE = re.compile(r"^[\s〔［\[【(（<＜]*目\s*次[\s〕］\]】)）>＞]*$")
_LEADERS = re.compile(r"(\.{3,}|…{2,}|・{3,}|‥{2,}|･{3,}|\S\s{4,}\S)")  # dots, or a tab's run of spaces
_TRAILING_PAGE = re.compile(r"(\s*(\.{2,}|…+|・{2,}))?\s*(\(\s*[\d ]+\)|\d{1,3})\s*$")
_SPACES = re.compile(r"\s+")
MAX_HEADING_CHARS = 50


@dataclass(eq=False)
class PlanLine:
    """A line of a plan with the context the heading test needs."""

    page_no: int
    line: Line
    alone: bool  # no other line shares its baseline (table cells do)
    right_edge: float  # where full lines of this page end
    body_size: float


def _lines_alone(lines: list[Line]) -> list[bool]:
    """For each line, whether no other horizontal line overlaps it vertically by half a line.

    A sweep over the lines sorted by top edge: each line is compared only with the lines that
    start before it ends, so a page costs O(n log n), not O(n²).
    """
    order = sorted(range(len(lines)), key=lambda k: lines[k].y0)
    alone = [True] * len(lines)
    for pos, k in enumerate(order):
        a = lines[k]
        if a.vertical or a.role == "label":  # a label cell heads what stands beside it
            continue
        for j in order[pos + 1 :]:
            b = lines[j]
            if b.y0 >= a.y1:
                break
            if b.vertical or b.role == "label":
                continue
            if min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5 * min(a.size, b.size):
                alone[k] = alone[j] = False
    return alone


def squash(text: str) -> str:
    """The text without any white space (PDF extraction puts spaces and breaks anywhere)."""
    return _SPACES.sub("", text)


_CAN_START = re.compile(r"^[第序終参付0-9(【①-⑳㉑-㉟ⅰ-ⅻⅠ-Ⅻア-ホ○〇◯●◎◆◇Ssivx]")


@functools.lru_cache(maxsize=1 << 16)
def match_style(text: str) -> tuple[str, str, str] | None:
    """The numbering style, label and heading of ``text`` (normalized), or None. Remembered per
    text: the outline, the field frame and every KPI's context ask it of the same lines again."""
    if not _CAN_START.match(text):
        return None  # most lines are body text: one cheap test instead of seventeen
    for name, pattern in _STYLES:
        m = pattern.match(text)
        if m:
            heading = text[m.end() :].strip()
            if heading[:1] in _CLOSING:  # ``Ⅲ〉``: the end of a wrapped line, not a mark
                return None
            return name, m.group(1), heading
    return None


_SQUARE = re.compile(r"^([■□])\s*(?=\S)")


def square_title(text: str) -> tuple[str, str, str] | None:
    """``■目的`` / ``□ 実施方法``: a square mark before a block's title, as a style of its own. Not a
    numbering (:func:`match_style` leaves it out: in a business plan ■ opens a KPI line, ``■KPI：…``);
    a labelled value after it (``■ 特定健康診査受診率：… 90.0％``) is an item, not a title."""
    m = _SQUARE.match(text)
    if not m:
        return None
    heading = text[m.end() :].strip()
    if re.search(r"[:：]", heading) or re.search(r"\d", heading):
        return None
    return "square", m.group(1), heading


_WORDISH = re.compile(r"[A-Za-z\u3040-\u30ff\u4e00-\u9fff]")
_BRACKETED = re.compile(r"\([^()]*\)|（[^（）]*）|「[^「」]*」|【[^【】]*】")
# an empty cell (-) ends a table row; one character set apart is the top of a vertical cell (計 of 計画)
_CELL_END = re.compile(r"\s([-—―‐−–]|[\u3040-\u30ff\u4e00-\u9fff])$")
# another item's mark after a wide gap or a comma: items run together on one line
_RUN_ON_MARK = re.compile(
    rf"(\s{{2,}}|[、,]\s*)([{_KANA}][.．、)]|[①-⑳]|\(\s*\d{{1,2}}\s*\)|\d{{1,2}}[.．)])"
)


def title_like(heading: str) -> bool:
    """Whether the words after a mark can be a title (what the text below is about) rather than a
    table cell or an item of content: two or more letters (``3 既`` is a cell of a vertical
    column), no sentence inside (``…高い。 婦人科…``: a 。 outside brackets), no topic of a
    sentence (``上記(1)アは、…``), no cell at its end (``… 加入者構成の分析 -``, ``実施体制 計``), no second
    item's mark run on (``…の説明  カ.…``, ``…の発送、②…``)."""
    if len(_WORDISH.findall(heading)) < 2:
        return False
    outside = _BRACKETED.sub("", heading)
    if "。" in outside.rstrip("。") or "は、" in outside or _CELL_END.search(heading):
        return False
    return not _RUN_ON_MARK.search(heading)


def heading_text_ok(heading: str, limit: int = MAX_HEADING_CHARS) -> bool:
    """Short, and not a sentence (no closing 。, no verb at the end)."""
    return bool(heading) and len(heading) <= limit and not heading.endswith(("。", "、", ",")) and not (
        PREDICATE.search(heading)
    )


def reaches_margin(item: PlanLine) -> bool:
    return item.line.x1 >= item.right_edge - 1.5 * item.line.size


_FIRST_UNIT = re.compile(
    r"[〈<＜(（【「［\[][0-9A-Za-zⅠ-Ⅻⅰ-ⅻ.,%、・\s]{1,12}[〉>＞)）】」］\]]"
    r"|[〈<＜(（【「［\[]*(?:[0-9A-Za-zⅠ-Ⅻⅰ-ⅻ.,%]+|.)[、。,.〉>＞)）】」］\]ぁぃぅぇぉっゃゅょァィゥェォッャュョー]*"
)
"""What a Japanese line is not broken inside (禁則): a bracketed group of numerals and letters (a
field tag 〈Ⅰ、Ⅱ、Ⅲ〉, (2024)), else the opening brackets before a character, a Latin word, a number
or a Roman numeral, and the closing marks and small kana after it (``（保`` of （保険証…）)."""


_CLOSING = ("〉", ">", "＞", ")", "）", "】", "」", "］", "]")


def wrapped_before(item: PlanLine, nxt: PlanLine) -> bool:
    """Whether ``item`` stopped short of its margin only because the first piece of ``nxt`` that
    Japanese line breaking keeps together would not have fitted there: a wrap, though the line
    ends well before the edge."""
    text = nxt.line.text.strip()
    unit = _FIRST_UNIT.match(text)
    if unit is None or item.line.text.rstrip().endswith(_CLOSING):
        return False  # a line that closes a bracket (a heading's field tag) is complete as it is
    width = sum(0.5 if ord(ch) < 0x2000 or "\uff61" <= ch <= "\uff9f" else 1.0 for ch in unit.group())
    return item.right_edge - item.line.x1 < width * item.line.size


def looks_like_heading(item: PlanLine, heading: str) -> bool:
    line = item.line
    emphasized = line.bold or line.size >= item.body_size + 0.9 or line.role == "label"
    limit = 2 * MAX_HEADING_CHARS if emphasized else MAX_HEADING_CHARS
    if not heading_text_ok(heading, limit) or not item.alone:
        return False
    return emphasized or not reaches_margin(item)


def wrapped_heading(items: list[PlanLine], i: int, heading: str) -> tuple[str, int] | None:
    """A heading that fills its line: complete as it is when a new block follows (a numbered
    or bulleted line, an indented line); else wrapped onto the next line(s), joined."""
    if not items[i].alone or not reaches_margin(items[i]) or len(heading) > MAX_HEADING_CHARS:
        return None
    if i + 1 < len(items) and heading_text_ok(heading):
        nxt = items[i + 1]
        text = nxt.line.text.strip()
        indented = nxt.line.x0 > items[i].line.x0 + 0.5 * nxt.line.size
        if nxt.page_no != items[i].page_no or match_style(text) or NEW_BLOCK.match(text) or indented:
            return heading, i
    joined = heading
    for j in range(i + 1, min(i + 3, len(items))):
        nxt = items[j]
        text = nxt.line.text.strip()
        if nxt.page_no != items[i].page_no or not text or match_style(text) or not nxt.alone:
            return None
        joined += text
        if not reaches_margin(nxt):
            return (joined, j) if heading_text_ok(joined, 2 * MAX_HEADING_CHARS) else None
    return None


def _row_key(items: list[PlanLine], j: int) -> str:
    """The squashed text of line ``j`` and of the lines after it on its baseline (a table of
    contents set as a table: the number, the title and the page in cells of their own), page
    numbers and leaders left out."""
    line = items[j].line
    parts = [line.text]
    for k in range(j + 1, min(j + 6, len(items))):
        other = items[k]
        if other.page_no != items[j].page_no or abs(other.line.y0 - line.y0) > 0.5 * line.size:
            break
        parts.append(other.line.text)
    return squash(_TRAILING_PAGE.sub("", " ".join(parts)))


def continued_heading(items: list[PlanLine], i: int, heading: str) -> tuple[str, int] | None:
    """A heading whose title wraps onto the next line, set in the same type (``第2章 特定健康診査・
    特定保健指導の第3期実施`` / ``計画``): (the whole title, the last line), or None. The heading
    line runs to its margin; the next line, just below it, is as large and as bold, larger than
    the body text and than the line after it, short, and opens with no mark of its own."""
    if i + 1 >= len(items) or not reaches_margin(items[i]):
        return None
    cur, nxt = items[i].line, items[i + 1].line
    text = nxt.text.strip()
    if (
        items[i + 1].page_no != items[i].page_no or not text or match_style(text) or NEW_BLOCK.match(text)
        or abs(nxt.size - cur.size) > 0.5 or nxt.bold != cur.bold or cur.size < items[i].body_size + 0.9
        or not 0 <= nxt.y0 - cur.y1 <= cur.size or len(text) > MAX_HEADING_CHARS // 2 or text.endswith("。")
    ):  # fmt: skip
        return None
    if i + 2 < len(items) and items[i + 2].page_no == items[i].page_no:
        after = items[i + 2].line  # the text below: set like the line in question, that line is text too
        alike = abs(after.size - nxt.size) <= 0.5 and after.bold == nxt.bold
        if alike and not match_style(after.text.strip()):
            return None
    return heading + text, i + 1


def toc_lines(items: list[PlanLine]) -> set[int]:
    """Indexes of lines that belong to a table of contents: lines with leaders and a page number,
    and from a 目次 title on, every line until the first entry comes again as the body's heading
    (an entry and its heading are compared with the rest of the entry's row, for a table of
    contents set as a table), or else the rest of the title's page."""
    skip: set[int] = set()
    for i, item in enumerate(items):
        text = item.line.text
        if _LEADERS.search(text) and _TRAILING_PAGE.search(text):
            skip.add(i)
        if not _TOC_TITLE.match(text):
            continue
        skip.add(i)
        first_key = None
        for j in range(i + 1, len(items)):
            key = squash(_TRAILING_PAGE.sub("", items[j].line.text))
            if first_key is None:
                if match_style(_TRAILING_PAGE.sub("", items[j].line.text)):
                    first_key = _row_key(items, j)
                skip.add(j)
                continue
            if first_key in (key, _row_key(items, j)):  # the body starts where the first entry comes again
                break
            skip.add(j)
        else:  # no repeat found: the table of contents is the rest of its page
            skip = {k for k in skip if items[k].page_no == item.page_no or k <= i}
    return skip


_ROMAN_SMALL = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")


def ordinal(style: str, label: str) -> int | None:
    """The count a mark stands for (``(3)`` → 3, ``ウ`` → 3, ``ⅱ)`` → 2), or None."""
    mark = re.sub(r"[\s()（）.]", "", normalize_text(label))
    if style in ("dai", "n", "n.", "(n)", "[n]"):
        digits = re.search(r"\d+", mark)
        return int(digits.group()) if digits else None
    if style == "circled":
        return ord(mark[0]) - 0x2460 + 1 if "①" <= mark[:1] <= "⑳" else None
    if style in ("kana", "(kana)"):
        return _KANA.index(mark[0]) + 1 if mark[:1] and mark[0] in _KANA else None
    if style == "Roman":
        return ord(mark[0]) - 0x2160 + 1 if "Ⅰ" <= mark[:1] <= "Ⅻ" else None
    if style == "roman":
        if "ⅰ" <= mark[:1] <= "ⅻ":
            return ord(mark[0]) - 0x2170 + 1
        return _ROMAN_SMALL.index(mark.lower()) + 1 if mark.lower() in _ROMAN_SMALL else None
    return None


def as_written(line: Line, part: str) -> str:
    """``part`` of the line's normalized text as the PDF wrote it (full-width digits and all)."""
    return as_written_lines([line], part)


def as_written_lines(lines: list[Line], part: str, after: int = 0) -> str:
    """``part`` of the lines' normalized text (a heading wrapped over them, joined) as the PDF wrote
    it, looked for from position ``after`` (a measure's mark after its field's on the same line)."""
    if not part:
        return part
    text = "".join(line.text.strip() for line in lines)
    raw = "".join(line.raw_text.strip() for line in lines)
    if len(text) != len(raw) or any(len(ln.text.strip()) != len(ln.raw_text.strip()) for ln in lines):
        return part
    start = text.find(part, after)
    if start < 0:
        start = text.find(part)
    return raw[start : start + len(part)] if start >= 0 else part


def plan_lines(pages: list[tuple[int, list[Line]]]) -> list[PlanLine]:
    """Wrap each line with what the heading test needs: baseline company, margin, body size."""
    sizes: dict[float, int] = {}
    for _, lines in pages:
        for line in lines:
            sizes[round(line.size, 1)] = sizes.get(round(line.size, 1), 0) + len(line.text)
    body_size = max(sizes, key=lambda s: sizes[s]) if sizes else 10.0
    items: list[PlanLine] = []
    for page_no, lines in pages:
        # Where wrapped paragraph lines end: the usual right end of the page's longer lines.
        full = sorted(line.x1 for line in lines if not line.vertical and len(line.text) >= 20)
        right_edge = full[int(len(full) * 0.75)] if full else float("inf")
        alone = _lines_alone(lines)
        items.extend(
            # a line in a table cell wraps at the cell's edge, not the page's
            PlanLine(page_no, line, alone[k], line.cell.x1 - 2.0 if line.cell else right_edge, body_size)
            for k, line in enumerate(lines)
        )
    return items
