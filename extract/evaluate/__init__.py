"""(see the next commits)."""

from extract.evaluate.match import (
    Evaluation,
    Score,
    agreement_table,
    expected_parents,
    kpi_gold,
    program_gold,
    score_kpis,
    score_plans,
    score_programs,
    section_gold,
    text_key,
)

__all__ = ["Evaluation", "Score", "agreement_table", "expected_parents", "kpi_gold", "program_gold",
           "score_kpis", "score_plans", "score_programs", "section_gold", "text_key"]  # fmt: skip
