"""Figures of fact, not goals: the words that tell a table or a sentence of statistics, history,
projection or rule from one that sets a target.

Plans carry many more numbers than targets: census and trend tables, projections of the population
(推計, 将来人口, パターン), the state of a program (実施状況), sentences of history (…から…に減少した),
rates and amounts a by-law fixes (1件につき50万円とする). A number is a target only where the
document says it aims at it; these words say it does not, unless a goal is named beside them (目標,
めざす, KPI, or a projection chosen as the goal: 戦略人口). Read by the fiscal-year tables
(:mod:`extract.records.target_tables`) and the goal sentences (:mod:`extract.records.kpi_candidates`).
"""

from __future__ import annotations

import re

from extract.structure.headings import squash

# what a table of facts says it is: a trend (推移), a projection (推計, 見込み, 将来), a state (状況, 実績)
STATISTICS = re.compile(r"推移|推計|見込|将来|予測|パターン|状況|実績|趨勢")
GOAL_WORD = re.compile(r"目標|計画値|KPI|ＫＰＩ|戦略人口")  # a projection chosen as the goal names one


def statistics_table(caption: str, header: str) -> bool:
    """Whether a fiscal-year table is one of facts, not targets: its caption (the line right above
    it) names a trend, a projection or a state and no goal, or its header a projection."""
    caption = squash(caption)
    if GOAL_WORD.search(caption) or GOAL_WORD.search(header):
        return False
    return bool(STATISTICS.search(caption)) or bool(re.search(r"推計|見込|将来|予測", header))


# what a table of targets, or the headings above it, says it holds: goals, plan values, KPIs, indicators
_TABLE_GOAL = re.compile(r"目標|計画値|KPI|ＫＰＩ|指標|評価|戦略人口")


def goal_table(text: str) -> bool:
    """Whether a fiscal-year table row, with its section's headings, names what it sets (目標, 評価指標,
    KPI): a table of years under none of them is a table of facts, whatever its numbers."""
    return bool(_TABLE_GOAL.search(text))


# A sentence of fact: what happened or is (…に増加した, …となっています), a projection (推計によると,
# 見込み), a rule (1件につき50万円とする, 条例, を超えることができない, the …ものとする of a by-law or
# of work rules, an article 第N条).
FACT = re.compile(
    r"(した|ました|でした|った|いた|ている|ています|ていた|であった|となっている|となっています|である|です)[。.]?\s*$"
    r"|推計|見込|将来人口|予測|につき|条例|規則|を超えることができない"
    r"|ものとする|ものとします|^\s*第\s*\d+\s*条"
)
STATED_GOAL = re.compile(r"目標|めざ|目指|KPI|ＫＰＩ|戦略人口")
# 国の基本指針に即し、…を60%以上とします: the plan's own goal, set in line with another body's
FOLLOWING = re.compile(r"^\s*(国|県)の[^、。]{0,30}(に即し|に基づ|を踏まえ|に沿|と整合)")


# 委員の定数は15人とする, 保険料率は7.2%とします: a value fixed for a subject (は), no object aimed at (を)
RULE = re.compile(r"^[^を]*は\s*[、,]?[^、。を]{0,20}?\d[\d,.]*\s*\S{0,3}?\s*(とする|とします)[。.]?\s*$")


def fact_sentence(sentence: str) -> bool:
    """A sentence whose figures are facts or rules (its notes in brackets aside), naming no goal."""
    bare = re.sub(r"[(（][^()（）]*[)）]", "", sentence)  # without its notes (実施見込者数：…)
    return bool(FACT.search(bare)) and not STATED_GOAL.search(sentence)


def rule_sentence(sentence: str, section: str) -> bool:
    """A value fixed for a subject (保険料率は7.2%とする) outside a section of goals (目標, KPI): a
    rule. Under a 目標 heading the same words set a goal (受診率は60%とする)."""
    bare = re.sub(r"[(（][^()（）]*[)）]", "", sentence)
    return bool(RULE.search(bare)) and not STATED_GOAL.search(sentence) and not GOAL_WORD.search(section)
