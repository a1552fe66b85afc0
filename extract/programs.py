"""Programs (保健事業) and health issues (健康課題) of a plan, read from its lines and section tree.

Plans describe programs in four ways, and each has a reader here:

- **STEP4 事業報告 forms** of the 健保組合 data-health template: a numbered ``N 事業名`` block per
  program with labelled cells (予算科目, 新規・既存区分, 対象事業所 / 性別 / 年齢 / 対象者分類, 実施方法,
  実施体制, 予算額, 【目的】, 【概要】, 評価, 実施状況・時期, 成功・推進要因, 課題及び阻害要因). The
  names come from the report's numbered 事業の一覧. Cells are read from the block's joined text, because PDF
  extraction breaks them across lines (``計`` / ``画``, ``予算額 -`` / ``千円``).
- **Numbered chapters** (第1 特定健康診査 …): a section whose own parts include a 目的 and a 実施内容
  / 実施方法 part. Each part's text fills its field; the KPI records of the subtree are linked.
- **Measures of a business plan** (協会けんぽ): each numbered measure below a field, with its ○ / ・
  action lines and the KPIs stated under it.
- **実施方法 sections** of a 特定健康診査等実施計画: ``特定健康診査の実施方法`` is the program
  特定健康診査, described by its parts.

Health issues come from the two table shapes in use: numbered rows under a header naming 健康課題
and 対策の方向性 (the STEP2 table), and a two-column table of 健康課題 against the programs that
answer them (``1. 特定健康診査★ 2. …``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import pairwise

from extract.normalize import normalize_text
from extract.sections import PlanLine, match_style, undouble
from schemas.kpis import Kpi
from schemas.plans import Plan, Section
from schemas.programs import HealthIssue, Program

_KEY_MARK = re.compile(r"\s*[(（]\s*重点\s*★?\s*[)）]\s*|\s*★\s*")
_AGE_RANGE = re.compile(r"(\d{1,3})\s*歳?\s*(?:から|[〜～~\-－ー])\s*(\d{1,3})\s*歳")
_ACTION_MARK = re.compile(r"^\s*([○◯〇●◎・◆◇☆])\s*")
_FIGURES_ONLY = re.compile(
    r"[0-9.,]+\s*[%人件社]\s*(?:以上|以下)?\s*[)）]?\s*$"  # …実施率 59.0% / (受診対象者数:179,101人)
    r"|^[^、。]{0,40}[:：]\s*[^、。]*数\s*[0-9,]+\s*人"  # 被保険者(40歳以上):実施対象者数 791,721人、…
)
"""A bulleted line that only states figures (a target or a head count), not an action."""
_ACTION_STOP = re.compile(r"^\s*(?:■|※|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+\s*[)）.]|-\s*\d+\s*-$|【)")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def prose(text: str) -> str:
    """Lines of a paragraph joined (Japanese wraps without spaces); a break kept after 。."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if out and not out[-1].endswith(("。", "\n")):
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out).strip()


def key_program(name: str) -> tuple[str, bool]:
    """A name without its 重点 / ★ mark, and whether it carried one."""
    stripped = _KEY_MARK.sub("", name).strip()
    return stripped, stripped != name.strip()


def age_range(text: str) -> tuple[int | None, int | None]:
    """The first age range written ``40歳から74歳`` / ``40〜74歳`` in a text."""
    m = _AGE_RANGE.search(text)
    if not m:
        return None, None
    low, high = int(m.group(1)), int(m.group(2))
    return (low, high) if low < high <= 120 else (None, None)


def name_key(name: str) -> str:
    """A name for matching across tables: no spaces, marks, brackets or 重点 / ★."""
    name = key_program(name)[0]
    return re.sub(r"[\s()（）「」『』・、,.．★☆]", "", normalize_text(name))


