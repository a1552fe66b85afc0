"""Target tables: indicator rows × fiscal-year columns, rebuilt from the lines' positions on the page.

A header row names three or more fiscal years (a column under 現状値 / 直近値 is the baseline);
each later row with numbers under those years is a data row. Label lines below a data row and
left of its numbers continue its label (a wrapped cell); a row whose first label columns are
empty inherits them from the row above (組合員 → 男性 / 女性 / 計); a label alone on its row heads
the rows under it (がん検診受診率 → 胃がん検診); a merged 前年度比 cell covers every year from where it
starts; a table may run onto the next page.

A row's indicator is written ``measure（breakdown …）``: a label of several cells (組合員 | 受診者
目標数 | 男性) is its measure — the cell naming what is counted, without the words saying it is a
target (目標, 目標値) — followed by the other cells in order; a row whose cells name no measure
(男性 | 40歳～64歳 | A) counts what the table's caption names (② 特定保健指導実施者の目標数), and a
legend under the table (A=動機づけ支援者) spells out its codes; the measure alone after such rows
is their total (実施者目標数: the caption's 特定保健指導実施者数, all of them). A label ends at its unit: what
follows ``(%)`` is a breakdown (``:本部事業``), or, when it is a ratio, the indicator's definition
(``胃がん検診 (%) 希望がん受診者/対象者``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from extract.records.facts import GOAL_WORD, STATISTICS, statistics_table
from extract.records.targets import (
    _CJK_END,
    _CMP,
    _NUMBER,
    _UNITS,
    _WORDS,
    _number,
    clean_indicator,
    squash_numbers,
)
from extract.structure.dates import parse_year
from extract.structure.headings import PlanLine, match_style, squash


@dataclass
class TableRecord:
    indicator: str
    value: float | None
    unit: str
    comparator: str
    year: int
    baseline_value: float | None
    baseline_year: int | None
    raw: str
    page: int
    item: int
    who: str = ""  # the row's label cells and group, as written: whom it counts (組合員, 合計)
    kind: str = ""  # output / outcome: the row's 区分 cell names the kind of its indicator
    target_row: bool = False  # the label says it is a target (目標数, 目標値)
    planned_row: bool = False  # the label says it is a plan (予定者数)
    goal_named: bool = False  # the table's caption or header rows name a goal (目標値, 支部目標)


_YEAR_CELL = re.compile(
    r"^(?:(令和|平成)\s*(\d{1,2}|元)\s*年度?|(\d{4})\s*(?:年度?)?|R\s*(\d{1,2})\s*年?度?)$"
)
_CELL_NUMBER = re.compile(rf"^({_NUMBER})\s*({_UNITS})?\s*(以上|以下|未満)?$")
_BASELINE = re.compile(r"直近値|現状値|基準値|現状|実績値|ベースライン")


def _rows(items: list[PlanLine], indexes: list[int]) -> list[list[int]]:
    """Group lines of one page into rows: lines whose vertical extents overlap, left to right."""
    rows: list[list[int]] = []
    for idx in sorted(indexes, key=lambda k: (items[k].line.y0, items[k].line.x0)):
        line = items[idx].line
        if rows:
            last = items[rows[-1][0]].line
            if min(line.y1, last.y1) - max(line.y0, last.y0) > 0.5 * min(line.size, last.size):
                rows[-1].append(idx)
                continue
        rows.append([idx])
    return [sorted(r, key=lambda k: items[k].line.x0) for r in rows]


def _year_of_cell(text: str) -> int | None:
    text = text.replace(" ", "").strip("()（）")  # (2022年度): the year a baseline column gives
    if not _YEAR_CELL.match(text):
        return None
    return parse_year(text if "年" in text else f"{text}年度")


_YEAR_TOKEN = re.compile(
    r"[(（]?\s*(?:(?:令和|平成)\s*(?:\d{1,2}|元)\s*年度?|\d{4}\s*(?:年度?)?|R\s*\d{1,2}\s*年?度?)\s*[)）]?"
)


def _years_of_cell(cell) -> list[tuple[int, float, float]]:
    """The fiscal years a header cell names, each with where it stands: one, or several when the
    reader ran neighbouring cells together (``(2022年度) 2024``; positions by character offset)."""
    text = cell.text.strip()
    tokens = list(_YEAR_TOKEN.finditer(text))
    if not tokens or re.sub(r"[\s()（）]", "", _YEAR_TOKEN.sub("", text)):
        return []  # other words in the cell: not a header of years
    width = (cell.x1 - cell.x0) / max(len(text), 1)
    years = []
    for m in tokens:
        year = _year_of_cell(m.group())
        if year is None:
            return []
        years.append((year, cell.x0 + width * m.start(), cell.x0 + width * m.end()))
    return years


_DASHES = {"-", "—", "―", "ー", "‐", "−", "–"}
_TABLE_UNIT = re.compile(rf"\(\s*単位\s*:\s*({_UNITS})\s*\)")
_YOY_CELL = re.compile(r"前年(度)?(比|実績)")
_NOT_TARGET_ROW = re.compile(r"対象者数")  # the eligible population, not a target


@dataclass
class _Row:
    """A data row of a target table while it is being read."""

    label: list[str]
    values: list  # Line objects of the value cells
    yoy: list  # Line objects of merged year-on-year cells
    raw: list[str]
    page: int
    item: int
    bottom: float = 0.0  # where its lowest line ends: a wrapped cell continues right below
    group: str = ""  # the label of a row group above it (がん検診受診率 → 胃がん検診)
    caption: str = ""  # the table's caption (② 特定保健指導実施者の目標数 (内訳))
    total: bool = False  # a measure alone after rows that break it down: the table's total
    legend: dict[str, str] | None = None  # codes the table's legend spells out (A → 動機づけ支援者)
    grid_rows: set = field(default_factory=set)  # (table, row) of its lines' ruled cells, if any


def _cell_value(text: str) -> re.Match[str] | None:
    return _CELL_NUMBER.match(squash_numbers(text.strip()))


_LEGEND = re.compile(r"(?<![A-Za-z])([A-Z])\s*[=＝]\s*([^・、,)）=＝\s]+)")
# a caption naming what a table counts: ② 特定保健指導実施者の目標数 (内訳)
_CAPTION = re.compile(r"(目標|内訳|予定|数|率|割合)")


def _legends(items: list[PlanLine]) -> dict[int, dict[str, str]]:
    """Per page, the codes a legend spells out: ``(A=動機づけ支援者・B=積極的支援者)``."""
    found: dict[int, dict[str, str]] = {}
    for item in items:
        text = item.line.text
        if "=" in text or "＝" in text:
            pairs = _LEGEND.findall(text)
            if len(pairs) >= 2:  # a legend spells out two codes or more
                found.setdefault(item.page_no, {}).update(pairs)
    return found


def table_records(items: list[PlanLine]) -> list[TableRecord]:
    """Records of every fiscal-year target table in the plan.

    Rows are rebuilt from the lines' positions: a header row names three or more fiscal years,
    each later row with numbers under those years is a data row; label lines below a data row
    and left of its numbers continue its label (a wrapped cell), and a row whose first label
    columns are empty inherits them from the row above (組合員 → 男性 / 女性 / 計).
    """
    records: list[TableRecord] = []
    by_page: dict[int, list[int]] = {}
    for k, item in enumerate(items):
        by_page.setdefault(item.page_no, []).append(k)
    rows = [row for indexes in by_page.values() for row in _rows(items, indexes)]
    legends = _legends(items)
    # A table may run onto the next page: the state carries over page breaks.
    header: list[tuple[int, float, float]] | None = None
    baseline: tuple[int | None, float, float] | None = None
    unit = ""
    data: list[_Row] = []
    carry: dict[int, str] = {}
    group = ""
    caption, caption_at, table_caption = "", -9, ""  # a line alone right before a table names it
    broken_down = False  # the table has rows of several label cells (組合員 | 受診者目標数 | 男性)

    statistics = False  # the table's caption or header says it holds no targets (推移, 推計, 見込み)
    goal_named = False

    def flush() -> None:
        for row in data:
            label = squash("".join(row.label))
            if not statistics and (GOAL_WORD.search(label) or not STATISTICS.search(label)):
                for record in _row_records(row, header or [], baseline, unit):
                    record.goal_named = goal_named
                    records.append(record)
        data.clear()

    for r, row in enumerate(rows):
        cells = [items[k].line for k in row]
        texts = [c.text.strip() for c in cells]
        table_unit = next((m.group(1) for t in texts if (m := _TABLE_UNIT.search(t))), None)
        if table_unit:
            flush()
            unit = table_unit
            continue
        years = [y for c in cells for y in _years_of_cell(c)]
        if len(years) >= 3:
            flush()
            header, baseline, carry, group, broken_down = years, None, {}, "", False
            table_caption = caption if r - caption_at <= 4 else ""
            named = [" ".join(items[k].line.text for k in above) for above in rows[max(0, r - 3) : r]]
            statistics = statistics_table(named[-1] if named else "", " ".join(texts))
            goal_named = bool(GOAL_WORD.search(" ".join([*named[-2:], *texts])))
            for prev in rows[max(0, r - 2) : r + 1]:  # the baseline column is named above the years
                for k in prev:
                    c = items[k].line
                    if _BASELINE.search(c.text):
                        baseline = (parse_year(c.text), c.x0, c.x1)
            first_year, fx0, fx1 = header[0]
            if baseline is not None and fx0 < baseline[2] + 2 and fx1 > baseline[1] - 2:
                # the first "year" stands under 現状値: it is the baseline's year, not a target's
                baseline, header = (first_year, fx0, fx1), header[1:]
            continue
        alone = texts[0] if len(cells) == 1 else ""
        if _CAPTION.search(alone) and len(alone) <= 60 and not alone.endswith("。"):
            caption, caption_at = alone, r
        if header is None:
            continue
        first_year_x = min(x0 for _, x0, _ in header)
        numbers = [c for c in cells if _cell_value(c.text)]
        # label cells: text left of the row's numbers (a header may sit over a label column)
        first_number_x = min((c.x0 for c in numbers), default=first_year_x)
        left = [c for c in cells if not _cell_value(c.text) and c.x1 <= max(first_year_x, first_number_x) + 2
                and c.text.strip() not in _DASHES]  # fmt: skip
        # copies: a wrapped merged cell's text is completed below, the page's lines stay as read
        yoy = [c.model_copy() for c in cells if _YOY_CELL.search(c.text) and c.x1 > first_year_x]
        # the numbers of a row with targets, its baseline cell included (a merged 前年度比 row has
        # no number under a year, only its baseline)
        values = numbers if yoy or any(c.x0 >= first_year_x - 2 for c in numbers) else []
        if values or yoy:
            label = []
            if left:
                for key in [k for k in carry if k >= round(left[0].x0)]:
                    del carry[key]
                cells_here: dict[int, str] = {}
                for c in sorted(left, key=lambda c: c.y0):  # a cell wrapped within its row: one text
                    cells_here[round(c.x0)] = cells_here.get(round(c.x0), "") + c.text.strip()
                carry.update(cells_here)
            label = [carry[k] for k in sorted(carry)]
            page = items[row[0]].page_no
            legend = {**legends.get(page, {}), **legends.get(page + 1, {})} or None
            total = len(label) == 1 and broken_down and not group
            broken_down = broken_down or len(label) > 1
            data.append(_Row(label, values, yoy, [items[k].line.raw_text for k in row], page, row[0],
                             max(c.y1 for c in cells), group, table_caption, total, legend,
                             {(c.cell.table, c.cell.row) for c in cells if c.cell is not None}))  # fmt: skip
            continue
        dashes = [c for c in cells if c.text.strip() in _DASHES]
        before_years = [c for c in cells if c.x1 <= first_year_x + 2]  # labels and the baseline
        if dashes and len(set(map(id, before_years)) | set(map(id, dashes))) == len(cells):
            carry = {round(left[0].x0): left[0].text.strip()} if left else carry
            continue  # a row with no targets ("—" in every year): the table goes on
        wrapped_yoy = data and [c for c in cells if c not in left and any(
            y.x0 - 2 <= c.x0 <= y.x1 for y in data[-1].yoy)]  # fmt: skip
        same_page = bool(data) and items[row[0]].page_no == data[-1].page
        plain = all(not match_style(c.text.strip()) and len(c.text.strip()) < 40 for c in left)
        if same_page and cells and min(c.y0 for c in cells) - data[-1].bottom > 0.6 * cells[0].size:
            same_page = False  # a row of its own, not the next line of a wrapped cell
        grid_rows = {(c.cell.table, c.cell.row) for c in cells if c.cell is not None}
        if same_page and grid_rows and len(grid_rows) == len({id(c) for c in cells if c.cell}) and not (
                grid_rows & data[-1].grid_rows):  # fmt: skip
            same_page = False  # the ruled grid says: a row of its own (a tight Word table), no wrap
        fits = len(left) + len(wrapped_yoy or []) == len(cells)
        if same_page and plain and (left or wrapped_yoy) and fits:
            # a wrapped cell: continue the label (or the merged cell) of the row above
            last = data[-1]
            for c in wrapped_yoy or []:
                target = next(y for y in last.yoy if y.x0 - 2 <= c.x0 <= y.x1)
                target.text += c.text.strip()
            for c in left:
                key = max((k for k in carry if k <= round(c.x0) + 2), default=None)
                if key is not None:
                    carry[key] += c.text.strip()
            last.label = [carry[k] for k in sorted(carry)]
            last.raw.extend(items[k].line.raw_text for k in row)
            last.bottom = max(last.bottom, max(c.y1 for c in cells))
            continue
        flush()
        if len(cells) > 2:  # a new block of text: the table is over
            header = None
        elif len(left) == len(cells) == 1 and len(_WORDS.findall(left[0].text)) >= 2:
            group = left[0].text.strip()  # a label alone on its row heads the rows below it
    flush()
    return records


# a 区分 cell: the kind of indicator the row holds (アウトプット / アウトカム (成果)), not part of its name
_KIND_CELL = re.compile(r"^(アウトプット|アウトカム)(指標)?\s*([(（][^()（）]*[)）])?$")
_KINDS = {"アウトプット": "output", "アウトカム": "outcome"}


def _row_kind(row: _Row) -> str:
    """The kind a 区分 cell of the row names (and the cell is taken out of its label), or ""."""
    for k, cell in enumerate(row.label):
        m = _KIND_CELL.match(squash(cell))
        if m:
            del row.label[k]
            return _KINDS[m.group(1)]
    return ""


_TARGET_ROW = re.compile(r"^目標(値|数値)?[(（](?P<year>[^()（）]{2,12}年度(末)?)[)）]$")
_BASELINE_ROW = re.compile(r"^(直近値|現状値|基準値|実績値?)[(（](?P<year>[^()（）]{2,12}年度(末)?)[)）]$")


def row_target_records(items: list[PlanLine]) -> list[TableRecord]:
    """Tables that put the indicators in the columns and the years in the rows: a row labelled
    ``目標値（令和11年度）`` below one labelled ``現状値（令和4年度）``, under a header row naming an
    indicator over each column. One record per column, its baseline the 現状値 row's cell."""
    by_page: dict[int, list[int]] = {}
    for k, item in enumerate(items):
        by_page.setdefault(item.page_no, []).append(k)
    records: list[TableRecord] = []
    before: list[list[int]] = []
    for page, indexes in by_page.items():
        rows = _rows(items, indexes)
        # a table that runs onto this page without repeating its header: its rows go on from there
        carried = before[-5:] if before and rows and _goes_on(items, before[-1], rows[0]) else []
        before, rows = rows, carried + rows
        for r, row in enumerate(rows):
            if r < len(carried):
                continue
            cells = [items[k].line for k in row]
            target = _TARGET_ROW.match(squash(cells[0].text))
            values = [c for c in cells[1:] if _cell_value(c.text)]
            year = parse_year(target.group("year")) if target else None
            if target is None or year is None or not values:
                continue
            base_row, base_year, header = None, None, []
            for above in reversed(rows[max(0, r - 5) : r]):
                above_cells = [items[k].line for k in above]
                if _TARGET_ROW.match(squash(above_cells[0].text)):
                    continue  # a target row of another year (目標値（令和8年度）) above this one
                base = _BASELINE_ROW.match(squash(above_cells[0].text))
                if base and base_row is None and not header:
                    base_row, base_year = above_cells, parse_year(base.group("year"))
                    continue
                if any(_cell_value(c.text) for c in above_cells) or (len(above_cells) < 2 and header):
                    break
                header = above_cells + header
            for value in values:
                names = [c for c in header if c.x0 - 3 <= value.x0 <= c.x1 and c.x0 > cells[0].x1 - 3]
                if not names:
                    continue
                text = "".join(c.text.strip() for c in sorted(names, key=lambda c: c.y0))
                m = _UNIT_PAREN.search(text)
                unit = m.group(1) if m else ""
                indicator = clean_indicator(_UNIT_PAREN.sub("", text))
                found = _cell_value(value.text)
                assert found is not None
                base_value = None
                for c in base_row or []:
                    if c is not base_row[0] and abs(c.x0 - value.x0) <= 6 and _cell_value(c.text):
                        base_value = _number(_cell_value(c.text).group(1))  # type: ignore[union-attr]
                raws = [ln.raw_text for ln in cells]
                records.append(TableRecord(
                    indicator=indicator, value=_number(found.group(1)), unit=found.group(2) or unit,
                    comparator=_CMP.get(found.group(3) or "", "="), year=year, baseline_value=base_value,
                    baseline_year=base_year if base_value is not None else None, raw="\n".join(raws),
                    page=page, item=row[0], who=indicator, target_row=True,
                ))  # fmt: skip
    return records


