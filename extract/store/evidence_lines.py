"""Where each record was read: the lines of the page behind every section, KPI, program and
health issue, found once at load time and kept in the ``evidence`` table.

An analyst trusts a figure once she has seen it on the page. Every record keeps its page and
the text it was read from (``raw_text``, a section's ``text``), and the ``lines`` table keeps
every line's box; what joins the two is this table: one row per (record, line), with
``kind`` (``section``, ``kpi``, ``program``, ``health_issue``), ``ref_id`` (the record's id in
its own table), ``doc_id``, ``page_no`` and ``line_no`` (the ``lines`` row). ``planex show
--evidence`` and ``planex serve`` draw those lines' boxes on the page (``extract.use.evidence``).

Why stored and not found when asked: finding the lines takes the record's text and the lines
of its pages, which the worker holds anyway while it reads the PDF (:func:`evidence_rows`), and
a reading command must stay fast and must not depend on how a later planex would match them.

How a record's lines are found (:class:`LineIndex`): the record's text is cut at its line breaks
and each part is looked for, in reading order, among the lines of the record's pages, compared
without spaces and normalized: first a line equal to it, then the run of lines it stands in
(a sentence wrapped over several lines, or a cell's text inside a longer line). A part found
nowhere after the previous one is looked for from the start of the pages (a table read in
another order); a part found nowhere is left out.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlite_utils

if TYPE_CHECKING:
    from extract.pipeline import PlanReading
    from schemas.records import Page

EVIDENCE = "evidence"
EVIDENCE_COLUMNS = ("kind", "ref_id", "doc_id", "page_no", "line_no")
KINDS = ("section", "kpi", "program", "health_issue")
"""What an evidence row's ``ref_id`` names: a row of ``sections``, ``kpis``, ``programs`` or
``health_issues``."""

_SCHEMA = (
    f"""create table if not exists {EVIDENCE} (
        kind text not null,
        ref_id text not null,
        doc_id text not null,
        page_no integer not null,
        line_no integer not null,
        primary key (kind, ref_id, page_no, line_no)
    ) without rowid""",
    f"create index if not exists idx_{EVIDENCE}_doc_id on {EVIDENCE}(doc_id)",
)
MIN_PART = 2
"""A part shorter than this (a bullet, a unit) is only taken as a line of its own, never found
inside another line."""
NEXT_PAGE = 1
"""A KPI's or health issue's row may run onto the next page: its lines are looked for there too."""


def squash(text: str, *, normalized: bool = False) -> str:
    """Text as compared here: normalized (unless it is already: a line's ``text``), without any
    white space. (The reader's normalization is imported when first needed: a command that only
    reads the database never needs it.)"""
    if normalized:
        return "".join(text.split())
    from extract.read.normalize import normalize_text

    return "".join(normalize_text(text).split())


@dataclass(frozen=True)
class IndexedLine:
    page: int
    line_no: int
    key: str
    """The line's text, squashed (:func:`squash`)."""


class LineIndex:
    """A document's lines in reading order, to find the lines a record's text was read from.

    The lines' squashed texts are joined into one string, so that a part that runs over several
    lines, or stands inside one, is found with one ``str.find``; the offsets tell which lines a
    match covers.
    """

    def __init__(self, lines: Iterable[IndexedLine]) -> None:
        self.lines = sorted(lines, key=lambda ln: (ln.page, ln.line_no))
        self.starts: list[int] = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line.key)
        self.text = "".join(line.key for line in self.lines)
        self.where: dict[str, list[int]] = {}
        for k, line in enumerate(self.lines):
            if line.key:
                self.where.setdefault(line.key, []).append(k)
        self.pages = [line.page for line in self.lines]

    def span(self, first: int, last: int) -> tuple[int, int]:
        """The indexes of the lines of pages ``first`` to ``last``: ``range(lo, hi)``."""
        return bisect.bisect_left(self.pages, first), bisect.bisect_right(self.pages, last)

    def _offset(self, k: int) -> int:
        return self.starts[k] if k < len(self.starts) else len(self.text)

    def _covering(self, start: int, end: int) -> list[int]:
        """The lines the characters ``start`` to ``end`` of the joined text fall in."""
        first = bisect.bisect_right(self.starts, start) - 1
        out = []
        k = max(first, 0)
        while k < len(self.lines) and self.starts[k] < end:
            if self.lines[k].key:
                out.append(k)
            k += 1
        return out

    def _find(self, part: str, lo: int, hi: int) -> list[int]:
        """The line equal to ``part`` from line ``lo`` (before ``hi``), or the lines a match of it
        in the joined text covers; empty if neither."""
        positions = self.where.get(part, [])
        i = bisect.bisect_left(positions, lo)
        if i < len(positions) and positions[i] < hi:
            return [positions[i]]
        if len(part) < MIN_PART:
            return []
        at = self.text.find(part, self._offset(lo), self._offset(hi))
        return self._covering(at, at + len(part)) if at >= 0 else []

    def locate(self, text: str, first: int, last: int) -> list[int]:
        """Indexes of the lines ``text`` was read from, on pages ``first`` to ``last``."""
        lo, hi = self.span(first, last)
        if lo >= hi:
            return []
        found: list[int] = []
        cursor = lo
        for raw in text.split("\n"):
            part = squash(raw)
            if not part:
                continue
            hit = self._find(part, cursor, hi) or (self._find(part, lo, cursor) if cursor > lo else [])
            if hit:
                found.extend(hit)
                cursor = max(cursor, hit[-1] + 1)
        return sorted(set(found))

    def rows(self, kind: str, ref_id: str, doc_id: str, found: Iterable[int]) -> list[tuple]:
        return [(kind, ref_id, doc_id, self.lines[k].page, self.lines[k].line_no) for k in found]


