"""Exports an analyst can open without cleaning: KPI records as CSV (long or wide) or JSON lines.

The long CSV starts with exactly these columns, in this order (other tools rely on them):
``doc_id, source_file, page, insurer, branch, plan_type, plan_fiscal_year, section, program, kind,
indicator, indicator_id, comparator, value, unit, target_year, baseline_value, baseline_year,
actual_value, population, raw_text``, followed by ``indicator_label, population_norm,
indicator_rule, pages, sources`` (every page and statement a target stands on), ``ocr``,
``total_value`` and ``target_text``. ``excel=True``
writes UTF-8 with a byte-order mark so Excel shows the Japanese, and a text cell that Excel would
take for a formula (``=``, ``+``, ``-``, ``@`` first: text from a PDF is data, and a cell such as
``=HYPERLINK(…)`` must not run) is written with a leading apostrophe; the wide form has one row per
plan and one column per canonical indicator, normalized population and target year, so that
the same measure of the same people lines up across insurers.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import sqlite_utils

from extract.records.indicators import POPULATION_LABELS, POPULATIONS, Catalogue, builtin_catalogue
from extract.use.search import Filters, filter_sql

KPI_EXPORT_COLUMNS = (
    "doc_id", "source_file", "page", "insurer", "branch", "plan_type", "plan_fiscal_year", "period_start",
    "period_end", "section",
    "program", "kind", "indicator", "indicator_id", "comparator", "value", "unit", "target_year",
    "baseline_value", "baseline_year", "actual_value", "population", "raw_text",
    "indicator_label", "population_norm", "indicator_rule", "pages", "sources", "ocr", "total_value",
    "target_text",
)  # fmt: skip
_PLAN_COLUMNS = ("plan_id", "insurer", "insurer_type", "branch", "plan_type", "plan_fiscal_year",
                 "period_start", "period_end", "source_file")  # fmt: skip


def kpi_records(
    db: sqlite_utils.Database,
    *,
    branch: str | None = None,
    indicator: str | None = None,
    insurer: str | None = None,
    population: str | None = None,
    plan_type: str | None = None,
    year: int | None = None,
) -> list[dict[str, Any]]:
    """KPI records joined with their plan and document, in document and page order.

    ``indicator``: a canonical id, its label or a spelling the catalogue knows (the records of
    that id), or else any part of the indicator as written; ``population``: a normalized one
    (``insured``, ``dependents``, ``all``). ``branch``, ``insurer``, ``plan_type`` and ``year``
    narrow the plans as ``planex search`` does (:func:`extract.use.search.filter_sql`; an unknown
    branch or plan type raises its ``SearchError``). Each row also has ``indicator_label``,
    ``pages`` (every page it is stated on) and ``sources`` (one ``p.N section: text`` line per
    statement), and the plan's ``plan_fiscal_year`` (a one-year plan) or ``period_start`` and
    ``period_end`` (a plan of several years).
    """
    from extract.store import stored_catalogue

    catalogue = stored_catalogue(db)
    where, params = _plan_filter(db, "k", None, Filters(insurer, branch, plan_type, year))
    if indicator:
        where += " and (k.indicator_id = ? or k.indicator like ?)"
        params += [catalogue.id_of_text(indicator) or indicator, f"%{indicator}%"]
    if population:
        where += " and k.population_norm = ?"
        params.append(population)
    sql = f"""
        select k.doc_id, d.file_name as source_file, k.page, p.insurer, p.branch, p.plan_type,
               p.fiscal_year as plan_fiscal_year, k.section, k.program, k.kind, k.indicator,
               k.indicator_id, k.comparator, k.value, k.unit, k.target_year, k.baseline_value,
               k.baseline_year, k.actual_value, k.total_value, k.target_text, k.population, k.raw_text,
               k.population_norm, k.indicator_rule, k.sources, k.ocr,
               k.plan_id, p.insurer_type, p.period_start, p.period_end
        from kpis k join plans p on p.id = k.plan_id join documents d on d.id = k.doc_id
        where {where}
        order by d.file_name, p.number, k.page, k.id
    """
    rows = list(db.query(sql, params))
    names = catalogue.labels()
    for row in rows:
        row["indicator_label"] = names.get(row["indicator_id"] or "")
        sources = json.loads(row["sources"] or "[]") or [
            {"page": row["page"], "section": row["section"], "raw_text": row["raw_text"]}
        ]  # a record stored before sources were kept
        row["pages"] = "; ".join(dict.fromkeys(str(s["page"]) for s in sources))
        row["sources"] = "\n".join(source_text(s) for s in sources)
        row["ocr"] = bool(row["ocr"])  # read from a page read by OCR: filter, or check those first
    return rows


def source_text(source: dict[str, Any]) -> str:
    """One statement of a target on one line: ``p.12 STEP4 > 事業1: 実施率(…)``."""
    where = (source.get("section") or "").rsplit(" > ", 1)[-1]
    text = " ".join((source.get("raw_text") or "").split())
    return f"p.{source['page']} {where}: {text}" if where else f"p.{source['page']}: {text}"


@contextlib.contextmanager
def output_file(path: Path, encoding: str = "utf-8", newline: str | None = None) -> Iterator[IO[str]]:
    """A text file to write ``path`` with, that appears whole or not at all.

    The text goes to a temporary file beside ``path``, renamed over it once complete: a write
    that fails (a full disk) leaves no half-written export and any earlier file untouched.
    A target that is not a regular file (``/dev/stdout``, a pipe) is written directly.
    """
    if path.exists() and not path.is_file():
        with path.open("w", encoding=encoding, newline=newline) as fh:
            yield fh
        return
    mode = path.stat().st_mode & 0o777 if path.exists() else _new_file_mode()
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as fh:
            yield fh
        os.chmod(temporary, mode)  # mkstemp makes it private; an export is an ordinary file
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _open(path: Path, excel: bool):
    return output_file(path, encoding="utf-8-sig" if excel else "utf-8", newline="")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes Excel read a CSV cell as a formula (OWASP's list for CSV injection)."""


