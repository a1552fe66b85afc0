"""Whose plan is each page: split a document into plans and read their metadata.

A compilation (協会けんぽ's 事業計画 of every branch) starts each plan on a new page with a
title line naming the branch: ``令和3年度 事業計画（北海道支部）``. Where two or more pages open
with such a line the document is split there; otherwise it is one plan. Pages before the
first split (a cover, a foreword) belong to the first plan, so every page has exactly one plan.

Metadata comes from the plan's title lines and first pages: the plan type from the kind of
plan its title names, the insurer from the names of insurers (…健康保険組合, …共済組合, 全国健康
保険協会), the fiscal year or period from era and Western years (see ``extract.structure.dates``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.structure.dates import find_years, parse_year, parse_year_range
from extract.structure.headings import PlanLine, plan_lines
from extract.structure.issuer import (
    branch_of,
    colophon_issuer,
    cover_issuer,
    cover_lines,
    insurer_of,
    insurer_type_of,
    issuer_type,
    municipality_at,
    title_municipality,
)
from extract.structure.outline import build_sections
from extract.structure.period import stated_period
from schemas.plans import Plan, PlanType, Section
from schemas.records import READABLE, Page, ParsedDocument

__all__ = ["branch_of", "insurer_of", "insurer_type_of", "plan_type_of", "read_plans", "read_structure",
           "split_plans", "years_of"]  # fmt: skip

_PLAN_WORDS = r"(事業計画|データヘルス計画|実施計画)"
_BRANCH_TITLE = re.compile(_PLAN_WORDS + r".{0,6}?[(]\s*([^()]{1,12}?)\s*支部\s*[)]")
_BRANCH_OF = re.compile(r"([一-龥]{1,4}?[都道府県]?)\s*支部")
_PLAN_TYPES: tuple[tuple[PlanType, re.Pattern[str]], ...] = (
    ("data_health_plan", re.compile(r"データヘルス計画")),
    ("tokutei_kenshin_plan", re.compile(r"特定健康?診査等?実施計画")),
    ("business_plan", re.compile(r"事業計画")),
)
@dataclass
class PlanSpan:
    """Pages ``page_start``..``page_end`` (1-based, inclusive) of one plan and its title lines."""

    number: int
    page_start: int
    page_end: int
    title: str
    branch: str | None


def _first_lines(page: Page, count: int = 3) -> list[str]:
    return [line.text.strip() for line in page.lines[:count] if line.text.strip()]


def split_plans(pages: list[Page]) -> list[PlanSpan]:
    """Plans of a document, in page order; every page belongs to exactly one."""
    starts: list[tuple[int, str, str]] = []
    for index, page in enumerate(pages):
        for text in _first_lines(page):
            m = _BRANCH_TITLE.search(text)
            if m:
                starts.append((index, text, m.group(2).strip()))
                break
    if len(starts) < 2:
        title = ""  # a single plan takes the document's title (read_structure)
        return [PlanSpan(1, 1, len(pages), title, None)]
    spans = []
    for n, (index, text, branch) in enumerate(starts):
        first = 0 if n == 0 else index
        last = starts[n + 1][0] - 1 if n + 1 < len(starts) else len(pages) - 1
        spans.append(PlanSpan(n + 1, first + 1, last + 1, text, branch))
    return spans


def plan_type_of(title: str, text: str) -> PlanType:
    """The kind of plan the title names; failing that, the one the first pages name most."""
    for kind, pattern in _PLAN_TYPES:
        if pattern.search(title):
            return kind
    counts = {kind: len(pattern.findall(text)) for kind, pattern in _PLAN_TYPES}
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] >= 3 else "other"


def years_of(title: str, text: str, body: str = "") -> tuple[int | None, int | None, int | None]:
    """(fiscal_year, period_start, period_end) from a plan's title and first pages.

    The period the plan states for itself (its 計画期間 sentence or row, anywhere in ``body``, the
    plan's text) comes first: the title and first pages name other years too (an adoption date,
    the previous plan's period, a statistic's year)."""
    stated = stated_period(body or text)
    if stated:
        start, end = stated
        return (start if start == end else None), start, end
    for source in (title, text):
        span = parse_year_range(source)
        if span and span[0] != span[1]:
            return None, span[0], span[1]
        year = parse_year(source) if source is title else None
        if year:
            return year, year, year
    # A template with one column per fiscal year (平成30年度 令和元年度 令和2年度): its span.
    for line in text.splitlines():
        years = find_years(line)
        if len(years) >= 3 and years == list(range(years[0], years[0] + len(years))):
            return None, years[0], years[-1]
    year = parse_year(text)
    return (year, year, year) if year else (None, None, None)


def issuer_of(title: str, pages: list[Page], fallback: str | None = None) -> tuple[str | None, str]:
    """A plan's issuer (see ``extract.structure.issuer``) and the text that names it (cover and
    titles, for its insurer type): the cover's issuer line, the colophon, the insurers the first
    page names, a municipality the title opens with."""
    first = pages[0] if pages[0].quality in READABLE else None
    cover = cover_lines([line.text for line in first.lines]) if first else []
    named = "\n".join([title, *cover])
    last = pages[-1] if pages[-1].quality in READABLE else None
    found = (
        cover_issuer(cover)
        or (colophon_issuer([line.text for line in last.lines]) if last else None)
        or insurer_of(f"{title}\n{first.text if first else ''}")
        or title_municipality([*title.splitlines(), *cover])
        or fallback
    )
    if found and found.endswith("国民健康保険") and not found.endswith("組合"):
        named += "\n" + found  # a 市町村国保 named as such: its municipality issues the plan
        found = municipality_at(found)[0] if municipality_at(found) else found
    return found, named


@dataclass
class PlanStructure:
    """One plan as the structure stage reads it: what the record stages start from."""

    plan: Plan
    sections: list[Section]
    lines: list[PlanLine]
    """The plan's lines (of its readable pages) with what the heading test needs."""
    owner: list[int] = field(default_factory=list)
    """For each of ``lines``, the index in ``sections`` of the section it belongs to."""