def parsed_lines(pages: Sequence[Page]) -> LineIndex:
    """The index of a parsed document's lines (every page: a record's page is never garbled)."""
    return LineIndex(
        IndexedLine(p.page_no, n, squash(ln.text, normalized=True))
        for p in pages
        for n, ln in enumerate(p.lines, start=1)
    )


def plan_evidence(index: LineIndex, doc_id: str, reading: PlanReading) -> list[tuple]:
    """Evidence rows (:data:`EVIDENCE_COLUMNS`) of one plan's sections and records."""
    rows: list[tuple] = []
    for s in reading.sections:
        heading = f"{s.label} {s.heading}".strip()
        found = index.locate(f"{heading}\n{s.text or ''}", s.page_start, s.page_end)
        rows += index.rows("section", s.id, doc_id, found)
    for k in reading.kpis:
        places = [(src.page, src.raw_text) for src in k.sources] or [(k.page, k.raw_text)]
        found = set()
        for page, raw in places:
            found.update(index.locate(raw, page, page + NEXT_PAGE))
        rows += index.rows("kpi", k.id, doc_id, sorted(found))
    for p in reading.programs:
        rows += index.rows("program", p.id, doc_id, index.locate(p.raw_text, p.page_start, p.page_end))
    for h in reading.health_issues:
        rows += index.rows("health_issue", h.id, doc_id, index.locate(h.raw_text, h.page, h.page + NEXT_PAGE))
    return rows


def evidence_rows(doc_id: str, pages: Sequence[Page], plans: Iterable[PlanReading]) -> list[tuple]:
    """Every evidence row of a document read by the pipeline (built in the loader's worker)."""
    index = parsed_lines(pages)
    return [row for reading in plans for row in plan_evidence(index, doc_id, reading)]


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the table; in a database from before it (schema 5 or older), fill it from the
    stored lines and records (``planex upgrade``)."""
    existed = db[EVIDENCE].exists()
    for statement in _SCHEMA:
        db.execute(statement)
    if existed or not db["documents"].exists():
        return
    with db.atomic():
        for (doc_id,) in db.execute("select id from documents order by id").fetchall():
            rows = stored_evidence_rows(db, doc_id)
            db.conn.executemany(f"insert or ignore into {EVIDENCE} values (?, ?, ?, ?, ?)", rows)


def stored_evidence_rows(db: sqlite_utils.Database, doc_id: str) -> list[tuple]:
    """A stored document's evidence rows, found from its ``lines`` and record tables (as
    :func:`evidence_rows` finds them from a reading)."""
    from extract.pipeline import PlanReading
    from schemas.kpis import Kpi, KpiSource
    from schemas.plans import Section
    from schemas.programs import HealthIssue, Program

    index = LineIndex(
        IndexedLine(page, line_no, squash(text or "", normalized=True))
        for page, line_no, text in db.execute(
            "select page_no, line_no, text from lines where doc_id = ?", [doc_id]
        ).fetchall()
    )
    tables = set(db.table_names())

    def rows_of(table: str) -> list[dict]:
        if table not in tables:
            return []
        return list(db.query(f"select * from {table} where doc_id = ? order by rowid", [doc_id]))

    sections = [Section.model_construct(**r) for r in rows_of("sections")]
    kpis = []
    for r in rows_of("kpis"):
        sources = [KpiSource.model_construct(**s) for s in json.loads(r.get("sources") or "[]")]
        kpis.append(Kpi.model_construct(**{**r, "sources": sources}))
    programs = [Program.model_construct(**r) for r in rows_of("programs")]
    issues = [HealthIssue.model_construct(**r) for r in rows_of("health_issues")]
    reading = PlanReading(None, sections, kpis, programs, issues)  # type: ignore[arg-type]
    return plan_evidence(index, doc_id, reading)