def excel_text(value: Any) -> Any:
    """A cell Excel shows as the text it is: text starting like a formula gets a leading ``'``;
    numbers (a negative baseline included) are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(
    rows: Iterable[dict[str, Any]], path: Path, columns: tuple[str, ...], excel: bool = False
) -> int:
    """Rows as CSV, in ``columns`` order; ``excel``: with a byte-order mark, formulas defused."""
    count = 0
    cell = excel_text if excel else (lambda value: value)
    with _open(path, excel) as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: ("" if row.get(c) is None else cell(row.get(c))) for c in columns})
            count += 1
    return count


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path, columns: tuple[str, ...]) -> int:
    """JSON lines: one object per row, in ``columns`` order (for streaming tools: jq, pandas)."""
    count = 0
    with output_file(path) as fh:
        for row in rows:
            fh.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False) + "\n")
            count += 1
    return count


def write_json(rows: Iterable[dict[str, Any]], path: Path, columns: tuple[str, ...]) -> int:
    """One JSON array of objects, in ``columns`` order, an object per line (what a ``.json``
    file is expected to hold: ``json.load`` reads it whole)."""
    count = 0
    with output_file(path) as fh:
        fh.write("[")
        for row in rows:
            fh.write(",\n" if count else "\n")
            fh.write(json.dumps({c: row.get(c) for c in columns}, ensure_ascii=False))
            count += 1
        fh.write("\n]\n" if count else "]\n")
    return count


def target_text(row: dict[str, Any]) -> str:
    """A wide-table cell: the value with its comparator, so 95.0% 以上 and 95.0% alike read right."""
    comparator, value, unit = row["comparator"], row["value"], row["unit"] or ""
    shown = "" if value is None else f"{value:g}{unit}"
    return {
        ">=": f"{shown}以上", "<=": f"{shown}以下", "=": shown, ">": f"{shown}超", "<": f"{shown}未満",
        "yoy>=": "対前年度以上", "yoy<=": "対前年度以下", "reduce_by": f"{shown}減",
        "increase_by": f"{shown}増", "do": "実施",
    }.get(comparator, shown)  # fmt: skip


def wide_column(label: str, population_norm: str | None, year: int | None) -> str:
    """A wide-table column: ``特定健診実施率（被扶養者） [FY2021]``; no population for an indicator
    that counts none (査定率), no year for a target that names none."""
    shown = POPULATION_LABELS.get(population_norm or "")
    name = f"{label}（{shown}）" if shown else label
    return f"{name} [FY{year}]" if year else name


def wide(
    rows: list[dict[str, Any]], catalogue: Catalogue | None = None
) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """One row per plan, one column per canonical indicator, normalized population and target
    year (:func:`wide_column`), in catalogue order: a 共済組合's 組合員 and a 健保組合's 被保険者 share
    a column. A plan stating one target twice shows its first statement."""
    catalogue = catalogue or builtin_catalogue()
    names = catalogue.labels()
    order = {ident: n for n, ident in enumerate(names)}
    populations = {p: n for n, p in enumerate(("all", *POPULATIONS[:2]))}
    plans: dict[str, dict[str, Any]] = {}
    columns: dict[str, tuple[int, int, int]] = {}
    for row in rows:
        ident = row["indicator_id"]
        if not ident:
            continue
        plan = plans.setdefault(row["plan_id"], {c: row.get(c) for c in _PLAN_COLUMNS})
        year, norm = row["target_year"], row.get("population_norm")
        column = wide_column(names.get(ident, ident), norm, year)
        columns.setdefault(column, (order.get(ident, len(order)), populations.get(norm, -1), year or 0))
        plan.setdefault(column, target_text(row))  # the first record of a plan wins (KPI line before table)
    ordered = tuple(sorted(columns, key=lambda c: columns[c]))
    return list(plans.values()), _PLAN_COLUMNS + ordered


def unmapped(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Indicators that map to no canonical id, most frequent first: records and plans, and the
    unit, program and section of one of them (what a rule of a user's catalogue would name)."""
    return list(
        db.query(
            "select indicator, count(*) as records, count(distinct plan_id) as plans, "
            "max(unit) as unit, max(program) as program, max(section) as section from kpis "
            "where coalesce(indicator_id, '') = '' group by indicator order by records desc, indicator"
        )
    )


