"""Health issues (健康課題) of a plan, with the direction of measures and the programs they lead to.

Four shapes are read: numbered rows under a header naming 健康課題 and 対策の方向性 (the STEP2
table); a two-column table of 健康課題 against the programs that answer them (``1. 特定健康診査★
2. …``), rebuilt from the lines' positions; a table whose header cells name its columns (No. |
健康課題 | 対策の方向性 | 対応する保健事業); and, for a data-health plan with none of them, the innermost
section about its health issues that lists them. Where a table does not name programs, a STEP form's
健康課題との関連 cell does.
"""

from __future__ import annotations

import re
from itertools import pairwise

from extract.records.program_text import SectionTree, key_program, name_key, prose, squash
from extract.structure.headings import PlanLine
from schemas.plans import Plan, Section
from schemas.programs import HealthIssue, Program

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
            elif rows and (items[k].line.bold or re.match(r"^\s*No[.．]", line)):
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


def _table_rows(lines: list[PlanLine]) -> list[list[PlanLine]]:
    """Table rows: the rows of its ruled cells (``Line.cell``), else lines grouped by the gaps."""
    ruled = [it for it in lines if it.line.cell is not None]
    if not ruled:
        return _rows_by_gap(lines)
    rows: dict[tuple[int, int, int], list[PlanLine]] = {}
    for it in ruled:
        cell = it.line.cell
        rows.setdefault((it.page_no, cell.table, cell.row), []).append(it)
    return list(rows.values()) + _rows_by_gap([it for it in lines if it.line.cell is None])


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
        for row in _table_rows(body):
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


# the header cell of the issues (run together with a narrow number column's: 番号健康課題, No.健康課題)
_ISSUE_COLUMN = re.compile(r"^(No\.?|番号|項番)?(主な)?健康課題$")
_DIRECTION_COLUMN = re.compile(r"^(対策の方向性|対策の方向|今後の方向性|対応の方向性)$")
_PROGRAM_COLUMN = re.compile(r"^(対応する)?(個別)?保健事業$|^対応する(事業|取組)$")
_NUMBER_CELL = re.compile(r"^\s*(?:No\.?\s*)?(\d{1,2})\s*$")


def column_table_issues(items: list[PlanLine], owner: list[int]) -> list[dict]:
    """A table whose header row names its columns: (No. |) 健康課題 | 対策の方向性 (| 対応する保健事業),
    one numbered issue a row. Cells are placed under the header cell they stand below."""
    for i, it in enumerate(items):
        if not _ISSUE_COLUMN.match(squash(it.line.text)):
            continue
        header = [o for o in items[max(0, i - 4) : i + 5]
                  if o.page_no == it.page_no and abs(o.line.y0 - it.line.y0) < 3]  # fmt: skip
        direction = next((o for o in header if _DIRECTION_COLUMN.match(squash(o.line.text))), None)
        if direction is None:
            continue
        program = next((o for o in header if _PROGRAM_COLUMN.match(squash(o.line.text))), None)
        columns = sorted([(it.line.x0, "issue"), (direction.line.x0, "direction")]
                         + ([(program.line.x0, "programs")] if program else []))  # fmt: skip
        # a number column: a header cell left of the issues', or run together with it (番号健康課題)
        numbered = any(o.line.x1 <= it.line.x0 + 3 for o in header) or bool(_ISSUE_COLUMN.match(
            squash(it.line.text)).group(1))  # fmt: skip
        body = []
        for k in range(i + 1, len(items)):
            if k < len(owner) and i < len(owner) and owner[k] != owner[i]:
                break
            if items[k] not in header:
                body.append(items[k])
        found: list[dict] = []
        for row in _table_rows(body):
            cells: dict[str, list[PlanLine]] = {}
            row = sorted(row, key=lambda o: (o.line.x0, o.line.y0))
            first = _NUMBER_CELL.match(row[0].line.text) if len(row) > 1 else None
            number = int(first.group(1)) if first else None  # the row's number: a bare number at its left
            for o in row[1:] if first else row:
                if o.line.x0 < columns[0][0] - 3:
                    continue  # left of the issue column, no number: not this table's cell
                name = max((c for c in columns if c[0] <= o.line.x0 + 3), key=lambda c: c[0])[1]
                cells.setdefault(name, []).append(o)
            if number is None and "issue" in cells and "direction" in cells and not numbered:
                number = len(found) + 1  # a table without a number column: the rows in order
            if number != len(found) + 1 or "issue" not in cells:
                if found:
                    break
                continue
            programs = re.split(r"[、,\n]", "\n".join(o.line.text.strip() for o in cells.get("programs", [])))
            found.append(
                {"item": items.index(row[0]), "number": number, "issue": squash(_join_cell(cells["issue"])),
                 "direction": squash(_join_cell(cells.get("direction", []))) or None, "priority": None,
                 "programs": [p.strip() for p in programs if p.strip()],
                 "raw_text": "\n".join(o.line.text for o in row)}
            )  # fmt: skip
        if found:
            return found
    return []


_ISSUE_SECTION = re.compile(r"健康課題(?!との関)")
_ISSUE_LINE = re.compile(r"^\s*(?:課題\s*)?([0-9]{1,2}|[①-⑳])\s*[.．、):：]?\s+(\S.{3,})$")
_DIRECTION_WORDS = re.compile(r"対策|方向|取り?組|目指|図る|推進")


def section_issues(tree: SectionTree) -> list[dict]:
    """Health issues listed in a section about them (健康課題, 健康課題の抽出 …), when no table
    holds them: each numbered part of the section, or each numbered line of its text (課題1 …,
    ① …). A part's first sentence is its direction when it says what to do (対策, 方向, 取組 …).
    At least two are needed: a single numbered line is more likely a note than a list."""
    for n, s in enumerate(tree.sections):
        if not _ISSUE_SECTION.search(squash(s.heading)):
            continue
        if any(_ISSUE_SECTION.search(squash(tree.sections[k].heading)) for k in tree.subtree(n) if k != n):
            continue  # 現状の整理と健康課題 > 健康課題: the innermost section about them lists them
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


def plan_health_issues(
    plan: Plan,
    items: list[PlanLine],
    owner: list[int],
    sections: list[Section],
    programs: list[Program],
    tree: SectionTree,
) -> list[HealthIssue]:
    rows = numbered_issue_rows(items) or program_table_issues(items, owner)
    rows = rows or column_table_issues(items, owner)
    if not rows and plan.plan_type == "data_health_plan":
        rows = section_issues(tree)
    keys = {name_key(p.name): p for p in programs}
    issues = []
    for n, row in enumerate(rows, start=1):
        item = row.pop("item", None)
        names = [key_program(name)[0] for name in row.pop("programs")]
        if not names:  # STEP forms: a program names its issue in 健康課題との関連
            head = squash(row["issue"])[:20]
            names = [p.name for p in programs if head and head in squash(p.raw_text)]
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
