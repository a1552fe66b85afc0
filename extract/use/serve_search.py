"""``planex serve``'s search page, ``/-/planex/search``: what an analyst expects of one.

One box for the query (planex's query language: ``extract.use.query``), filters for insurer,
branch, plan type, fiscal year and kind, each with the number of hits it keeps (facets), the
hits best first with the query's words marked in their sentence, and a link from each hit to
its evidence (``extract.use.serve_evidence``). No SQL on the page: the same search as a canned
query is one click away for who asks.

The hits are :func:`extract.use.search.search`'s and the counts
:func:`extract.use.search.search_by`'s (a sentence a record repeats from its section counted
once, except under a kind filter): the page takes the search's own paths at their speed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import sqlite_utils
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from extract import store
from extract.use.evidence import KIND_OF_HIT
from extract.use.serve_links import PREFIX, evidence_url, plan_years, reader

FILTERS = (("insurer", "insurer"), ("branch", "branch"), ("plan_type", "plan type"), ("year", "fiscal year"),
           ("kind", "kind"))  # fmt: skip
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass
class SearchPage:
    """What the search page shows: the form's choices, and for a query its hits and facets."""

    options: dict[str, list[tuple[str, str]]]
    hits: list[dict[str, Any]] | None = None
    total: int = 0
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    error: str | None = None


def marked(sentence: str, marks: list[tuple[int, int]]) -> Markup:
    """The sentence with its matched spans in ``<mark>``, every character escaped."""
    out, at = [], 0
    for start, end in sorted(marks):
        if start < at:
            continue
        out += [escape(sentence[at:start]), Markup("<mark>"), escape(sentence[start:end]), Markup("</mark>")]
        at = end
    out.append(escape(sentence[at:]))
    return Markup("").join(out)


def filter_options(db: sqlite_utils.Database) -> dict[str, list[tuple[str, str]]]:
    """The values each filter can take in this database (value, shown text)."""
    from extract.use.search import SENTENCE_KINDS

    def distinct(column: str) -> list[str]:
        sql = f"select distinct {column} from {store.PLANS} where {column} is not null order by 1"
        return [str(r[0]) for r in db.execute(sql)]

    years = {r[0] for r in db.execute(f"select fiscal_year from {store.PLANS} where fiscal_year is not null")}
    for start, end in db.execute(
        f"select period_start, period_end from {store.PLANS} where period_start is not null"
    ):
        years.update(range(start, (end or start) + 1))
    return {
        "insurer": [(v, v) for v in distinct("insurer")],
        "branch": [(v, v) for v in distinct("branch")],
        "plan_type": [(v, v) for v in distinct("plan_type")],
        "year": [(str(y), str(y)) for y in sorted(years)],
        "kind": [(k, k.replace("_", " ")) for k in SENTENCE_KINDS],
    }


def _as_filters(chosen: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {k: v for k, v in chosen.items() if v}
    if "year" in out:
        out["year"] = int(out["year"])
    return out


def run_search(db: sqlite_utils.Database, q: str, chosen: dict[str, str], limit: int) -> SearchPage:
    """The page for query ``q`` under the filters ``chosen`` (name → value, empty for all)."""
    from extract.use.search import SearchError, search, search_by

    page = SearchPage(filter_options(db))
    if not q.strip():
        return page
    filters = _as_filters(chosen)
    try:
        hits = search(db, q, limit=limit, **filters)
        page.total = sum(g.hits for g in search_by(db, q, by="insurer", **filters))
        for name, _ in FILTERS:
            rest = {k: v for k, v in filters.items() if k != name}
            counts: dict[str, int] = {}
            if name in ("insurer", "branch"):
                for g in search_by(db, q, by=name, **rest):
                    key = g.insurer if name == "insurer" else g.branch
                    if key:
                        counts[key] = counts.get(key, 0) + g.hits
            else:
                for value, _text in page.options[name]:
                    one = {**rest, name: int(value) if name == "year" else value}
                    n = sum(g.hits for g in search_by(db, q, by="insurer", **one))
                    if n:
                        counts[value] = n
            page.facets[name] = counts
    except SearchError as exc:
        page.error = str(exc)
        return page
    page.total = max(page.total, len(hits))
    page.hits = [_hit(h) for h in hits]
    return page


def _hit(hit: Any) -> dict[str, Any]:
    years = plan_years(hit.model_dump())
    where = " · ".join(str(x) for x in (hit.insurer, hit.branch, hit.plan_type, years, f"p.{hit.page}",
                                        hit.kind.replace("_", " ")) if x)  # fmt: skip
    kind = KIND_OF_HIT.get(hit.kind, hit.kind)
    sentence = None if kind == "kpi" else hit.sentence
    return {
        "where": where, "section": hit.section, "page": hit.page, "kind": hit.kind,
        "sentence": marked(hit.sentence, hit.marks),
        "evidence": evidence_url(kind, hit.ref_id, sentence, hit.page) if hit.ref_id else None,
    }  # fmt: skip


def search_context(page: SearchPage, q: str, chosen: dict[str, str], limit: int, database: str) -> dict:
    """The template's context: the form, the facets (each value a link that sets or clears it)."""
    base = f"{PREFIX}/search"

    def url(**changes: str) -> str:
        params = {"q": q, **chosen, **changes}
        return base + "?" + urlencode({k: v for k, v in params.items() if v})

    filters = []
    facets = []
    for name, label in FILTERS:
        counts = page.facets.get(name, {})
        options = [(v, f"{t} ({counts[v]})" if v in counts else t) for v, t in page.options[name]]
        if page.hits is not None and name != "insurer":
            options = [o for o in options if o[0] in counts or o[0] == chosen.get(name)]
        filters.append({"name": name, "label": label, "value": chosen.get(name, ""), "options": options})
        if page.hits is None:
            continue
        texts = dict(page.options[name])
        items = [
            {"text": texts.get(v, v), "count": n, "selected": chosen.get(name) == v,
             "url": url(**{name: "" if chosen.get(name) == v else v})}
            for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]  # fmt: skip
        facets.append({"name": name, "label": label, "items": items})
    shown = len(page.hits or [])
    more = None
    if page.hits and shown < page.total and limit < MAX_LIMIT:
        more = url(limit=str(min(MAX_LIMIT, limit * 2)))
    canned = {"q": q, "kind": chosen.get("kind", ""), "branch": chosen.get("branch", "")}
    return {
        "database": database, "action": base, "q": q, "filters": filters, "facets": facets,
        "hits": page.hits, "total": page.total, "error": page.error, "more_url": more,
        "sql_url": f"/{database}/search?" + urlencode({k: v for k, v in canned.items() if v}),
    }  # fmt: skip


def search_routes(database: str) -> list[tuple[str, Any]]:
    """The search page's route, for ``EvidencePlugin.register_routes``."""

    async def search_view(request: Any, datasette: Any) -> Response:
        q = request.args.get("q", "") or ""
        chosen = {name: (request.args.get(name) or "").strip() for name, _ in FILTERS}
        try:
            limit = max(1, min(MAX_LIMIT, int(request.args.get("limit") or DEFAULT_LIMIT)))
        except ValueError:
            limit = DEFAULT_LIMIT
        db = datasette.get_database(database)
        page = await db.execute_fn(
            lambda conn: run_search(reader(conn), q, chosen, limit)
        )
        context = search_context(page, q, chosen, limit, database)
        return Response.html(await datasette.render_template("planex_search.html", context, request=request))

    return [(rf"^{PREFIX}/search$", search_view)]
