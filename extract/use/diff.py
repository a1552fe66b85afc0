"""A plan against its previous version: which plans are versions of one another, and what changed.

Every spring a 協会けんぽ branch publishes its 事業計画 for the new year, and data-health plans are
updated mid-term (令和7年3月更新): in the database two versions are two plans. :func:`plan_links`
links each plan to the one before it — the same insurer, branch and plan type, an earlier year
(``next_year``) or the same years in an earlier version (``revision``: the later one says when it
was updated; plans of the same years that state no other update are one version printed twice,
and the copy most like its neighbour version stands for them) — and :func:`diff_plans` compares two of them:

- **sections** (headed ones: the cover and title before the first heading change with every
  version and are not compared) are the same section when their heading and those above it are
  the same without numbering (a section renumbered because one before it was dropped is
  unchanged); failing that, a heading reworded under the same parent is the same section.
  Each is ``added``, ``removed``, ``reworded`` (words of its own text or heading changed) or
  ``figures`` (only figures changed) — or unchanged, and not listed;
- **KPIs** are the same KPI when their indicator (canonical id, else as written), population and
  section (as matched) are, and among several the one for the same target year; a KPI is
  ``added``, ``removed`` or ``changed`` in its target (comparator, value, unit), target year or
  baseline. A single-year plan's target year is the plan's year: moving with the plan is no change.

``planex diff``, ``planex serve`` (``extract.use.serve_diff``) and the workbook's changes sheet
show the result; tests/gold/revisions holds what a reader expects of the corpus's revisions.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from extract import store
from extract.use.export import target_text
from schemas.diff import FieldChange, KpiChange, PlanDiff, PlanLink, PlanRef, SectionChange

RENAMED = 0.75
"""How alike two headings under the same parent must be (``extract.use.compare.similarity``) for a
section whose heading was reworded to be the same section, not one removed and one added."""
ERAS = {"令和": 2018, "平成": 1988}
_REVISED = re.compile(
    r"(令和|平成)\s*(\d+|元)\s*年\s*(\d+)\s*月\s*(?:\d+\s*日\s*)?(?:更新|改訂|改定|変更|見直し)"
)
_FIGURE = re.compile(r"\d[\d,.]*")
_PLAN_YEAR = "plan year"
"""What a single-year plan's KPI's target year is compared as when it is the plan's own year."""


class DiffError(LookupError):
    """No such plan, or two plans that are not versions of one plan; the message says which."""


def squash(text: str | None) -> str:
    return "".join((text or "").split())


def revised(text: str) -> str | None:
    """When a plan says it was updated (令和7年3月更新 → ``2025-03``), from its title or first page."""
    m = _REVISED.search(text)
    if not m:
        return None
    era, year, month = m.group(1), m.group(2), int(m.group(3))
    return f"{ERAS[era] + (1 if year == '元' else int(year)):04d}-{month:02d}"


def _plan_refs(db: sqlite_utils.Database) -> list[PlanRef]:
    rows = db.query(
        f"""select p.*, d.file_name, d.rowid as doc_order, (select text from {store.PAGES} g
            where g.doc_id = p.doc_id and g.page_no = p.page_start) as first_page
        from {store.PLANS} p join {store.DOCUMENTS} d on d.id = p.doc_id
        order by d.rowid, p.number"""
    )
    refs = []
    for row in rows:
        mark = revised(squash(row["title"])) or revised(squash(row["first_page"]))
        fields = {k: row[k] for k in PlanRef.model_fields if k in row}
        refs.append(PlanRef(**{**fields, "title": row["title"] or "", "revised": mark}))
    return refs


def _years(plan: PlanRef) -> tuple[int, int]:
    start = plan.fiscal_year or plan.period_start or 0
    return start, plan.period_end or start


def plan_links(db: sqlite_utils.Database) -> list[PlanLink]:
    """Every plan linked to the version before it (see the module's docstring), oldest first."""
    groups: dict[tuple, list[tuple[int, PlanRef]]] = {}
    for order, plan in enumerate(_plan_refs(db)):
        if plan.plan_type == "other" or not (plan.insurer or plan.branch):
            continue
        groups.setdefault((plan.insurer, plan.branch, plan.plan_type), []).append((order, plan))
    links = []
    for members in groups.values():
        members.sort(key=lambda m: (*_years(m[1]), m[1].revised or "", m[0]))
        versions = _one_per_version(db, [plan for _, plan in members])
        for old, new in itertools.pairwise(versions):
            relation = "revision" if _years(old) == _years(new) else "next_year"
            links.append(PlanLink(old=old, new=new, relation=relation))
    return sorted(links, key=lambda link: (link.new.insurer or "", link.new.branch or "", _years(link.new)))


