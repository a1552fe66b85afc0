"""Goal tables: one row per indicator, its baseline and its target side by side in named columns.

Municipal plans (国保 データヘルス計画, 健康増進計画, 総合戦略) set their targets in tables headed
``指標 | 現状値（令和4年度） | 目標値（令和11年度）``, sometimes with a ``目標年度`` column or a 事業名
column before the indicator, and in boxes of lines ``指標：62.4％（令和4年度）→ 66％以上（令和14年度）``
(a 【数値目標】 box). Their target cells are often text, not a number: ``年5件（計画期間で30件）`` (5 a
year, the total kept), ``3年間で2団体設立``, ``増加`` / ``減少`` / ``現状維持`` (a direction with no
number), ``令和6年度比で10％減少``, a qualitative goal (``研修動画を作成し全職員に配信``), ``—`` (none).

A column is a target column only where its header says so (目標値, 目標); the year of a target is the
one its cell, its row's 目標年度 cell or the column header states, and none where none is stated
(``（毎年度）``, a table with no year). Unlike the fiscal-year tables of
:mod:`extract.records.target_tables`, the years here are never columns of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.records.facts import GOAL_WORD, STATISTICS
from extract.records.target_tables import _rows
from extract.records.targets import _NUMBER, _number, clean_indicator, squash_numbers
from extract.structure.dates import parse_year
from extract.structure.headings import PlanLine, squash

# counters a goal table's cells write after a number (wider than a sentence's: a cell has no verb)
GOAL_UNITS = (
    r"%|‰|千円|万円|円|件|人|名|事業所|社|団体|会場|か所|ヵ所|箇所|施設|機関|校|店舗|世帯|回|日|時間|分|歩|本"
    r"|kg|g|ポイント|pt|倍|歳|年"
)
_YEAR = r"(?:(?:令和|平成)\s*(?:\d{1,2}|元)|R\s*\d{1,2}|\d{4})\s*年度?(?:末)?"
_TARGET_HEAD = re.compile(r"^(目標値?|目標数値|数値目標|目標値?\s*[(（][^()（）]*[)）])$")
_BASELINE_HEAD = re.compile(
    r"^(現状値?|直近値|基準値|策定時|計画策定時|ベースライン)(値)?\s*([(（][^()（）]*[)）])?$"
)
_YEAR_HEAD = re.compile(r"^(目標|達成)年(度)?$")
_PROGRAM_HEAD = re.compile(r"^(事業名?|保健事業|取組|施策)(名)?$")
_YEAR_ONLY = re.compile(rf"^[(（]?{_YEAR}[)）]?$")
_BRACKET = re.compile(r"\s*[(（]([^()（）]*)[)）]\s*$")
_VALUE_CELL = re.compile(
    rf"^(?P<per>年(?:間)?)?(?P<num>{_NUMBER})\s*(?P<unit>{GOAL_UNITS})?\s*(?P<cmp>以上|以下|未満|超)?$"
)
_SPAN_CELL = re.compile(rf"^(?P<span>\d+)年間で(?P<num>{_NUMBER})\s*(?P<unit>{GOAL_UNITS})?(?P<rest>[^\d]*)$")
_CHANGE_CELL = re.compile(
    rf"^(?:(?P<ref>{_YEAR})比で?)?(?P<num>{_NUMBER})\s*(?P<unit>%|ポイント|pt|割)?\s*(?P<dir>減少|削減|低減|増加|向上|上昇)$"
)
_UP = re.compile(r"^(増加|延伸|向上|上昇|増やす|拡大)$")
_DOWN = re.compile(r"^(減少|縮小|低下|減らす|削減|抑制)$")
_KEEP = re.compile(r"^(現状維持|維持)$")
_DASHES = {"-", "—", "―", "ー", "‐", "−", "–", ""}
_CMP = {"以上": ">=", "以下": "<=", "未満": "<", "超": ">"}
# 指標：62.4％（令和4年度）→ 66％以上（令和14年度）: a box line, the baseline before the arrow
_ARROW_LINE = re.compile(
    rf"^(?P<what>[^:：→]{{2,80}}?)\s*[:：]\s*(?P<a>{_NUMBER})\s*(?P<ua>{GOAL_UNITS})?\s*"
    rf"(?:[(（](?P<ya>{_YEAR})[)）])?\s*(?:→|⇒)\s*(?P<goal>.+)$"
)


@dataclass
class GoalRecord:
    """One target of a goal table or a box line, as the KPI assembly takes it."""

    indicator: str
    comparator: str
    value: float | None
    unit: str
    year: int | None
    baseline_value: float | None
    baseline_year: int | None
    raw: str
    page: int
    item: int
    items: list[int]
    program: str | None = None
    total_value: float | None = None
    target_text: str | None = None


@dataclass
class Goal:
    """What a target cell says."""

    comparator: str
    value: float | None
    unit: str
    year: int | None
    year_stated: bool  # the cell names when (a year, or 毎年度: every year, no one year)
    total_value: float | None = None
    target_text: str | None = None


def read_goal_cell(text: str) -> Goal | None:
    """A target cell's goal, or None when it states none (a dash, a date alone, a bare word)."""
    text = squash_numbers(squash(text)).replace("％", "%")
    year, stated, total = None, False, None
    bracket = _BRACKET.search(text)
    if bracket:
        inside = bracket.group(1)
        if re.fullmatch(_YEAR, inside):
            year, stated = parse_year(inside), True
        elif re.search(r"毎年|各年", inside):
            stated = True
        else:
            whole = re.search(rf"(?:計画期間|合計|累計|総数)[^\d]*(?P<n>{_NUMBER})", inside)
            if whole:
                total = _number(whole.group("n"))
            else:
                return None  # a note this reader does not know
        text = text[: bracket.start()].strip()
    if text in _DASHES:
        return None
    m = _VALUE_CELL.match(text)
    if m:
        if m.group("per"):
            stated = True  # 年20人: every year, no one year
        return Goal(_CMP.get(m.group("cmp") or "", "="), _number(m.group("num")), m.group("unit") or "",
                    year, stated, total)  # fmt: skip
    m = _SPAN_CELL.match(text)
    if m:  # 3年間で2団体設立: the number over years the cell does not name
        return Goal("=", _number(m.group("num")), m.group("unit") or "", None, True, total)
    m = _CHANGE_CELL.match(text)
    if m:
        comparator = "reduce_by" if m.group("dir") in ("減少", "削減", "低減") else "increase_by"
        unit = m.group("unit") or ""
        value = _number(m.group("num")) * (10 if unit == "割" else 1)
        return Goal(comparator, value, "%" if unit == "割" else unit, year, stated, total)
    if _UP.match(text):
        return Goal("increase_by", None, "", year, stated, total)
    if _DOWN.match(text):
        return Goal("reduce_by", None, "", year, stated, total)
    if _KEEP.match(text):
        return Goal("=", None, "", year, stated, total)
    if re.search(r"\d", text) or len(text) < 4 or not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text):
        return None
    if re.search(r"前年|横ばい|比", text):
        return None  # a change on last year (前年度比 横ばいまたは増加): a fiscal-year table cell
    return Goal("do", None, "", year, stated, total, target_text=text)  # 研修動画を作成し全職員に配信


