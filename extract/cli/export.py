"""``planex kpis`` and ``planex export``: records in the terminal, or written to CSV, JSON lines
or Excel (``extract.use.export``, ``extract.use.workbook``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from extract import store
from extract.cli.common import (
    BranchOption,
    DbOption,
    InsurerOption,
    PlanFilter,
    PlanTypeOption,
    WritableDbOption,
    YearOption,
    app,
    cell,
    check_out,
    console,
    err_console,
    fail,
    open_database,
    open_database_for_writing,
    user_catalogue,
    writing,
    year_option,
)

if TYPE_CHECKING:
    from extract.use.workbook import Sheet


kpis_app = typer.Typer(
    help="KPIs and numeric targets: list them (planex kpis), find unmapped indicators, map them again "
    "with your own indicator catalogue, list the catalogue.",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(kpis_app, name="kpis")
export_app = typer.Typer(
    help="Export records to CSV (Excel-friendly with --excel), JSON lines or an Excel workbook (.xlsx)."
)
app.add_typer(export_app, name="export")
PopulationOption = Annotated[
    str | None,
    typer.Option(help="Only this normalized population: insured, dependents or all (or 被扶養者 …)."),
]
IndicatorOption = Annotated[
    str | None, typer.Option(help="Canonical id (generic_share), its label, or part of the indicator.")
]
IndicatorsOption = Annotated[
    Path | None,
    typer.Option("--indicators", help="Your indicator catalogue (TOML, as schemas/indicators.toml)."),
]


def _population(value: str | None) -> str | None:
    from extract.records.indicators import POPULATION_LABELS, POPULATIONS, normalized_population

    if value is None:
        return None
    wanted = value.strip()
    if wanted in POPULATIONS:
        return wanted
    by_label = {label: key for key, label in POPULATION_LABELS.items()}
    found = by_label.get(wanted) or normalized_population(wanted)
    if found is None:
        fail(f"--population must be insured, dependents or all (or 被保険者, 被扶養者, 全体), not {value!r}")
    return found


@kpis_app.callback()
def kpis_command(
    ctx: typer.Context,
    db: DbOption = Path("planex.db"),
    indicator: IndicatorOption = None,
    population: PopulationOption = None,
    insurer: InsurerOption = None,
    branch: BranchOption = None,
    plan_type: PlanTypeOption = None,
    year: YearOption = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 200,
) -> None:
    """Show KPI and target records in the terminal.

    Examples:  planex kpis --db plans.db --indicator tokutei_kenshin_rate --population dependents
               planex kpis --db plans.db --plan-type data_health_plan --year 2027
    """
    if ctx.invoked_subcommand is not None:
        return
    wanted = _population(population)
    rows = _records("kpi_records", db, indicator=indicator, population=wanted, insurer=insurer,
                    branch=branch, plan_type=plan_type, year=year_option(year))  # fmt: skip
    shown = f" (first {limit})" if len(rows) > limit else ""
    table = Table(title=f"{len(rows)} KPI / target records{shown}")
    for col in ("branch / insurer", "FY", "kind", "indicator", "id", "population", "target", "page"):
        table.add_column(col)
    from extract.use.export import target_text

    for row in rows[:limit]:
        table.add_row(
            cell(row["branch"] or row["insurer"] or ""), cell(row["target_year"] or ""), cell(row["kind"]),
            cell(row["indicator"][:40]), cell(row["indicator_id"]), cell(row["population_norm"]),
            cell(target_text(row)), cell(row["pages"]),
        )  # fmt: skip
    console.print(table)


@kpis_app.command("unmapped")
def kpis_unmapped_command(
    db: DbOption = Path("planex.db"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 100,
) -> None:
    """Indicators that map to no canonical indicator, most frequent first, with a program and a
    section they stand in (what a rule of your catalogue would name).

    Add the frequent ones to your catalogue (docs/guide.md, "Your own indicators"), then run
    planex kpis remap --indicators FILE.
    """
    from extract.use.export import unmapped

    database = open_database(db)
    rows = unmapped(database)
    database.close()
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    records = sum(r["records"] for r in rows)
    shown = f" (first {limit})" if len(rows) > limit else ""
    table = Table(title=f"{len(rows)} unmapped indicators, {records} records{shown}")
    for col in ("indicator", "records", "plans", "unit", "program", "section"):
        table.add_column(col)
    for row in rows[:limit]:
        table.add_row(cell(row["indicator"]), cell(row["records"]), cell(row["plans"]), cell(row["unit"]),
                      cell(row["program"]), cell((row["section"] or "").rsplit(" > ", 1)[-1]))  # fmt: skip
    console.print(table)


@kpis_app.command("remap")
def kpis_remap_command(
    db: WritableDbOption = Path("planex.db"),
    indicators: IndicatorsOption = None,
    builtin: Annotated[
        bool, typer.Option("--builtin", help="Drop the catalogue kept in the database: planex's own only.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Map every stored KPI record again — canonical id, rule, normalized population — without
    reading any PDF: with your catalogue (--indicators, then kept in the database for later
    loads), with the one the database keeps, or with planex's own (--builtin; after an upgrade).

    Example:  planex kpis remap --db plans.db --indicators my-indicators.toml
    """
    from extract.records.indicators import builtin_catalogue

    if indicators is not None and builtin:
        fail("give --indicators FILE or --builtin, not both")
    catalogue = user_catalogue(indicators) if indicators is not None else None
    database = open_database_for_writing(db)
    try:
        if catalogue is None:
            catalogue = builtin_catalogue() if builtin else store.stored_catalogue(database)
        result = store.remap_kpis(database, catalogue)
    finally:
        database.close()
    if as_json:
        line = {"records": result.records, "changed": result.changed, "mapped": result.mapped,
                "catalogue": catalogue.user_source or "planex"}  # fmt: skip
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        return
    used = f"planex's catalogue + {catalogue.user_source}" if catalogue.user_text else "planex's catalogue"
    without = result.records - result.mapped
    console.print(cell(f"{result.records} KPI records mapped with {used}: {result.changed} changed, "
                       f"{result.mapped} with a canonical indicator, {without} without"))  # fmt: skip


