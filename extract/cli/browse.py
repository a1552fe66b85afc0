"""``planex plans``, ``show`` and ``programs``: the plans, section trees and programs loaded."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

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
    YearOption,
    app,
    console,
    err_console,
    fail,
    open_database,
    year_option,
)


def _plan_rows(database) -> list[dict]:
    return list(
        database.query(
            f"select p.*, d.file_name from {store.PLANS} p join {store.DOCUMENTS} d on d.id = p.doc_id "
            "order by d.file_name, p.number"
        )
    )


@app.command("plans")
def plans_command(
    db: DbOption = Path("planex.db"),
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array instead of a table.")] = False,
) -> None:
    """List the plans found in the loaded documents, with insurer, branch, type and years.

    One PDF can hold many plans (協会けんぽ's compilation holds one per branch).
    """
    database = open_database(db)
    rows = _plan_rows(database)
    database.close()
    if as_json:
        for row in rows:
            row["garbled_pages"] = json.loads(row["garbled_pages"] or "[]")
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"{len(rows)} plans")
    for col in ("plan", "insurer", "type", "branch", "plan type", "years", "pages", "file"):
        table.add_column(col)
    for row in rows:
        years = (
            str(row["fiscal_year"])
            if row["fiscal_year"]
            else f"{row['period_start'] or '?'}-{row['period_end'] or '?'}"
            if row["period_start"]
            else ""
        )
        table.add_row(
            row["id"], row["insurer"] or "", row["insurer_type"], row["branch"] or "", row["plan_type"],
            years, f"{row['page_start']}-{row['page_end']}", row["file_name"],
        )  # fmt: skip
    console.print(table)


_SAME_PLAN = ("insurer", "branch", "plan_type", "fiscal_year", "period_start", "period_end")


def _in_year(row: dict, year: int | None) -> bool:
    if year is None:
        return True
    return row["fiscal_year"] == year or (row["period_start"] or 1 << 30) <= year <= (row["period_end"] or 0)


def _find_plans(database, key: str, year: int | None = None) -> list[dict]:
    """The plan ``key`` names — by id (or id prefix), branch (北海道, 北海道支部) or insurer name —
    or the same plan in several documents.

    Two documents may hold one plan: a compilation and the branch's own file, or the same plan in
    two layouts. Plans with the same insurer, branch, type and years are given together, in file
    order; plans that differ in any of them are ambiguous, and the error lists them."""
    rows = [r for r in _plan_rows(database) if _in_year(r, year)]
    branch = key.removesuffix("支部")
    for test in (
        lambda r: r["id"] == key,
        lambda r: r["id"].startswith(key),
        lambda r: (r["branch"] or "") == branch,
        lambda r: key in (r["insurer"] or "") or key in (r["title"] or ""),
    ):
        found = [r for r in rows if test(r)]
        if not found:
            continue
        if len(found) == 1 or len({tuple(r[f] for f in _SAME_PLAN) for r in found}) == 1:
            return found
        names = ", ".join(f"{r['id']} ({r['branch'] or r['insurer']}, {_years(r)})" for r in found[:10])
        hint = " (--year picks one year's plan)" if len({_years(r) for r in found}) > 1 else ""
        fail(f"'{key}' matches {len(found)} plans: {names}{hint}")
    fail(f"no plan '{key}'" + (f" for {year}" if year else "") + " (see: planex plans --db FILE)")


def _years(row: dict) -> str:
    if row["fiscal_year"]:
        return str(row["fiscal_year"])
    return "-".join(str(y) for y in (row["period_start"], row["period_end"]) if y) or "?"


def _outline(sections: list[dict]) -> tuple:
    """A plan's outline as compared across documents: levels, labels and headings, normalized."""
    from extract.read.normalize import normalize_text

    def key(text: str | None) -> str:
        return "".join(normalize_text(text or "").split())

    return tuple((s["level"], key(s["label"]), key(s["heading"])) for s in sections if s["level"])


@app.command("show")
def show_command(
    plan: Annotated[
        str | None, typer.Argument(help="Plan id (or its start), branch (北海道) or insurer.")
    ] = None,
    db: DbOption = Path("planex.db"),
    section: Annotated[
        str | None,
        typer.Option("--section", "-s", help="Print this section's text: its path, or the end of it."),
    ] = None,
    evidence: Annotated[
        str | None,
        typer.Option("--evidence", "-e", metavar="ID",
                     help="Show where a KPI, program, health issue or section (by id) was read: its page, "
                     "the lines it came from, the PDF."),
    ] = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", metavar="FILE",
                     help="With --evidence: draw the page with those lines boxed into this PNG file."),
    ] = None,
    page: Annotated[
        int | None, typer.Option("--page", min=1, help="With --evidence: this page of the PDF.")
    ] = None,
    year: YearOption = None,
) -> None:
    """Print a plan's section tree, or one section's text; or a record's evidence.

    With --evidence ID (a KPI's, program's, health issue's or section's id: planex kpis --json,
    planex programs, a search hit), print the record's fields and the lines it was read from,
    with their page and box, and where the PDF is; --png FILE draws that page with the lines
    boxed, from the original PDF (or, if it was moved, from the lines planex stored).

    When the same plan (insurer, branch, type and years) is in several loaded documents -- a
    compilation and the branch's own file, or one plan in two layouts -- the outline is printed
    once for every different outline, with the documents that hold it; ``--section`` prints the
    section from the first of them and names the others. A plan id picks one document's plan.

    Examples:  planex show 北海道 --db plans.db
               planex show 北海道 --db plans.db --section ジェネリック医薬品の使用促進
               planex show 北海道 --year 2022 --db plans.db   (a branch's plan of one year)
               planex show --evidence 1ca1a70c0d0ccf09-p01-k003 --png kpi.png --db plans.db
    """
    from rich.tree import Tree

    from extract.read.normalize import normalize_text

    if evidence is not None:
        from extract.cli.evidence import show_evidence

        show_evidence(db, evidence, png, page)
        return
    if png is not None or page is not None:
        fail("--png and --page go with --evidence ID")
    if plan is None:
        fail("name a plan (an id, a branch such as 北海道, an insurer), or give --evidence ID")
    database = open_database(db)
    rows = _find_plans(database, plan, year_option(year))
    documents = database.query(f"select id, path, file_name from {store.DOCUMENTS}")
    paths = {d["id"]: d["path"] or d["file_name"] for d in documents}
    query = f"select * from {store.SECTIONS} where plan_id = ? order by id"
    by_plan = {r["id"]: list(database.query(query, [r["id"]])) for r in rows}
    database.close()
    row = rows[0]
    sections = by_plan[row["id"]]
    if len(rows) > 1:
        outlines = {_outline(by_plan[r["id"]]) for r in rows}
        same = "the same outline" if len(outlines) == 1 else f"{len(outlines)} different outlines"
        err_console.print(
            Text.assemble(
                ("note:", "yellow"),
                f" '{plan}' is one plan in {len(rows)} documents, with {same}"
                + (" (shown once)" if len(outlines) == 1 else " (each shown with its documents)")
                + "; a plan id picks one: "
                + ", ".join(f"{r['id']} ({paths.get(r['doc_id'], r['file_name'])})" for r in rows),
            )
        )
    if section is not None:
        wanted = "".join(normalize_text(section).split())

        def squash(text: str) -> str:
            return "".join(normalize_text(text).split())

        hits = [s for s in sections if squash(s["path"]) == wanted] or [
            s for s in sections if squash(s["path"]).endswith(wanted)
        ] or [s for s in sections if wanted in squash(s["path"])]  # fmt: skip
        if not hits:
            fail(f"no section '{section}' in plan {row['id']}")
        for hit in hits:
            console.rule(Text(f"{hit['path']}  (p. {hit['page_start']}-{hit['page_end']})"))
            console.print(hit["text"], markup=False, highlight=False)
        if len(rows) > 1:
            others = ", ".join(paths.get(r["doc_id"], "") for r in rows[1:])
            first = paths.get(row["doc_id"], "")
            console.print(Text(f"(from {first}; the plan is also in {others})", style="dim"))
        return
    shown: dict[tuple, list[dict]] = {}
    for r in rows:
        shown.setdefault(_outline(by_plan[r["id"]]), []).append(r)
    for members in shown.values():
        row = members[0]
        title = f"{row['insurer'] or ''} {row['branch'] or ''} {row['plan_type']} — {row['title']}".strip()
        tree = Tree(Text.assemble((title, "bold"), " ", (f"({row['id']})", "dim")))
        if len(rows) > 1:
            for m in members:
                tree.add(Text(f"in {paths.get(m['doc_id'], m['file_name'])} ({m['id']})", style="dim"))
        nodes = {}
        for s in by_plan[row["id"]]:
            if s["level"] == 0:
                continue
            parent = nodes.get(s["parent_id"], tree)
            label = Text.assemble(s["path"].rsplit(" > ", 1)[-1], " ", (f"p.{s['page_start']}", "dim"))
            nodes[s["id"]] = parent.add(label)
        console.print(tree)


