"""Split a plan's lines into its section tree.

Japanese plans mark their outline with numbering, not with markup: 第N章, 第N, N.N, N., N␣,
(N), ①, ⅰ, ア, STEP N-M, ○ … Which mark is a level depends on the document, so levels are
assigned by order of appearance (the outline stack a reader keeps in mind): a mark style seen
for the first time goes one level deeper; a style already on the stack closes everything
below it. Chapters (第N章, 序章), appendices (参考 1.) and the parts of the STEP template are
always top level.

A numbered line is a heading only when it looks like one, which is how a reader tells
``（１）実施状況`` from a sentence that starts with ``（１）``:

- it stands alone on its baseline (table cells share a baseline with their neighbours);
- its text after the mark is short, a title: no sentence (no 。, no topic …は、), no table
  cell (one letter, an empty cell ``-``), no second item run on;
- it stops short of the right margin, unless its font is larger or bold (a wrapped paragraph
  reaches the margin).

And its mark must belong to an outline: marks that do not count 1, 2, 3 … (codes in a table's
column), lists whose items follow one another with nothing under them, and form labels repeated
per record are read as text (``not_an_outline``; the tree is built again without them).

A table of contents (目次, dot leaders) is recognized and skipped, so its entries are not
taken for sections. A table's header row (a line of role ``header``, see ``extract.cells``) is
never section text. 協会けんぽ business plans have a frame: a few *fields* are the top level, the
measures under them the second, and what lies deeper (○ actions, KPI parts ①②) is body text.
The fields are found by :func:`find_frame` from their numbering (one mark style, numbered from 1),
their position (a label column's cells, or the most prominent numbered lines, spread over the
plan) and the words they share (基盤的保険者機能関係 / 戦略的保険者機能関係 / 組織・運営体制関係 share
関係; 基盤的保険者機能の盤石化 / … share 保険者機能) -- not from one spelling of them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from extract.normalize import normalize_text
from schemas.records import Line

_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホ"
# A number glued to one of these is a quantity (3年, 5人, 2か月), not a heading number.
_COUNTERS = r"[年月日時分秒人名件回歳割倍点位者社所期号条項章節部か箇ヵヶカ万千百億円]"
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
        ("n.", r"^(\d{1,2}\s*\.)\s*(?=[^\d\s.%,])"),
        ("n", r"^(\d{1,2})(?:\s+(?=[^\d\s.%,:/()~\-])|(?=[一-龥ァ-ヴ])(?!" + _COUNTERS + r"))"),
        ("(n)", r"^(\(\s*\d{1,2}\s*\)|\d{1,2}\))\s*(?=\S)"),  # 1) is a slip for (1)
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
_PREDICATE = re.compile(
    r"(とする|する|させる|される|図る|行う|努める|目指す|です|ます|ある|いる|なる|以上|以下|未満|とす)$"
)
_CLOSING = set("〉》）)」』】]、。,.・")
_NEW_BLOCK = re.compile(r"^[・■□【※◆◇●○〇]")
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
    item: int = -1  # the index of its heading line in the plan's lines


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


def undouble(text: str) -> str:
    """``STEP1-1 基本情報STEP1-1 基本情報`` → ``STEP1-1 基本情報`` (fake bold read twice)."""
    stripped = text.strip()
    n = len(stripped)
    if n < 2 or stripped[0] not in stripped[(n - 1) // 2 :]:
        return stripped  # the first character never comes back in the second half
    for cut in range(n // 2, n // 2 + 2):
        first, second = stripped[:cut].strip(), stripped[cut:].strip()
        # a repeated number (11, 100100) is a number, not fake bold: only text counts
        if len(first) >= 2 and first == second and not re.fullmatch(r"[\d\s.,%‰\-]+", first):
            return first
    return stripped


def undouble_digits(label: str) -> str:
    """``STEP11-33`` → ``STEP1-3`` when every number is its digits doubled (fake bold)."""
    runs = re.findall(r"\d+", label)
    if runs and all(len(r) % 2 == 0 and r[0::2] == r[1::2] for r in runs):
        return re.sub(r"\d+", lambda m: m.group()[0::2], label)
    return label


_CAN_START = re.compile(r"^[第序終参付0-9(①-⑳㉑-㉟ⅰ-ⅻⅠ-Ⅻア-ホ○〇◯●◎◆◇Ssivx]")


def match_style(text: str) -> tuple[str, str, str] | None:
    """The numbering style, label and heading of ``text`` (normalized), or None."""
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


_TOP_LEVEL = ("chapter", "field", "appendix", "step")  # parts of the whole plan, whatever is open
_WORDISH = re.compile(r"[A-Za-z\u3040-\u30ff\u4e00-\u9fff]")
_BRACKETED = re.compile(r"\([^()]*\)|（[^（）]*）|「[^「」]*」|【[^【】]*】")
# an empty cell (-) ends a table row; one character set apart is the top of a vertical cell (計 of 計画)
_CELL_END = re.compile(r"\s([-—―‐−–]|[\u3040-\u30ff\u4e00-\u9fff])$")
# another item's mark after a wide gap or a comma: items run together on one line
_RUN_ON_MARK = re.compile(
    rf"(\s{{2,}}|[、,]\s*)([{_KANA}][.．、)]|[①-⑳]|\(\s*\d{{1,2}}\s*\)|\d{{1,2}}[.．)])"
)


def _step_number(label: str) -> str:
    found = re.search(r"\d+", normalize_text(label))
    return found.group() if found else ""


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
        _PREDICATE.search(heading)
    )


def reaches_margin(item: PlanLine) -> bool:
    return item.line.x1 >= item.right_edge - 1.5 * item.line.size


def looks_like_heading(item: PlanLine, heading: str) -> bool:
    line = item.line
    emphasized = line.bold or line.size >= item.body_size + 0.9 or line.role == "label"
    limit = 2 * MAX_HEADING_CHARS if emphasized else MAX_HEADING_CHARS
    if not heading_text_ok(heading, limit) or not item.alone:
        return False
    return emphasized or not reaches_margin(item)


def _continuation(items: list[PlanLine], i: int, heading: str) -> tuple[str, int] | None:
    """A heading that fills its line: complete as it is when a new block follows (a numbered
    or bulleted line, an indented line); else wrapped onto the next line(s), joined."""
    if not items[i].alone or not reaches_margin(items[i]) or len(heading) > MAX_HEADING_CHARS:
        return None
    if i + 1 < len(items) and heading_text_ok(heading):
        nxt = items[i + 1]
        text = nxt.line.text.strip()
        indented = nxt.line.x0 > items[i].line.x0 + 0.5 * nxt.line.size
        if nxt.page_no != items[i].page_no or match_style(text) or _NEW_BLOCK.match(text) or indented:
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
            key = squash(_TRAILING_PAGE.sub("", items[j].line.text))
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


# The marks fields are numbered with (１． / （１） / １ / Ⅰ． / ⅰ) / ①), or none in a label column.
_FIELD_STYLES = {"n.", "(n)", "n", "Roman", "roman", "circled"}
_MAX_FIELD_CHARS = 30
_MAX_FIELDS = 6
_FRAME_SPREAD = 0.3  # the fields spread over at least this share of the plan's lines
_OPENS_ITEM = tuple("【〈<(（■□○〇●◎・◆◇※")
_ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
_SMALL_ROMAN = "ⅰⅱⅲⅳⅴⅵⅶⅷⅸⅹⅺⅻ"
_CJK_RUN = re.compile(r"[\u3005\u3040-\u30ff\u3400-\u9fff]{2,}")
_CJK_CHARS = re.compile(r"[\u3005\u3040-\u30ff\u3400-\u9fff]+")


@dataclass
class FieldLine:
    """A field's line: its mark, its name as written, what follows on the line, its last line."""

    index: int
    label: str
    name: str
    rest: str
    last: int
    number: int | None
    style: str
    prominence: float
    names: tuple[str, ...]  # squashed spellings: as printed, and joined with a wrapped remainder