def read_plans(parsed: ParsedDocument) -> list[tuple[Plan, list[Section]]]:
    """Every plan of a parsed document with its section tree (a pure function of the document)."""
    return [(s.plan, s.sections) for s in read_structure(parsed)]


def read_structure(parsed: ParsedDocument) -> list[PlanStructure]:
    """The plans of a parsed document, each with its metadata, section tree and lines."""
    result = []
    prefix = parsed.sha256[:16]
    spans = split_plans(parsed.pages)
    if len(spans) == 1:  # the document's title (metadata or biggest type) is the plan's
        spans[0].title = parsed.title or spans[0].title
    whole = insurer_of(parsed.title + "\n" + "\n".join(p.text for p in parsed.pages[:3]))
    for span in spans:
        pages = parsed.pages[span.page_start - 1 : span.page_end]
        head = "\n".join(p.text for p in pages[:2] if p.quality in READABLE)
        context = f"{span.title}\n{parsed.title}\n{head}"
        kind = plan_type_of(f"{span.title}\n{parsed.title}", head)
        # The cover names the publisher; the body also names others (partners, examples).
        # a compilation may name its insurer once (a plan of no known kind: only where it says so)
        fallback = (insurer_of(context) or whole) if kind != "other" else None
        insurer, named = issuer_of(f"{span.title}\n{parsed.title}", pages, fallback)
        body = "\n".join(p.text for p in pages if p.quality in READABLE)
        fiscal_year, start, end = years_of(span.title or parsed.title, head, body)
        branch = span.branch or branch_of(insurer, context)
        if branch:
            branch = re.sub(r"支部$", "", branch).strip()
        plan = Plan(
            id=f"{prefix}-p{span.number:02d}",
            doc_id=parsed.sha256,
            number=span.number,
            insurer=insurer,
            insurer_type=issuer_type(insurer, named),
            branch=branch or None,
            plan_type=kind,
            fiscal_year=fiscal_year,
            period_start=start,
            period_end=end,
            title=span.title or parsed.title,
            page_start=span.page_start,
            page_end=span.page_end,
            garbled_pages=[p.page_no for p in pages if p.quality == "garbled"],
            ocr_pages=[p.page_no for p in pages if p.quality == "ocr"],
        )
        items = plan_lines([(p.page_no, p.lines) for p in pages if p.quality != "garbled"])
        owner: list[int] = []
        sections = _sections(plan, items, owner)
        result.append(PlanStructure(plan, sections, items, owner))
    return result


def heading_path_part(label: str, heading: str) -> str:
    """A path step: ``１．戦略的…`` (no space after a punctuation mark), ``第1章 背景``."""
    heading = " ".join(heading.split())  # a heading joined from wrapped lines: no line breaks
    if not label:
        return heading or "(前文)"
    glue = "" if label.endswith((".", "．", ")", "）", "】")) or label in "①②③④⑤⑥⑦⑧⑨⑩○" else " "
    return f"{label}{glue}{heading}"


def _sections(plan: Plan, items: list[PlanLine], owner: list[int]) -> list[Section]:
    drafts = build_sections(items, skip_pages=set(plan.garbled_pages), owner=owner)
    sections: list[Section] = []
    paths: list[str] = []
    for n, draft in enumerate(drafts):
        own = heading_path_part(draft.label, draft.heading)
        parent_path = paths[draft.parent] if draft.parent is not None else ""
        path = f"{parent_path} > {own}" if parent_path else own
        paths.append(path)
        sections.append(
            Section(
                id=f"{plan.id}-s{n:03d}",
                plan_id=plan.id,
                parent_id=f"{plan.id}-s{draft.parent:03d}" if draft.parent is not None else None,
                level=draft.level,
                label=draft.label,
                heading=draft.heading,
                path=path,
                page_start=draft.page_start,
                page_end=draft.page_end,
                text="\n".join(draft.lines),
            )
        )
    return sections