def _goes_on(items: list[PlanLine], last: list[int], first: list[int]) -> bool:
    """Whether a page's first row is the next row of the table the previous page ends with: both
    are rows of table cells, in the same columns (the reader's cells, :mod:`extract.read.cells`)."""
    a = [items[k].line.cell for k in last]
    b = [items[k].line.cell for k in first]
    if not a or not b or any(c is None for c in a + b):
        return False
    left = {round(c.x0) for c in a if c is not None}
    return all(any(abs(c.x0 - x) <= 2 for x in left) for c in b if c is not None)


_UNIT_PAREN = re.compile(rf"\(\s*({_UNITS})数?\s*\)")  # (%), (人), (回数)
# 受診者目標数 → 受診者数, 受診率目標値 → 受診率, 実施者の目標数 → 実施者数
_TARGET_WORDS = re.compile(r"の?目標(?=数$)|の?目標(値|数値)?$")
_MEASURE = re.compile(r"(数|率|割合|値|額|量)$")  # a cell naming what is counted
_ALL = re.compile(r"^(合計|計|全体|総数)$")  # a breakdown that is the whole: no breakdown


def _measure_of(text: str) -> str:
    """A label without the words saying it is a target and without its mark: what is counted."""
    styled = match_style(text)
    text = styled[2] if styled else text
    text = re.sub(r"\s*[(（][^()（）]*[)）]\s*$", "", text)  # (内訳)
    return _TARGET_WORDS.sub("", squash(text))


