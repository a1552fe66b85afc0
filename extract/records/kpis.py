"""KPIs and numeric targets: regexes find the candidates, GiNZA reads the hard ones.

Plans state targets in five shapes; ``extract.records.kpi_candidates`` finds where they stand,
this module assembles the records (:func:`plan_kpis`; sentences are read by
``extract.records.targets``, fiscal-year tables by ``extract.records.target_tables``, goal tables
by ``extract.records.goal_tables``). A number is a target only where the document says it aims at
it: tables and sentences of fact -- trends, projections, states, rules -- set none
(``extract.records.facts``), and no year is filled in where none is stated (a single-year plan's
year, or the plan's last year for a goal set for the plan's end):

- **KPI lines** (協会けんぽ): ``■ KPI：①…を 100％とする`` followed by parts ②③ (or Ⅰ.Ⅱ., ア.イ.,
  (ⅰ)(ⅱ), a （内訳） list), sentences broken across lines, spaces inside numbers. One record a part.
- **Goal sentences** outside KPI labels: ``受診率を70%、実施率30%を2023年度までに達成する`` (two
  targets), ``…を5%減少させる``, ``支部目標:特定健診受診率 90%以上``.
- **Target tables**: indicator rows × fiscal-year columns, with a baseline column (直近値, 現状値):
  one record per indicator and year, rebuilt from the lines' positions on the page.
- **Goal tables** of municipal plans: ``指標 | 現状値（令和4年度） | 目標値（令和11年度） [| 目標年度]``,
  text cells (``年5件（計画期間で30件）``, ``増加``, ``現状維持``, a qualitative goal), and box lines
  ``指標：62.4％（令和4年度）→ 66％以上（令和14年度）``.
- **The STEP template** of health-insurance societies: ``実施率(【実績値】- 【目標値】令和2年度:10%)``
  and ``【計画値/実績値】令和2年度:90%/57.6%``.

A sentence's value, unit, comparator and year come from regexes; its indicator is the noun phrase
marked by を / について. Where a simple reading is ambiguous (several を, a commitment without a
number), GiNZA's dependency parse decides (``extract.records.ginza``).
"""

from __future__ import annotations

import bisect
import re

from extract.read.normalize import normalize_text
from extract.records.breakdowns import breakdown_parts
from extract.records.facts import goal_table, rule_sentence
from extract.records.goal_tables import arrow_records, goal_table_records
from extract.records.kpi_candidates import (
    ESTIMATE,
    goal_candidates,
    kpi_candidates,
    ratio_population,
    stated_population,
    step_kinds,
)
from extract.records.step_targets import step_records
from extract.records.target_tables import _without_restatements, row_target_records, table_records
from extract.records.targets import (
    _WORDS,
    KIND_LABEL,
    KINDS,
    population_of,
    read_commitment,
    read_sentence,
    squash_numbers,
)
from extract.structure.headings import PlanLine, match_style


def _kind_of(path: str, default: str) -> str:
    if "アウトカム" in path:
        return "outcome"
    if "アウトプット" in path:
        return "output"
    return default


_CONTEXT_LINES = 6


def context_of(items: list[PlanLine], owner: list[int], item: int) -> str | None:
    """The headings above a statement inside its section, outermost first (`` > ``-joined): the
    sub-items a 協会けんぽ measure keeps as text (④ 特定健診実施率・事業者健診データ取得率等の向上 >
    (a) 被保険者に対する対策), a table's caption. A generic word (健診実施率) takes its meaning from
    them when the section's own heading names no program."""
    if not 0 <= item < len(items):
        return None
    section = owner[item] if item < len(owner) else None
    found: list[str] = []
    for j in range(item - 1, -1, -1):
        if (owner[j] if j < len(owner) else None) != section or len(found) >= _CONTEXT_LINES:
            break
        text = items[j].line.text.strip()
        styled = match_style(text)
        if styled and 2 <= len(styled[2]) <= 40 and "。" not in text and not re.search(r"\d\s*%", text):
            found.append(" ".join(text.split()))
    return " > ".join(reversed(found)) or None


def _program_of(section_index: int, sections: list, parents: dict[str, int]) -> str | None:
    """The 保健事業 a record belongs to: its nearest ancestor numbered 第N (not a chapter)."""
    index: int | None = section_index
    while index is not None:
        section = sections[index]
        label = section.label.replace(" ", "")
        if re.fullmatch(r"第\s*[0-9０-９]+", label):
            return section.heading
        index = parents.get(section.parent_id) if section.parent_id else None
    return None


_COUNT_UNITS = {"人", "名", "件", "社", "事業所", "世帯", "回", "団体", "か所", "箇所"}
_RATE = re.compile(r"(率|割合)$")


