"""Records of ``planex diff``: a plan linked to its previous version, and what changed between them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Relation = Literal["next_year", "revision"]
"""``next_year``: the plan of the same insurer, branch and type for a later year (a 協会けんぽ branch's
事業計画 of 令和4年度 after 令和3年度); ``revision``: a later version of the same plan (the same years,
updated: 令和7年3月更新)."""
SectionChangeKind = Literal["added", "removed", "reworded", "figures"]
"""``reworded``: words of the section's own text (or its heading) changed, were added or dropped;
``figures``: only figures changed (a target raised, the year's counts updated)."""
KpiChangeKind = Literal["added", "removed", "changed"]


class PlanRef(BaseModel):
    """One plan as a comparison names it."""

    id: str
    doc_id: str
    insurer: str | None
    branch: str | None
    plan_type: str
    fiscal_year: int | None
    period_start: int | None
    period_end: int | None
    title: str
    file_name: str | None = None
    revised: str | None = Field(
        None, description="When the plan says it was updated (令和7年3月更新 → 2025-03), if it does."
    )


class PlanLink(BaseModel):
    """A plan and the version before it."""

    old: PlanRef
    new: PlanRef
    relation: Relation


class SectionChange(BaseModel):
    """A section added, removed or changed between two versions of a plan."""

    change: SectionChangeKind
    path: str = Field(description="The section's path in the new plan (in the old one when removed).")
    old_path: str | None = None
    new_path: str | None = None
    old_id: str | None = None
    new_id: str | None = None
    old_text: str | None = None
    new_text: str | None = None
    page: int | None = Field(
        None, description="Its first page in the new plan (in the old one when removed)."
    )


class FieldChange(BaseModel):
    """One field of a KPI that changed: ``target`` (comparator, value, unit), ``target_year`` or
    ``baseline`` (value, year), with the old and the new value and how a reader writes them."""

    field: Literal["target", "target_year", "baseline"]
    old: Any
    new: Any
    old_text: str
    new_text: str


class KpiChange(BaseModel):
    """A KPI added, removed or changed, matched by canonical indicator, population and section."""

    change: KpiChangeKind
    indicator_id: str
    indicator: str
    population_norm: str | None
    section: str = Field(description="Its section's path in the new plan (in the old one when removed).")
    target_year: int | None = None
    old_id: str | None = None
    new_id: str | None = None
    old_target: str | None = Field(None, description="The old target as a reader writes it (95%以上).")
    new_target: str | None = None
    fields: list[FieldChange] = Field(default_factory=list)


class PlanDiff(BaseModel):
    """What changed from one version of a plan to the next."""

    old: PlanRef
    new: PlanRef
    relation: Relation
    sections: list[SectionChange] = Field(default_factory=list)
    kpis: list[KpiChange] = Field(default_factory=list)
