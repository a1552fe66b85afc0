"""``planex show --evidence ID``: where a record was read, as text or as a picture of the page."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text

from extract.cli.common import check_out, console, err_console, fail, open_database, writing


def show_evidence(db: Path, ref_id: str, png: Path | None, page: int | None) -> None:
    """Print the record's fields and the lines it was read from (page, box, text) and where its
    PDF is; with ``png``, write that page with the lines boxed (``extract.use.evidence``)."""
    from extract.use.evidence import EvidenceError, evidence_png, find_evidence, shown_fields

    if png is not None:
        check_out(png)
    database = open_database(db)
    try:
        if png is not None:
            found, picture = evidence_png(database, ref_id, page=page)
        else:
            found, picture = find_evidence(database, ref_id), b""
    except EvidenceError as exc:
        fail(str(exc))
    finally:
        database.close()
    if png is not None:
        with writing(png):
            png.write_bytes(picture)
    plan = found.plan
    where = " ".join(str(x) for x in (plan.get("insurer"), plan.get("branch"), plan.get("plan_type")) if x)
    console.print(Text.assemble((f"{found.kind.replace('_', ' ')} {found.ref_id}", "bold"), f"  {where}"))
    fields = Table(show_header=False, box=None, pad_edge=False)
    fields.add_column(style="dim")
    fields.add_column(overflow="fold")
    for name, value in shown_fields(found):
        fields.add_row(name, Text(value))
    console.print(fields)
    lines = Table(title="read from", show_lines=False)
    for col, justify in (("page", "right"), ("line", "right"), ("box (pt: x0 y0 x1 y1)", "left"),
                         ("text", "left")):  # fmt: skip
        lines.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for p in found.pages:
        for b in p.boxes:
            box = f"{b.x0:.0f} {b.y0:.0f} {b.x1:.0f} {b.y1:.0f}"
            lines.add_row(str(p.page_no), str(b.line_no), box, Text(b.text))
    console.print(lines)
    shown = page or found.first_page
    if found.pdf is not None:
        console.print(Text(f"PDF: {found.pdf.resolve().as_uri()}#page={shown}"), soft_wrap=True)
    else:
        err_console.print(Text.assemble(("note: ", "yellow"), found.note or ""), soft_wrap=True)
    if png is not None:
        boxed = sum(len(p.boxes) for p in found.pages if p.page_no == shown)
        console.print(Text(f"wrote {png} (page {shown}, {boxed} lines boxed)"), soft_wrap=True)
