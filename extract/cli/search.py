"""``planex search``, ``compare``, ``reindex`` and ``serve``: finding text across the plans
(``extract.use.search``, ``extract.use.compare``, ``extract.use.serve``)."""

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
    PlanTypeOption,
    WritableDbOption,
    YearOption,
    app,
    check_out,
    console,
    err_console,
    fail,
    open_database,
    open_database_for_writing,
    writing,
    year_option,
)


def _marked(text: str, spans: list[tuple[int, int]]) -> Text:
    """Data as rich Text (never parsed as markup: plans contain [brackets]) with the spans
    highlighted — in colour on a terminal, in 【】 (《》 if the text has 【】) when piped."""
    if not console.is_terminal:
        from extract.use.search import mark_pair

        left, right = mark_pair(text)
        for a, b in reversed(spans):
            text = f"{text[:a]}{left}{text[a:b]}{right}{text[b:]}"
        return Text(text, overflow="fold")
    out = Text(text, overflow="fold")
    for a, b in spans:
        out.stylize("bold black on yellow", a, b)
    return out


DEFAULT_HITS = 20
"""Hits ``planex search`` prints when ``--limit`` is not given."""


@app.command("search", context_settings={"ignore_unknown_options": True})
def search_command(
    words: Annotated[list[str], typer.Argument(help="Words, \"phrases\", AND/OR/NOT, -word, word*, ( ).")],
    db: DbOption = Path("planex.db"),
    insurer: InsurerOption = None,
    branch: BranchOption = None,
    plan_type: PlanTypeOption = None,
    year: YearOption = None,
    section: Annotated[str | None, typer.Option(help="Only sections whose path contains this.")] = None,
    kind: Annotated[
        str | None,
        typer.Option(help="Only these sentences: heading, section, program, health_issue, kpi "
                     "(comma-separated)."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(min=1, max=10000, show_default=False,
                     help="Number of hits (default 20); with --by, of groups (default all)."),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="branch or insurer: one row per group, most hits first.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Full-text search of the plans' sentences, best first; Japanese words match anywhere.

    Examples:  planex search ジェネリック医薬品の使用促進 --db plans.db
               planex search "健診 被扶養者 -歯科" --branch 北海道 --db plans.db
               planex search 受診勧奨 --by branch --db plans.db
               planex search 禁煙 --kind program --db plans.db   (programs' names, purposes, actions)
    """
    from extract.use.search import SearchError, search, search_by, snippet_spans

    unknown = [w for w in words if w.startswith("--")]  # -word excludes a word; --word is a typo
    if unknown:
        fail(f"no such option: {unknown[0]} (see planex search --help)")
    query = " ".join(words)
    database = open_database(db)
    filters = {"insurer": insurer, "branch": branch, "plan_type": plan_type, "year": year_option(year),
               "section": section, "kind": kind}  # fmt: skip
    try:
        if by is not None:
            groups = search_by(database, query, by, **filters)
        else:
            hits = search(database, query, limit=limit or DEFAULT_HITS, **filters)
    except SearchError as exc:
        fail(str(exc))
    finally:
        database.close()
    if as_json:
        rows = groups[:limit] if by is not None else hits  # [:None] is all
        sys.stdout.write(json.dumps([r.model_dump() for r in rows], ensure_ascii=False, indent=2) + "\n")
        return
    if by is not None:
        shown = f" (the first {limit})" if limit and len(groups) > limit else ""
        title = f"{query}: {sum(g.hits for g in groups)} sentences in {len(groups)} {by} groups{shown}"
        console.print(Text(title, style="italic"))
        table = Table()
        table.add_column(by, no_wrap=True)
        table.add_column("hits", justify="right")
        table.add_column("page", justify="right")
        table.add_column("best sentence", overflow="fold")
        for g in groups[:limit]:
            name = (g.branch or g.insurer or "-") if by == "branch" else (g.insurer or "-")
            best = _marked(*snippet_spans(g.sentence, g.marks, 60))
            table.add_row(name, str(g.hits), str(g.page or ""), best)
        console.print(table)
        return
    if not hits:
        err_console.print(f"no hits for {query!r}")
        return
    for n, hit in enumerate(hits, start=1):
        where = " ".join(x for x in (hit.insurer, hit.branch) if x) or hit.plan_id
        years = hit.fiscal_year or (f"{hit.period_start}-{hit.period_end}" if hit.period_start else "")
        about = f"{hit.plan_type} {years} p.{hit.page}"
        console.print(Text(f"{n:>2} ", style="bold"), _marked(where, []), _marked(about, []), style="default")
        console.print("    ", _marked(hit.section or "", []), style="cyan")
        text, spans = snippet_spans(hit.sentence, hit.marks)
        console.print("    ", _marked(text, spans))


@app.command("compare")
def compare_command(
    heading: Annotated[str, typer.Argument(help="The section heading, e.g. ジェネリック医薬品の使用促進.")],
    db: DbOption = Path("planex.db"),
    insurer: InsurerOption = None,
    branch: BranchOption = None,
    plan_type: PlanTypeOption = None,
    year: YearOption = None,
    min_score: Annotated[float, typer.Option("--min-score", min=0, max=1, help="Heading similarity.")] = 0.8,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write FILE.md or FILE.csv.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Line up one section across plans: the section with this heading in every plan.

    Numbering (３．, ③, (3)), field tags (〈Ⅱ、Ⅲ〉) and small wording differences are ignored.
    CSV is written UTF-8 with a byte-order mark, so Excel opens it correctly.

    Examples:  planex compare ジェネリック医薬品の使用促進 --db plans.db
               planex compare ジェネリック医薬品の使用促進 --db plans.db --out generic.md
    """
    from rich.columns import Columns
    from rich.panel import Panel

    from extract.use import compare as cmp
    from extract.use.search import SearchError

    if out is not None and out.suffix.lower() not in (".md", ".csv"):
        fail(f"--out must end in .md or .csv, not {out.name!r}")
    if out is not None:
        check_out(out)
    database = open_database(db)
    try:
        found, missing = cmp.compare(database, heading, insurer=insurer, branch=branch, plan_type=plan_type,
                                     year=year_option(year), min_score=min_score)  # fmt: skip
    except SearchError as exc:
        fail(str(exc))
    finally:
        database.close()
    if out is not None:
        with writing(out):
            if out.suffix.lower() == ".csv":
                cmp.write_csv(out, found)
            else:
                cmp.write_markdown(out, heading, found, missing)
        err_console.print(f"wrote {len(found)} plans to {out}")
    elif as_json:
        sys.stdout.write(json.dumps([c.model_dump() for c in found], ensure_ascii=False, indent=2) + "\n")
    else:
        panels = [
            Panel(_marked(c.text, []), title=Text.assemble((cmp.plan_name(c), "bold"), f" {c.insurer or ''}"),
                  subtitle=Text(f"{c.heading} · p.{c.page_start}-{c.page_end} · {c.score:.2f}"), width=64)
            for c in found
        ]  # fmt: skip
        console.print(Columns(panels))
    summary = f"{heading}: found in {len(found)} plans"
    if missing:
        summary += f"; not in {len(missing)}: " + ", ".join(cmp.plan_name(m) for m in missing)
    err_console.print(summary)


@app.command("reindex")
def reindex_command(db: WritableDbOption = Path("planex.db")) -> None:
    """Rebuild the search index from the stored sections, programs, health issues and KPIs
    (a database from an older planex). To extract what a newer planex reads (programs came with
    0.2.0), run planex load again: documents loaded by another version are read again."""
    from extract.store.reindex import rebuild_index

    database = open_database_for_writing(db)
    count = rebuild_index(database)
    database.close()
    err_console.print(f"indexed {count} sentences")


@app.command("serve")
def serve_command(
    db: DbOption = Path("planex.db"),
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 exposes the database to your network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8001,
) -> None:
    """Browse the database in Datasette (read-only), until Ctrl-C.

    Tables have titles and column descriptions. Japanese full-text search works in the canned
    queries — [bold]search[/] (sentences, best first, match in 【】), [bold]kpi_by_indicator[/]
    (one indicator's targets across plans), [bold]compare_measure[/] (one measure across plans) —
    and in the search box of the search_sentences table. Every page has a JSON twin (add .json).

    Examples:  planex serve --db plans.db       then open http://127.0.0.1:8001/plans
               http://127.0.0.1:8001/plans/search?q=受診勧奨
               http://127.0.0.1:8001/plans/kpi_by_indicator.json?indicator=generic_share&_shape=array
    """
    from extract.use.serve import ServeError, serve

    def ready(url: str) -> None:
        err_console.print("serving ", Text(url, style="bold"), " (read-only; Ctrl-C stops)", sep="")

    store.check_database(db)
    try:
        serve(db, host=host, port=port, on_ready=ready, log_level="warning")
    except ServeError as exc:
        fail(str(exc))
