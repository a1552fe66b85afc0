"""The frame of a 協会けんぽ business plan: its fields, and the measures under each.

協会けんぽ business plans have a frame: a few *fields* are the top level, the measures under them
the second, and what lies deeper (○ actions, KPI parts ①②) is body text. The fields are found by
:func:`find_frame` from their numbering (one mark style, numbered from 1), their position (a
label column's cells, or the most prominent numbered lines, spread over the plan) and the words
they share (基盤的保険者機能関係 / 戦略的保険者機能関係 / 組織・運営体制関係 share 関係;
基盤的保険者機能の盤石化 / … share 保険者機能) -- not from one spelling of them. The mark of the
measures under each field is found by :func:`measure_styles`, a measure's heading (joined if
wrapped) by :func:`measure_heading`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from extract.structure.headings import (
    MAX_HEADING_CHARS,
    NEW_BLOCK,
    PREDICATE,
    PlanLine,
    heading_text_ok,
    match_style,
    ordinal,
    reaches_margin,
    squash,
    wrapped_before,
)

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

    @functools.cached_property
    def names(self) -> set[str]:
        """The fields' names, squashed (remembered: asked of every line of the plan by
        :meth:`restates`; a frame's fields never change once it is found)."""
        return {squash(f.name) for f in self.fields.values()}

    def restates(self, items: list[PlanLine], i: int) -> bool:
        """Whether line ``i`` names one of the fields again (a heading repeated in its cell, an annex)."""
        if not self.fields:
            return False
        found = _field_candidate(items, i, items[i].body_size)
        if found is not None:
            return any(name in self.names for name in found.names)
        text = squash(items[i].line.text)
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
    text = line.text.strip()
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
            and not NEW_BLOCK.match(tail)
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
        preambles = {} if style == "label" else {c.index: _preamble(cands, c) for c in cands}
        starts = cands if style == "label" else [c for c in cands if c.number == 1 or preambles[c.index]]
        spelled = [(c, "\n".join(c.names)) for c in cands]  # a word (kana, kanji) never spans a break
        for start in starts[:8]:
            words = {w for name in start.names for run in _CJK_RUN.findall(name) for w in _substrings(run)}
            for word in sorted(words, key=lambda w: (-len(w), w)):
                chain = [(start, next(n for n in start.names if word in n))]
                for c, all_names in spelled:
                    if word not in all_names or c.index <= chain[-1][0].last or c.index <= chain[-1][0].index:
                        continue  # (a line whose names lack the word is never chained: looked at once)
                    wanted = style == "label" or c.number == (chain[-1][0].number or 0) + 1
                    hit = next((n for n in c.names if word in n), None)
                    if wanted and hit and hit not in {n for _, n in chain}:
                        chain.append((c, hit))
                        if len(chain) == _MAX_FIELDS:
                            break
                labels = all(c.prominence >= 100 for c, _ in chain)
                if len(chain) < (2 if labels else 3):
                    continue  # two numbered lines sharing a word is chance; two label cells are not
                if start.number != 1 and style != "label":  # the field before it: a preamble
                    if _goes_on(cands, chain[-1][0], min(c.prominence for c, _ in chain)):
                        continue  # a list of chapters some of which share a word: no frame
                    chain = [(p, p.names[0]) for p in preambles[start.index]] + chain
                span = chain[-1][0].index - chain[0][0].index
                if span < _FRAME_SPREAD * len(items):
                    continue
                key = (min(c.prominence for c, _ in chain), len(chain), len(word), -chain[0][0].index)
                if best is None or key > best:
                    best, best_chain = key, [_settle(c, n, items) for c, n in chain]
    return Frame({c.index: c for c in best_chain})


def _preamble(cands: list[FieldLine], start: FieldLine) -> list[FieldLine]:
    """The field a chain of fields numbered from 2 counts on from: a preamble, or nothing.

    A branch may open its plan with a field of its own before the fields that share a word --
    ``１．基本方針`` (its basic policy) before ``２．基盤的保険者機能関係`` … --: the fields are numbered
    from 1 all the same. So the nearest line of the same mark numbered 1 before such a chain is a
    field too; without it the chain is no frame (its count does not start at 1)."""
    if start.number != 2:
        return []
    prior = [c for c in cands if c.index < start.index and c.last < start.index and c.number == 1]
    return prior[-1:]


def _goes_on(cands: list[FieldLine], last: FieldLine, prominence: float) -> bool:
    """Whether the count of the fields goes on after ``last`` in lines as prominent as they are:
    then they are chapters of a document (1, 2 … 6 sharing a word, 7 … 9 not), not the whole top
    level of a business plan."""
    return any(c.number == (last.number or 0) + 1 and c.index > last.index and c.prominence >= prominence
               for c in cands)