@dataclass
class _Tree:
    sections: list[Section]
    children: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for n, s in enumerate(self.sections):
            self.children.setdefault(s.id, [])
            if s.parent_id:
                self.children.setdefault(s.parent_id, []).append(n)

    def kids(self, n: int) -> list[Section]:
        return [self.sections[k] for k in self.children.get(self.sections[n].id, [])]

    def subtree(self, n: int) -> list[int]:
        out, todo = [], [n]
        while todo:
            k = todo.pop()
            out.append(k)
            todo.extend(reversed(self.children.get(self.sections[k].id, [])))
        return sorted(out)

    def text(self, n: int, with_headings: bool = False) -> str:
        parts = []
        for k in self.subtree(n):
            s = self.sections[k]
            if with_headings and k != n:
                parts.append(f"{s.label} {s.heading}".strip())
            if s.text:
                parts.append(s.text)
        return "\n".join(parts)

    def find(self, n: int, pattern: re.Pattern[str]) -> int | None:
        """The first section of the subtree (not ``n`` itself) whose heading matches."""
        for k in self.subtree(n):
            if k != n and pattern.match(_squash(self.sections[k].heading)):
                return k
        return None


def kpi_items(items: list[PlanLine], kpis: list[Kpi]) -> dict[str, int]:
    """The line each KPI record was read from: the first line of its page, not yet taken, that
    holds the start of its ``raw_text`` (records come in reading order, so do their lines)."""
    by_page: dict[int, list[int]] = {}
    for n, it in enumerate(items):
        by_page.setdefault(it.page_no, []).append(n)
    taken: dict[str, int] = {}
    last = -1
    for kpi in kpis:
        head = _squash(kpi.raw_text.splitlines()[0] if kpi.raw_text else "")[:12]
        if not head:
            continue
        lines = by_page.get(kpi.page, [])
        spots = [n for n in lines if head in _squash(items[n].line.text)]
        if not spots:  # a raw text joined from a cut line: its start is the end of a line
            spots = [
                n
                for n in lines
                if _squash(items[n].line.text) and head.startswith(_squash(items[n].line.text)[-6:])
            ]
        after = [n for n in spots if n >= last]
        if after or spots:
            last = (after or spots)[0]
            taken[kpi.id] = last
    return taken


def _kpis_under(kpis: list[Kpi], path: str) -> list[Kpi]:
    return [k for k in kpis if k.section == path or k.section.startswith(path + " > ")]


# ---------------------------------------------------------------------------------------------
# Numbered chapters and 実施方法 sections

_PURPOSE = re.compile(r"^(?:事業の)?目的")
_CONTENT = re.compile(r"^(?:実施内容|事業内容|事業の内容|実施方法|取組内容|実施計画|内容)")
_STRUCTURE = re.compile(r"^(?:実施体制|実施機関|実施主体)")
_STATUS = re.compile(r"^(?:これまで.*の)?実施状況")
_OBSTACLE = re.compile(r"^課題")
_METHOD_HEADING = re.compile(r"^(.+?)の(?:実施方法|実施計画)$")
_TARGET_LINE = re.compile(r"(?:^|\n)[\s・\-]*対象者?\s*[:：]\s*([^\n]{1,60})")
_TARGET_HEADING = re.compile(r"^対象者?$|^対象者?の(?:範囲|要件|選定)")


def _population(tree: _Tree, n: int) -> str | None:
    """The target population as the program states it: a ``対象者：…`` line, or the first line of a
    part headed 対象者."""
    m = _TARGET_LINE.search(tree.text(n))
    if m:
        return m.group(1).strip().rstrip("。")
    k = tree.find(n, _TARGET_HEADING)
    if k is not None and tree.sections[k].text.strip():
        return tree.sections[k].text.strip().splitlines()[0][:60]
    return None


def _field(tree: _Tree, n: int, pattern: re.Pattern[str]) -> str | None:
    k = tree.find(n, pattern)
    if k is None:
        return None
    return prose(tree.text(k, with_headings=True)) or None


