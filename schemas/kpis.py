"""KPI and numeric-target records: what each insurer and branch set, at what value, for which year."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Comparator = Literal[">=", "<=", "=", ">", "<", "yoy>=", "yoy<=", "reduce_by", "increase_by", "do"]
"""``>=`` 以上, ``<=`` 以下, ``=`` a plain value (100％とする, a table cell), ``>`` 超, ``<`` 未満,
``yoy>=`` 対前年度以上, ``yoy<=`` 対前年度以下, ``reduce_by`` …を5％減少させる / 引き下げる,
``increase_by`` …を増加させる / 引き上げる, ``do`` a commitment with no number (…を実施する)."""

KpiKind = Literal["kpi", "output", "outcome", "target"]
"""``kpi`` under a KPI label; ``output`` / ``outcome`` where the document says アウトプット / アウトカム;
otherwise ``target``."""

Population = Literal["被保険者", "被扶養者", "組合員", "全体"]


class Kpi(BaseModel):
    """One KPI or numeric target, with the evidence a user needs to check it."""

    id: str
    doc_id: str
    plan_id: str
    page: int
    section: str = Field(description="Path of the section it stands in.")
    program: str | None = Field(None, description="The 保健事業 it belongs to, when it belongs to one.")
    kind: KpiKind
    indicator: str = Field(description="The measure as written (normalized), without value or label.")
    indicator_id: str = Field("", description="Canonical indicator id (schemas/indicators.toml), or empty.")
    comparator: Comparator
    value: float | None = None
    unit: str = ""
    target_year: int | None = None
    baseline_value: float | None = None
    baseline_year: int | None = None
    actual_value: float | None = Field(None, description="A 実績値 reported beside the target.")
    population: Population | None = None
    raw_text: str = Field(description="The original sentence or table row, as found on the page.")