@kpis_app.command("indicators")
def kpis_indicators_command(
    db: Annotated[
        Path | None, typer.Option("--db", help="Show the catalogue this database keeps (with yours).")
    ] = None,
    indicators: IndicatorsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The indicator catalogue: id, Japanese label, unit, whom it counts when the plan does not
    say, what it counts, and where the entry comes from (planex, or your file).

    Example:  planex kpis indicators --indicators my-indicators.toml
    """
    from extract.records.indicators import builtin_catalogue

    if indicators is not None:
        catalogue = user_catalogue(indicators)
    elif db is not None:
        database = open_database(db)
        catalogue = store.stored_catalogue(database)
        database.close()
    else:
        catalogue = builtin_catalogue()
    rows = [{"id": i.id, "label": i.label, "unit": i.unit, "population": i.population, "counts": i.counts,
             "origin": i.origin} for i in catalogue.indicators]  # fmt: skip
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"{len(rows)} canonical indicators")
    for col in ("id", "label", "unit", "population", "counts", "from"):
        table.add_column(col)
    for row in rows:
        table.add_row(*(cell(row[k]) for k in ("id", "label", "unit", "population", "counts", "origin")))
    console.print(table)


OutOption = Annotated[
    Path, typer.Option("--out", "-o", help="File to write: .csv, .xlsx, .jsonl (a record per line) or .json.")
]
ExcelOption = Annotated[
    bool,
    typer.Option("--excel", help="UTF-8 with BOM, so Excel shows Japanese; a formula-like text gets a '."),
]
FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".json": "json"}
"""The formats ``--out`` may ask for by its extension."""
FormatOption = Annotated[
    str | None,
    typer.Option("--format", help="csv, xlsx, jsonl or json, for an --out whose extension does not say "
                 "(default: from the --out extension)."),
]  # fmt: skip


@export_app.command("kpis")
def export_kpis_command(
    out: OutOption,
    db: DbOption = Path("planex.db"),
    wide: Annotated[
        bool, typer.Option("--wide", help="One row per plan, one column per canonical indicator and year.")
    ] = False,
    excel: ExcelOption = False,
    fmt: FormatOption = None,
    indicator: IndicatorOption = None,
    population: PopulationOption = None,
    insurer: InsurerOption = None,
    branch: BranchOption = None,
    plan_type: PlanTypeOption = None,
    year: YearOption = None,
) -> None:
    """Export KPI records: one row per record (long), or one row per plan (--wide), a column
    per canonical indicator, normalized population and target year. Every row carries its
    plan's fiscal year or period (period_start, period_end).

    Examples:  planex export kpis --db plans.db --out kpis.csv --excel
               planex export kpis --db plans.db --out kpis.xlsx   (typed cells)
               planex export kpis --db plans.db --out kpis.jsonl --branch 北海道 --year 2021
    """
    from extract.use import export

    check_out(out)
    fmt = _output_format(out, fmt)
    wanted = _population(population)
    rows = _records("kpi_records", db, indicator=indicator, population=wanted, insurer=insurer,
                    branch=branch, plan_type=plan_type, year=year_option(year))  # fmt: skip
    database = open_database(db)
    catalogue = store.stored_catalogue(database)
    database.close()
    if wide:
        table_rows, columns = export.wide(rows, catalogue)
    else:
        table_rows, columns = rows, export.KPI_EXPORT_COLUMNS
    _write_rows(table_rows, columns, out, excel, fmt, sheet="KPIs by plan" if wide else "KPIs")


def _records(reader: str, db: Path, **filters: Any) -> list[dict[str, Any]]:
    """The records ``extract.use.export.<reader>`` gives under the filters (kpi_records,
    program_records, health_issue_records); an unknown branch or plan type is one line."""
    from extract.use import export
    from extract.use.search import SearchError

    database = open_database(db)
    try:
        return getattr(export, reader)(database, **filters)
    except SearchError as exc:
        fail(str(exc))
    finally:
        database.close()


def _write_rows(
    rows: list[dict], columns: tuple[str, ...], out: Path, excel: bool, fmt: str, sheet: str
) -> None:
    """Write the rows to ``out`` in ``fmt`` (see :func:`_output_format`)."""
    from extract.use import export

    if fmt == "xlsx":
        from extract.use.workbook import Sheet

        count = _write_workbook(out, [Sheet(sheet, columns, rows)])[sheet]
    else:
        with writing(out):
            if fmt == "jsonl":
                count = export.write_jsonl(rows, out, columns)
            elif fmt == "json":
                count = export.write_json(rows, out, columns)
            else:
                count = export.write_csv(rows, out, columns, excel=excel)
    err_console.print(f"wrote {count} rows to {out}")


def _output_format(out: Path, fmt: str | None) -> str:
    """The format to write ``--out`` in: ``--format`` if given, else the one its extension names.

    An extension that names no format (``kpis.txt``, ``/dev/stdout``) needs ``--format``; one
    that names another format than ``--format`` is refused, so that a ``.json`` file never
    holds CSV.
    """
    if fmt is not None and fmt not in FORMATS.values():
        fail(f"--format must be csv, xlsx, jsonl or json, not {fmt!r}")
    named = FORMATS.get(out.suffix.lower())
    if fmt is None and named is None:
        fail(f"cannot tell which format to write {out.name!r} in: name it .csv, .xlsx, .jsonl or .json, "
             "or give --format")  # fmt: skip
    if fmt is not None and named is not None and fmt != named:
        fail(f"--out {out.name} names {named}, --format says {fmt}: make them agree")
    return fmt or named  # type: ignore[return-value]


def _write_workbook(out: Path, sheets: list[Sheet]) -> dict[str, int]:
    """Write the workbook; a bad --out (no such folder, not writable, disk full) is one line."""
    from extract.use.workbook import WorkbookError, write_workbook

    try:
        return write_workbook(out, sheets)
    except WorkbookError as exc:
        fail(str(exc), 2 if exc.usage else 1)


@export_app.command("programs")
def export_programs_command(
    out: OutOption,
    db: DbOption = Path("planex.db"),
    excel: ExcelOption = False,
    fmt: FormatOption = None,
    plan: PlanFilter = None,
    insurer: InsurerOption = None,
    branch: BranchOption = None,
    plan_type: PlanTypeOption = None,
    year: YearOption = None,
) -> None:
    """Export programs (保健事業): one row each, with budget, target population, purpose, actions,
    linked KPI targets (one per line) and the health issues they answer.

    Example:  planex export programs --db plans.db --out programs.csv --excel
    """
    from extract.use import export

    check_out(out)
    fmt = _output_format(out, fmt)
    rows = _records("program_records", db, plan=plan, insurer=insurer, branch=branch, plan_type=plan_type,
                    year=year_option(year))  # fmt: skip
    _write_rows(rows, export.PROGRAM_EXPORT_COLUMNS, out, excel, fmt, sheet="programs")


@export_app.command("health-issues")
def export_health_issues_command(
    out: OutOption,
    db: DbOption = Path("planex.db"),
    excel: ExcelOption = False,
    fmt: FormatOption = None,
    plan: PlanFilter = None,
    insurer: InsurerOption = None,
    branch: BranchOption = None,
    plan_type: PlanTypeOption = None,
    year: YearOption = None,
) -> None:
    """Export health issues (健康課題) with their direction and the programs that answer them.

    Example:  planex export health-issues --db plans.db --out issues.csv --excel
    """
    from extract.use import export

    check_out(out)
    fmt = _output_format(out, fmt)
    rows = _records("health_issue_records", db, plan=plan, insurer=insurer, branch=branch,
                    plan_type=plan_type, year=year_option(year))  # fmt: skip
    _write_rows(rows, export.HEALTH_ISSUE_EXPORT_COLUMNS, out, excel, fmt, sheet="health issues")


@export_app.command("workbook")
def export_workbook_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Workbook to write (.xlsx).")],
    db: DbOption = Path("planex.db"),
) -> None:
    """Export everything as one Excel workbook, ready to filter: a sheet each for KPIs (one row
    per record, as export kpis), KPIs by plan (as --wide), programs, health issues, changes (what
    changed in each plan since its previous version, as planex diff), plans, and sources (the
    documents loaded and the files that failed).

    Numbers are numbers, text stays text (never a formula), the header is frozen,
    every sheet has an autofilter, columns fit their Japanese text, raw_text wraps.

    Example:  planex export workbook --db plans.db --out plans.xlsx
    """
    from extract.use import workbook

    check_out(out)  # a folder, or none to write in
    if out.suffix.lower() != ".xlsx":
        fail(f"--out must end in .xlsx, not {out.name!r}")
    database = open_database(db)
    sheets = workbook.workbook_sheets(database)
    database.close()
    counts = _write_workbook(out, sheets)
    summary = " · ".join(f"{name} {count}" for name, count in counts.items())
    err_console.print(Text(f"wrote {out} (rows per sheet): {summary}"), soft_wrap=True)
