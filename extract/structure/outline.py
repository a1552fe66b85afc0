"""Split a plan's lines into its section tree.

Which numbering mark is a level depends on the document, so levels are assigned by order of
appearance (the outline stack a reader keeps in mind): a mark style seen for the first time goes
one level deeper; a style already on the stack closes everything below it. Chapters (第N章, 序章),
appendices (参考 1.) and the parts of the STEP template are always top level. Whether a numbered
line is a heading at all is :mod:`extract.structure.headings`'s question.

A heading's mark must also belong to an outline: marks that do not count 1, 2, 3 … (codes in a
table's column), lists whose items follow one another with nothing under them, and form labels
repeated per record are read as text (:func:`not_an_outline`; the tree is built again without
them).

Tables of contents are skipped, and a table's header row (a line of role ``header``, see
``extract.read.cells``) is never section text. In a 協会けんぽ business plan the fields and the
measures under them are the top two levels, whatever marks they use
(:mod:`extract.structure.fields`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from extract.read.normalize import normalize_text
from extract.structure.fields import (
    APPENDIX_TITLE,
    SubItems,
    find_frame,
    is_measure,
    measure_heading,
    measure_styles,
    nested_measure_ok,
    trim_merged,
)
from extract.structure.headings import (
    PlanLine,
    as_written_lines,
    continued_heading,
    looks_like_heading,
    match_style,
    ordinal,
    square_title,
    squash,
    title_like,
    toc_lines,
    wrapped_heading,
)


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


_TOP_LEVEL = ("chapter", "field", "appendix", "step")  # parts of the whole plan, whatever is open


def _step_number(label: str) -> str:
    found = re.search(r"\d+", normalize_text(label))
    return found.group() if found else ""


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
    measure_style = measure_styles(items, frame) if has_fields else {}
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
    sub_items = SubItems(frame=frame)
    for i, item in enumerate(items):
        if i:
            owner.append(max(len(drafts) - 1, 0))  # where line i-1 ended up
        text = item.line.text.strip()
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
        if seen_fields and APPENDIX_TITLE.search(text):
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
            rest = rest.strip()
            nested = match_style(rest) if rest else None
            measure = measure_style.get(field_no)
            if nested and nested[0] == measure and nested_measure_ok(nested[0], nested[2], frame):
                found = measure_heading(items, max(i, consumed), nested[2])
                heading = found[0] if found else trim_merged(nested[2])
                consumed = max(consumed, found[1]) if found else consumed
                after = max(0, item.line.text.find(rest))
                open_section(nested[0], nested[1], heading, page, last=consumed, after=after)
            continue
        styled = match_style(text) if i not in as_text else None
        if styled is None and not has_fields and i not in as_text:
            styled = square_title(text)  # ■目的 (a business plan's ■ lines are its KPIs)
        if has_fields:
            measure = measure_style.get(field_no)
            if styled and current is not None and _next_in_count(styled, measure, current):
                styled = (measure or styled[0], styled[1], styled[2])  # ３．after １ and ２: a slip
            bullets = bool(measure and measure.startswith("bullet"))
            in_bullet_measure = bullets and current is not None and current.style == measure
            if (
                styled
                and current is not None
                and is_measure(items, i, styled, measure)
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
        if styled:
            style, label, heading = styled
            if _is_heading(style, heading, item, stack, has_fields):
                continued = continued_heading(items, i, heading)
                if continued is not None:
                    heading, consumed = continued
                open_section(style, label, heading, page, last=continued[1] if continued else None)
                continue
            wrapped = wrapped_heading(items, i, heading) if _allowed(style, stack, has_fields) else None
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


def _front(drafts: list[SectionDraft], page: int, text: str) -> SectionDraft:
    draft = SectionDraft(0, "", "", "front", page, page, None, [text])
    drafts.append(draft)
    return draft


def _append(drafts: list[SectionDraft], current: SectionDraft | None, text: str, page: int) -> None:
    if current is None:
        return
    current.lines.append(text)
    current.page_end = max(current.page_end, page)
