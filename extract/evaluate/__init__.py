"""Evaluate: what the pipeline read (plans, sections, KPIs, programs) and records written by hand
in; precision, recall and the agreement of every field out (used by the tests and ``make bench``).

``match`` (pairing, figures, the report table), ``sections`` (plan metadata and headings against
tests/expected), ``kpis`` (tests/gold), ``programs`` (tests/gold/programs). Nothing in planex
imports it: it reads readings, it is not a stage of them.
"""

from extract.evaluate.kpis import KPI_FIELDS, kpi_gold, kpi_pairs, score_kpis
from extract.evaluate.match import Evaluation, Mismatch, Score, agreement_table, text_key
from extract.evaluate.programs import ISSUE_FIELDS, PROGRAM_FIELDS, ProgramScore, program_gold, score_programs
from extract.evaluate.sections import (
    SECTION_FIELDS,
    expected_parents,
    score_headings,
    score_plans,
    section_gold,
)

__all__ = [
    "ISSUE_FIELDS",
    "KPI_FIELDS",
    "PROGRAM_FIELDS",
    "SECTION_FIELDS",
    "Evaluation",
    "Mismatch",
    "ProgramScore",
    "Score",
    "agreement_table",
    "expected_parents",
    "kpi_gold",
    "kpi_pairs",
    "program_gold",
    "score_headings",
    "score_kpis",
    "score_plans",
    "score_programs",
    "section_gold",
    "text_key",
]  # fmt: skip