@dataclass
class Frame:
    """A business plan's fields (line index → field line), or none."""

    fields: dict[int, FieldLine] = field(default_factory=dict)

    @property
    def names(self) -> set[str]:
        return {squash(f.name) for f in self.fields.values()}

    def restates(self, items: list[PlanLine], i: int) -> bool:
        """Whether line ``i`` names one of the fields again (a heading repeated in its cell, an annex)."""
        if not self.fields:
            return False
        found = _field_candidate(items, i, items[i].body_size)
        if found is not None:
            return any(name in self.names for name in found.names)
        text = squash(undouble(items[i].line.text))
        return any(text.endswith(name) and len(text) - len(name) <= 4 for name in self.names)


def _number_of(style: str, label: str) -> int | None:
    digits = re.sub(r"\D", "", label)
    if digits:
        return int(digits)
    for marks in (_ROMAN, _SMALL_ROMAN):
        hit = next((k for k, ch in enumerate(marks) if ch in label), None)
        if hit is not None:
            return hit + 1
    if style == "circled":
        return ord(label.strip()[0]) - ord("①") + 1
    return None


def _split_name(heading: str) -> tuple[str, str]:
    """A field's name and what the line goes on with: a measure, a 【…】 block or a description."""
    head, sep, tail = heading.partition(" ")
    if sep and tail.strip():
        tail = tail.strip()
        if match_style(tail) or tail.startswith(_OPENS_ITEM) or len(tail) > 12 or tail.endswith("。"):
            return head.strip(), tail
    return heading.strip(), ""


