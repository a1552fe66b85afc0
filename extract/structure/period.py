"""The period a plan states for itself: its 計画期間 / 対象期間 / 計画の期間 sentence or table row.

A plan names many years before it names its own: the previous plan's period in its background
(``第2期計画（平成30年度～令和5年度）``), the year of a statistic, the adoption date on the cover.
The one sentence that says which years the plan covers is the one that names the period --
``本計画の計画期間は、令和6年度から令和11年度までの6年間とします``, ``対象期間は…2020年度から2024
年度までとします``, ``令和6年度から令和11年度までを計画期間とする``, or a table row ``計画期間 | 令和6年度
～令和11年度`` -- and it wins over every other date (:func:`stated_period`).

A period may be written as dates: ``平成28年4月1日から平成33年3月31日までの5年間`` is FY2016–FY2020,
since a fiscal year runs April–March (a date in January–March belongs to the fiscal year before;
平成33年, an era year past the era's end, is counted on as written). A span of dates shorter than
a year (``対象期間をR2年4月〜R2年9月診療分とし``: what one program looked at) is no plan's period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.structure.dates import fold, year_spans

# The words that name a plan's period; a period of a previous (前, 旧) plan is not this plan's.
_PERIOD_WORD = re.compile(r"計画期間|計画の期間|対象期間")
_EARLIER = re.compile(r"(前|旧|これまで|従来)[^。]{0,4}$")
_OWN_PLAN = re.compile(r"本計画|この計画|当計画|本プラン")
_SEPARATOR = re.compile(r"\s*(?:[-‐‑‒–—―−~～〜ー]|から)\s*")
_MONTH = re.compile(r"\s*([0-9]{1,2})\s*月(?:\s*[0-9]{1,2}\s*日)?")
_SENTENCE_END = "。"
_BEFORE = 80  # characters of the sentence read before the word (…までを計画期間とする)
_AFTER = 120  # and after it (計画期間は、…)
_FULL_YEAR_MONTHS = 11  # a span of dates of fewer months is a campaign's, not a plan's period


@dataclass(frozen=True)
class _Point:
    """A year or a range of years as written in a sentence: its place and fiscal years."""

    start: int
    end: int
    first: int
    last: int
    month: int | None = None  # a date's month (a single year written as a date)
    year: int | None = None  # the calendar year of that date


def _points(text: str) -> list[_Point]:
    """Years, ranges of years and dates (``平成28年4月1日``, as its fiscal year) in ``text``."""
    points = []
    for start, end, years in year_spans(text):
        if len(years) == 2:
            points.append(_Point(start, end, min(years), max(years)))
            continue
        (year,) = years
        m = _MONTH.match(text, end) if text[start:end].rstrip().endswith("年") else None
        if m is None:
            points.append(_Point(start, end, year, year))
            continue
        month = int(m.group(1))
        if not 1 <= month <= 12:
            continue
        fiscal = year if month >= 4 else year - 1
        points.append(_Point(start, m.end(), fiscal, fiscal, month, year))
    return points


def periods_in(text: str) -> list[tuple[int, int, int]]:
    """``(position, first, last)`` of every period written in ``text``: a range of years
    (``令和6年度から令和11年度まで``), or two dates joined by から / ～ a year or more apart."""
    text = fold(text)
    points = _points(text)
    found = []
    k = 0
    while k < len(points):
        p = points[k]
        nxt = points[k + 1] if k + 1 < len(points) else None
        sep = _SEPARATOR.match(text, p.end)
        if nxt is not None and sep is not None and sep.end() == nxt.start and (p.month or nxt.month):
            if p.month and nxt.month and p.year and nxt.year:
                months = (nxt.year * 12 + nxt.month) - (p.year * 12 + p.month) + 1
                if months < _FULL_YEAR_MONTHS:
                    k += 2
                    continue
            if nxt.last >= p.first:
                found.append((p.start, p.first, nxt.last))
            k += 2
            continue
        if p.first != p.last:
            found.append((p.start, p.first, p.last))
        k += 1
    return found


def stated_period(text: str) -> tuple[int, int] | None:
    """The period a plan's text says is its own: (first, last) fiscal year, or None.

    Every sentence naming a period (計画期間, 対象期間, 計画の期間) is read: the period written
    after the word (``計画期間は、…``), else the last one before it (``…までを計画期間とする``).
    A sentence that says it is this plan's (本計画, この計画) comes first; else the first one.
    Lines are joined first: a sentence, or a table row of the word and its years, may wrap.
    """
    flat = fold(text).replace("\n", "")
    candidates: list[tuple[bool, tuple[int, int]]] = []
    for m in _PERIOD_WORD.finditer(flat):
        start = flat.rfind(_SENTENCE_END, max(0, m.start() - _BEFORE), m.start()) + 1
        start = max(start, m.start() - _BEFORE)
        stop = flat.find(_SENTENCE_END, m.end(), m.end() + _AFTER)
        stop = stop if stop >= 0 else min(len(flat), m.end() + _AFTER)
        if _EARLIER.search(flat[start : m.start()]):
            continue
        sentence = flat[start:stop]
        word_at = m.start() - start
        periods = periods_in(sentence)
        after = [(a, b) for at, a, b in periods if at >= word_at]
        before = [(a, b) for at, a, b in periods if at < word_at]
        chosen = after[0] if after else (before[-1] if before else None)
        if chosen is not None:
            candidates.append((bool(_OWN_PLAN.search(sentence)), chosen))
    if not candidates:
        return None
    own = [period for mine, period in candidates if mine]
    return own[0] if own else candidates[0][1]
