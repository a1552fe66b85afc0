"""``planex serve``'s pages of evidence: a record's page drawn with its lines boxed, beside its
fields, and a link from every KPI, program, health issue, section and search hit to it.

A Datasette plugin (:class:`EvidencePlugin`, registered in-process with the SQL functions'
plugin, ``extract.use.serve_functions``) adds:

- routes (``register_routes``): ``/-/planex/evidence/{kind}/{id}`` (the page: every page of the
  record's evidence as an image, its fields, its text, the lines with their boxes, and a link to
  the original PDF at that page), ``…/page-{n}.png`` (one page drawn, ``extract.use.evidence``),
  ``/-/planex/pdf/{doc_id}`` (the original PDF, where it is still at its loaded path with the
  same bytes); the search page and the plan comparisons are ``extract.use.serve_search``'s and
  ``extract.use.serve_diff``'s;
- links (``render_cell``): the page number of every row of ``kpis``, ``programs``,
  ``health_issues`` and ``sections`` (their ``page`` or ``page_start``), and the ``evidence``
  column of the canned queries, open the record's evidence.

Every text shown comes from a PDF and is data: the templates are Jinja's with autoescape
(Datasette's environment), links are built with ``urllib.parse.quote``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils
from datasette import hookimpl
from datasette.utils.asgi import AsgiFileDownload, Response
from markupsafe import Markup, escape

from extract import store
from extract.use.evidence import TABLES, ZOOM, EvidenceError, find_evidence, load_page_lines, render_page
from extract.use.serve_links import PREFIX, evidence_url, narrowing, pdf_url, plan_years, reader

TEMPLATES = Path(__file__).resolve().parent / "templates"
"""planex's page templates (extending Datasette's ``base.html``), given to Datasette as its
template folder."""
MAX_PAGES = 6
"""Pages of one record's evidence shown at once (a long section runs over many)."""
KINDS = "|".join(TABLES)
PAGE_COLUMNS = {store.KPIS: "page", store.HEALTH_ISSUES: "page", store.PROGRAMS: "page_start",
                store.SECTIONS: "page_start"}  # fmt: skip
KIND_OF_TABLE = {table: kind for kind, table in TABLES.items()}


def _link(href: str, label: str, title: str = "see it on the page") -> Markup:
    return Markup(f'<a class="planex-evidence-link" href="{escape(href)}" title="{escape(title)}">'
                  f"{escape(label)}</a>")  # fmt: skip


def evidence_cell(row: Any, value: Any, column: str, table: str | None) -> Markup | None:
    """The link a cell becomes, if it is one: the page column of a record table, or a canned
    query's ``evidence`` column (``kind/id``, a search hit's with its sentence)."""
    keys = set(row.keys()) if hasattr(row, "keys") else set()
    if table in PAGE_COLUMNS and column == PAGE_COLUMNS[table] and "id" in keys and value is not None:
        return _link(evidence_url(KIND_OF_TABLE[table], str(row["id"])), f"p.{value} ▸ evidence")
    if table is None and column == "evidence" and isinstance(value, str) and "/" in value:
        kind, _, ref_id = value.partition("/")
        sentence = str(row["sentence"]) if "sentence" in keys and kind != "kpi" and row["sentence"] else None
        page = row["page"] if "page" in keys else None
        shown = f"p.{page} ▸ " if page is not None else ""
        return _link(evidence_url(kind, ref_id, sentence, page), f"{shown}evidence")
    return None