def _section_program(tree: _Tree, n: int, source: str, name: str, kpis: list[Kpi]) -> dict:
    s = tree.sections[n]
    whole = tree.text(n, with_headings=True)
    name, key = key_program(name)
    low, high = age_range(whole)
    content = _field(tree, n, _CONTENT)
    linked = _kpis_under(kpis, s.path)
    last = tree.sections[tree.subtree(n)[-1]]
    return {
        "source": source,
        "section": s.path,
        "page_start": s.page_start,
        "page_end": max(s.page_end, last.page_end),
        "name": name,
        "key_program": key or None,
        "purpose": _field(tree, n, _PURPOSE),
        "summary": content if source == "chapter" else None,
        "method": prose(whole) if source == "method" else None,
        "structure": _field(tree, n, _STRUCTURE),
        "status": _field(tree, n, _STATUS),
        "obstacles": _field(tree, n, _OBSTACLE),
        "age_from": low,
        "age_to": high,
        "population": _population(tree, n),
        "kpi_ids": [k.id for k in linked],
        "raw_text": f"{s.label} {s.heading}\n{whole}".strip(),
    }


def _stated_ages(tree: _Tree, name: str) -> tuple[int | None, int | None]:
    """An age range the plan states for a program elsewhere: the first sentence naming the
    program that holds one (特定健康診査及び特定保健指導の対象となる40歳～74歳の被保険者)."""
    key = _squash(name)
    for s in tree.sections:
        for sentence in re.split(r"(?<=。)", _squash(s.text)):
            if key in sentence:
                low, high = age_range(sentence)
                if low is not None:
                    return low, high
    return None, None


def chapter_programs(tree: _Tree, kpis: list[Kpi]) -> list[dict]:
    """Sections whose parts include a 目的 and a 実施内容 / 実施方法, and …の実施方法 sections.

    A program whose own text states no age range takes the one the plan states for it elsewhere.
    """
    found: list[dict] = []
    inside: set[int] = set()
    for n, s in enumerate(tree.sections):
        if n in inside:
            continue
        heads = [_squash(k.heading) for k in tree.kids(n)]
        if any(_PURPOSE.match(h) for h in heads) and any(_CONTENT.match(h) for h in heads):
            found.append(_section_program(tree, n, "chapter", s.heading, kpis))
            inside.update(tree.subtree(n))
            continue
        m = _METHOD_HEADING.match(_squash(s.heading))
        if m and tree.kids(n) and not any(_METHOD_HEADING.match(h) for h in heads):
            found.append(_section_program(tree, n, "method", m.group(1), kpis))
            inside.update(tree.subtree(n))
    for program in found:
        if program["age_from"] is None:
            program["age_from"], program["age_to"] = _stated_ages(tree, program["name"])
    return found


# ---------------------------------------------------------------------------------------------
# Measures of a business plan


def actions(text: str) -> list[str]:
    """The ○ / ・ action lines of a measure, each joined with the lines that continue it.

    A line opening with another mark (■ KPI, ※, a numbering such as （１） or ii)) ends an
    action; bulleted lines that only state figures (targets, head counts) are not actions.
    """
    found: list[str] = []
    open_action = False
    for line in text.splitlines():
        m = _ACTION_MARK.match(line)
        if m:
            first = line[m.end() :].strip()
            open_action = bool(first) and not _FIGURES_ONLY.search(first)
            if open_action:
                found.append(first)
        elif _ACTION_STOP.match(line) or match_style(line.strip()):
            open_action = False
        elif open_action and line.strip():
            found[-1] += line.strip()
    return found


def measure_programs(tree: _Tree, kpis: list[Kpi]) -> list[dict]:
    """Each measure: a section right below a field (a top-level section), with its subtree's
    actions and KPIs. A field's own list of goals (headings with no text) is not a measure."""
    found = []
    by_id = {s.id: s for s in tree.sections}
    for n, s in enumerate(tree.sections):
        parent = by_id.get(s.parent_id or "")
        if s.level != 2 or parent is None or parent.level != 1:
            continue
        text = tree.text(n)
        if not text.strip():
            continue
        acts = actions(text)
        linked = _kpis_under(kpis, s.path)
        name, key = key_program(s.heading)
        found.append(
            {
                "source": "measure",
                "section": s.path,
                "page_start": s.page_start,
                "page_end": tree.sections[tree.subtree(n)[-1]].page_end,
                "name": name,
                "key_program": key or None,
                "category": parent.heading,
                "actions": acts,
                "kpi_ids": [k.id for k in linked],
                "raw_text": f"{s.label}{s.heading}\n{tree.text(n, with_headings=True)}".strip(),
            }
        )
    return found


