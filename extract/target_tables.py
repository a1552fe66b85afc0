"""Target tables: indicator rows × fiscal-year columns, rebuilt from the lines' positions on the page.

A header row names three or more fiscal years (a column under 現状値 / 直近値 is the baseline);
each later row with numbers under those years is a data row. Label lines below a data row and
left of its numbers continue its label (a wrapped cell); a row whose first label columns are
empty inherits them from the row above (組合員 → 男性 / 女性 / 計); a label alone on its row heads
the rows under it (がん検診受診率 → 胃がん検診); a merged 前年度比 cell covers every year from where it
starts; a table may run onto the next page.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from extract.dates import parse_year
from extract.sections import PlanLine, match_style
from extract.targets import _CJK_END, _CMP, _NUMBER, _UNITS, _WORDS, _number, clean_indicator, squash_numbers


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


_YEAR_CELL = re.compile(
    r"^(?:(令和|平成)\s*(\d{1,2}|元)\s*年度?|(\d{4})\s*(?:年度)?|R\s*(\d{1,2})\s*年?度?)$"
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
    text = text.replace(" ", "")
    if not _YEAR_CELL.match(text):
        return None
    return parse_year(text if "年" in text else f"{text}年度")


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


def _cell_value(text: str) -> re.Match[str] | None:
    return _CELL_NUMBER.match(squash_numbers(text.strip()))


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
    # A table may run onto the next page: the state carries over page breaks.
    header: list[tuple[int, float, float]] | None = None
    baseline: tuple[int | None, float, float] | None = None
    unit = ""
    data: list[_Row] = []
    carry: dict[int, str] = {}
    group = ""

    def flush() -> None:
        for row in data:
            records.extend(_row_records(row, header or [], baseline, unit))
        data.clear()

    for r, row in enumerate(rows):
        cells = [items[k].line for k in row]
        texts = [c.text.strip() for c in cells]
        table_unit = next((m.group(1) for t in texts if (m := _TABLE_UNIT.search(t))), None)
        if table_unit:
            flush()
            unit = table_unit
            continue
        years = [(y, c.x0, c.x1) for c in cells if (y := _year_of_cell(c.text.strip()))]
        if len(years) >= 3:
            flush()
            header, baseline, carry, group = years, None, {}, ""
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
        if header is None:
            continue
        first_year_x = min(x0 for _, x0, _ in header)
        numbers = [c for c in cells if _cell_value(c.text)]
        # label cells: text left of the row's numbers (a header may sit over a label column)
        first_number_x = min((c.x0 for c in numbers), default=first_year_x)
        left = [c for c in cells if not _cell_value(c.text) and c.x1 <= max(first_year_x, first_number_x) + 2
                and c.text.strip() not in _DASHES]  # fmt: skip
        values = numbers if any(c.x0 >= first_year_x - 2 for c in numbers) else []
        # copies: a wrapped merged cell's text is completed below, the page's lines stay as read
        yoy = [c.model_copy() for c in cells if _YOY_CELL.search(c.text) and c.x1 > first_year_x]
        if values or yoy:
            label = []
            if left:
                for key in [k for k in carry if k >= round(left[0].x0)]:
                    del carry[key]
                for c in left:
                    carry[round(c.x0)] = c.text.strip()
            label = [carry[k] for k in sorted(carry)]
            data.append(_Row(label, values, yoy, [items[k].line.raw_text for k in row],
                             items[row[0]].page_no, row[0], max(c.y1 for c in cells), group))  # fmt: skip
            continue
        dashes = [c for c in cells if c.text.strip() in _DASHES]
        before_years = [c for c in cells if c.x1 <= first_year_x + 2]  # labels and the baseline
        if dashes and len(before_years) + len(dashes) == len(cells):
            carry = {round(left[0].x0): left[0].text.strip()} if left else carry
            continue  # a row with no targets ("—" in every year): the table goes on
        wrapped_yoy = data and [c for c in cells if c not in left and any(
            y.x0 - 2 <= c.x0 <= y.x1 for y in data[-1].yoy)]  # fmt: skip
        same_page = bool(data) and items[row[0]].page_no == data[-1].page
        plain = all(not match_style(c.text.strip()) and len(c.text.strip()) < 40 for c in left)
        if same_page and cells and min(c.y0 for c in cells) - data[-1].bottom > 0.6 * cells[0].size:
            same_page = False  # a row of its own, not the next line of a wrapped cell
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


def _row_records(row: _Row, header: list[tuple[int, float, float]], baseline, table_unit: str):
    glue = "" if all(_CJK_END.search(part) for part in row.label[:-1]) else " "
    label = glue.join(row.label)
    if row.group:
        label = f"{re.sub(r'[(（].*$', '', row.group).strip()}({label})"
    unit_m = re.search(rf"\(\s*({_UNITS})数?\s*\)", label)  # (%), (人), (回数)
    label_unit = unit_m.group(1) if unit_m else table_unit
    indicator = clean_indicator(re.sub(rf"\(\s*({_UNITS})数?\s*\)", "", label))
    if not indicator or _NOT_TARGET_ROW.search(indicator):
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
            baseline_value=base_value, baseline_year=baseline[0] if baseline else None,
            raw="\n".join(row.raw), page=row.page, item=row.item,
        )  # fmt: skip
        out.append(record)
    return out


def _without_restatements(records: list[TableRecord]) -> list[TableRecord]:
    """Drop a 予定 (planned) row that repeats, year for year, the numbers of a 目標 (target) row."""
    series: dict[str, tuple] = {}
    for r in records:
        series.setdefault(r.indicator, ())
        series[r.indicator] += ((r.year, r.value, r.unit),)
    targets = {tuple(sorted(v, key=str)) for k, v in series.items() if "目標" in k or "予定" not in k}
    planned_twice = {
        k for k, v in series.items() if "予定" in k and len(v) >= 3 and tuple(sorted(v, key=str)) in targets
    }
    return [r for r in records if r.indicator not in planned_twice]