def _fitting_unit(indicator: str, unit: str) -> str:
    """A unit that fits the indicator: a rate or a share counts no people or cases (a table's
    (単位：人) or a neighbouring count does not make 合計特殊出生率 a number of 人)."""
    name = re.sub(r"([(（][^()（）]*[)）])+$", "", indicator.strip())
    return "" if unit in _COUNT_UNITS and _RATE.search(name) else unit


_PLAN_END = re.compile(r"計画(期間)?の?(最終年度|終了時|終了年度|最終年)|(最終|目標)年度である")


def _plan_end(text: str, plan) -> int | None:
    """The year a goal is set for when the sentence names no year but the plan's end (計画最終年度までに
    60%): the last year of the plan's period. A sentence that names neither states no year."""
    return plan.period_end if _PLAN_END.search(text) else None


def _after_open_bracket(text: str) -> str:
    """A sentence read from a line that a bracket opened on the line before (the end of a wrapped
    heading: ``データヘルス計画)の着実な実施上位目標…``): what follows the bracket's close."""
    depth = 0
    for k, ch in enumerate(text):
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            if depth == 0:
                return text[k + 1 :]
            depth -= 1
    return text


def plan_kpis(plan, items: list[PlanLine], owner: list[int], sections: list, catalogue=None) -> list:
    """Every KPI and numeric target of one plan, as :class:`schemas.kpis.Kpi` records.

    Each record gets a first reading of its canonical indicator (``catalogue``, the built-in one
    by default), which tells restatements apart; the plan's assembly maps it again once the
    record's program is known (``extract.records.indicators.assign_indicators``)."""
    from extract.records.indicators import builtin_catalogue
    from extract.records.restatements import first_statements
    from schemas.kpis import Kpi, KpiSource

    catalogue = catalogue or builtin_catalogue()

    parents = {s.id: n for n, s in enumerate(sections)}
    default_year = plan.fiscal_year
    kind_of_insurer = plan.insurer_type
    records: list[Kpi] = []

    def add(reading_like: dict, item: int, page: int, raw: str, kind: str, stated_kind: bool = False) -> None:
        """``stated_kind``: the statement names its kind itself (a table's 区分 cell), over its section's."""
        section_index = owner[item] if 0 <= item < len(owner) else 0
        section = sections[section_index] if sections else None
        path = section.path if section else ""
        indicator = normalize_text(reading_like["indicator"]).strip()
        aimed = reading_like["comparator"] in ("reduce_by", "increase_by")  # …対象者数を2割減少させる
        if len(_WORDS.findall(re.sub(r"令和|平成|年度", "", indicator))) < 2 or (
            ESTIMATE.search(indicator) and not aimed
        ):
            return  # no measure named (a bracket note, a date), or an estimate
        if indicator.count("(") != indicator.count(")") or indicator.startswith(("(", "[")):
            return  # a piece of a bracketed note, not a measure
        program = reading_like.get("program") or (
            _program_of(section_index, sections, parents) if sections else None
        )  # a goal table's 事業名 cell names it
        population = reading_like.get("population")
        unit = _fitting_unit(indicator, reading_like.get("unit", ""))
        context = context_of(items, owner, item)
        match = catalogue.map(
            indicator, program=program, section=path, context=context, population=population, unit=unit,
            comparator=reading_like["comparator"],
        )  # fmt: skip
        records.append(
            Kpi(
                id=f"{plan.id}-k{len(records):03d}",
                doc_id=plan.doc_id,
                plan_id=plan.id,
                page=page,
                section=path,
                context=context,
                program=program,
                kind=kind if stated_kind else _kind_of(path, kind),  # type: ignore[arg-type]
                indicator=indicator,
                indicator_id=match.indicator_id or "",
                indicator_rule=match.rule,
                comparator=reading_like["comparator"],
                value=reading_like.get("value"),
                unit=unit,
                target_year=reading_like.get("target_year"),
                baseline_value=reading_like.get("baseline_value"),
                baseline_year=reading_like.get("baseline_year"),
                actual_value=reading_like.get("actual_value"),
                total_value=reading_like.get("total_value"),
                target_text=reading_like.get("target_text"),
                population=population,
                population_norm=match.population_norm,  # type: ignore[arg-type]
                raw_text=raw,
                sources=[KpiSource(page=page, section=path, raw_text=raw)],
            )
        )

    taken: set[int] = set()
    for cand in kpi_candidates(items):
        readings = read_sentence(cand.text, default_year or _plan_end(cand.text, plan), single=True)
        if not readings:
            commitment = read_commitment(cand.text, default_year)
            readings = [commitment] if commitment else []
        raw = "\n".join(cand.raw_lines)
        for r in readings:
            who = population_of(r.indicator, kind_of_insurer) or stated_population(items, cand)
            add({**r.__dict__, "population": who}, cand.item, cand.page, raw, "kpi")
        taken.update(range(cand.item, cand.item + len(cand.raw_lines)))
    # goal tables (指標 | 現状値 | 目標値) and box lines (指標：現状 → 目標): read as cells, not sentences;
    # with the goal sentences, in reading order (a restatement's first statement is the first read)
    prose_from, at_item = len(records), {}
    for g in sorted(goal_table_records(items) + arrow_records(items), key=lambda g: g.item):
        if g.item in taken:
            continue
        before = len(records)
        add(
            {"indicator": g.indicator, "comparator": g.comparator, "value": g.value, "unit": g.unit,
             "target_year": g.year, "baseline_value": g.baseline_value, "baseline_year": g.baseline_year,
             "population": population_of(g.indicator, kind_of_insurer), "program": g.program,
             "total_value": g.total_value, "target_text": g.target_text},
            g.item, g.page, g.raw, "target",
        )  # fmt: skip
        at_item.update({id(r): g.item for r in records[before:]})
        taken.update(g.items)
    starts = {n for n in range(1, len(owner)) if owner[n] != owner[n - 1]}
    for cand in goal_candidates(items, taken, starts):
        section_path = sections[owner[cand.item]].path if sections and cand.item < len(owner) else ""
        if rule_sentence(cand.text, section_path):
            continue  # 保険料率は7.2%とする outside a section of goals: a rule
        labelled = KIND_LABEL.match(cand.text)  # ・アウトカム：…: the statement names its kind
        for r in read_sentence(_after_open_bracket(cand.text), default_year or _plan_end(cand.text, plan)):
            raw = "\n".join(cand.raw_lines)
            who = population_of(r.indicator, kind_of_insurer) or stated_population(items, cand)
            kind = KINDS[labelled.group(1)] if labelled else "target"
            reading = {**r.__dict__, "population": who}
            before = len(records)
            add(reading, cand.item, cand.page, raw, kind, stated_kind=bool(labelled))
            at_item.update({id(r): cand.item for r in records[before:]})
    records[prose_from:] = sorted(records[prose_from:], key=lambda r: at_item.get(id(r), -1))
    for part in breakdown_parts(items, default_year):  # （内訳）協会保健師実施分 16.7％ …: each part
        add(
            {"indicator": part.indicator, "comparator": part.comparator, "value": part.value, "unit": "%",
             "target_year": part.year, "population": part.population},
            part.item, part.page, part.raw, "target",
        )  # fmt: skip
    records[:] = first_statements(records)  # sentences restated in a KPI list: one record, both sources
    for t in _without_restatements(table_records(items)) + row_target_records(items):
        if plan.period_start and t.year < plan.period_start:
            continue  # a year before the plan's period: a result (実績), no target of this plan
        where = (sections[owner[t.item]].path if sections and t.item < len(owner) else "") + (
            context_of(items, owner, t.item) or ""
        )
        if not (t.goal_named or goal_table(where + t.raw)):
            continue  # a table of years under no heading of goals, naming none itself: figures of fact
        add(
            {
                "indicator": t.indicator,
                "comparator": t.comparator,
                "value": t.value,
                "unit": t.unit,
                "target_year": t.year,
                "baseline_value": t.baseline_value,
                "baseline_year": t.baseline_year,
                "population": population_of(t.who, kind_of_insurer),
            },
            t.item,
            t.page,
            t.raw,
            t.kind or "target",
            stated_kind=bool(t.kind),
        )
    # STEP cells wrap, even onto the next page: read the plan's lines joined, then map each hit
    # back to its lines (the evidence: those on the page where the hit starts)
    starts, joined = [], ""
    for item in items:
        starts.append(len(joined))
        joined += squash_numbers(item.line.text)  # as step_records reads it, so offsets agree
    if "値】" in joined:
        found = step_records(joined)
        for s, kind in zip(found, step_kinds(joined, found), strict=True):
            first = max(0, bisect.bisect_right(starts, s.start) - 1)
            last = max(first, bisect.bisect_right(starts, s.end - 1) - 1)
            page = items[first].page_no
            lines = [items[k].line.raw_text for k in range(first, last + 1) if items[k].page_no == page]
            raw = "\n".join(lines)
            after = re.sub(r"^[^)）]{0,40}[)）]", "", joined[s.end : s.end + 120])  # past the cell's bracket
            definition = re.split(r"[\s\[【(]", after)[0]  # 受診者数÷期初の被保険者数
            who = population_of(s.indicator, kind_of_insurer) or ratio_population(definition)
            add(
                {"indicator": s.indicator, "comparator": "=", "value": s.value, "unit": "%",
                 "target_year": s.year, "actual_value": s.actual, "population": who},
                first, items[first].page_no, raw, kind,
            )  # fmt: skip
    for n, record in enumerate(records):  # ids in reading order, after restatements were dropped
        record.id = f"{plan.id}-k{n:03d}"
    return records