# ---------------------------------------------------------------------------------------------
# STEP4 事業報告 forms

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


def _doubled(text: str) -> bool:
    """A heading printed twice in a row (``名称名称``): how the STEP forms' titles extract."""
    t = _squash(text)
    half = len(t) // 2
    return len(t) >= 4 and len(t) % 2 == 0 and t[:half] == t[half:]


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
        chars = [re.escape(c) for c in _squash(name)]
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


def _obstacles_end(text: str) -> str:
    """Cut the last cell where the next program's page head begins (a doubled title line)."""
    kept = []
    for line in text.splitlines():
        if _doubled(line) or re.match(r"^\s*(?:対象事業所|アウトプット指標|アウトカム指標|注\d)", line):
            break
        kept.append(line)
    # The 健康課題との関連 cell, when it says 該当なし (…), is printed right after it.
    return re.sub(r"該当なし\s*[(（][^)）]*[)）]?\s*$", "", "\n".join(kept)).strip()


def step_report_programs(items: list[PlanLine], kpis: list[Kpi]) -> list[dict]:
    """Programs of the STEP4 事業報告: one per ``N 事業名`` block, named from the report's list."""
    texts = [it.line.text for it in items]
    starts = [(i, int(m.group(1))) for i, t in enumerate(texts) if (m := _REPORT_START.match(t))]
    if not starts:
        return []
    names = _report_names(texts)
    at = kpi_items(items, kpis)
    # The plan table (STEP3) before the reports holds each program's 目的 and 概要 in its row.
    table = _row_cells(texts[: starts[0][0]], list(names.values())) if names else {}
    found = []
    for pos, (i, number) in enumerate(starts):
        end = starts[pos + 1][0] if pos + 1 < len(starts) else len(items)
        block = "\n".join(texts[i:end])
        # the report's title (printed twice) heads it on the page before its 事業名 cell
        title_at = next(
            (k for k in range(i - 1, max(0, i - 40), -1)
             if _doubled(texts[k]) and texts[k + 1].lstrip().startswith("対象事業所")),
            None,
        )  # fmt: skip
        title = undouble(texts[title_at]) if title_at is not None else None
        name = names.get(number) or title
        if not name:
            continue
        cells: dict[str, str | None] = {}
        for key, pattern in _CELLS.items():
            m = pattern.search(block)
            cells[key] = m.group(1).strip() if m else None
        if table:  # the report's own cells are scrambled across pages; the table's rows are not
            cells["purpose"] = table.get(name, {}).get("purpose")
            cells["summary"] = table.get(name, {}).get("summary")
        target = _TARGET.search(block)
        budget = cells["budget"]  # the plan (計画) row's; 決算額 is the actual (実績) row's
        new = cells["new"]
        obstacles = _obstacles_end(cells["obstacles"]) if cells["obstacles"] else None
        pages = {items[k].page_no for k in range(i, end)}
        if title is not None and title_at is not None and name_key(title) == name_key(name):
            pages.add(items[title_at].page_no)
            block = f"{texts[title_at]}\n{block}"
        linked = [k for k in kpis if i <= at.get(k.id, -1) < end]
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
                "method": prose(_undouble_plan(cells["method"])) if cells["method"] else None,
                "structure": prose(_undouble_plan(cells["structure"])) if cells["structure"] else None,
                "evaluation": cells["evaluation"],
                "status": prose(cells["status"] or "") or None,
                "success_factors": prose(cells["success_factors"] or "") or None,
                "obstacles": prose(obstacles or "") or None,
                "kpi_ids": [k.id for k in linked],
                "raw_text": block,
            }
        )
    return found


def _undouble_plan(text: str) -> str:
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


