"""Programs of the 健保組合 data-health template's STEP forms.

- **STEP4 事業報告 forms**: a numbered ``N 事業名`` block per program with labelled cells
  (予算科目, 新規・既存区分, 対象事業所 / 性別 / 年齢 / 対象者分類, 実施方法, 実施体制, 予算額, 決算額,
  評価, 実施状況・時期, 成功・推進要因, 課題及び阻害要因). The names come from the report's
  numbered 事業の一覧. Cells are read from the block's joined text, because PDF extraction breaks
  them across lines (``計`` / ``画``, ``予算額 5,`` / ``830千円``).
- **The STEP3 plan table**: its 事業の一覧 (予算科目 and name) and each row from where its name is
  printed; it gives the reports their 目的 and 概要, and is the only source for a plan published
  without its reports (STEP1–3 only, the usual case).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from extract.read.normalize import normalize_text
from extract.records.program_text import kpi_items, name_key, prose, squash
from extract.structure.headings import PlanLine
from schemas.kpis import Kpi

_REPORT_START = re.compile(r"^\s*(\d{1,2})\s*事業名")
_LIST_HEAD = re.compile(r"事業の一覧")
_LIST_ITEM = re.compile(r"^\s*(\d{1,2})\s+(\S.*)$")
_TARGET = re.compile(
    r"(?:対象事業所)+\s*(\S+)\s*(?:性別)+\s*(\S+)\s*(?:年齢)+\s*(\d+)\s*[〜～~\-－]\s*(\d+)\s*"
    r"(?:対象者分類)+\s*(\S+?[,、]?)(?:\n(?=\S{2,6}\n)(?![計実注]|事業)(\S+))?(?=\s)"
)
"""The target cells; a list of populations cut at the line end (被保険者,任 / 意継続者) is joined."""
_CELLS = {
    "category": re.compile(r"予算科目\s*(\S+)"),
    "new": re.compile(r"新規・既存区分\s*(\S+)"),
    "budget": re.compile(r"予算額\s*([0-9][0-9,\s]*|[-－―])\s*千円"),
    "settled": re.compile(r"決算額\s*([0-9][0-9,\s]*|[-－―])\s*千円"),
    "method": re.compile(r"実施方法\s*計\s*画\s*(.+?)\s*予算額", re.S),
    "structure": re.compile(r"実施体制\s*計\s*画\s*(.+?)\s*決算額", re.S),
    "evaluation": re.compile(r"評価\s*([0-9]\s*[.．]\s*\S+)"),
    "purpose": re.compile(r"【目的】\s*(.+?)(?=【概要】|(?:実施状況・時期)|$)", re.S),
    "summary": re.compile(
        r"【概要】\s*(.+?)(?=(?:実施状況・時期)|(?:成功・推進要因)|(?:アウトプット指標)|$)", re.S
    ),
    "status": re.compile(r"(?:実施状況・時期)+\s*(.+?)(?=(?:成功・推進要因)|$)", re.S),
    "success_factors": re.compile(r"(?:成功・推進要因)+\s*(.+?)(?=(?:課題及び阻害要因)|$)", re.S),
    "obstacles": re.compile(r"(?:課題及び阻害要因)+\s*(.+?)$", re.S),
}


def _report_names(texts: list[str]) -> dict[int, str]:
    """The numbered 事業の一覧 of the reports: ``1 特定健康診査(被保険者)`` … from 1, line after line.

    The list starts within a few lines of its heading (the category headings of the template
    sit between) and ends at the first line that does not continue the numbering.
    """
    for i, text in enumerate(texts):
        if not _LIST_HEAD.search(text):
            continue
        names: dict[int, str] = {}
        for offset, later in enumerate(texts[i + 1 : i + 80]):
            m = _LIST_ITEM.match(later)
            if m and int(m.group(1)) == len(names) + 1 and "事業名" not in later:
                names[len(names) + 1] = m.group(2).strip()
            elif names or offset >= 6:
                break
        if len(names) >= 2:
            return names
    return {}


def _row_cells(texts: list[str], names: list[str]) -> dict[str, dict[str, str]]:
    """【目的】 / 【概要】 cells of a plan table (STEP3), each given to the row named last before it.

    A table row starts with the program's name (wrapped anywhere, so it is matched with optional
    white space between its characters); a cell belongs to the row whose name appears last before
    it, which holds however the extractor ordered the row's other cells.
    """
    text = "\n".join(texts)
    spots: list[tuple[int, str]] = []
    for name in names:
        chars = [re.escape(c) for c in squash(name)]
        if len(chars) < 2:
            continue
        spots.extend((m.start(), name) for m in re.finditer(r"\s*".join(chars), text))
    spots.sort()
    cells: dict[str, dict[str, str]] = {}
    for key, pattern in (("purpose", _CELLS["purpose"]), ("summary", _CELLS["summary"])):
        marker = "【目的】" if key == "purpose" else "【概要】"
        for m in re.finditer(re.escape(marker), text):
            before = [name for at, name in spots if at < m.start()]
            if not before:
                continue
            cell = pattern.match(text, m.start())
            if cell:  # the cell ends with its last sentence; the row's next cell follows
                value = re.split(r"(?<=。)\n", cell.group(1), maxsplit=1)[0]
                cells.setdefault(before[-1], {}).setdefault(key, prose(value))
    return cells


def _thousands(cell: str | None) -> float | None:
    """A 千円 amount as written (``11,214``, ``5,`` / ``830`` cut across lines); ``-`` → None."""
    return float(re.sub(r"[,\s]", "", cell)) if cell and cell[0].isdigit() else None


def _obstacles_end(text: str, bold: set[str]) -> str:
    """Cut the last cell where the next program's page head begins (a bold title line: one of
    ``bold``, the block's bold lines)."""
    kept = []
    for line in text.splitlines():
        if line.strip() in bold or re.match(r"^\s*(?:対象事業所|アウトプット指標|アウトカム指標|注\d)", line):
            break
        kept.append(line)
    # The 健康課題との関連 cell, when it says 該当なし (…), is printed right after it.
    return re.sub(r"該当なし\s*[(（][^)）]*[)）]?\s*$", "", "\n".join(kept)).strip()