def _field_candidate(items: list[PlanLine], i: int, body_size: float) -> FieldLine | None:
    """Line ``i`` read as a field line, if it could be one: short, numbered or a label cell."""
    item = items[i]
    line = item.line
    if line.role == "header" or line.vertical or not (item.alone or line.role == "label"):
        return None
    text = undouble(line.text.strip())
    styled = match_style(text)
    if styled is not None and styled[0] in _FIELD_STYLES:
        style, label, heading = styled
    elif styled is None and line.role == "label":
        style, label, heading = "label", "", text
    else:
        return None
    name, rest = _split_name(heading)
    squashed = squash(name)
    if not 4 <= len(squashed) <= _MAX_FIELD_CHARS or not heading_text_ok(name, _MAX_FIELD_CHARS):
        return None
    if _QUANTITY.search(name) or not _CJK_RUN.search(squashed):
        return None
    names = [squashed]
    last = i
    if not rest and i + 1 < len(items):  # a name cut at the end of its line: "基盤的保険者機" / "能関係"
        nxt = items[i + 1]
        tail = nxt.line.text.strip()
        if (
            nxt.page_no == item.page_no
            and 1 <= len(squash(tail)) <= 6
            and nxt.line.role != "header"
            and not match_style(tail)
            and not _NEW_BLOCK.match(tail)
            and _CJK_CHARS.fullmatch(squash(tail))
        ):
            names.append(squashed + squash(tail))
    prominence = 100.0 if line.role == "label" else (line.size - body_size) + (0.5 if line.bold else 0.0)
    return FieldLine(i, label, name, rest, last, _number_of(style, label), style, prominence, tuple(names))


def find_frame(items: list[PlanLine], toc: set[int] | None = None) -> Frame:
    """The fields of a business plan: the top of its outline, found from three things.

    - numbering: one mark style, numbered 1, 2, 3 … in order (or no mark, in a label column);
    - position: they spread over the plan, and they are its most prominent such lines (a label
      column's cells, or the largest or bold numbered lines);
    - the words they share: every field's name holds one word (two or more kana or kanji) in
      common -- 関係 in 基盤的保険者機能関係, 戦略的保険者機能関係, 組織・運営体制関係.

    Three or more such lines make a frame (two label cells do too); a plan with chapters (第N章)
    has none, and its outline is read from the numbering alone.
    """
    toc = toc or set()
    body = items[0].body_size if items else 10.0
    if any(_is_chapter(items, i) for i in range(len(items)) if i not in toc):
        return Frame()  # a document of chapters has its chapters on top, not fields
    candidates = [c for i in range(len(items)) if i not in toc and (c := _field_candidate(items, i, body))]
    if len(candidates) < 2:
        return Frame()
    by_style: dict[str, list[FieldLine]] = {}
    for c in candidates:
        by_style.setdefault(c.style, []).append(c)
    best: tuple | None = None
    best_chain: list[FieldLine] = []
    for style, cands in by_style.items():
        starts = cands if style == "label" else [c for c in cands if c.number == 1]
        for start in starts[:8]:
            words = {w for name in start.names for run in _CJK_RUN.findall(name) for w in _substrings(run)}
            for word in sorted(words, key=lambda w: (-len(w), w)):
                chain = [(start, next(n for n in start.names if word in n))]
                for c in cands:
                    if c.index <= chain[-1][0].last or c.index <= chain[-1][0].index:
                        continue
                    wanted = style == "label" or c.number == len(chain) + 1
                    hit = next((n for n in c.names if word in n), None)
                    if wanted and hit and hit not in {n for _, n in chain}:
                        chain.append((c, hit))
                        if len(chain) == _MAX_FIELDS:
                            break
                labels = all(c.prominence >= 100 for c, _ in chain)
                if len(chain) < (2 if labels else 3):
                    continue  # two numbered lines sharing a word is chance; two label cells are not
                span = chain[-1][0].index - chain[0][0].index
                if span < _FRAME_SPREAD * len(items):
                    continue
                key = (min(c.prominence for c, _ in chain), len(chain), len(word), -chain[0][0].index)
                if best is None or key > best:
                    best, best_chain = key, [_settle(c, n, items) for c, n in chain]
    return Frame({c.index: c for c in best_chain})