def _table_list(texts: list[str]) -> tuple[list[tuple[str, str]], int]:
    """The STEP3 事業の一覧: ``予算科目  事業名`` lines (two cells), and the line after the list."""
    for i, text in enumerate(texts):
        if not _LIST_HEAD.search(text):
            continue
        entries: list[tuple[str, str]] = []
        for k in range(i + 1, min(len(texts), i + 80)):
            cells = re.split(r"\s{2,}", texts[k].strip())
            if len(cells) == 2 and all(cells) and not _doubled(texts[k]):
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
    entries, after = _table_list(texts)
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
    for n, (_category, name) in enumerate(entries):
        pattern = re.compile(r"\s*".join(re.escape(c) for c in _squash(name)))
        # not the row's category printed one character a line (特 / 定 / 保 / … for 特定保健指導事業)
        m = next((m for m in pattern.finditer(text, cursor) if m.group().count("\n") < len(name) / 2), None)
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
        before = _squash(text[max(0, start - 40) : start])[-12:]
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
                "population": _squash(target.group(4)) if target else None,
                "purpose": cells.get(name, {}).get("purpose"),
                "summary": cells.get(name, {}).get("summary"),
                "kpi_ids": [k.id for k in kpis if first <= at.get(k.id, -1) <= last],
                "raw_text": row.strip(),
            }
        )
    return found


# ---------------------------------------------------------------------------------------------
# Health issues

_ISSUE_HEADER = re.compile(r"健康課題")
_DIRECTION_HEADER = re.compile(r"対策の方向性")
_ROW = re.compile(r"^\s*(\d{1,2})\s+(\S.*)$")
_PRIORITY_MARK = re.compile(r"[✓✔○◯●★◎]\s*$")
_TAGS = re.compile(r"<[^>]*>|<\s*$|^\s*/?\w*>")
_LIST_PROGRAM = re.compile(r"(\d{1,2})\s*[.．、]\s*(.+?)(?=\s+\d{1,2}\s*[.．、]\s*\S|$)")


def _split_issue(text: str) -> tuple[str, str | None]:
    """Split a row into the issue and the direction: at a wide gap, else after the first 。."""
    parts = re.split(r"\s{2,}", text.strip(), maxsplit=1)
    if len(parts) == 2:
        return parts[0].strip(), parts[1].strip() or None
    head, dot, rest = text.partition("。")
    return (head + dot).strip(), rest.strip() or None


def numbered_issue_rows(items: list[PlanLine]) -> list[dict]:
    """Rows ``1 issue  direction`` under a header naming 健康課題 and 対策の方向性 (the STEP2 table)."""
    found: list[dict] = []
    texts = [it.line.text for it in items]
    for i, text in enumerate(texts):
        if not (_ISSUE_HEADER.search(text) and _DIRECTION_HEADER.search(text)):
            continue
        rows: list[tuple[int, int, list[str]]] = []
        for k in range(i + 1, min(len(texts), i + 60)):
            line = texts[k]
            m = _ROW.match(line)
            if m and int(m.group(1)) == len(rows) + 1:
                rows.append((k, int(m.group(1)), [m.group(2)]))
            elif rows and (_doubled(line) or re.match(r"^\s*No[.．]", line)):
                break
            elif rows:
                rows[-1][2].append(line.strip())
            elif k - i > 3:
                break
        for k, number, parts in rows:
            joined = "".join(parts)  # a wrapped cell; the cells of a row stay apart by a wide gap
            priority = bool(_PRIORITY_MARK.search(joined)) or None
            issue, direction = _split_issue(_PRIORITY_MARK.sub("", joined))
            found.append(
                {"item": k, "number": number, "issue": issue, "direction": direction, "priority": priority,
                 "programs": [], "raw_text": "\n".join(texts[k : k + len(parts)])}
            )  # fmt: skip
    return found


