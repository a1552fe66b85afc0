"""Split a plan's lines into its section tree.

Japanese plans mark their outline with numbering, not with markup: 第N章, 第N, N.N, N., N␣,
(N), ①, ⅰ, ア, STEP N-M, ○ … Which mark is a level depends on the document, so levels are
assigned by order of appearance (the outline stack a reader keeps in mind): a mark style seen
for the first time goes one level deeper; a style already on the stack closes everything
below it. Chapters (第N章, 序章) are always top level.

A numbered line is a heading only when it looks like one, which is how a reader tells
``（１）実施状況`` from a sentence that starts with ``（１）``:

- it stands alone on its baseline (table cells share a baseline with their neighbours);
- its text after the mark is short and does not end with 。;
- it stops short of the right margin, unless its font is larger or bold (a wrapped paragraph
  reaches the margin).

A table of contents (目次, dot leaders) is recognized and skipped, so its entries are not
taken for sections. 協会けんぽ plans have a fixed frame: the three fields (基盤的保険者機能関係,
戦略的保険者機能関係, 組織・運営体制関係) are the top level, the measures under them the second, and
what lies deeper (○ actions, KPI parts ①②) is body text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemas.records import Line

FIELDS = ("基盤的保険者機能関係", "戦略的保険者機能関係", "組織・運営体制関係")

_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホ"
# (style, pattern) in the order they are tried; the pattern's group 1 is the label.
_STYLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I))
    for name, pattern in (
        ("chapter", r"^(第\s*\d+\s*章|序\s*章|終\s*章)\s*"),
        ("section", r"^(第\s*\d+\s*節)\s*"),
        ("dai", r"^(第\s*\d+)(?![\d章節条項回期号年部次])\s*"),
        ("step_sub", r"^(STEP\s*\d+\s*-\s*\d+)\s*"),
        ("step", r"^(STEP\s*\d+)(?!\s*-)\s*"),
        ("n.n.n", r"^(\d{1,2}\.\d{1,2}\.\d{1,2})\.?\s*(?=[^\d\s.%])"),
        ("n.n", r"^(\d{1,2}\.\d{1,2})\.?\s*(?=[^\d\s.%,])"),
        ("n.", r"^(\d{1,2}\s*\.)\s*(?=[^\d\s.%,])"),
        ("n", r"^(\d{1,2})\s+(?=[^\d\s.%,:/()~\-])"),
        ("(n)", r"^(\(\s*\d{1,2}\s*\))\s*(?=\S)"),
        ("circled", r"^([①-⑳㉑-㉟])\s*(?=\S)"),
        ("roman", r"^(\(?[ⅰ-ⅻ]\)|[ⅰ-ⅻ][.)]?)\s*(?=\S)"),
        ("Roman", r"^([Ⅰ-Ⅻ][.)]?)\s*(?=\S)"),
        ("kana", rf"^([{_KANA}])[\s.、)]+(?=\S)"),
        ("(kana)", rf"^(\([{_KANA}]\))\s*(?=\S)"),
        ("bullet", r"^([○〇◯])\s*(?=\S)"),
    )
)
# A line ending in a predicate is a sentence (a KPI part: ②郵送化率を95.0%以上とする), not a heading.
_PREDICATE = re.compile(r"(とする|する|させる|される|図る|行う|努める|目指す|です|ます|ある|いる|なる)$")
_TOC_TITLE = re.compile(r"^\s*目\s*次\s*$")
_LEADERS = re.compile(r"(\.{3,}|…{2,}|・{3,}|‥{2,}|･{3,})")
_TRAILING_PAGE = re.compile(r"(\s*(\.{2,}|…+|・{2,}))?\s*(\(\s*[\d ]+\)|\d{1,3})\s*$")
_SPACES = re.compile(r"\s+")
MAX_HEADING_CHARS = 50


@dataclass
class SectionDraft:
    """A section while the tree is being built (turned into records by the caller)."""

    level: int
    label: str
    heading: str
    style: str
    page_start: int
    page_end: int
    parent: int | None  # index into the draft list
    lines: list[str] = field(default_factory=list)


@dataclass
class PlanLine:
    """A line of a plan with the context the heading test needs."""

    page_no: int
    line: Line
    page_lines: list[Line]
    right_edge: float  # where full lines of this page end
    body_size: float

    @property
    def alone(self) -> bool:
        """No other line shares its baseline (asked only of heading candidates: it is O(lines))."""
        line = self.line
        return not any(
            other is not line
            and not other.vertical
            and min(line.y1, other.y1) - max(line.y0, other.y0) > 0.5 * min(line.size, other.size)
            for other in self.page_lines
        )


def _squash(text: str) -> str:
    return _SPACES.sub("", text)


def undouble(text: str) -> str:
    """``STEP1-1 基本情報STEP1-1 基本情報`` → ``STEP1-1 基本情報`` (fake bold read twice)."""
    stripped = text.strip()
    n = len(stripped)
    for cut in range(n // 2, n // 2 + 2):
        first, second = stripped[:cut].strip(), stripped[cut:].strip()
        if first and first == second:
            return first
    return stripped


def match_style(text: str) -> tuple[str, str, str] | None:
    """The numbering style, label and heading of ``text`` (normalized), or None."""
    for name, pattern in _STYLES:
        m = pattern.match(text)
        if m:
            return name, m.group(1), text[m.end() :].strip()
    return None


def match_field(text: str) -> tuple[str, str, str] | None:
    """A 協会けんぽ field line: (label, field name as written, rest of the line)."""
    m = re.match(r"^((?:\d{1,2}\s*\.?|\(\s*\d{1,2}\s*\))?)\s*", text)
    label = m.group(1).strip() if m else ""
    body = text[m.end() if m else 0 :]
    squashed = _squash(body)
    for name in FIELDS:
        for cut in range(len(name), 5, -1):  # a cut-off field name still counts (>= 6 characters)
            if squashed.startswith(name[:cut]):
                taken = _take_chars(body, cut)
                if cut < len(name) and body[len(taken) :].strip():
                    break  # a prefix followed by other text is not a cut-off field name
                return label, taken.strip(), body[len(taken) :].strip()
    return None


def _take_chars(text: str, count: int) -> str:
    """The shortest prefix of ``text`` holding ``count`` non-space characters."""
    seen = 0
    for i, ch in enumerate(text):
        if not ch.isspace():
            seen += 1
            if seen == count:
                return text[: i + 1]
    return text


def looks_like_heading(item: PlanLine, heading: str) -> bool:
    line = item.line
    if not heading or heading.endswith(("。", "、", ",")) or _PREDICATE.search(heading):
        return False
    if not item.alone:
        return False
    emphasized = line.bold or line.size >= item.body_size + 0.9
    if len(heading) > (2 * MAX_HEADING_CHARS if emphasized else MAX_HEADING_CHARS):
        return False
    reaches_margin = line.x1 >= item.right_edge - 1.5 * line.size
    return emphasized or not reaches_margin


def toc_lines(items: list[PlanLine]) -> set[int]:
    """Indexes of lines that belong to a table of contents."""
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
            key = _squash(_TRAILING_PAGE.sub("", items[j].line.text))
            if first_key is None:
                if match_style(_TRAILING_PAGE.sub("", items[j].line.text)):
                    first_key = key
                skip.add(j)
                continue
            if key == first_key:  # the body starts where the first entry comes again
                break
            skip.add(j)
        else:  # no repeat found: the table of contents is the rest of its page
            skip = {k for k in skip if items[k].page_no == item.page_no or k <= i}
    return skip


def build_sections(items: list[PlanLine], skip_pages: set[int] | None = None) -> list[SectionDraft]:
    """The plan's sections in reading order, each with its level, parent and body lines.

    Text before the first heading becomes a level-0 section (the plan's front matter).
    """
    skip_pages = skip_pages or set()
    toc = toc_lines(items)
    drafts: list[SectionDraft] = []
    stack: list[tuple[str, int]] = []  # (style, index into drafts) from the top level down
    has_fields = any(match_field(it.line.text) for it in items[:4000] if it.line.text.strip())
    current: SectionDraft | None = None
    seen_fields: set[str] = set()
    annex = False  # a 協会けんぽ plan that lists its fields again (a KPI table) is in its annex

    def open_section(style: str, label: str, heading: str, page: int) -> SectionDraft:
        nonlocal current
        label, heading = as_written(item.line, label), as_written(item.line, heading)
        styles = [s for s, _ in stack]
        if style in ("chapter", "field"):
            del stack[:]
        elif style in styles:
            del stack[styles.index(style) :]
        parent = stack[-1][1] if stack else None
        draft = SectionDraft(len(stack) + 1, label, heading, style, page, page, parent)
        drafts.append(draft)
        stack.append((style, len(drafts) - 1))
        current = draft
        return draft

    for i, item in enumerate(items):
        text = item.line.text.strip()
        if not text:
            continue
        page = item.page_no
        if i in toc or page in skip_pages:
            _append(drafts, current, text, page)
            if current is None and not drafts:
                current = _front(drafts, page, text)
            continue
        field_match = match_field(text) if has_fields and not annex else None
        if field_match and not item.alone:
            field_match = None
        if field_match and _squash(field_match[1]) in seen_fields:
            annex, field_match = True, None
        if annex:
            _append(drafts, current, text, page)
            continue
        if field_match:
            label, name, rest = field_match
            seen_fields.add(_squash(name))
            open_section("field", label, name, page)
            rest = undouble(rest)
            nested = match_style(rest) if rest else None
            if nested and nested[2] and _squash(nested[2]) not in map(_squash, FIELDS):
                open_section(nested[0], nested[1], nested[2], page)
            continue
        styled = match_style(text)
        if styled and "**" in styled[2]:  # a heading and the next one merged (emphasis marks)
            first, _, rest = styled[2].replace("**", "\x00", 1).partition("\x00")
            nested = match_style(rest.replace("**", "").strip())
            if nested and _is_heading(styled[0], first.strip(), item, stack, has_fields):
                open_section(styled[0], styled[1], first.strip(), page)
                styled = nested
        if styled:
            style, label, heading = styled
            heading = undouble(heading)
            if _is_heading(style, heading, item, stack, has_fields):
                open_section(style, label, heading, page)
                continue
        if current is None:
            current = _front(drafts, page, text)
            continue
        _append(drafts, current, text, page)
    return drafts


def _is_heading(
    style: str, heading: str, item: PlanLine, stack: list[tuple[str, int]], has_fields: bool
) -> bool:
    styles = [s for s, _ in stack]
    if style == "bullet":  # ○ marks a measure only directly under a 協会けんぽ field
        return has_fields and styles == ["field"] and looks_like_heading(item, heading)
    if has_fields:
        if not styles or styles[0] != "field":
            return False
        depth = styles.index(style) + 1 if style in styles else len(styles) + 1
        if depth > 2:  # deeper than field > measure is body text (actions, KPI parts)
            return False
    return looks_like_heading(item, heading)


def as_written(line: Line, part: str) -> str:
    """``part`` of the line's normalized text as the PDF wrote it (full-width digits and all)."""
    text, raw = line.text, line.raw_text
    start = text.find(part)
    if not part or start < 0 or len(text) != len(raw):
        return part
    return raw[start : start + len(part)]


def _front(drafts: list[SectionDraft], page: int, text: str) -> SectionDraft:
    draft = SectionDraft(0, "", "", "front", page, page, None, [text])
    drafts.append(draft)
    return draft


def _append(drafts: list[SectionDraft], current: SectionDraft | None, text: str, page: int) -> None:
    if current is None:
        return
    current.lines.append(text)
    current.page_end = max(current.page_end, page)


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
        items.extend(PlanLine(page_no, line, lines, right_edge, body_size) for line in lines)
    return items