def _is_chapter(items: list[PlanLine], i: int) -> bool:
    text = items[i].line.text
    if not text.lstrip().startswith(("第", "序", "終")):
        return False
    styled = match_style(undouble(text.strip()))
    return bool(styled and styled[0] == "chapter" and items[i].alone and heading_text_ok(styled[2]))


def _substrings(run: str) -> set[str]:
    return {run[a:b] for a in range(len(run)) for b in range(a + 2, min(len(run), a + 12) + 1)}


def _settle(c: FieldLine, name: str, items: list[PlanLine]) -> FieldLine:
    """The field line with the spelling the frame matched: joined with its wrapped remainder or not."""
    if name == c.names[0]:
        return FieldLine(c.index, c.label, c.name, c.rest, c.index, c.number, c.style, c.prominence, (name,))
    tail = items[c.index + 1].line.text.strip()
    joined = c.name + tail
    return FieldLine(c.index, c.label, joined, "", c.index + 1, c.number, c.style, c.prominence, (name,))


def build_sections(
    items: list[PlanLine], skip_pages: set[int] | None = None, owner: list[int] | None = None
) -> list[SectionDraft]:
    """The plan's sections in reading order, each with its level, parent and body lines.

    Text before the first heading becomes a level-0 section (the plan's front matter). When
    ``owner`` is given it is filled with, for each line, the index of the section it belongs to.

    The tree is built, then checked as a reader checks an outline (:func:`not_an_outline`): marks
    that do not count 1, 2, 3 …, lists and form labels are taken back as text and the tree is
    built again without them (a second pass is rare; a third rarer still).
    """
    as_text: set[int] = set()
    drafts: list[SectionDraft] = []
    for _ in range(3):
        drafts = _build_sections(items, skip_pages, owner, as_text)
        more = not_an_outline(drafts) - as_text
        if not more:
            break
        as_text |= more
    return drafts


_ORDINAL_STYLES = ("dai", "n", "n.", "(n)", "circled", "roman", "Roman", "kana", "(kana)")
_ROMAN_SMALL = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")


def ordinal(style: str, label: str) -> int | None:
    """The count a mark stands for (``(3)`` → 3, ``ウ`` → 3, ``ⅱ)`` → 2), or None."""
    mark = re.sub(r"[\s()（）.]", "", normalize_text(label))
    if style in ("dai", "n", "n.", "(n)"):
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


def not_an_outline(drafts: list[SectionDraft]) -> set[int]:
    """Line indexes of headings that are no outline's numbering, to be read as text.

    The marked headings under one parent with one style are the runs of an outline, each counting
    from its first mark (``1``, ``ア``, ``①``; a run may start again at its first mark). A run is
    taken back when

    - it does not count up from its first mark (``3 既``, ``ス …``: codes in a table's column);
    - two of its items follow each other with nothing between them: a list (answer options,
      criteria, the programs of a 事業の一覧), whose items are content, not titles;
    - all its items have the same words (``1 事業名``, ``2 事業名``: a form's field per record).

    A 協会けんぽ plan's frame (fields and their measures) has rules of its own and is left alone.
    """
    if any(d.style == "field" for d in drafts):
        return set()
    groups: dict[tuple[int | None, str], list[int]] = {}
    for n, draft in enumerate(drafts):
        if draft.level > 0 and draft.style in _ORDINAL_STYLES and draft.item >= 0:
            groups.setdefault((draft.parent, draft.style), []).append(n)
    taken: set[int] = set()
    for members in groups.values():
        runs: list[list[int]] = []
        for n in members:
            if not runs or ordinal(drafts[n].style, drafts[n].label) == 1:
                runs.append([])
            runs[-1].append(n)
        for run in runs:
            counts = [ordinal(drafts[n].style, drafts[n].label) for n in run]
            steps = itertools.pairwise(counts)
            broken = counts[0] != 1 or any(b is None or a is None or b <= a for a, b in steps)
            listed = any(b == a + 1 and not drafts[a].lines for a, b in itertools.pairwise(run))
            form = len(run) >= 2 and len({squash(drafts[n].heading) for n in run}) == 1
            if broken or listed or form:
                taken.update(drafts[n].item for n in run)
    return taken