def step_report_programs(items: list[PlanLine], kpis: list[Kpi], table: list[dict] = ()) -> list[dict]:
    """Programs of the STEP4 事業報告: one per ``N 事業名`` block, named from the report's list.

    ``table`` is :func:`step_table_programs`' reading of the plan's STEP3 table: a program's row
    there gives its 目的 and 概要 (the report pages scramble them) and the targets of its row.
    """
    texts = [it.line.text for it in items]
    starts = [(i, int(m.group(1))) for i, t in enumerate(texts) if (m := _REPORT_START.match(t))]
    if not starts:
        return []
    names = _report_names(texts)
    at = kpi_items(items, kpis)
    rows = {name_key(row["name"]): row for row in table}
    found = []
    for pos, (i, number) in enumerate(starts):
        end = starts[pos + 1][0] if pos + 1 < len(starts) else len(items)
        block = "\n".join(texts[i:end])
        # the report's title (a bold line) heads it on the page before its 事業名 cell
        title_at = next(
            (k for k in range(i - 1, max(0, i - 40), -1)
             if items[k].line.bold and texts[k + 1].lstrip().startswith("対象事業所")),
            None,
        )  # fmt: skip
        title = texts[title_at].strip() if title_at is not None else None
        name = names.get(number) or title
        if not name:
            continue
        cells: dict[str, str | None] = {}
        for key, pattern in _CELLS.items():
            m = pattern.search(block)
            cells[key] = m.group(1).strip() if m else None
        row = rows.get(name_key(name), {})
        if rows:  # the report's own cells are scrambled across pages; the table's rows are not
            cells["purpose"] = row.get("purpose")
            cells["summary"] = row.get("summary")
        target = _TARGET.search(block)
        budget = cells["budget"]  # the plan (計画) row's; 決算額 is the actual (実績) row's
        new = cells["new"]
        bold = {texts[k].strip() for k in range(i, end) if items[k].line.bold}
        obstacles = _obstacles_end(cells["obstacles"], bold) if cells["obstacles"] else None
        pages = {items[k].page_no for k in range(i, end)}
        if title is not None and title_at is not None and name_key(title) == name_key(name):
            pages.add(items[title_at].page_no)
            block = f"{texts[title_at]}\n{block}"
        linked = {k.id for k in kpis if i <= at.get(k.id, -1) < end} | set(row.get("kpi_ids", []))
        found.append(
            {
                "source": "step_report",
                "number_in_source": number,
                "item": i,
                "page_start": min(pages),
                "page_end": max(pages),
                "name": normalize_text(name),
                "category": cells["category"],
                "new": None if new is None else new.startswith("新規"),
                "budget_thousand_yen": _thousands(budget),
                "settled_thousand_yen": _thousands(cells["settled"]),
                "sites": target.group(1) if target else None,
                "sex": target.group(2) if target and target.group(2) in ("男女", "男性", "女性") else None,
                "age_from": int(target.group(3)) if target else None,
                "age_to": int(target.group(4)) if target else None,
                "population": (target.group(5) + (target.group(6) or "")) if target else None,
                "purpose": prose(cells["purpose"] or "") or None,
                "summary": prose(cells["summary"] or "") or None,
                "method": prose(_plan_row(cells["method"])) if cells["method"] else None,
                "structure": prose(_plan_row(cells["structure"])) if cells["structure"] else None,
                "evaluation": cells["evaluation"],
                "status": prose(cells["status"] or "") or None,
                "success_factors": prose(cells["success_factors"] or "") or None,
                "obstacles": prose(obstacles or "") or None,
                "kpi_ids": sorted(linked),
                "raw_text": block,
            }
        )
    return found


