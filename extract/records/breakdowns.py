"""A target's breakdown (内訳): the parts a plan splits a rate into, each a target of its own.

協会けんぽ branches split their 特定保健指導 rate by who delivers it, right under the rate::

    ○ 被保険者（特定保健指導対象者数：29,573人）
    ・特定保健指導 実施率 26.3％（実施見込者数：7,780人）
    （内訳）協会保健師実施分 16.7％（実施見込者数：4,950人）
            アウトソーシング分 9.6％（実施見込者数：2,830人）

and other plans write the parts in the rate's line (``実施率 35％（内訳：保健師実施分 20％、外部委託分
15％）``). Each part is a record ``measure（part）`` — 特定保健指導実施率（協会保健師実施分） — of the
population the lines above name. Only a breakdown of a rate is read: a list of counts under a
内訳 label (勧奨対象者数、実施見込者数) is a plan's estimate, not a target, and a 内訳 list of
KPI sentences (``（内訳）①…を52.4％以上とする``) is read as the KPI's parts. Nor is a rate the plan
gives as its estimate (``実施率 24.1％（実施見込者数：6,805人）``) broken down into targets, unless a
target label heads its block (``【数値目標】``, as above).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.records.targets import _DEADLINE, _NUMBER, squash_numbers, target_year
from extract.structure.headings import PlanLine

_LABEL = re.compile(r"[(\[【]\s*内訳\s*[)\]】]\s*[:]?|内訳\s*[:]")
# one part: its name, its share, an optional comparator and note (実施見込者数：…)
_PART = re.compile(
    rf"(?P<name>[^\d\s、,・():;。]{{2,20}}?)\s*[:]?\s*(?P<num>{_NUMBER})\s*%\s*(?P<cmp>以上|以下)?\s*(\([^()]*\))?"
)
# the rate the parts add up to: ・特定保健指導 実施率 26.3％ (…), …実施率を令和11年度に60%以上とする
_TOTAL = re.compile(
    rf"^\s*[・•○〇◆●■]?\s*(?P<measure>[^\d:を]+?(率|割合))\s*(を[^\d、。]{{0,4}})?\s*(?P<num>{_NUMBER})\s*%"
)
_WHO_LINE = re.compile(
    r"^\s*(?:[○〇・◆●■□]|[①-⑳]|[A-Z]\s*[.．]|\(\d{1,2}\))?\s*(?:<[^<>]{1,4}>)?\s*"
    r"(被保険者|被扶養者|組合員|家族)\s*(?:[(（]|$)"
)
_ESTIMATE = re.compile(r"見込|予定|対象者数")
_TARGET_LABEL = re.compile(r"^\W*[^\d\W]*目標\W*$")  # 【数値目標】: a label, no figure of its own


@dataclass
class BreakdownPart:
    """One part of a rate's breakdown, with its evidence."""

    indicator: str  # measure（part）
    value: float
    comparator: str
    year: int | None  # the total's: its deadline (令和11年度に), else the plan's year
    population: str | None
    item: int  # the line the part stands on
    page: int
    raw: str


def _parts(text: str) -> list[re.Match[str]]:
    """The parts of a breakdown's text; none unless every figure in it is a part's share (a list
    of counts, or a sentence with a number, is no breakdown of a rate)."""
    text = squash_numbers(text).replace("（", "(").replace("）", ")").strip().rstrip("、,。")
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip()  # the bracket the breakdown stands in (…（内訳：A 20％、B 15％）)
    found = list(_PART.finditer(text))
    covered = "".join(text[m.start() : m.end()] for m in found)
    rest = re.sub(r"[\s、,・]", "", text)
    if not found or len(re.sub(r"[\s、,・]", "", covered)) != len(rest):
        return []
    return found


def _population_named(text: str) -> str | None:
    m = _WHO_LINE.match(text)
    return m.group(1) if m else None


def _who_line(items: list[PlanLine], start: int) -> int | None:
    """The line right above the rate that names its population (○被保険者（…人）, Ａ.被扶養者)."""
    for j in range(start, max(start - 3, -1), -1):
        if _WHO_LINE.match(items[j].line.text):
            return j
    return None


def _total(text: str) -> re.Match[str] | None:
    """The rate a line states, its deadline aside (2029年度の特定保健指導実施率を30％とする)."""
    return _TOTAL.match(_DEADLINE.sub("", squash_numbers(text)))


def _under_target_label(items: list[PlanLine], start: int) -> bool:
    """Whether the line above a block (the first that is not blank) is a target label."""
    for j in range(start - 1, max(start - 4, -1), -1):
        if text := items[j].line.text.strip():
            return _TARGET_LABEL.match(text) is not None
    return False


def breakdown_parts(items: list[PlanLine], default_year: int | None = None) -> list[BreakdownPart]:
    """Every part of every rate's breakdown in a plan's lines (``default_year``: the plan's)."""
    found: list[BreakdownPart] = []
    for i, item in enumerate(items):
        text = item.line.text
        label = _LABEL.search(text)
        if not label:
            continue
        before, after = text[: label.start()], text[label.end() :]
        total_at, total = i, _total(before) if before.strip() else None
        if total is None and not before.strip():  # the rate stands on the line above
            for j in range(i - 1, max(i - 3, -1), -1):
                if items[j].line.text.strip():
                    total_at, total = j, _total(items[j].line.text)
                    break
        if total is None or _ESTIMATE.search(total.group("measure")):
            continue
        measure = re.sub(r"\s+", "", total.group("measure"))
        year = target_year(items[total_at].line.text if total_at != i else before, default_year)
        who_at = _who_line(items, total_at - 1) if total_at > 0 else None
        who = _population_named(items[who_at].line.text) if who_at is not None else None
        block = total_at if who_at is None else who_at
        if any("参考" in items[k].line.text for k in range(block, i + 1)):
            continue  # ＜参考＞ figures: a reference, not the plan's target
        if _ESTIMATE.search(items[total_at].line.text) and not _under_target_label(items, block):
            continue  # the plan's estimate of the rate (実施見込者数), and so of its parts
        end = i
        opened = max(0, before.count("(") - before.count(")"))  # …とする（内訳：A 25％、B⏎32％）
        while after.count("(") + opened > after.count(")") and end + 1 < len(items):  # cut in a bracket
            end += 1
            after += items[end].line.text.strip()
        lines = [(i, after)]
        for k in range(end + 1, min(end + 6, len(items))):  # parts continued on the next lines
            following = items[k].line.text
            if not following.strip() or _LABEL.search(following) or not _parts(following):
                break
            lines.append((k, following))
        for k, part_text in lines:
            for part in _parts(part_text):
                name = re.sub(r"\s+", "", part.group("name"))
                found.append(
                    BreakdownPart(
                        indicator=f"{measure}（{name}）",
                        value=float(part.group("num").replace(",", "")),
                        comparator={"以上": ">=", "以下": "<="}.get(part.group("cmp") or "", "="),
                        year=year,
                        population=who,
                        item=k,
                        page=items[k].page_no,
                        raw=items[k].line.raw_text.strip(),
                    )
                )
    return found