def _baseline(text: str) -> tuple[float | None, int | None]:
    text = squash_numbers(squash(text)).replace("％", "%")
    year = None
    bracket = _BRACKET.search(text)
    if bracket and re.fullmatch(_YEAR, bracket.group(1)):
        year, text = parse_year(bracket.group(1)), text[: bracket.start()]
    m = re.match(rf"^(?P<num>{_NUMBER})\s*({GOAL_UNITS})?$", text.strip())
    return (_number(m.group("num")), year) if m else (None, None)


def _header_year(text: str) -> int | None:
    bracket = _BRACKET.search(squash(text))
    return parse_year(bracket.group(1)) if bracket and re.fullmatch(_YEAR, bracket.group(1)) else None


@dataclass
class _Column:
    kind: str  # label, program, baseline, target, year
    x0: float
    year: int | None = None


def _header(cells) -> list[_Column] | None:
    """The columns a header row names, or None when it is no goal table's header: a target column
    (目標値) beside a baseline or a year column, every cell a heading word."""
    columns = []
    for c in cells:
        text = squash(c.text)
        if _TARGET_HEAD.match(text):
            columns.append(_Column("target", c.x0, _header_year(text)))
        elif _BASELINE_HEAD.match(text):
            columns.append(_Column("baseline", c.x0, _header_year(text)))
        elif _YEAR_HEAD.match(text):
            columns.append(_Column("year", c.x0))
        elif _PROGRAM_HEAD.match(text):
            columns.append(_Column("program", c.x0))
        elif re.fullmatch(r"単位|備考|評価方法|出典|データソース|把握方法", text):
            columns.append(_Column("unit" if text == "単位" else "note", c.x0))
        elif len(text) <= 20 and not re.search(r"\d", text):  # 指標, 重要業績評価指標（KPI）
            columns.append(_Column("label", c.x0))
        else:
            return None
    kinds = [c.kind for c in columns]
    named = {"baseline", "year"} & set(kinds)
    if kinds.count("target") != 1 or not named or kinds[0] not in ("label", "program"):
        return None
    return columns