def _build_sections(
    items: list[PlanLine], skip_pages: set[int] | None, owner: list[int] | None, as_text: set[int]
) -> list[SectionDraft]:
    owner = owner if owner is not None else []
    owner.clear()
    skip_pages = skip_pages or set()
    toc = toc_lines(items)
    drafts: list[SectionDraft] = []
    stack: list[tuple[str, int]] = []  # (style, index into drafts) from the top level down
    frame = find_frame(items, toc)
    has_fields = bool(frame.fields)
    current: SectionDraft | None = None
    seen_fields: set[str] = set()
    measure_style = _measure_styles(items, frame) if has_fields else {}
    field_no = 0
    annex = False  # a 協会けんぽ plan that lists its fields again (a KPI table) is in its annex

    def open_section(
        style: str, label: str, heading: str, page: int, last: int | None = None, after: int = 0
    ) -> SectionDraft:
        """A section headed by lines ``i``..``last`` (a wrapped heading), its mark found from ``after``."""
        nonlocal current
        source = [items[k].line for k in range(i, max(i, last if last is not None else i) + 1)]
        label = as_written_lines(source, label, after)
        heading = as_written_lines(source, heading, after + len(label))
        styles = [s for s, _ in stack]
        if style in _TOP_LEVEL:
            del stack[:]
        elif style == "step_sub":  # STEP2-1 under its STEP2; with no STEP2 open, a part of its own
            under = bool(stack) and stack[0][0] == "step"
            del stack[1 if under and _step_number(drafts[stack[0][1]].label) == _step_number(label) else 0 :]
        elif style in styles:
            del stack[styles.index(style) :]
        parent = stack[-1][1] if stack else None
        draft = SectionDraft(len(stack) + 1, label, heading, style, page, page, parent, item=i)
        drafts.append(draft)
        stack.append((style, len(drafts) - 1))
        current = draft
        return draft

    consumed = -1  # the last line already used as the continuation of a heading
    sub_items = _SubItems(frame=frame)
    for i, item in enumerate(items):
        if i:
            owner.append(max(len(drafts) - 1, 0))  # where line i-1 ended up
        text = undouble(item.line.text.strip())
        if not text or i <= consumed or item.line.role == "header":
            continue  # a table's header row is the table's, not the section's
        page = item.page_no
        if i in toc or page in skip_pages:
            _append(drafts, current, text, page)
            if current is None and not drafts:
                current = _front(drafts, page, text)
            continue
        field_line = frame.fields.get(i) if has_fields and not annex else None
        again = has_fields and not annex and field_line is None and frame.restates(items, i)
        if again:
            if current is not None and current.style == "field":
                continue  # the field line again (drawn twice, or repeated as a heading in its cell)
            if len(seen_fields) == len(frame.fields):  # the frame is complete: what follows restates it
                annex = True
        if seen_fields and _APPENDIX_TITLE.search(text):
            annex = True  # the plan's title again: an appendix (a KPI table) restating the plan
        if annex:
            _append(drafts, current, text, page)
            continue
        if field_line:
            label, name, rest = field_line.label, field_line.name, field_line.rest
            consumed = max(consumed, field_line.last)
            seen_fields.add(squash(name))
            field_no += 1
            sub_items.close()
            open_section("field", label, name, page, last=field_line.last)
            rest = undouble(rest)
            nested = match_style(rest) if rest else None
            measure = measure_style.get(field_no)
            if nested and nested[0] == measure and _nested_ok(nested[0], nested[2], frame):
                found = measure_heading(items, max(i, consumed), nested[2])
                heading = found[0] if found else trim_merged(nested[2])
                consumed = max(consumed, found[1]) if found else consumed
                after = max(0, item.line.text.find(rest))
                open_section(nested[0], nested[1], heading, page, last=consumed, after=after)
            continue
        styled = match_style(text) if i not in as_text else None
        if has_fields:
            measure = measure_style.get(field_no)
            if styled and current is not None and _next_in_count(styled, measure, current):
                styled = (measure or styled[0], styled[1], styled[2])  # ３．after １ and ２: a slip
            bullets = bool(measure and measure.startswith("bullet"))
            in_bullet_measure = bullets and current is not None and current.style == measure
            if (
                styled
                and current is not None
                and _is_measure(items, i, styled, measure)
                and not (in_bullet_measure and sub_items.holds(items, i, measure or ""))
            ):
                found = measure_heading(items, i, styled[2])
                assert found is not None
                heading, consumed = found
                open_section(styled[0], styled[1], heading, page, last=consumed)
                sub_items.close()
                continue
            if current is None:
                current = _front(drafts, page, text)
            else:
                _append(drafts, current, text, page)
                if in_bullet_measure:
                    sub_items.see(items, i, styled, measure or "")
            continue
        if styled and "**" in styled[2]:  # a heading and the next one merged (emphasis marks)
            first, _, rest = styled[2].replace("**", "\x00", 1).partition("\x00")
            nested = match_style(rest.replace("**", "").strip())
            if nested and _is_heading(styled[0], first.strip(), item, stack, has_fields):
                open_section(styled[0], styled[1], first.strip(), page)
                styled = nested
            elif first.strip() and rest.replace("**", "").strip().startswith("【"):
                styled = (styled[0], styled[1], first.strip())  # a 【…】 block after it is not its title
        if styled:
            style, label, heading = styled
            if undouble(heading) != heading:  # fake bold read character by character too
                heading, label = undouble(heading), undouble_digits(label)
            if _is_heading(style, heading, item, stack, has_fields):
                open_section(style, label, heading, page)
                continue
            wrapped = _continuation(items, i, heading) if _allowed(style, stack, has_fields) else None
            if wrapped and title_like(wrapped[0]):
                heading, consumed = wrapped
                open_section(style, label, heading, page, last=consumed)
                continue
        if current is None:
            current = _front(drafts, page, text)
            continue
        _append(drafts, current, text, page)
    if items:
        owner.append(max(len(drafts) - 1, 0))
    return drafts