def _rows_by_gap(lines: list[PlanLine]) -> list[list[PlanLine]]:
    """Table rows: lines grouped where the vertical gap is wider than the line spacing."""
    rows: list[list[PlanLine]] = []
    tops = sorted({(it.page_no, round(it.line.y0)) for it in lines})
    steps = sorted(b[1] - a[1] for a, b in pairwise(tops) if a[0] == b[0] and b[1] > a[1])
    spacing = steps[len(steps) // 4] if steps else 12.0
    last: tuple[int, float] | None = None
    for it in sorted(lines, key=lambda it: (it.page_no, it.line.y0, it.line.x0)):
        if last is None or it.page_no != last[0] or it.line.y0 - last[1] > spacing * 1.3:
            rows.append([])
        rows[-1].append(it)
        last = (it.page_no, it.line.y0)
    return rows


def _join_cell(lines: list[PlanLine]) -> str:
    """A table cell's lines: wrapped lines glued (Japanese wraps without a space), but a short
    line ends its paragraph (an issue's name above its sentence)."""
    lines = sorted(lines, key=lambda o: (o.page_no, o.line.y0))
    widest = max((o.line.x1 - o.line.x0 for o in lines), default=0)
    out = ""
    for o in lines:
        out += o.line.text.strip()
        if o.line.x1 - o.line.x0 < 0.6 * widest:
            out += " "
    return out


def program_table_issues(items: list[PlanLine], owner: list[int]) -> list[dict]:
    """A table of 健康課題 against the programs that answer them (``1. 特定健康診査★ 2. …``)."""
    found: list[dict] = []
    for i, it in enumerate(items):
        text = it.line.text.strip()
        if not (_ISSUE_HEADER.search(text) and len(text) <= 20):
            continue
        partner = next(
            (o for o in items[max(0, i - 3) : i + 4]
             if o is not it and o.page_no == it.page_no and abs(o.line.y0 - it.line.y0) < 3
             and o.line.x0 > it.line.x1 and re.search(r"事業|対策", o.line.text)),
            None,
        )  # fmt: skip
        if partner is None:
            continue
        split_x = partner.line.x0 - 5
        body = []
        for k in range(i + 1, len(items)):
            if k < len(owner) and i < len(owner) and owner[k] != owner[i]:
                break
            if items[k] is partner:
                continue
            body.append(items[k])
        for row in _rows_by_gap(body):
            left = _join_cell([o for o in row if o.line.x0 < split_x])
            right = "".join(o.line.text for o in row if o.line.x0 >= split_x)
            left = re.sub(r"\s+", " ", _TAGS.sub(" ", re.sub(r"<\s*\n?\s*/", "</", left))).strip()
            right = re.sub(r"\s+", " ", _TAGS.sub(" ", right)).strip()
            programs = [m.group(2).strip() for m in _LIST_PROGRAM.finditer(right)]
            if not left or not programs:
                continue
            first, _, rest = left.partition(" ")
            issue, direction = (first, rest.strip() or None) if rest and "。" not in first else (left, None)
            found.append(
                {"item": items.index(row[0]), "number": len(found) + 1, "issue": issue,
                 "direction": direction, "priority": None, "programs": programs,
                 "raw_text": "\n".join(o.line.text for o in row)}
            )  # fmt: skip
        if found:
            break
    return found


_ISSUE_SECTION = re.compile(r"健康課題(?!との関)")
_ISSUE_LINE = re.compile(r"^\s*(?:課題\s*)?([0-9]{1,2}|[①-⑳])\s*[.．、):：]?\s+(\S.{3,})$")
_DIRECTION_WORDS = re.compile(r"対策|方向|取り?組|目指|図る|推進")


def section_issues(tree: _Tree) -> list[dict]:
    """Health issues listed in a section about them (健康課題, 健康課題の抽出 …), when no table
    holds them: each numbered part of the section, or each numbered line of its text (課題1 …,
    ① …). A part's first sentence is its direction when it says what to do (対策, 方向, 取組 …).
    At least two are needed: a single numbered line is more likely a note than a list."""
    for n, s in enumerate(tree.sections):
        if not _ISSUE_SECTION.search(_squash(s.heading)):
            continue
        found: list[dict] = []
        for kid in tree.kids(n):
            head, _, _rest = prose(kid.text).partition("。")
            direction = head + "。" if head and _DIRECTION_WORDS.search(head) else None
            raw = f"{kid.label} {kid.heading}".strip()
            found.append({"section": kid.path, "page": kid.page_start, "issue": kid.heading.strip(),
                          "direction": direction, "raw_text": raw})  # fmt: skip
        if not found:
            for line in s.text.splitlines():
                m = _ISSUE_LINE.match(line)
                if m:
                    found.append({"section": s.path, "page": s.page_start, "issue": m.group(2).strip(),
                                  "direction": None, "raw_text": line.strip()})  # fmt: skip
        if len(found) >= 2:
            return [{**row, "number": k, "priority": None, "programs": []} for k, row in enumerate(found, 1)]
    return []


# ---------------------------------------------------------------------------------------------
# A plan's programs and health issues


def plan_programs(
    plan: Plan, items: list[PlanLine], owner: list[int], sections: list[Section], kpis: list[Kpi]
) -> tuple[list[Program], list[HealthIssue]]:
    """Every program and health issue of one plan (a pure function of what the plan stage read)."""
    tree = _Tree(sections)
    drafts = step_report_programs(items, kpis)
    table = step_table_programs(items, kpis)
    if drafts:  # the reports' programs also own the targets of their STEP3 rows
        rows = {name_key(row["name"]): row["kpi_ids"] for row in table}
        for draft in drafts:
            draft["kpi_ids"] = sorted({*rows.get(name_key(draft["name"]), []), *draft["kpi_ids"]})
    drafts = drafts or table
    if not drafts:
        drafts = chapter_programs(tree, kpis)
    if not drafts and plan.plan_type == "business_plan":
        drafts = measure_programs(tree, kpis)
    programs: list[Program] = []
    for n, draft in enumerate(drafts, start=1):
        item = draft.pop("item", None)
        draft.pop("number_in_source", None)
        if "section" not in draft:
            index = owner[item] if item is not None and item < len(owner) else 0
            draft["section"] = sections[index].path if sections else ""
        programs.append(
            Program(id=f"{plan.id}-g{n:03d}", doc_id=plan.doc_id, plan_id=plan.id, number=n, **draft)
        )
    _link_by_name(programs, kpis)
    by_kpi = {k: p for p in programs for k in p.kpi_ids}
    for kpi in kpis:
        if kpi.id in by_kpi:  # the program's name as the programs table has it
            kpi.program = by_kpi[kpi.id].name
    issues = _issues(plan, items, owner, sections, programs, tree)
    for program in programs:  # a STEP form prints the 健康課題との関連 cell under the last cell
        for issue in issues:
            for name in ("obstacles", "success_factors", "status"):
                value = getattr(program, name)
                if value and issue.issue in value:
                    setattr(program, name, value.replace(issue.issue, "").strip() or None)
    return programs, issues


def _link_by_name(programs: list[Program], kpis: list[Kpi]) -> None:
    """A target stated away from its program (a plan's goal table: 特定健康診査受診率 …) belongs to
    the program its indicator names, when it names exactly one (the longest name wins)."""
    linked = {k for p in programs for k in p.kpi_ids}
    names = [(name_key(p.name), p) for p in programs if len(name_key(p.name)) >= 4]
    names.sort(key=lambda pair: -len(pair[0]))
    for kpi in kpis:
        if kpi.id in linked:
            continue
        indicator = name_key(kpi.indicator)
        found = [p for key, p in names if key in indicator]
        if found and all(name_key(other.name) in name_key(found[0].name) for other in found[1:]):
            found[0].kpi_ids.append(kpi.id)


def _issues(
    plan: Plan,
    items: list[PlanLine],
    owner: list[int],
    sections: list[Section],
    programs: list[Program],
    tree: _Tree,
) -> list[HealthIssue]:
    rows = numbered_issue_rows(items) or program_table_issues(items, owner)
    if not rows and plan.plan_type == "data_health_plan":
        rows = section_issues(tree)
    keys = {name_key(p.name): p for p in programs}
    issues = []
    for n, row in enumerate(rows, start=1):
        item = row.pop("item", None)
        names = [key_program(name)[0] for name in row.pop("programs")]
        if not names:  # STEP forms: a program names its issue in 健康課題との関連
            head = _squash(row["issue"])[:20]
            names = [p.name for p in programs if head and head in _squash(p.raw_text)]
        linked = [keys[name_key(name)].id for name in names if name_key(name) in keys]
        if item is not None:  # read from lines; a section-based issue knows its section and page
            index = owner[item] if item < len(owner) else 0
            row["page"] = items[item].page_no
            row["section"] = sections[index].path if sections else ""
        issues.append(
            HealthIssue(id=f"{plan.id}-h{n:02d}", doc_id=plan.doc_id, plan_id=plan.id, programs=names,
                        program_ids=linked, **row)
        )  # fmt: skip
    return issues