class EvidencePlugin:
    """The Datasette plugin of planex's pages (registered by :func:`registered_pages`)."""

    __name__ = "planex-pages"

    def __init__(self, database: str) -> None:
        self.database = database

    @hookimpl
    def render_cell(self, row: Any, value: Any, column: str, table: str | None, database: str) -> Any:
        if database != self.database:
            return None
        return evidence_cell(row, value, column, table)

    @hookimpl
    def register_routes(self) -> list[tuple[str, Any]]:
        from extract.use.serve_diff import diff_routes
        from extract.use.serve_search import search_routes

        record = rf"^{PREFIX}/evidence/(?P<kind>{KINDS})/(?P<ref_id>[^/]+)"
        return [
            (rf"{record}/page-(?P<page>\d+)\.png$", self.page_png),
            (rf"{record}$", self.evidence_page),
            (rf"^{PREFIX}/pdf/(?P<doc_id>[0-9a-f]+)$", self.pdf),
            *search_routes(self.database),
            *diff_routes(self.database),
        ]

    async def _read(self, datasette: Any, fn: Any) -> Any:
        db = datasette.get_database(self.database)
        return await db.execute_fn(lambda conn: fn(reader(conn)))

    async def page_png(self, request: Any, datasette: Any) -> Response:
        args = request.url_vars
        sentence, near = _asked(request)

        def draw(db: sqlite_utils.Database) -> bytes:
            found = find_evidence(db, args["ref_id"], args["kind"], sentence=sentence, page=near)
            if found.pdf is None:
                load_page_lines(db, found, int(args["page"]))
            return render_page(found, int(args["page"]))

        try:
            png = await self._read(datasette, draw)
        except EvidenceError as exc:
            return Response.text(str(exc), status=404)
        return Response(png, content_type="image/png", headers={"cache-control": "max-age=3600"})

    async def evidence_page(self, request: Any, datasette: Any) -> Response:
        args = request.url_vars
        sentence, near = _asked(request)
        try:
            found = await self._read(
                datasette,
                lambda db: find_evidence(db, args["ref_id"], args["kind"], sentence=sentence, page=near),
            )
        except EvidenceError as exc:
            return Response.html(f"<p>{escape(str(exc))}</p>", status=404)
        context = evidence_context(found, self.database, near)
        page = await datasette.render_template("planex_evidence.html", context, request=request)
        return Response.html(page)

    async def pdf(self, request: Any, datasette: Any) -> Response | AsgiFileDownload:
        from extract.use.evidence import pdf_location

        doc_id = request.url_vars["doc_id"]

        def document(db: sqlite_utils.Database) -> dict:
            return next(iter(db.query(f"select * from {store.DOCUMENTS} where id = ?", [doc_id])), {})

        row = await self._read(datasette, document)
        if not row:
            return Response.text(f"no document {doc_id}", status=404)
        path, note = pdf_location(row)
        if path is None:
            return Response.text(note or "the PDF is not available", status=404)
        return AsgiFileDownload(str(path), content_type="application/pdf",
                                headers={"content-disposition": "inline"})  # fmt: skip


def _asked(request: Any) -> tuple[str | None, int | None]:
    """The search hit's sentence and page a request narrows the boxes to, if any."""
    sentence = request.args.get("sentence") or None
    page = request.args.get("page") or ""
    return sentence, int(page) if page.isdigit() else None


def evidence_context(found: Any, database: str, near: int | None = None) -> dict[str, Any]:
    """What ``planex_evidence.html`` shows of an evidence (:class:`extract.use.evidence.Evidence`)."""
    from extract.use.evidence import shown_fields

    query = narrowing(found.sentence, near)
    query = "?" + query if query else ""
    pages = found.pages[:MAX_PAGES] or [found.page()]
    shown = []
    for p in pages:
        boxes = [[b.x0, b.y0, b.x1, b.y1] for b in p.boxes]
        shown.append({
            "page_no": p.page_no, "boxes": p.boxes,
            "src": f"{evidence_url(found.kind, found.ref_id)}/page-{p.page_no}.png{query}",
            "pixel_width": round(p.width * ZOOM), "pixel_height": round(p.height * ZOOM),
            "boxes_json": json.dumps(boxes),
        })  # fmt: skip
    plan = found.plan
    label = " · ".join(str(x) for x in (plan.get("insurer"), plan.get("branch"), plan.get("plan_type"),
                                        plan_years(plan), plan.get("title")) if x)  # fmt: skip
    return {
        "ev": found, "database": database, "table": TABLES[found.kind], "pages": shown,
        "more_pages": max(0, len(found.pages) - MAX_PAGES), "zoom": ZOOM, "plan_label": label,
        "fields": shown_fields(found), "text": found.record.get("raw_text") or found.text,
        "file_name": found.document.get("file_name") or "", "note": found.note,
        "pdf_url": pdf_url(found.document["id"]) if found.pdf is not None else None,
    }  # fmt: skip


@contextmanager
def registered_pages(database: str) -> Iterator[EvidencePlugin]:
    """Register :class:`EvidencePlugin` with Datasette's plugin manager while the block runs."""
    from datasette.plugins import pm

    plugin = EvidencePlugin(database)
    pm.register(plugin, name=plugin.__name__)
    try:
        yield plugin
    finally:
        pm.unregister(plugin)
