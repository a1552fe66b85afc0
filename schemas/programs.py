"""Program (保健事業) and health-issue (健康課題) records: what an insurer does, for whom, and why."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ProgramSource = Literal["step_report", "step_table", "chapter", "measure", "method"]
"""How the program was read:

- ``step_report``: a STEP4 事業報告 form of the 健保組合 data-health template (its 目的 and 概要
  come from the STEP3 plan table's row);
- ``step_table``: a row of the STEP3 plan table, for a plan published without STEP4 reports;
- ``chapter``: a numbered chapter with 目的 / 実施内容 parts (第1 …);
- ``measure``: a numbered measure of a business plan with its ○ / ・ actions (協会けんぽ);
- ``method``: a …の実施方法 section (特定健康診査等実施計画).
"""


class Program(BaseModel):
    """One 保健事業 with the evidence a user needs to check it."""

    id: str
    doc_id: str
    plan_id: str
    number: int = Field(description="1-based position of the program in its plan.")
    source: ProgramSource
    section: str = Field(description="Path of the section it stands in (or is).")
    page_start: int
    page_end: int
    name: str = Field(description="事業名 / the measure's heading, as written (normalized).")
    category: str | None = Field(None, description="事業分類 or 予算科目, or the field a measure belongs to.")
    new: bool | None = Field(None, description="新規 → true, 既存 → false, not stated → null.")
    key_program: bool | None = Field(None, description="Marked 重点 or ★ by the document.")
    purpose: str | None = Field(None, description="目的, as written.")
    summary: str | None = Field(None, description="概要 / 実施内容, as written.")
    population: str | None = Field(None, description="対象者 (資格), e.g. 被保険者, 被扶養者, 加入者全員.")
    sex: Literal["男女", "男性", "女性"] | None = Field(None, description="性別 of the target population.")
    age_from: int | None = Field(None, description="Youngest age targeted (年齢 40〜74 → 40).")
    age_to: int | None = Field(None, description="Oldest age targeted (年齢 40〜74 → 74).")
    sites: str | None = Field(None, description="対象事業所, e.g. 全て.")
    budget_thousand_yen: float | None = Field(None, description="予算額 in thousand yen (千円); '-' → null.")
    settled_thousand_yen: float | None = Field(
        None, description="決算額 in thousand yen, where a report gives the actual (実績) beside the plan."
    )
    method: str | None = Field(None, description="実施方法, as written.")
    structure: str | None = Field(None, description="実施体制 / 実施機関, as written.")
    actions: list[str] = Field(default_factory=list, description="The ○ / ・ actions of a measure, one each.")
    evaluation: str | None = Field(None, description="評価 (e.g. ３．60%以上).")
    status: str | None = Field(None, description="実施状況・時期 / これまでの実施状況.")
    success_factors: str | None = Field(None, description="成功・推進要因.")
    obstacles: str | None = Field(None, description="課題及び阻害要因 / 課題と見直しの方向性.")
    kpi_ids: list[str] = Field(default_factory=list, description="KPI / target records of this program.")
    raw_text: str = Field(description="The program's text as found on its pages (its evidence).")
    ocr: bool = Field(
        False, description="Any of its pages was read by OCR (pages.quality 'ocr'): check it first."
    )


class HealthIssue(BaseModel):
    """One 健康課題 as the plan states it, with the direction of measures and the programs it leads to."""

    id: str
    doc_id: str
    plan_id: str
    number: int = Field(description="Its number in the plan's list or table (1-based).")
    page: int
    section: str
    issue: str = Field(description="The health issue as written (健康課題).")
    direction: str | None = Field(None, description="対策の方向性 as written.")
    priority: bool | None = Field(None, description="優先すべき課題 / 重点, where the document marks it.")
    programs: list[str] = Field(default_factory=list, description="Names of the programs it links to.")
    program_ids: list[str] = Field(default_factory=list, description="Ids of those programs, where found.")
    raw_text: str = Field(description="The row or lines as found on the page.")
    ocr: bool = Field(
        False, description="Read from a page read by OCR (pages.quality 'ocr'): a record to check first."
    )