def _plan_row(text: str) -> str:
    """A cell's plan (計画) row only: cut at its 実績 row, whose text repeats it."""
    return re.split(r"\n\s*実\s*\n?\s*績", text)[0]


# ---------------------------------------------------------------------------------------------
# STEP3 plan table, for a plan published without its STEP4 reports

_TABLE_NOTE = re.compile(r"^\s*※.*(?:並び替え|予算科目順)")
_STEP4 = re.compile(r"STEP\s*[4４]|事業報告")
_ROW_TARGET = re.compile(
    r"(男女|男性|女性)\s*(\d{1,3})\s*[〜～~]\s*(\d{1,3})\s*(.+?)\s+[1-3１-３]\s+[ア-ン](?:\s*,\s*[ア-ン])*\s",
    re.S,
)
_ROW_BUDGET = re.compile(r"(?:^|\s)([0-9][0-9,]*|[-－―])\s*【目的】")


def _table_list(items: list[PlanLine]) -> tuple[list[tuple[str, str]], int]:
    """The STEP3 事業の一覧: ``予算科目  事業名`` lines (two cells, not a bold header), and the line
    after the list."""
    texts = [it.line.text for it in items]
    for i, text in enumerate(texts):
        if not _LIST_HEAD.search(text):
            continue
        entries: list[tuple[str, str]] = []
        for k in range(i + 1, min(len(texts), i + 80)):
            cells = re.split(r"\s{2,}", texts[k].strip())
            if len(cells) == 2 and all(cells) and not items[k].line.bold:
                entries.append((cells[0], cells[1]))
            elif entries or _TABLE_NOTE.match(texts[k]) or k - i > 8:
                if entries:
                    return entries, k
                break
    return [], 0


def step_table_programs(items: list[PlanLine], kpis: list[Kpi]) -> list[dict]:
    """Programs of the STEP3 plan table: the 事業の一覧's names, each row read from where its name
    is printed to where the next one is (sex, ages, 対象者, 予算額 before 【目的】, 新規 / 既存 just
    before the name, 目的, 概要), with the KPI records read inside the row."""
    texts = [it.line.text for it in items]
    entries, after = _table_list(items)
    if not entries:
        return []
    end = next((k for k in range(after, len(texts)) if _STEP4.search(texts[k])), len(texts))
    starts, offset = [], 0
    for k in range(after, end):
        starts.append(offset)
        offset += len(texts[k]) + 1
    text = "\n".join(texts[after:end])
    at = kpi_items(items, kpis)
    spots: list[tuple[int, int]] = []  # (offset, entry)
    cursor = 0
    for n, (category, name) in enumerate(entries):
        pattern = re.compile(r"\s*".join(re.escape(c) for c in squash(name)))

        def in_category(m: re.Match[str], category: str = category, name: str = name) -> bool:
            """The row's category (特定保健指導事業 for 特定保健指導), one character a line (特 / 定 /
            保 / …) or, read as one cell, in one piece: not where the row starts."""
            if m.group().count("\n") >= len(name) / 2:
                return True
            longer = squash(category) != squash(name) and squash(category).startswith(squash(name))
            ahead = squash(text[m.start() : m.start() + 2 * len(category)])
            return longer and ahead.startswith(squash(category))

        m = next((m for m in pattern.finditer(text, cursor) if not in_category(m)), None)
        if m is None:
            continue
        spots.append((m.start(), n))
        cursor = m.end()
    cells = _row_cells(texts[after:end], [name for _, name in entries])
    found = []
    for pos, (start, n) in enumerate(spots):
        stop = spots[pos + 1][0] if pos + 1 < len(spots) else len(text)
        row = text[start:stop]
        category, name = entries[n]
        before = squash(text[max(0, start - 40) : start])[-12:]
        target = _ROW_TARGET.search(row)
        budget = _ROW_BUDGET.search(row)
        amount = budget.group(1).replace(",", "") if budget else ""
        first = after + bisect_right(starts, start) - 1
        last = after + bisect_right(starts, stop - 1) - 1
        pages = [items[k].page_no for k in range(first, last + 1)]
        found.append(
            {
                "source": "step_table",
                "item": first,
                "page_start": min(pages),
                "page_end": max(pages),
                "name": normalize_text(name),
                "category": category,
                "new": True if "新規" in before else False if "既存" in before else None,
                "budget_thousand_yen": float(amount) if amount.isdigit() else None,
                "sex": target.group(1) if target else None,
                "age_from": int(target.group(2)) if target else None,
                "age_to": int(target.group(3)) if target else None,
                "population": squash(target.group(4)) if target else None,
                "purpose": cells.get(name, {}).get("purpose"),
                "summary": cells.get(name, {}).get("summary"),
                "kpi_ids": [k.id for k in kpis if first <= at.get(k.id, -1) <= last],
                "raw_text": row.strip(),
            }
        )
    return found


