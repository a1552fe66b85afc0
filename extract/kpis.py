"""KPIs and numeric targets: regexes find the candidates, GiNZA reads the hard ones.

Plans state targets in four shapes; this module finds where they stand and assembles the records
(sentences are read by ``extract.targets``, tables by ``extract.target_tables``):

- **KPI lines** (協会けんぽ): ``■ KPI：①…を 100％とする`` followed by parts ②③ (or Ⅰ.Ⅱ., ア.イ.,
  (ⅰ)(ⅱ), a （内訳） list), sentences broken across lines, spaces inside numbers. One record a part.
- **Goal sentences** outside KPI labels: ``受診率を70%、実施率30%を2023年度までに達成する`` (two
  targets), ``…を5%減少させる``, ``支部目標:特定健診受診率 90%以上``.
- **Target tables**: indicator rows × fiscal-year columns, with a baseline column (直近値, 現状値):
  one record per indicator and year, rebuilt from the lines' positions on the page.
- **The STEP template** of health-insurance societies: ``実施率(【実績値】- 【目標値】令和2年度:10%)``
  and ``【計画値/実績値】令和2年度:90%/57.6%``.

A sentence's value, unit, comparator and year come from regexes; its indicator is the noun phrase
marked by を / について. Where a simple reading is ambiguous (several を, a commitment without a
number), GiNZA's dependency parse decides (``extract.ginza``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from extract.breakdowns import breakdown_parts
from extract.normalize import normalize_text
from extract.sections import PlanLine, match_style, reaches_margin
from extract.target_tables import _without_restatements, table_records
from extract.targets import (
    _ARROW,
    _KPI_LABEL,
    _NUMBER,
    _REPORT,
    _UNITS,
    _WORDS,
    _YOY,
    population_of,
    read_commitment,
    read_sentence,
    squash_numbers,
    step_records,
)

# ---------------------------------------------------------------------------------------------
# Finding candidates in a plan's lines

_STOP = re.compile(r"^\s*([○〇・◆●■□【]|<|〈)")
_CIRCLED = re.compile(r"^\s*[①-⑳]")  # a KPI part numbered ②: the block goes on past a page break
_LABELLED_PART = re.compile(r"^\s*【\s*(被保険者|被扶養者|組合員|全体)\s*】")
# a line naming who the targets below count: ○被保険者（40歳以上）（受診対象者数：106,454人）
_POPULATION_LINE = re.compile(r"^\s*[○〇・◆●]?\s*(被保険者|被扶養者|組合員)\s*[(（]")
_BARE_LABEL = re.compile(r"^\s*[■□《【]?\s*(KPI|ＫＰＩ)\s*[》】]?\s*[:：]?\s*$")
_PART = re.compile(r"^\s*([①-⑳]|[Ⅰ-Ⅻ]\.|[ⅰ-ⅻ]\)|\([ⅰ-ⅻ]\)|\(i{1,3}|iv|v\)|[アイウエオ][.)、])")
_SENTENCE_END = re.compile(
    rf"(とする|とす|する|させる|る|。|以上|以下|未満|\d\s*({_UNITS}))\s*(\([^()]*\))?\s*$"
)
_STATEMENT = re.compile(rf"{_NUMBER}\s*({_UNITS})?\s*(以上|以下|未満|とする|とす)+\s*(\([^()]*\))?\s*。?\s*$")
# a line that ends a target statement, with a number or not (…を対前年度以上とする。)
_DO_LINE = re.compile(r"(実施|推進|行)(する|う)\s*。?\s*$")  # a commitment: …意見発信を実施する。
_STATEMENT_LINE = re.compile(r"(以上|以下|未満|とする|とす)\s*。?\s*(\([^()]*\))?\s*$")
# An estimate or a population count beside a target (実施見込者数, 対象者数) is not itself a target.
_ESTIMATE = re.compile(r"見込み?(者|件)?数|対象者数|見込み$")
_NEW_STATEMENT = re.compile(r"^\s*([■□◆●○〇・※【]|[①-⑳]|[ⅰ-ⅻ]\)|\(\d{1,2}\))")  # a line opening a statement
_CLAUSE_END = re.compile(r"(。|する|させる|らす|やす|とす|図る|行う|目指す|[)）】」]|:)\s*$")
_OTHERS_GOAL = re.compile(r"^\s*(国|政府|厚生労働省|本部|県)(は|の|が)")
_GOAL = re.compile(
    r"(目標|目指|達成|とする|減少させ|増加させ|引き上げ|引き下げ|減らす|増やす|にする|となるよう|削減す|に抑え|抑制す"
    r"|まで(拡大|増加|増や|減少|減ら)|以上の[^、。]{2,20}を(実施|開催))"
)


@dataclass
class Candidate:
    """A sentence (or table row) that may state targets, with its evidence."""

    text: str  # normalized, joined
    raw_lines: list[str]
    page: int
    item: int  # index of its first line in the plan
    kind: str
    block: int = -1  # index of the KPI label line the part stands under


def kpi_candidates(items: list[PlanLine]) -> list[Candidate]:
    """KPI parts: one candidate per ①②③ part of each KPI label block."""
    found: list[Candidate] = []
    i = 0
    while i < len(items):
        text = items[i].line.text.strip()
        label = _KPI_LABEL.match(text)
        if not label or "KPI" not in text[: label.end()]:
            i += 1
            continue
        parts: list[Candidate] = []
        current = Candidate(text[label.end() :], [items[i].line.raw_text], items[i].page_no, i, "kpi", i)
        j = i + 1
        last = i  # the last line taken into the block
        first = re.match(r"\s*([①-⑳])", text[label.end() :])
        counted = ord(first.group(1)) if first else 0  # the last ①②③ mark of the block
        while j < len(items) and j - i < 14:
            line = items[j].line.text.strip()
            if not line:
                j += 1
                continue
            if _KPI_LABEL.match(line) and "KPI" in line[:8]:
                break
            if line.startswith(("(※", "※")) or re.match(r"^\(?内訳\)?$|^\([^()]*\)$", line):  # notes
                j += 1
                continue
            next_page = items[j].page_no != items[last].page_no
            if line.startswith("・") and _part_follows(items, j):
                j += 1  # a detail under a part (対象者数 …): the list of parts goes on
                continue
            complete = bool(_SENTENCE_END.search(current.text))
            # the next part without a numbering: 【被扶養者】特定健診 実施率…, ■…を対前年度以上とする。
            # (a block of ■ items), ただし…とする (a proviso), or ・…とする right under a bare label
            own_label = re.match(r"^\s*■\s*[^:：]{1,10}[:：]", line)  # ■支部目標：… starts a block of its own
            whole = line  # a statement that fills its line ends on the next (…意見発信を / 実施する。)
            if reaches_margin(items[j]) and not line.endswith("。") and j + 1 < len(items):
                whole = line + items[j + 1].line.text.strip()
            ends, commits = bool(_STATEMENT_LINE.search(whole)), bool(_DO_LINE.search(whole))
            labelled = not own_label and bool(
                _LABELLED_PART.match(line)
                or (complete and ends and re.match(r"^\s*(■|ただし)", line))
                or (not current.text.strip() and re.match(r"^\s*[・■]", line) and (ends or commits))
            )
            if (_STOP.match(line) and not labelled) or (next_page and complete and not _CIRCLED.match(line)):
                break
            wrapped = reaches_margin(items[last])  # the sentence filled its line: it goes on
            # ... unless the line ends a clause (…とする(実施見込者数: 19,500人)), full by chance
            cut = wrapped and not _CLAUSE_END.search(items[last].line.text)
            if _heading_line(line) and not _is_part(line) and not labelled and not cut:
                break  # the next section (6.柔道整復施術療養費の照会業務等の強化)
            if not current.text.strip() and labelled:
                current = Candidate(line, [items[j].line.raw_text], items[j].page_no, j, "kpi", i)
                last = j
                j += 1
                continue
            circled = _CIRCLED.match(line)
            if counted and not circled and _PART.match(line):
                break  # ⅱ) after ①②③: another list (the measure's next sub-item), not this block's
            allowed = (counted, counted + 1) if counted else (ord("①"), ord("②"))
            if circled and ord(line.lstrip()[0]) not in allowed:
                break  # ⑤ after ②: not the next part of this block (another list, a table's row)
            if circled:
                counted = ord(line.lstrip()[0])
            if re.match(r"^\s*(以上|以下|未満|超|とする|とす)", line):
                current.text += line  # the comparator of the value above, wrapped (40.3% / 以上)
                if items[j].page_no == current.page:
                    current.raw_lines.append(items[j].line.raw_text)
            elif labelled or _is_part(line) or (
                not wrapped and _SENTENCE_END.search(current.text) and _STATEMENT_LINE.search(line)
            ):  # a new part: marked (②), or a complete statement on a line of its own
                parts.append(current)
                current = Candidate(line, [items[j].line.raw_text], items[j].page_no, j, "kpi", i)
            elif wrapped or not _SENTENCE_END.search(current.text) or not current.text.strip():
                current.text += line
                if items[j].page_no == current.page:  # the evidence stays on the record's page
                    current.raw_lines.append(items[j].line.raw_text)
            else:
                break
            last = j
            j += 1
        parts.append(current)
        found.extend(p for p in parts if p.text.strip())
        i = j
    return found


def _is_part(line: str) -> bool:
    """A KPI part: ②… always; a line marked ⅱ) / Ⅱ. / イ. only when it states a target (a
    measure's sub-item ``ⅱ)特定保健指導の実施率の向上`` uses the same marks)."""
    if not _PART.match(line):
        return False
    return bool(_CIRCLED.match(line) or re.search(r"\d|前年|(以上|以下|未満|とする|とす|する)\W*$", line))


def _part_follows(items: list[PlanLine], j: int) -> bool:
    for k in range(j + 1, min(j + 4, len(items))):
        text = items[k].line.text.strip()
        if _is_part(text):
            return True
        if not text.startswith("・"):
            return False
    return False


def _heading_line(text: str) -> bool:
    """A numbered heading (第14 後発医薬品普及促進, 1 目的): no sentence runs across it. Not a
    numbered sentence cut at its line's end, however short the line (a narrow cell wraps early):
    one holding a 。, or ending in a figure or a particle (…を 28年度より 660 / 人減らす。)."""
    styled = match_style(text.strip())
    if not styled or len(styled[2]) > 40 or re.search(r"[。、]$", styled[2]):
        return False
    return "。" not in styled[2] and not re.search(r"(\d|[をにがはとで])$", styled[2])


def sentences(text: str, line_starts: set[int] = frozenset({0})) -> list[str]:  # type: ignore[assignment]
    """A paragraph's sentences: cut after 。 and before a list mark (■, ①…, a ・ that opens a line),
    never inside brackets (``…（資格喪失後受診に係るものに限る。）の回収率``, ``（Ⅰ度・Ⅱ度 …）``); a
    bracketed note after 。 stays with its sentence (``…とする。(目標:…)``)."""
    out: list[str] = []
    depth, begin = 0, 0
    for k, ch in enumerate(text):
        if ch in "(（「【":
            depth += 1
        elif ch in ")）」】":
            depth = max(0, depth - 1)
        if depth:
            continue
        bullet = ch == "・" and (k in line_starts or re.match(r"[\s:：)）】]", text[k - 1 : k] or " "))
        opens_item = bool(bullet) or ch in "■①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
        if opens_item and k > begin:
            out.append(text[begin:k])
            begin = k
        elif ch == "。" and not re.match(r"\s*[(（\[［]", text[k + 1 :]):
            out.append(text[begin : k + 1])
            begin = k + 1
    if begin < len(text):
        out.append(text[begin:])
    return [part for part in out if part.strip()]


def goal_candidates(
    items: list[PlanLine], taken: set[int], starts: set[int] | None = None
) -> list[Candidate]:
    """Sentences outside KPI blocks that state a numeric goal (目標, 達成, …を5%減少させる).

    ``starts``: the lines where a section starts (its heading): no sentence runs across one."""
    starts = starts or set()
    found: list[Candidate] = []
    i = 0
    while i < len(items):
        if i in taken or not items[i].alone:  # a table cell is no sentence: tables have their reader
            i += 1
            continue
        start = i
        text, raws = items[i].line.text.strip(), [items[i].line.raw_text]  # one page: see the loop
        line_starts = {0}
        while (
            not re.search(r"[。]\s*$", text)
            and i + 1 < len(items)
            and i + 1 not in taken
            and items[i + 1].page_no - items[i].page_no in (0, 1)  # a sentence may run onto the next page
            and len(text) < 400
            and (
                items[i].line.x1 >= items[i].right_edge - 1.5 * items[i].line.size
                or not _CLAUSE_END.search(text)  # a line cut mid-sentence (…から / 38.2%に…)
            )
            and not _NEW_STATEMENT.match(items[i + 1].line.text)
            and items[i + 1].alone
            and not _heading_line(items[i].line.text)
            and not _heading_line(items[i + 1].line.text)
            and i not in starts
            and i + 1 not in starts
        ):
            i += 1
            line_starts.add(len(text))
            text += items[i].line.text.strip()
            if items[i].page_no == items[start].page_no:  # the evidence stays on the record's page
                raws.append(items[i].line.raw_text)
        i += 1
        numeric_goal = _GOAL.search(text) and re.search(r"\d\s*(%|‰|件|人|事業所|ポイント|社|回|名|割)", text)
        if not numeric_goal and not (_YOY.search(text) and "とす" in text) and not _ARROW.search(
            squash_numbers(text)
        ):
            continue
        for sentence in sentences(text, line_starts):
            arrow_goal = _ARROW.search(squash_numbers(sentence)) and not _REPORT.search(sentence)
            goal = _GOAL.search(sentence) and (re.search(r"\d", sentence) or _YOY.search(sentence))
            if _REPORT.search(sentence) and "目標" not in sentence:
                continue  # a report of what happened (実績, 評価, 進捗), not a goal
            if _OTHERS_GOAL.match(sentence):
                continue  # 国は、…の目標値を80%とし: a goal another body sets, the plan's reference
            if goal or arrow_goal:
                found.append(Candidate(sentence, raws, items[start].page_no, start, "target"))
    return found


def stated_population(items: list[PlanLine], cand: Candidate) -> str | None:
    """Whom a statement counts when its indicator does not say: a 【被保険者】 label before it,
    or a line right above its KPI label (or above it) naming a population (○被扶養者（…人）)."""
    label = re.match(r"^\s*[■□◆●・※]?\s*【([^】]{1,10})】", cand.text)
    if label and population_of(label.group(1)):
        return population_of(label.group(1))
    start = cand.block if cand.block >= 0 else cand.item
    for j in range(start - 1, max(start - 4, -1), -1):
        text = items[j].line.text.strip()
        if not text or _BARE_LABEL.match(text):
            continue
        m = _POPULATION_LINE.match(text)
        return m.group(1) if m else None
    return None


def ratio_population(definition: str) -> str | None:
    """Whom a rate defined as a ratio counts: the populations its denominator names
    (``受診者数÷期初の被保険者数`` → 被保険者; ``…÷期初の女性の被保険者数・被扶養者数`` → both,
    counted together: 被保険者・被扶養者)."""
    m = re.search(r"[÷/]([^÷/\s]+)", definition)
    if not m:
        return None
    found = list(dict.fromkeys(re.findall(r"(?<!全)(被保険者|組合員|被扶養者|家族)", m.group(1))))
    return "・".join(found) if found else None


_STEP_OUTPUT, _STEP_OUTCOME = "アウトプット指標", "アウトカム指標"


def step_kinds(joined: str, found: list) -> list[str]:
    """``output`` / ``outcome`` of each STEP template target: its column, アウトプット指標 or
    アウトカム指標. A report names the column right before the target, or names the outcome column
    right after an output target's cell; the plan table names its columns once, in a header, and
    its rows' targets stand in column order: the first is the output, one that follows right
    after it (past its definition) the outcome."""
    kinds: list[str] = []
    for n, s in enumerate(found):
        at = joined.find(s.indicator, s.start, s.end)
        at = s.start if at < 0 else at
        window = joined[max(0, at - 60) : at]
        out, come = window.rfind(_STEP_OUTPUT), window.rfind(_STEP_OUTCOME)
        if (out >= 0) != (come >= 0):  # one column named right before it
            kinds.append("output" if out >= 0 else "outcome")
            continue
        following = found[n + 1].start if n + 1 < len(found) else len(joined)
        after = joined[s.end : min(following, s.end + 400)]
        if _STEP_OUTCOME in after and _STEP_OUTPUT not in after.split(_STEP_OUTCOME)[0]:
            kinds.append("output")  # the outcome column comes next
            continue
        previous = found[n - 1] if n else None
        between = joined[previous.end : s.start] if previous else ""
        # (アウトカムは設定されていません) between them: the row had no outcome
        second = previous is not None and len(between) <= 60 and "設定され" not in between
        kinds.append("outcome" if second and kinds[-1] == "output" else "output")
    return kinds


# ---------------------------------------------------------------------------------------------
# Assembly: a plan's records


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
    record's program is known (``extract.indicators.assign_indicators``)."""
    from extract.indicators import builtin_catalogue
    from extract.restatements import first_statements
    from schemas.kpis import Kpi, KpiSource

    catalogue = catalogue or builtin_catalogue()

    parents = {s.id: n for n, s in enumerate(sections)}
    default_year = plan.fiscal_year
    kind_of_insurer = plan.insurer_type
    records: list[Kpi] = []

    def add(reading_like: dict, item: int, page: int, raw: str, kind: str) -> None:
        section_index = owner[item] if 0 <= item < len(owner) else 0
        section = sections[section_index] if sections else None
        path = section.path if section else ""
        indicator = normalize_text(reading_like["indicator"]).strip()
        aimed = reading_like["comparator"] in ("reduce_by", "increase_by")  # …対象者数を2割減少させる
        if len(_WORDS.findall(re.sub(r"令和|平成|年度", "", indicator))) < 2 or (
            _ESTIMATE.search(indicator) and not aimed
        ):
            return  # no measure named (a bracket note, a date), or an estimate
        if indicator.count("(") != indicator.count(")") or indicator.startswith(("(", "[")):
            return  # a piece of a bracketed note, not a measure
        program = _program_of(section_index, sections, parents) if sections else None
        population = reading_like.get("population")
        unit = reading_like.get("unit", "")
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
                kind=_kind_of(path, kind),  # type: ignore[arg-type]
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
                population=population,
                population_norm=match.population_norm,  # type: ignore[arg-type]
                raw_text=raw,
                sources=[KpiSource(page=page, section=path, raw_text=raw)],
            )
        )

    taken: set[int] = set()
    for cand in kpi_candidates(items):
        readings = read_sentence(cand.text, default_year, single=True)
        if not readings:
            commitment = read_commitment(cand.text, default_year)
            readings = [commitment] if commitment else []
        raw = "\n".join(cand.raw_lines)
        for r in readings:
            who = population_of(r.indicator, kind_of_insurer) or stated_population(items, cand)
            add({**r.__dict__, "population": who}, cand.item, cand.page, raw, "kpi")
        taken.update(range(cand.item, cand.item + len(cand.raw_lines)))
    starts = {n for n in range(1, len(owner)) if owner[n] != owner[n - 1]}
    for cand in goal_candidates(items, taken, starts):
        for r in read_sentence(_after_open_bracket(cand.text), default_year):
            raw = "\n".join(cand.raw_lines)
            who = population_of(r.indicator, kind_of_insurer) or stated_population(items, cand)
            add({**r.__dict__, "population": who}, cand.item, cand.page, raw, "target")
    for part in breakdown_parts(items, default_year):  # （内訳）協会保健師実施分 16.7％ …: each part
        add(
            {"indicator": part.indicator, "comparator": part.comparator, "value": part.value, "unit": "%",
             "target_year": part.year, "population": part.population},
            part.item, part.page, part.raw, "target",
        )  # fmt: skip
    records[:] = first_statements(records)  # sentences restated in a KPI list: one record, both sources
    for t in _without_restatements(table_records(items)):
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
            "target",
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