def _row_indicator(row: _Row) -> tuple[str, str]:
    """The row's indicator as written, ``measure（breakdown …）``, and its unit as written."""
    cells = [c for c in row.label if c.strip()]
    unit = ""
    if cells:
        m = _UNIT_PAREN.search(cells[-1])
        if m:  # the unit is no part of the name; a ratio after it is the definition (受診者/対象者)
            after = cells[-1][m.end() :].strip()
            after = "" if re.search(r"[/÷]", after) else after
            unit, cells[-1] = m.group(1), f"{cells[-1][: m.start()].strip()} {after}".strip()
    if len(cells) <= 1:
        label = _TARGET_WORDS.sub("", cells[0]) if cells else ""
        whole = _measure_of(row.caption) if row.total and row.caption else ""
        if whole and squash(label) and whole.endswith(squash(label)):
            label = whole  # the total of a breakdown counts what the caption names (実施者数)
    else:
        measures = [k for k, c in enumerate(cells) if _MEASURE.search(_measure_of(c))]
        if measures:
            measure = _measure_of(cells[measures[0]])
            parts = [c for k, c in enumerate(cells) if k != measures[0]]
        else:  # the cells only break down what the caption counts
            measure = _measure_of(row.caption) if row.caption else ""
            parts = cells
        parts = [(row.legend or {}).get(squash(c), squash(c)) for c in parts]
        if len(parts) == 1 and _ALL.match(parts[0]):
            parts = []  # 合計: the measure as a whole
        if measure:
            label = f"{measure}（{' '.join(parts)}）" if parts else measure
        else:  # cells of one label wrapped into columns: joined as one text
            label = ("" if all(_CJK_END.search(part) for part in parts[:-1]) else " ").join(parts)
    if row.group:
        group = re.sub(r"[(（].*$", "", row.group).strip()
        label = f"{group}({label})"
    return label, unit