PROGRAM_EXPORT_COLUMNS = (
    "doc_id", "source_file", "plan_id", "insurer", "branch", "plan_type", "plan_fiscal_year",
    "period_start", "period_end", "number", "name", "category", "new", "key_program", "source",
    "section", "page_start", "page_end", "population", "sex", "age_from", "age_to", "sites",
    "budget_thousand_yen", "settled_thousand_yen", "purpose", "summary", "method", "structure",
    "actions", "evaluation", "status", "success_factors", "obstacles", "kpis", "health_issues", "ocr",
)  # fmt: skip
"""Columns of ``planex export programs``. ``actions`` holds one action per line; ``kpis`` the
linked KPI records as ``indicator: target`` lines, ``health_issues`` the issues naming it."""

HEALTH_ISSUE_EXPORT_COLUMNS = (
    "doc_id", "source_file", "plan_id", "insurer", "branch", "plan_type", "plan_fiscal_year", "period_start",
    "period_end", "number", "page", "section", "issue", "direction", "priority", "programs", "raw_text",
    "ocr",
)  # fmt: skip


def _plan_filter(
    db: sqlite_utils.Database, alias: str, plan: str | None, filters: Filters
) -> tuple[str, list]:
    """SQL conditions on a record table ``alias`` joined with its plan ``p``: the plan id (or its
    start), then the plan filters of :func:`extract.use.search.filter_sql`."""
    where, params = filter_sql(db, filters)
    if plan:
        where += f" and ({alias}.plan_id = ? or {alias}.plan_id like ?)"
        params += [plan, f"{plan}%"]
    return "1 = 1" + where, params


def program_records(
    db: sqlite_utils.Database,
    *,
    plan: str | None = None,
    branch: str | None = None,
    insurer: str | None = None,
    plan_type: str | None = None,
    year: int | None = None,
) -> list[dict[str, Any]]:
    """Programs joined with their plan, document, KPIs and health issues, in document order.

    List columns become text a spreadsheet shows well: one action (or KPI, or issue) per line.
    The filters are :func:`kpi_records`'.
    """
    where, params = _plan_filter(db, "g", plan, Filters(insurer, branch, plan_type, year))
    rows = list(
        db.query(
            f"""select g.*, d.file_name as source_file, p.insurer, p.branch, p.plan_type,
                   p.fiscal_year as plan_fiscal_year, p.period_start, p.period_end
            from programs g join plans p on p.id = g.plan_id join documents d on d.id = g.doc_id
            where {where} order by d.file_name, p.number, g.number""",
            params,
        )
    )
    kpis = {
        r["id"]: r for r in db.query("select id, indicator, comparator, value, unit, target_year from kpis")
    }
    issues: dict[str, list[str]] = {}
    for row in db.query("select issue, program_ids from health_issues"):
        for pid in json.loads(row["program_ids"] or "[]"):
            issues.setdefault(pid, []).append(row["issue"])
    for row in rows:
        row["actions"] = "\n".join(json.loads(row["actions"] or "[]"))
        linked = [kpis[k] for k in json.loads(row.pop("kpi_ids") or "[]") if k in kpis]
        row["kpis"] = "\n".join(
            f"{k['indicator']}: {target_text(k)}" + (f" ({k['target_year']})" if k["target_year"] else "")
            for k in linked
        )
        row["health_issues"] = "\n".join(issues.get(row["id"], []))
        for flag in ("new", "key_program"):
            row[flag] = None if row[flag] is None else bool(row[flag])
        row["ocr"] = bool(row.get("ocr"))
    return rows


def health_issue_records(
    db: sqlite_utils.Database,
    *,
    plan: str | None = None,
    branch: str | None = None,
    insurer: str | None = None,
    plan_type: str | None = None,
    year: int | None = None,
) -> list[dict[str, Any]]:
    """Health issues joined with their plan and document; ``programs`` one name per line. The
    filters are :func:`kpi_records`'."""
    where, params = _plan_filter(db, "h", plan, Filters(insurer, branch, plan_type, year))
    rows = list(
        db.query(
            f"""select h.*, d.file_name as source_file, p.insurer, p.branch, p.plan_type,
                   p.fiscal_year as plan_fiscal_year, p.period_start, p.period_end
            from health_issues h join plans p on p.id = h.plan_id join documents d on d.id = h.doc_id
            where {where} order by d.file_name, p.number, h.number""",
            params,
        )
    )
    for row in rows:
        row["programs"] = "\n".join(json.loads(row["programs"] or "[]"))
        row["priority"] = None if row["priority"] is None else bool(row["priority"])
        row["ocr"] = bool(row.get("ocr"))
    return rows
