"""Text helpers the program and health-issue readers share: names without their 重点 marks, age
ranges, paragraphs joined across wrapped lines, a plan's section tree and the line
each KPI record was read from. ``squash`` (no white space) is :func:`extract.structure.headings.squash`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.read.normalize import normalize_text
from extract.structure.headings import PlanLine, squash
from schemas.kpis import Kpi
from schemas.plans import Section

__all__ = ["SectionTree", "age_range", "key_program", "kpi_items", "kpis_under", "name_key",
           "prose", "squash"]  # fmt: skip

_KEY_MARK = re.compile(r"\s*[(（]\s*重点\s*★?\s*[)）]\s*|\s*★\s*")
_AGE_RANGE = re.compile(r"(\d{1,3})\s*歳?\s*(?:から|[〜～~\-－ー])\s*(\d{1,3})\s*歳")


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
class SectionTree:
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
            if k != n and pattern.match(squash(self.sections[k].heading)):
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
        # raw_text is as printed, the lines' text normalized: compare them normalized
        first = normalize_text(kpi.raw_text.splitlines()[0]) if kpi.raw_text else ""
        head = squash(first)[:12]
        if not head:
            continue
        lines = by_page.get(kpi.page, [])
        spots = [n for n in lines if head in squash(items[n].line.text)]
        if not spots:  # a raw text joined from a cut line: its start is the end of a line
            spots = [
                n
                for n in lines
                if squash(items[n].line.text) and head.startswith(squash(items[n].line.text)[-6:])
            ]
        after = [n for n in spots if n >= last]
        if after or spots:
            candidates = after or spots
            # two records opening alike on one page (実施率(【実績値】-【目標値】… in two rows of a
            # table read cell by cell): the line that holds more of the record's first line
            longer = squash(first)[:40]
            last = next((n for n in candidates if longer in squash(items[n].line.text)), candidates[0])
            taken[kpi.id] = last
    return taken


def kpis_under(kpis: list[Kpi], path: str) -> list[Kpi]:
    return [k for k in kpis if k.section == path or k.section.startswith(path + " > ")]