_DIGIT_MARKS = ("n", "n.")


def _next_in_count(styled: tuple[str, str, str], measure: str | None, current: SectionDraft) -> bool:
    """A digit mark of another spelling (``３．`` among ``１ `` / ``２ `` measures) that goes on
    counting the measures: the same numbering, written with a slip."""
    if measure not in _DIGIT_MARKS or styled[0] not in _DIGIT_MARKS or styled[0] == measure:
        return False
    if current.style != measure:
        return False
    last, this = ordinal(measure, current.label), ordinal(styled[0], styled[1])
    return last is not None and this == last + 1


_NOT_AN_ITEM = re.compile(r"^\s*([■□※(（【]|KPI)")  # KPI lines, notes, a wrapped bracket


@dataclass
class _SubItems:
    """The numbered sub-items (i), ii) …) of the 協会けんぽ measure being read, when the measures'
    mark is a bullet (○): a branch may use that bullet inside a sub-item too, to head groups of
    actions (○未治療者に対する受診勧奨 followed by its ・ lines), and such a bullet is no measure.

    A sub-item groups its actions so when its first item is a bullet of the measures' mark with a
    list (・ / ○ lines) right under it. In such a sub-item a bullet of that mark is a group, unless
    the sub-items' numbering starts again (``i)`` again) after it, before the next such bullet:
    then it opens a measure with sub-items of its own. In a sub-item of plain actions (・) or
    prose, a bullet of the measures' mark is the next measure."""

    style: str | None = None
    grouped: bool | None = None  # the open sub-item heads its actions with the measures' bullet
    frame: Frame | None = None  # the plan's fields: a list ends at the next one

    def close(self) -> None:
        self.style, self.grouped = None, None

    def see(self, items: list[PlanLine], i: int, styled: tuple[str, str, str] | None, measure: str) -> None:
        """A body line of the measure: a sub-item's heading, or its first item."""
        text = items[i].line.text
        if styled and styled[0] not in (measure, "Roman") and not styled[0].startswith("bullet") and (
            heading_text_ok(styled[2], 2 * MAX_HEADING_CHARS)
        ):
            self.style, self.grouped = styled[0], None
        elif self.style and self.grouped is None and not _NOT_AN_ITEM.match(text):
            self.grouped = bool(styled and styled[0] == measure) and _heads_a_list(items, i)

    def holds(self, items: list[PlanLine], i: int, measure: str) -> bool:
        """Whether the measure-marked line ``i`` is an item of the open sub-item."""
        if self.style is None or self.grouped is False:
            return False
        if self.grouped is None:  # the sub-item's first item
            self.grouped = _heads_a_list(items, i)
            if not self.grouped:
                return False
        for j in range(i + 1, min(i + 120, len(items))):
            text = undouble(items[j].line.text.strip())
            if self.frame is not None and (j in self.frame.fields or self.frame.restates(items, j)):
                break
            styled = match_style(text)
            if styled and styled[0] == measure:
                break  # another such bullet first: the list goes on
            if styled and styled[0] == self.style and heading_text_ok(styled[2], 2 * MAX_HEADING_CHARS):
                if ordinal(styled[0], styled[1]) == 1:
                    return False  # the numbering starts again: this bullet opened a new measure
                break
        return True