def _one_per_version(db: sqlite_utils.Database, plans: list[PlanRef]) -> list[PlanRef]:
    """One plan per version, in order. Plans of the same years that state the same update (or
    none) are one version printed twice — a branch's plan in the 47-branch compilation and in
    its own PDF, a plan set again in another layout — not revisions of each other. The copy
    whose headings are most like the next version's (the previous one's for the last version;
    then the first by file name) stands for them: the version that plan was written from."""
    runs: list[list[PlanRef]] = []
    for plan in plans:
        if runs and (_years(runs[-1][0]), runs[-1][0].revised) == (_years(plan), plan.revised):
            runs[-1].append(plan)
        else:
            runs.append([plan])
    versions: list[PlanRef] = []
    for i, run in enumerate(runs):
        run = sorted(run, key=lambda p: (p.file_name or "", p.id))
        neighbour = runs[i + 1][0] if i + 1 < len(runs) else (versions[-1] if versions else None)
        if len(run) > 1 and neighbour is not None:
            near = {s["key"] for s in _sections(db, neighbour.id)}
            run.sort(key=lambda p: -len(near & {s["key"] for s in _sections(db, p.id)}))
        versions.append(run[0])
    return versions


def _sections(db: sqlite_utils.Database, plan_id: str) -> list[dict[str, Any]]:
    """A plan's sections in reading order, each with ``key``: its heading and those above it,
    without numbering."""
    from extract.use.compare import heading_key

    rows = list(db.query(f"select * from {store.SECTIONS} where plan_id = ? order by rowid", [plan_id]))
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        parent = by_id.get(r["parent_id"] or "")
        r["key"] = (*(parent["key"] if parent else ()), heading_key(r["heading"] or r["label"] or ""))
    return [r for r in rows if r["level"]]