def _column_of(columns: list[_Column], x0: float) -> int:
    """The column a cell stands in: the last whose left edge is at or left of the cell's."""
    best = 0
    for k, col in enumerate(columns):
        if x0 >= col.x0 - 4:
            best = k
    return best


def goal_table_records(items: list[PlanLine]) -> list[GoalRecord]:
    """Every target of the plan's goal tables (``指標 | 現状値 | 目標値 [| 目標年度]``)."""
    by_page: dict[int, list[int]] = {}
    for k, item in enumerate(items):
        by_page.setdefault(item.page_no, []).append(k)
    records: list[GoalRecord] = []
    columns: list[_Column] | None = None
    program: str | None = None
    last: GoalRecord | None = None
    for indexes in by_page.values():
        for row in _rows(items, indexes):
            cells = [items[k].line for k in row]
            head = _header(cells) if len(cells) >= 2 else None
            if head:
                columns, program, last = head, None, None
                continue
            if columns is None:
                continue
            if sum(bool(_YEAR_ONLY.match(squash(c.text))) for c in cells) >= 2:
                columns, last = None, None  # the years are columns: a fiscal-year table (target_tables)
                continue
            placed: dict[int, list] = {}
            for c in cells:
                placed.setdefault(_column_of(columns, c.x0), []).append(c)
            kinds = {columns[k].kind for k in placed}
            target_at = next(k for k, col in enumerate(columns) if col.kind == "target")
            if target_at not in placed:
                if last is not None and len(cells) == 1 and cells[0].cell is not None and kinds <= {"label"}:
                    last.indicator = clean_indicator(last.indicator + squash(cells[0].text))
                    continue  # a wrapped label cell
                columns, last = None, None  # text after the table: it is over
                continue
            labels, base_cell, year_cell, unit_cell = [], None, None, ""
            for k in sorted(placed):
                text = "".join(squash(c.text) for c in placed[k])
                kind = columns[k].kind
                if kind == "program":
                    program = text or program
                elif kind == "label":
                    labels.append(text)
                elif kind == "baseline":
                    base_cell = (text, columns[k].year)
                elif kind == "year":
                    year_cell = text
                elif kind == "unit":
                    unit_cell = re.sub(r"[()（）]", "", text)
            indicator = clean_indicator(" ".join(t for t in labels if t).replace("％", "%"))
            if len(placed[target_at]) > 1:
                continue  # several values under one target column: not a row of this table
            target_text = squash(placed[target_at][0].text)
            goal = read_goal_cell(target_text)
            last = None
            if goal is None or not indicator:
                continue
            year = goal.year
            if year is None and not goal.year_stated:
                year = (parse_year(year_cell) if year_cell else None) or columns[target_at].year
            base_value, base_year = _baseline(base_cell[0]) if base_cell else (None, None)
            if base_value is not None and base_year is None and base_cell:
                base_year = base_cell[1]
            page = items[row[0]].page_no
            stated_unit = goal.value is not None and re.fullmatch(GOAL_UNITS, unit_cell)
            unit = goal.unit or (unit_cell if stated_unit else "")  # a 単位 column's, for a bare number
            last = GoalRecord(
                indicator=indicator, comparator=goal.comparator, value=goal.value, unit=unit, year=year,
                baseline_value=base_value, baseline_year=base_year,
                raw="\n".join(c.raw_text for c in cells), page=page, item=row[0], items=list(row),
                program=program, total_value=goal.total_value, target_text=goal.target_text,
            )  # fmt: skip
            records.append(last)
    return records


def arrow_records(items: list[PlanLine]) -> list[GoalRecord]:
    """Box lines that state a target as a move from a baseline:
    ``指標：79.62年（令和4年）→ 延伸（令和14年）``."""
    out = []
    for k, item in enumerate(items):
        text = squash_numbers(item.line.text.strip()).replace("％", "%")
        m = _ARROW_LINE.match(text)
        if not m or (STATISTICS.search(text) and not GOAL_WORD.search(text)):
            continue  # no box line, or a projection's (人口：71,846人 → 69,980人（推計）)
        goal = read_goal_cell(m.group("goal"))
        if goal is None or goal.comparator == "do":
            continue
        indicator = clean_indicator(m.group("what"))
        if not indicator:
            continue
        out.append(GoalRecord(
            indicator=indicator, comparator=goal.comparator, value=goal.value, unit=goal.unit,
            year=goal.year, baseline_value=_number(m.group("a")),
            baseline_year=parse_year(m.group("ya")) if m.group("ya") else None,
            raw=item.line.raw_text, page=item.page_no, item=k, items=[k], total_value=goal.total_value,
        ))  # fmt: skip
    return out