def _heads_a_list(items: list[PlanLine], i: int) -> bool:
    """Whether a bulleted list (・, ○ …) follows line ``i`` (past a wrapped bracket note)."""
    for j in range(i + 1, min(i + 4, len(items))):
        text = items[j].line.text.strip()
        if not text or text.startswith(("(", "（")):
            continue
        return bool(_BULLETED.match(text))
    return False


_BULLETED = re.compile(r"^[・○〇◯●◆◇☆]")


# Measure headings end in a nominalized action: …の推進, …の強化, …の徹底 …
_HEADING_NOUN = re.compile(
    r"(推進|強化|徹底|向上|促進|実施|取組|取組み|充実|適正化|改善|確保|運営|管理|発信|活用|理解促進)$"
)
# A KPI list restating the plan (KPI一覧表, 令和3年度○○支部事業計画（KPI項目）) is an appendix.
_APPENDIX_TITLE = re.compile(r"^(KPI\s*一覧|(令和|平成)\s*\d+\s*年度.{0,12}事業計画\s*\(\s*KPI)")
_QUANTITY = re.compile(r"\d{1,3},\d{3}|[:：]\s*\d")  # 対象者数:615,847人 — a population, not a measure
_MERGED = re.compile(r"\s+(?=[①-⑳■※])|\s{2,}")


def trim_merged(heading: str) -> str:
    """A heading run together with what follows it on the line (``…の推進 ①査定率を…``)."""
    parts = _MERGED.split(heading, maxsplit=1)
    if len(parts) == 2 and len(parts[0]) >= 4:
        return parts[0].strip()
    head, sep, tail = heading.partition(" ")
    if sep and _HEADING_NOUN.search(head) and re.search(r"[、\d]", tail) and len(tail) > 10:
        return head
    return heading


def measure_heading(items: list[PlanLine], i: int, heading: str) -> tuple[str, int] | None:
    """The full measure heading at line ``i`` (joined if wrapped) and its last line, or None."""
    whole = undouble(heading)
    heading = trim_merged(whole)
    last = i
    if heading == whole and (reaches_margin(items[i]) or _ends_open(heading)):
        for j in range(i + 1, min(i + 3, len(items))):
            nxt = items[j]
            text = nxt.line.text.strip()
            if nxt.page_no != items[i].page_no or not text or match_style(text) or _NEW_BLOCK.match(text):
                break
            joined = heading + text
            if joined.endswith("。") or _PREDICATE.search(joined):
                # A complete heading followed by a paragraph; or a sentence over two lines.
                closed = heading.endswith(("〉", ")", "」", "】", ">")) or _HEADING_NOUN.search(heading)
                return (heading, last) if closed and heading_text_ok(heading, 2 * MAX_HEADING_CHARS) else None
            if not heading_text_ok(joined, 2 * MAX_HEADING_CHARS) and not _ends_open(heading):
                break
            heading, last = joined, j
            if not reaches_margin(nxt):
                break
    if not heading_text_ok(heading, 2 * MAX_HEADING_CHARS) or _QUANTITY.search(heading):
        return None
    return heading, last


