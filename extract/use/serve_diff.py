"""``planex serve``'s plan comparisons: ``/-/planex/changes`` lists every plan that has a previous
version (``extract.use.diff.plan_links``) and ``/-/planex/changes/{old}/{new}`` shows what changed
between two plans — sections added, removed, reworded or with figures changed (the words that
differ marked), KPIs added, removed or changed — each linked to its evidence on the page."""

from __future__ import annotations

import difflib
from typing import Any
from urllib.parse import quote

from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from extract.use.serve_links import PREFIX, evidence_url, plan_years, reader


def changes_url(old_id: str, new_id: str) -> str:
    return f"{PREFIX}/changes/{quote(old_id, safe='')}/{quote(new_id, safe='')}"


def _marked_pair(old: str, new: str) -> tuple[Markup, Markup]:
    """Two lines with what the other lacks marked: ``<del>`` in the old, ``<ins>`` in the new."""
    before, after = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            before.append(escape(old[i1:i2]))
            after.append(escape(new[j1:j2]))
            continue
        if i2 > i1:
            before.append(Markup("<del>") + escape(old[i1:i2]) + Markup("</del>"))
        if j2 > j1:
            after.append(Markup("<ins>") + escape(new[j1:j2]) + Markup("</ins>"))
    return Markup("").join(before), Markup("").join(after)


def marked_changes(old: str | None, new: str | None) -> tuple[Markup, Markup]:
    """The lines of two versions of a text that differ, what changed marked (``<del>``, ``<ins>``),
    the lines both hold left out (``…``); every character escaped."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    before: list[Markup] = []
    after: list[Markup] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            if before or after:
                before.append(Markup("…"))
                after.append(Markup("…"))
            continue
        pairs = list(zip(a[i1:i2], b[j1:j2], strict=False))
        for x, y in pairs:
            mx, my = _marked_pair(x, y)
            before.append(mx)
            after.append(my)
        before += [Markup("<del>") + escape(x) + Markup("</del>") for x in a[i1 + len(pairs) : i2]]
        after += [Markup("<ins>") + escape(y) + Markup("</ins>") for y in b[j1 + len(pairs) : j2]]
    while before and before[-1] == "…" and after and after[-1] == "…":
        before.pop()
        after.pop()
    return Markup("<br>").join(before), Markup("<br>").join(after)


def _who(plan: Any) -> str:
    return " ".join(x for x in (plan.insurer, plan.branch) if x)


def _years(plan: Any) -> str:
    return plan_years(plan.model_dump()) + (f" (updated {plan.revised})" if plan.revised else "")


def diff_context(d: Any) -> dict[str, Any]:
    """What ``planex_diff.html`` shows of one :class:`schemas.diff.PlanDiff`."""
    sections = []
    for s in d.sections:
        old, new = marked_changes(s.old_text, s.new_text)
        ref = s.new_id or s.old_id
        sections.append({"change": s.change, "path": s.path, "old": old, "new": new, "page": s.page,
                         "evidence": evidence_url("section", ref) if ref else None})  # fmt: skip
    kpis = []
    for k in d.kpis:
        what = [(f.field, f.old_text, f.new_text) for f in k.fields]
        what = what or [(k.change, k.old_target, k.new_target)]
        kpis.append({
            "change": k.change, "indicator": k.indicator_id or k.indicator,
            "population": k.population_norm or "",
            "year": k.target_year or "", "section": k.section,
            "old": "; ".join(f"{name}: {old}" for name, old, _ in what if old),
            "new": "; ".join(f"{name}: {new}" for name, _, new in what if new),
            "old_url": evidence_url("kpi", k.old_id) if k.old_id else None,
            "new_url": evidence_url("kpi", k.new_id) if k.new_id else None,
        })  # fmt: skip
    return {"who": " ".join(x for x in (_who(d.new), d.new.plan_type) if x),
            "years": f"{_years(d.old)} → {_years(d.new)}", "relation": d.relation.replace("_", " "),
            "old_id": d.old.id, "new_id": d.new.id, "section_rows": sections, "kpi_rows": kpis}  # fmt: skip


def diff_routes(database: str) -> list[tuple[str, Any]]:
    """The routes of the comparisons, for ``EvidencePlugin.register_routes``."""
    from extract.use.diff import DiffError, diff_plans, linked_diffs

    async def render(request: Any, datasette: Any, context: dict[str, Any]) -> Response:
        context = {"database": database, "list_url": f"{PREFIX}/changes", **context}
        return Response.html(await datasette.render_template("planex_diff.html", context, request=request))

    async def list_view(request: Any, datasette: Any) -> Response:
        diffs = await datasette.get_database(database).execute_fn(lambda conn: linked_diffs(reader(conn)))
        rows = [{"who": _who(d.new), "plan_type": d.new.plan_type,
                 "years": f"{_years(d.old)} → {_years(d.new)}", "relation": d.relation.replace("_", " "),
                 "sections": len(d.sections), "kpis": len(d.kpis),
                 "url": changes_url(d.old.id, d.new.id)} for d in diffs]  # fmt: skip
        return await render(request, datasette, {"diffs": rows, "diff": None})

    async def diff_view(request: Any, datasette: Any) -> Response:
        old, new = request.url_vars["old"], request.url_vars["new"]
        try:
            d = await datasette.get_database(database).execute_fn(
                lambda conn: diff_plans(reader(conn), old, new)
            )
        except DiffError as exc:
            return Response.html(f"<p>{escape(str(exc))}</p>", status=404)
        context = diff_context(d)
        context["old_url"] = datasette.urls.row(database, "plans", d.old.id)
        context["new_url"] = datasette.urls.row(database, "plans", d.new.id)
        return await render(request, datasette, {"diff": context})

    return [(rf"^{PREFIX}/changes$", list_view),
            (rf"^{PREFIX}/changes/(?P<old>[^/]+)/(?P<new>[^/]+)$", diff_view)]  # fmt: skip
