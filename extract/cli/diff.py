"""``planex diff``: a plan against its previous version (``extract.use.diff``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from extract.cli.common import DbOption, app, console, fail, open_database

_MARKS = {"added": ("+", "green"), "removed": ("−", "red"), "reworded": ("~", "yellow"),
          "figures": ("#", "cyan"), "changed": ("~", "yellow")}  # fmt: skip


def _matches(plan, key: str) -> bool:
    branch = key.removesuffix("支部")
    return (plan.id == key or plan.id.startswith(key) or (plan.branch or "") == branch
            or key in (plan.insurer or "") or key in (plan.title or ""))  # fmt: skip


def _name(plan) -> str:
    years = plan.fiscal_year or "-".join(str(y) for y in (plan.period_start, plan.period_end) if y)
    revised = f", updated {plan.revised}" if plan.revised else ""
    return f"{plan.id} ({years}{revised})"


@app.command("diff")
def diff_command(
    plan: Annotated[
        str | None,
        typer.Argument(help="A plan (id, branch such as 北海道, insurer): compared with the version before."),
    ] = None,
    other: Annotated[
        str | None, typer.Argument(help="A second plan id: compare PLAN (the older) with this one.")
    ] = None,
    db: DbOption = Path("planex.db"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the differences as JSON.")] = False,
) -> None:
    """Show what changed in a plan since its previous version: sections and KPI targets.

    Plans of the same insurer, branch and plan type are versions of one another: the next
    year's plan, or the same plan updated (令和7年3月更新). Without a plan, list every plan that
    has a previous version, with how much changed. Sections are added (+), removed (−),
    reworded (~) or only their figures changed (#); KPIs, matched by canonical indicator,
    population and section, are added, removed or changed in target, target year or baseline.

    Examples:  planex diff --db plans.db
               planex diff 北海道 --db plans.db
               planex diff 8b9d860db2f42591-p01 c9a2136ade835791-p01 --db plans.db --json
    """
    from extract.use.diff import DiffError, diff_plans, find_plan, linked_diffs, plan_links

    database = open_database(db)
    try:
        if other is not None:
            if plan is None:
                fail("give two plan ids: the older one, then the newer one")
            diffs = [diff_plans(database, find_plan(database, plan), find_plan(database, other))]
        else:
            links = plan_links(database)
            if plan is not None:
                links = [link for link in links if _matches(link.new, plan) or _matches(link.old, plan)]
                if not links:
                    fail(f"no plan '{plan}' with a previous or later version (see: planex diff --db FILE)")
            diffs = linked_diffs(database, links)
    except DiffError as exc:
        fail(str(exc))
    finally:
        database.close()
    if as_json:
        sys.stdout.write(json.dumps([d.model_dump() for d in diffs], ensure_ascii=False, indent=1) + "\n")
        return
    if plan is None:
        _list(diffs)
        return
    for d in diffs:
        _show(d)


def _years(plan) -> str:
    years = plan.fiscal_year or "-".join(str(y) for y in (plan.period_start, plan.period_end) if y)
    return f"{years}" + (f" (updated {plan.revised})" if plan.revised else "")


def _list(diffs) -> None:
    table = Table(title=f"{len(diffs)} plans with a previous version")
    for col in ("plan", "type", "before → now", "sections", "KPIs"):
        table.add_column(col, overflow="fold")
    for d in diffs:
        who = " ".join(x for x in (d.new.insurer, d.new.branch) if x)
        table.add_row(Text(who), d.new.plan_type, Text(f"{_years(d.old)} → {_years(d.new)}"),
                      str(len(d.sections)), str(len(d.kpis)))  # fmt: skip
    console.print(table)
    if diffs:
        console.print(Text("one plan's changes: planex diff PLAN --db FILE (a branch, an insurer or an id)"))


def _show(d) -> None:
    who = " ".join(x for x in (d.new.insurer, d.new.branch, d.new.plan_type) if x)
    relation = d.relation.replace("_", " ")
    title = f"{who}: {_years(d.old)} → {_years(d.new)} ({relation})"
    console.print(Text(title, style="bold"), soft_wrap=True)
    console.print(Text(f"  {_name(d.old)} → {_name(d.new)}", style="dim"), soft_wrap=True)
    console.print(Text(f"sections: {len(d.sections)} changed", style="bold"))
    for s in d.sections:
        mark, colour = _MARKS[s.change]
        console.print(Text.assemble((f" {mark} {s.change:<8} ", colour), s.path, (f"  p.{s.page}", "dim")),
                      soft_wrap=True)  # fmt: skip
    console.print(Text(f"KPIs: {len(d.kpis)} changed", style="bold"))
    section = None
    for k in d.kpis:
        if k.section != section:
            section = k.section
            console.print(Text(f" in {section}", style="dim"), soft_wrap=True)
        mark, colour = _MARKS[k.change]
        name = k.indicator_id or k.indicator
        name += f" ({k.population_norm})" if k.population_norm else ""
        name += f" FY{k.target_year}" if k.target_year else ""
        if k.fields:
            what = "; ".join(f"{f.field}: {f.old_text or '-'} → {f.new_text or '-'}" for f in k.fields)
        else:
            what = f"{k.change}: {k.old_target or k.new_target or ''}"
        console.print(Text.assemble((f"  {mark} ", colour), name, "  ", what), soft_wrap=True)