def _ends_open(text: str) -> bool:
    return text.endswith(("、", "・", "(", "〈", "「"))


def _measure_candidate(items: list[PlanLine], i: int, styled: tuple[str, str, str] | None) -> bool:
    """Could this line be a measure heading? (Lenient: a long measure may fill its line.)"""
    if styled is None or styled[0] == "Roman" or not items[i].alone:
        return False
    return measure_heading(items, i, styled[2]) is not None


def _is_measure(items: list[PlanLine], i: int, styled: tuple[str, str, str], style: str | None) -> bool:
    return style is not None and styled[0] == style and _measure_candidate(items, i, styled)


def _measure_styles(items: list[PlanLine], frame: Frame) -> dict[int, str]:
    """The mark of the measures under each 協会けんぽ field (field number → style).

    The first mark under a field is its measures' mark (the field line itself may carry the
    first measure), unless it occurs only once, or only on adjacent lines (a list of goals
    printed before the measures: ⅰ / ⅱ / ⅲ), while another numbering runs to three or more:
    then the longest other numbering is the measures'.
    """
    by_field: dict[int, list[tuple[str, str]]] = {}
    where: dict[int, dict[str, list[int]]] = {}
    field_no, seen = 0, set()
    annex = False
    for i, item in enumerate(items):
        if item.line.role == "header":
            continue
        text = undouble(item.line.text.strip())
        found = frame.fields.get(i)
        if found:
            seen.add(squash(found.name))
            field_no += 1
            rest = match_style(undouble(found.rest)) if found.rest else None
            ok = rest and _nested_ok(rest[0], rest[2], frame)
            by_field[field_no] = [(rest[0], rest[1])] if ok else []
            where[field_no] = {}
            continue
        if len(seen) == len(frame.fields) and by_field[field_no] and frame.restates(items, i):
            annex = True  # the fields named again after the last one's measures: an annex
        if field_no and not annex:
            styled = match_style(text)
            if _measure_candidate(items, i, styled):
                assert styled is not None
                by_field[field_no].append((styled[0], squash(styled[1])))
                where[field_no].setdefault(styled[0], []).append(i)
    choice: dict[int, str] = {}
    for number, candidates in by_field.items():
        if not candidates:
            continue
        first = candidates[0][0]
        distinct: dict[str, set[str]] = {}
        for style, label in candidates:
            distinct.setdefault(style, set()).add(label)
        lines = where.get(number, {}).get(first, [])
        if len(lines) >= 2 and lines[-1] - lines[0] == len(lines) - 1:  # a list of goals
            after = [st for st, _ in candidates if st != first and len(distinct[st]) >= 3]
            if after:
                choice[number] = after[0]  # the next numbering that runs: the measures'
                continue
        longest = max(distinct, key=lambda st: (len(distinct[st]) if not st.startswith("bullet") else 0))
        if not first.startswith("bullet") and len(distinct[first]) < 2 and len(distinct[longest]) >= 3:
            first = longest
        choice[number] = first
    return choice


def _nested_ok(style: str, heading: str, frame: Frame) -> bool:
    """A measure written on its field's line (``１．基盤的… １．健全な財政運営``)."""
    return style != "Roman" and heading_text_ok(heading, 2 * MAX_HEADING_CHARS) and (
        squash(heading) not in frame.names
    )


def _allowed(style: str, stack: list[tuple[str, int]], has_fields: bool) -> bool:
    """Whether a heading of this style may open here (the 協会けんぽ frame's rules)."""
    styles = [s for s, _ in stack]
    if style.startswith("bullet"):
        return has_fields and styles[:1] == ["field"] and styles[1:2] in ([], [style])
    if has_fields:
        if style == "Roman" or not styles or styles[0] != "field":
            return False
        depth = styles.index(style) + 1 if style in styles else len(styles) + 1
        return depth <= 2
    return True


def _is_heading(
    style: str, heading: str, item: PlanLine, stack: list[tuple[str, int]], has_fields: bool
) -> bool:
    return _allowed(style, stack, has_fields) and looks_like_heading(item, heading) and title_like(heading)


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
        alone = _lines_alone(lines)
        items.extend(
            # a line in a table cell wraps at the cell's edge, not the page's
            PlanLine(page_no, line, alone[k], line.cell.x1 - 2.0 if line.cell else right_edge, body_size)
            for k, line in enumerate(lines)
        )
    return items