def _is_chapter(items: list[PlanLine], i: int) -> bool:
    text = items[i].line.text
    if not text.lstrip().startswith(("第", "序", "終")):
        return False
    styled = match_style(text.strip())
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


_NOT_AN_ITEM = re.compile(r"^\s*([■□※(（【]|KPI)")  # KPI lines, notes, a wrapped bracket


@dataclass
class SubItems:
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
            text = items[j].line.text.strip()
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
APPENDIX_TITLE = re.compile(r"^(KPI\s*一覧|(令和|平成)\s*\d+\s*年度.{0,12}事業計画\s*\(\s*KPI)")
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
    whole = heading.strip()
    heading = trim_merged(whole)
    last = i
    wraps = i + 1 < len(items) and wrapped_before(items[i], items[i + 1])
    # A sentence that fills its line ends there, and a heading ends with its tag 〈Ⅰ、Ⅱ、Ⅲ〉: what
    # follows (a note, a paragraph opening with 「…」 that did not fit beside it) is not its rest.
    ended = heading.endswith(("。", "〉", ">"))
    # stopped short only because the next piece would not fit (a tag 〈Ⅰ、Ⅱ、Ⅲ〉, a 「quote」)
    short = wraps and not reaches_margin(items[i]) and not _ends_open(heading)
    if heading == whole and not ended and (reaches_margin(items[i]) or wraps or _ends_open(heading)):
        for j in range(i + 1, min(i + 3, len(items))):
            nxt = items[j]
            text = nxt.line.text.strip()
            if nxt.page_no != items[i].page_no or not text:
                break
            if short and j == i + 1 and _runs_on(items, j):
                break  # that piece runs on to the margin: a paragraph after the heading, not its rest
            if (match_style(text) or NEW_BLOCK.match(text)) and not heading.endswith(_OPEN_BRACKETS):
                break  # a numbered or bulleted line starts anew -- unless a bracket is open: 〈 / Ⅰ、Ⅱ、Ⅲ〉
            joined = heading + text
            if joined.endswith("。") or PREDICATE.search(joined):
                # A complete heading followed by a paragraph; or a sentence over two lines.
                closed = heading.endswith(("〉", ")", "」", "】", ">")) or _HEADING_NOUN.search(heading)
                return (heading, last) if closed and heading_text_ok(heading, 2 * MAX_HEADING_CHARS) else None
            if not heading_text_ok(joined, 2 * MAX_HEADING_CHARS) and not _ends_open(heading):
                break
            heading, last = joined, j
            if not _runs_on(items, j):
                break
    if not heading_text_ok(heading, 2 * MAX_HEADING_CHARS) or _QUANTITY.search(heading):
        return None
    return heading, last


_OPEN_BRACKETS = ("(", "〈", "<", "「", "【", "[")


def _runs_on(items: list[PlanLine], j: int) -> bool:
    """Whether line ``j`` goes on onto the next: it reaches the margin, or wraps before a piece."""
    return reaches_margin(items[j]) or (j + 1 < len(items) and wrapped_before(items[j], items[j + 1]))


def _ends_open(text: str) -> bool:
    return text.endswith(("、", "・", "(", "〈", "「"))


def _measure_candidate(items: list[PlanLine], i: int, styled: tuple[str, str, str] | None) -> bool:
    """Could this line be a measure heading? (Lenient: a long measure may fill its line.)"""
    if styled is None or styled[0] == "Roman" or not items[i].alone:
        return False
    return measure_heading(items, i, styled[2]) is not None


def is_measure(items: list[PlanLine], i: int, styled: tuple[str, str, str], style: str | None) -> bool:
    return style is not None and styled[0] == style and _measure_candidate(items, i, styled)


def measure_styles(items: list[PlanLine], frame: Frame) -> dict[int, str]:
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
        text = item.line.text.strip()
        found = frame.fields.get(i)
        if found:
            seen.add(squash(found.name))
            field_no += 1
            rest = match_style(found.rest) if found.rest else None
            ok = rest and nested_measure_ok(rest[0], rest[2], frame)
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


def nested_measure_ok(style: str, heading: str, frame: Frame) -> bool:
    """A measure written on its field's line (``１．基盤的… １．健全な財政運営``)."""
    return style != "Roman" and heading_text_ok(heading, 2 * MAX_HEADING_CHARS) and (
        squash(heading) not in frame.names
    )