def _match_sections(old: list[dict], new: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """Pairs (old, new) of the same section; ``None`` on the side where it is missing."""
    from extract.use.compare import similarity

    waiting: dict[tuple, list[dict]] = {}
    for s in old:
        waiting.setdefault(s["key"], []).append(s)
    pairs: list[tuple[dict | None, dict | None]] = []
    unmatched_new = []
    for s in new:
        if waiting.get(s["key"]):
            pairs.append((waiting[s["key"]].pop(0), s))
        else:
            unmatched_new.append(s)
    left = [s for s in old if any(s is w for group in waiting.values() for w in group)]
    moved = {o["key"]: n["key"] for o, n in pairs if o and n}  # an old section's key in the new plan
    for s in unmatched_new:
        candidates = [o for o in left if moved.get(o["key"][:-1], o["key"][:-1]) == s["key"][:-1]]
        best = max(candidates, key=lambda o: similarity(o["key"][-1], s["key"][-1]), default=None)
        if best is not None and similarity(best["key"][-1], s["key"][-1]) >= RENAMED:
            left.remove(best)
            pairs.append((best, s))
        else:
            pairs.append((None, s))
    pairs += [(s, None) for s in left]
    return pairs


def _in_reading_order(pairs: list[tuple], old: list[dict], new: list[dict]) -> list[tuple]:
    """Section pairs in the new plan's reading order, a removed section after the section that
    came before it in the old plan."""
    where_new = {id(s): n for n, s in enumerate(new)}
    partner = {id(o): where_new[id(n)] for o, n in pairs if o is not None and n is not None}
    after: dict[int, float] = {}
    last = -1.0
    for k, s in enumerate(old):
        if id(s) in partner:
            last = partner[id(s)]
        else:
            after[id(s)] = last + 0.5 + k * 1e-6

    def key(pair: tuple) -> float:
        o, n = pair
        return where_new[id(n)] if n is not None else after.get(id(o), -1.0)

    return sorted(pairs, key=key)


def _section_change(old: dict | None, new: dict | None) -> SectionChange | None:
    if old is None or new is None:
        s = new or old
        assert s is not None
        return SectionChange(
            change="added" if old is None else "removed", path=_path(s), page=s["page_start"],
            old_path=_path(old) if old else None, new_path=_path(new) if new else None,
            old_id=old and old["id"], new_id=new and new["id"], old_text=old and old["text"],
            new_text=new and new["text"],
        )  # fmt: skip
    before, after = squash(old["text"]), squash(new["text"])
    same_heading = old["key"][-1] == new["key"][-1]
    if before == after and same_heading:
        return None
    figures = same_heading and _FIGURE.sub("#", before) == _FIGURE.sub("#", after)
    return SectionChange(
        change="figures" if figures else "reworded", path=_path(new), old_path=_path(old),
        new_path=_path(new), old_id=old["id"], new_id=new["id"], old_text=old["text"],
        new_text=new["text"], page=new["page_start"],
    )  # fmt: skip


def _path(section: dict) -> str:
    return " ".join((section["path"] or "").split())


def _kpis(db: sqlite_utils.Database, plan: PlanRef) -> list[dict[str, Any]]:
    return list(db.query(f"select * from {store.KPIS} where plan_id = ? order by page, rowid", [plan.id]))


def _target(kpi: dict) -> dict[str, Any]:
    return {"comparator": kpi["comparator"], "value": kpi["value"], "unit": kpi["unit"] or ""}


def _year(kpi: dict, plan: PlanRef) -> int | str | None:
    if plan.fiscal_year and kpi["target_year"] == plan.fiscal_year:
        return _PLAN_YEAR
    return kpi["target_year"]


def _kpi_changes(
    old_plan: PlanRef, new_plan: PlanRef, old: list[dict], new: list[dict], section_pairs: list[tuple]
) -> list[KpiChange]:
    """KPIs added, removed and changed, matched by indicator, population, section and year."""
    match: dict[tuple[str, str], int] = {}
    for n, (o, s) in enumerate(section_pairs):
        if o:
            match[("old", _path(o))] = n
        if s:
            match[("new", _path(s))] = n
    paths = {n: _path(s or o) for n, (o, s) in enumerate(section_pairs)}

    def key(kpi: dict, side: str) -> tuple:
        section = " ".join((kpi["section"] or "").split())
        where = match.get((side, section), f"{side}:{section}")
        return (kpi["indicator_id"] or "text:" + squash(kpi["indicator"]), kpi["population_norm"], where)

    groups: dict[tuple, tuple[list[dict], list[dict]]] = {}
    for kpi in old:
        groups.setdefault(key(kpi, "old"), ([], []))[0].append(kpi)
    for kpi in new:
        groups.setdefault(key(kpi, "new"), ([], []))[1].append(kpi)
    changes: list[tuple[tuple, KpiChange]] = []
    for group_key, (olds, news) in groups.items():
        where = group_key[2]
        section = paths.get(where) if isinstance(where, int) else str(where).split(":", 1)[1]
        pairs = []
        for o in list(olds):  # the same target year first, then in order
            twin = next((k for k in news if _year(k, new_plan) == _year(o, old_plan)), None)
            if twin is not None:
                pairs.append((o, twin))
                olds.remove(o)
                news.remove(twin)
        pairs += list(zip(olds, news, strict=False))
        pairs += [(o, None) for o in olds[len(news):]] + [(None, k) for k in news[len(olds):]]
        for o, k in pairs:
            change = _kpi_change(o, k, old_plan, new_plan, section or "")
            if change is not None:
                at = where if isinstance(where, int) else len(section_pairs)
                changes.append(((at, (k or o)["page"] or 0, (k or o)["id"]), change))
    return [change for _, change in sorted(changes, key=lambda c: c[0])]


def _kpi_change(
    old: dict | None, new: dict | None, old_plan: PlanRef, new_plan: PlanRef, section: str
) -> KpiChange | None:
    k = new or old
    assert k is not None
    base = {"indicator_id": k["indicator_id"] or "", "indicator": k["indicator"] or "",
            "population_norm": k["population_norm"], "section": section, "target_year": k["target_year"],
            "old_id": old and old["id"], "new_id": new and new["id"],
            "old_target": old and target_text(old), "new_target": new and target_text(new)}  # fmt: skip
    if old is None or new is None:
        return KpiChange(change="added" if old is None else "removed", **base)
    fields = []
    if _target(old) != _target(new):
        fields.append(FieldChange(field="target", old=_target(old), new=_target(new),
                                  old_text=target_text(old), new_text=target_text(new)))  # fmt: skip
    if _year(old, old_plan) != _year(new, new_plan):
        fields.append(FieldChange(field="target_year", old=old["target_year"], new=new["target_year"],
                                  old_text=str(old["target_year"] or ""),
                                  new_text=str(new["target_year"] or "")))  # fmt: skip
    before = {"value": old["baseline_value"], "year": old["baseline_year"]}
    after = {"value": new["baseline_value"], "year": new["baseline_year"]}
    if before != after:
        fields.append(FieldChange(field="baseline", old=before, new=after, old_text=_baseline_text(before),
                                  new_text=_baseline_text(after)))  # fmt: skip
    return KpiChange(change="changed", fields=fields, **base) if fields else None


def _baseline_text(baseline: dict) -> str:
    if baseline["value"] is None:
        return ""
    return f"{baseline['value']:g}" + (f" ({baseline['year']})" if baseline["year"] else "")


def find_plan(db: sqlite_utils.Database, plan_id: str) -> PlanRef:
    for plan in _plan_refs(db):
        if plan.id == plan_id:
            return plan
    raise DiffError(f"no plan '{plan_id}' (see: planex plans --db FILE)")


def diff_plans(
    db: sqlite_utils.Database, old: PlanRef | str, new: PlanRef | str, relation: str | None = None
) -> PlanDiff:
    """What changed from plan ``old`` to plan ``new`` (ids or :class:`PlanRef`)."""
    old = find_plan(db, old) if isinstance(old, str) else old
    new = find_plan(db, new) if isinstance(new, str) else new
    if relation is None:
        relation = "revision" if _years(old) == _years(new) else "next_year"
    old_sections, new_sections = _sections(db, old.id), _sections(db, new.id)
    pairs = _in_reading_order(_match_sections(old_sections, new_sections), old_sections, new_sections)
    sections = [c for o, n in pairs if (c := _section_change(o, n)) is not None]
    kpis = _kpi_changes(old, new, _kpis(db, old), _kpis(db, new), pairs)
    return PlanDiff(old=old, new=new, relation=relation, sections=sections, kpis=kpis)  # type: ignore[arg-type]


def linked_diffs(db: sqlite_utils.Database, links: Iterable[PlanLink] | None = None) -> list[PlanDiff]:
    """The diff of every linked pair of plans (all of the database's by default)."""
    chosen = plan_links(db) if links is None else links
    return [diff_plans(db, link.old, link.new, link.relation) for link in chosen]


CHANGE_COLUMNS = ("insurer", "branch", "plan_type", "old_plan", "new_plan", "old_year", "new_year",
                  "relation", "what", "change", "section", "indicator_id", "indicator", "population_norm",
                  "target_year", "field", "old", "new", "page")  # fmt: skip
"""The columns of the workbook's changes sheet (one row per section or KPI change, per changed
field of a KPI)."""


def change_records(diffs: Iterable[PlanDiff]) -> list[dict[str, Any]]:
    """Every change of ``diffs`` as a flat row (:data:`CHANGE_COLUMNS`), for a sheet or a CSV."""
    rows = []
    for d in diffs:
        plan = {"insurer": d.new.insurer, "branch": d.new.branch, "plan_type": d.new.plan_type,
                "old_plan": d.old.id, "new_plan": d.new.id, "old_year": _years(d.old)[0] or None,
                "new_year": _years(d.new)[0] or None, "relation": d.relation}  # fmt: skip
        for s in d.sections:
            rows.append({**plan, "what": "section", "change": s.change, "section": s.path, "page": s.page,
                         "old": s.old_text, "new": s.new_text})  # fmt: skip
        for k in d.kpis:
            kpi = {**plan, "what": "kpi", "change": k.change, "section": k.section,
                   "indicator_id": k.indicator_id, "indicator": k.indicator,
                   "population_norm": k.population_norm, "target_year": k.target_year}  # fmt: skip
            if not k.fields:
                rows.append({**kpi, "field": "target", "old": k.old_target, "new": k.new_target})
            for f in k.fields:
                rows.append({**kpi, "field": f.field, "old": f.old_text, "new": f.new_text})
    return [{c: row.get(c) for c in CHANGE_COLUMNS} for row in rows]