def _row_records(row: _Row, header: list[tuple[int, float, float]], baseline, table_unit: str):
    kind = _row_kind(row)
    label, label_unit = _row_indicator(row)
    label_unit = label_unit or table_unit
    written = squash("".join(row.label))
    indicator = clean_indicator(label)
    if not indicator or _NOT_TARGET_ROW.search(indicator) or _NOT_TARGET_ROW.search(written):
        return []
    base_value = None
    if baseline is not None:
        for c in row.values:
            if c.x0 < baseline[2] and c.x1 > baseline[1]:
                m = _cell_value(c.text)
                base_value = _number(m.group(1)) if m else None
    out = []

    def column_of(cell) -> int | None:
        """The year column whose left edge is nearest (cells and headers are left-aligned)."""
        gaps = [abs(cell.x0 - x0) for _, x0, _ in header]
        best = min(range(len(gaps)), key=gaps.__getitem__)
        spacing = min((b[1] - a[1] for a, b in itertools.pairwise(header)), default=50.0)
        return best if gaps[best] <= max(spacing * 0.6, 6.0) else None

    in_years = [c for c in row.values if c.x0 >= header[0][1] - 6]
    if len(in_years) == len(header):  # one number per year: read them in order, whatever the offsets
        placed: dict[int | None, object] = dict(enumerate(sorted(in_years, key=lambda c: c.x0)))
    else:
        placed = {column_of(c): c for c in in_years}
    for n, (year, x0, x1) in enumerate(header):
        cell = placed.get(n)
        if cell is not None:
            m = _cell_value(cell.text)
            assert m is not None
            value, unit = _number(m.group(1)), m.group(2) or label_unit
            comparator = _CMP.get(m.group(3) or "", "=")
        else:
            # a merged cell (前年度比 横ばいまたは減少) covers every year from where it starts
            in_years = [c for c in row.values if c.x0 >= header[0][1] - 2]
            merged = next((c for c in row.yoy if c.x0 < x1 + 2 and (c.x1 > x0 - 2 or not in_years)), None)
            if merged is None:
                continue
            up = re.search(r"増|向上|以上|上昇", merged.text)
            value, unit, comparator = None, "", "yoy>=" if up else "yoy<="
        record = TableRecord(
            indicator=indicator, value=value, unit=unit, comparator=comparator, year=year,
            baseline_value=base_value,
            baseline_year=baseline[0] if baseline and base_value is not None else None,
            raw="\n".join(row.raw), page=row.page, item=row.item,
            who=" ".join([*row.label, row.group, "合計" if row.total else ""]), kind=kind,
            target_row="目標" in written, planned_row="予定" in written,
        )  # fmt: skip
        out.append(record)
    return out


def _without_restatements(records: list[TableRecord]) -> list[TableRecord]:
    """Drop a 予定 (planned) row that repeats, year for year, the numbers of a 目標 (target) row."""
    series: dict[str, tuple] = {}
    planned: set[str] = set()
    for r in records:
        series.setdefault(r.indicator, ())
        series[r.indicator] += ((r.year, r.value, r.unit),)
        if r.planned_row and not r.target_row:
            planned.add(r.indicator)
    targets = {tuple(sorted(v, key=str)) for k, v in series.items() if k not in planned}
    twice = [k for k in planned if len(series[k]) >= 3 and tuple(sorted(series[k], key=str)) in targets]
    planned_twice = set(twice)
    return [r for r in records if r.indicator not in planned_twice]