@app.command("programs")
def programs_command(
    db: DbOption = Path("planex.db"),
    plan: PlanFilter = None,
    insurer: InsurerOption = None,
    branch: BranchOption = None,
    plan_type: PlanTypeOption = None,
    year: YearOption = None,
    issues: Annotated[bool, typer.Option("--issues", help="Show the health issues instead.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 200,
) -> None:
    """Show programs (保健事業) in the terminal: name, target, budget, purpose or actions, KPIs.

    Examples:  planex programs --db plans.db --plan 8432f40b
               planex programs --db plans.db --branch 北海道
               planex programs --db plans.db --issues
    """
    from extract.use import export
    from extract.use.search import SearchError

    filters = {"plan": plan, "insurer": insurer, "branch": branch, "plan_type": plan_type,
               "year": year_option(year)}  # fmt: skip
    database = open_database(db)
    try:
        rows = (export.health_issue_records if issues else export.program_records)(database, **filters)
    except SearchError as exc:
        fail(str(exc))
    finally:
        database.close()
    if issues:
        table = Table(title=f"{len(rows)} health issues", show_lines=True)
        for col in ("plan", "no.", "health issue", "direction", "programs"):
            table.add_column(col, overflow="fold")
        for row in rows[:limit]:
            where = row["branch"] or row["insurer"] or row["plan_id"]
            table.add_row(where, str(row["number"]), row["issue"], row["direction"] or "", row["programs"])
        console.print(table)
        return
    shown = f" (first {limit})" if len(rows) > limit else ""
    table = Table(title=f"{len(rows)} programs{shown}", show_lines=True)
    for col in ("plan", "no.", "program", "target", "budget (千円)", "purpose / actions", "KPIs"):
        table.add_column(col, overflow="fold")
    for row in rows[:limit]:
        where = row["branch"] or row["insurer"] or row["plan_id"]
        ages = f"{row['age_from']}〜{row['age_to']}歳" if row["age_from"] is not None else ""
        target = " ".join(str(x) for x in (row["population"], row["sex"], ages) if x)
        budget = "" if row["budget_thousand_yen"] is None else f"{row['budget_thousand_yen']:,.0f}"
        about = row["purpose"] or row["actions"] or row["summary"] or row["method"] or ""
        name = row["name"] + (" ★" if row["key_program"] else "")
        table.add_row(
            where, str(row["number"]), Text(name), Text(target), budget, Text(about[:160]),
            Text(row["kpis"][:160]),
        )  # fmt: skip
    console.print(table)
