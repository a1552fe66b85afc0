"""KPI and numeric-target records: what each insurer and branch set, at what value, for which year."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Comparator = Literal[">=", "<=", "=", ">", "<", "yoy>=", "yoy<=", "reduce_by", "increase_by", "do"]
"""``>=`` 以上, ``<=`` 以下, ``=`` a plain value (100％とする, a table cell), ``>`` 超, ``<`` 未満,
``yoy>=`` 対前年度以上, ``yoy<=`` 対前年度以下, ``reduce_by`` …を5％減少させる / 引き下げる / 2割減らす,
``increase_by`` …を増加させる / 引き上げる, ``do`` a commitment with no number (…を実施する)."""

KpiKind = Literal["kpi", "output", "outcome", "target"]
"""``kpi`` under a KPI label; ``output`` / ``outcome`` where the document says アウトプット / アウトカム;
otherwise ``target``."""

PopulationNorm = Literal["insured", "dependents", "all"]
"""Whom a target counts, named the same way for every insurer: ``insured`` (協会けんぽ's and a 健保組合's
被保険者, a 共済組合's or 国保組合's 組合員, 本人), ``dependents`` (被扶養者, a 国保組合's 家族), ``all``
(both together: 合計, 全体, 被保険者・被扶養者, 組合員及び家族)."""


class KpiSource(BaseModel):
    """One place a target is stated: a plan may state the same target twice (its STEP3 table and
    its STEP4 report, a KPI line and an annex table, a goal sentence and a year column)."""

    page: int
    section: str = Field(description="Path of the section it stands in.")
    raw_text: str = Field(description="The sentence or table row, as found on the page.")


class Kpi(BaseModel):
    """One KPI or numeric target, with the evidence a user needs to check it.

    ``page``, ``section`` and ``raw_text`` are where it is first stated; ``sources`` lists every
    place the plan states it, that one first, so a target stated twice is one record, not two.
    """

    id: str
    doc_id: str
    plan_id: str
    page: int
    section: str = Field(description="Path of the section it stands in.")
    context: str | None = Field(
        None,
        description="The headings above it inside its section, outermost first, joined with ' > ' (a "
        "measure's sub-items: ⅰ）特定健診実施率・事業者健診データ取得率の向上; a table's caption).",
    )
    program: str | None = Field(None, description="The 保健事業 it belongs to, when it belongs to one.")
    kind: KpiKind
    indicator: str = Field(description="The measure as written (normalized), without value or label.")
    indicator_id: str = Field(
        "", description="Canonical indicator id (schemas/indicators.toml and the user's catalogue), or empty."
    )
    indicator_rule: str | None = Field(
        None,
        description="Which rule of the catalogue gave indicator_id: 'text: …' (the indicator's own words), "
        "'program: …' or 'section: …' (a generic word such as 実施率 read in its program or section), "
        "'program name: …' (the program's name alone with a rate); null when unmapped.",
    )
    comparator: Comparator
    value: float | None = None
    unit: str = ""
    target_year: int | None = None
    baseline_value: float | None = None
    baseline_year: int | None = None
    actual_value: float | None = Field(None, description="A 実績値 reported beside the target.")
    total_value: float | None = Field(
        None,
        description="A total over the plan's period stated beside a yearly target, in the same unit "
        "(年5件（計画期間で30件）: value 5, total_value 30).",
    )
    target_text: str | None = Field(
        None,
        description="The target as written when it is no number: a goal of doing something "
        "(comparator 'do': 研修動画を作成し全職員に配信).",
    )
    population: str | None = Field(
        None,
        description="Whom it counts, in the plan's words: 被保険者, 被扶養者, 組合員, 家族, 全体, or several "
        "joined with ・ (被保険者・被扶養者).",
    )
    population_norm: PopulationNorm | None = Field(
        None,
        description="The population normalized across insurers (insured, dependents, all): from population, "
        "or, when the plan does not say, whom the canonical indicator counts.",
    )
    raw_text: str = Field(description="The original sentence or table row, as found on the page.")
    sources: list[KpiSource] = Field(
        default_factory=list, description="Every place the target is stated, the first one first."
    )
    ocr: bool = Field(
        False, description="Read from a page read by OCR (pages.quality 'ocr'): a record to check first."
    )
