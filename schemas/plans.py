"""Records of the structure stage: a document holds plans, a plan holds a tree of sections."""

from __future__ import annotations

from pydantic import BaseModel, Field

from schemas.kinds import InsurerType, PlanType

__all__ = ["InsurerType", "Plan", "PlanType", "Section"]


class Plan(BaseModel):
    """One plan: a whole PDF, or one branch plan of a compilation (協会けんぽ's 47 branches)."""

    id: str = Field(description="Document id (first 16 hex digits) and the plan's number: `3f2a…-p01`.")
    doc_id: str
    number: int = Field(description="1-based position of the plan in its document.")
    insurer: str | None = Field(description="保険者名 as written, e.g. 全国健康保険協会, ライク健康保険組合.")
    insurer_type: InsurerType
    branch: str | None = Field(description="支部 without the suffix 支部 (北海道, 大分県), if any.")
    plan_type: PlanType
    fiscal_year: int | None = Field(description="The plan year of a single-year plan (令和3年度 → 2021).")
    period_start: int | None = None
    period_end: int | None = None
    title: str = Field(description="The plan's title line(s) as printed.")
    page_start: int
    page_end: int
    garbled_pages: list[int] = Field(default_factory=list, description="Pages flagged garbled, not parsed.")
    ocr_pages: list[int] = Field(default_factory=list, description="Pages without a text layer, read by OCR.")


class Section(BaseModel):
    """A numbered (or otherwise marked) section of a plan, with its body text."""

    id: str
    plan_id: str
    parent_id: str | None
    level: int = Field(description="1 for top-level sections.")
    label: str = Field(description="The numbering mark as written: 第1章, 1.1, （１）, ①, STEP１-１ …")
    heading: str = Field(description="The heading after the label, as written.")
    path: str = Field(description="Labels and headings from the top: `２．戦略的… > ３．ジェネリック…`.")
    page_start: int
    page_end: int
    text: str = Field(description="Normalized body text up to the next section.")
    ocr: bool = Field(False, description="Any of its pages was read by OCR (pages.quality 'ocr').")
