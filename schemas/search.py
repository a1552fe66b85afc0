"""Records of full-text search: one hit is one sentence of one plan."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Hit(BaseModel):
    """A sentence that matches a query, with where it stands and why it matched."""

    insurer: str | None
    branch: str | None
    plan_type: str
    fiscal_year: int | None = Field(description="The plan year of a single-year plan.")
    period_start: int | None = Field(None, description="First year of the plan (period).")
    period_end: int | None = Field(None, description="Last year of the plan (period).")
    section: str | None = Field(description="Path of the section holding the sentence.")
    page: int | None
    kind: str = Field(
        "section",
        description="What the sentence is: a section `heading` or `section` text, a `program`'s name, "
        "purpose, summary, method or action, a `health_issue`, or a `kpi` record's sentence.",
    )
    sentence: str = Field(description="The whole sentence (normalized text).")
    snippet: str = Field(description="The sentence around the match, matches marked 【like this】.")
    marks: list[tuple[int, int]] = Field(
        default_factory=list, description="Matched spans as (start, end) offsets into `sentence`."
    )
    score: float = Field(description="Relevance (bm25, higher is better).")
    plan_id: str
    doc_id: str
    ref_id: str | None = Field(
        None,
        description="The id of the row the sentence stands in: a `sections` row for a heading or section "
        "sentence, else the `programs`, `health_issues` or `kpis` row (planex show --evidence ID).",
    )


class GroupHit(BaseModel):
    """One row of ``--by branch`` / ``--by insurer``: how many hits a group has and its best one."""

    insurer: str | None
    branch: str | None
    hits: int
    plans: int
    sentence: str
    snippet: str
    marks: list[tuple[int, int]] = Field(default_factory=list)
    section: str | None
    page: int | None
    score: float


class Comparison(BaseModel):
    """One plan's section for ``planex compare``: the measure as this plan words it."""

    insurer: str | None
    branch: str | None
    plan_type: str
    fiscal_year: int | None
    period_start: int | None
    period_end: int | None
    plan_id: str
    section: str = Field(description="Path of the matched section (or of the line heading the block).")
    heading: str = Field(description="The matched heading as written, with its numbering.")
    score: float = Field(description="Similarity of the heading to the one asked for (0..1).")
    page_start: int
    page_end: int
    text: str = Field(description="The section's text and its subsections.")
