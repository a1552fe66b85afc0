"""KPIs and numeric targets: regexes find the candidates, GiNZA reads the hard ones.

Plans state targets in four shapes, and each has its reader here:

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
import itertools
import re
from dataclasses import dataclass, field

from extract.dates import parse_year
from extract.normalize import normalize_text
from extract.sections import PlanLine, match_style, reaches_margin

# ---------------------------------------------------------------------------------------------
# Sentence reading

_UNITS = r"%|‰|件|人|円|千円|万円|事業所|社|回|日|か所|ヵ所|箇所|ポイント|pt|倍|歳|名"
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_VALUE = re.compile(
    rf"(?P<num>{_NUMBER})\s*(?P<unit>{_UNITS})?\s*(?P<cmp>以上|以下|未満|超|を超える|を下回る|を上回る)?"
)
# What follows a target value: a predicate, a list comma, a deadline, the end.
_AFTER_TARGET = re.compile(
    r"^\s*(とする|とし|とす$|となる|と設定|を目指|を目標|に(引き上げ|向上|増加|する|上げ|改善|達成)|まで|を(達成|維持|確保)|へ"
    r"|、|。|$|\(\s*(令和|平成|R\d|\d{4}|見込|実績|前年)|を\s*\d{4}\s*年度|を\s*(令和|平成)|(を|に)?(減少|削減|低減|引き下げ|増加|向上|引き上げ|減(?!る)|増(?!え)))"
)
_REDUCE = re.compile(r"^\s*(を|に)?\s*(減少|削減|低減|引き下げ|減ら|減(?!る))")
_INCREASE = re.compile(r"^\s*(を|に)?\s*(増加|向上|引き上げ|増や)")
_YOY = re.compile(r"(対\s*)?前年(度)?(実績)?(比)?\s*(以上|以下|を上回る|を下回る)")
_DO = re.compile(r"(実施|推進|開催|発信|取り組|行|継続|構築|強化|配信|作成)(す|う|し)る?。?$|を行う。?$")
_DEADLINE = re.compile(r"((?:令和|平成)\s*\S{1,3}?\s*年度|\d{4}\s*年度)(末)?\s*(まで|に|時点|の)")
_NOTE = re.compile(r"\(※\d*\)|※\d*")
_MARKER = re.compile(
    r"^\s*(?:[①-⑳]|[ⅰ-ⅻ]\)|\([ⅰ-ⅻ]\)|[Ⅰ-Ⅻ]\.?|[アイウエオカキク][.)、]|\(\d{1,2}\)|\d{1,2}\))\s*"
)
_POPULATION = (("被扶養者", "被扶養者"), ("組合員", "組合員"), ("被保険者", "被保険者"), ("全体", "全体"),
               ("合計", "全体"))  # fmt: skip
_CJK_END = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff)]$")
_CJK_GAP = re.compile(r"(?<=[\u3040-\u30ff\u4e00-\u9fff])\s+(?=[\u3040-\u30ff\u4e00-\u9fff])")
_LABELLED_VALUE = re.compile(r"(目標値?|目標数値|数値目標)\s*[:]?\s*$")
_NOT_A_TARGET_AFTER = re.compile(r"^\s*(年|か月|ヶ月|カ月|月|歳以上)")  # 3年, 3か月: durations
_NOT_A_TARGET_BEFORE = re.compile(r"(第|上位|中位)$")
_CMP = {"以上": ">=", "以下": "<=", "未満": "<", "超": ">", "を超える": ">", "を上回る": ">", "を下回る": "<"}


@dataclass
class Reading:
    """One target read from a sentence."""

    indicator: str
    comparator: str
    value: float | None
    unit: str
    target_year: int | None


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def squash_numbers(text: str) -> str:
    """``9 5.0 %`` → ``95.0%``: extracted PDF text breaks numbers with spaces."""
    text = re.sub(r"(?<=\d)\s+(?=[\d.,])|(?<=\d[,.])\s+(?=\d)", "", text)
    text = re.sub(r"(?<=\d)\s+(?=%)", "", text)
    return re.sub(r"(?<=[\d.])\s+(?=\d)", "", text)


def clean_indicator(text: str) -> str:
    """The measure without notes, labels, particles or the deadline."""
    text = _NOTE.sub("", text)
    text = re.sub(r"^.*(図表|表)\s*[\d\-]+\s*", "", text)  # a figure caption: 図表 6-1-3 支部目標:…
    text = re.sub(r"^[^:]{0,12}目標\s*:\s*", "", text)
    text = _MARKER.sub("", text)
    text = _KPI_LABEL.sub("", text) if "KPI" in text[:24] else text
    text = re.sub(r"^\s*[■□◆●・※]?\s*【[^】]{1,10}】\s*", "", text)  # 【中位目標】, 【被扶養者】
    text = re.sub(r"^[^:]{0,24}(KPI|目標)[^:]{0,6}:\s*", "", text)
    text = _DEADLINE.sub("", text)
    text = re.sub(r"(を|は|が|について|に関して|年度末時点で|時点で|において|で)$", "", text.strip())
    text = re.sub(r"の?(対前年(度)?比?|前年(度)?比)$", "", text.strip())
    text = re.sub(r"(を|は|が|について)$", "", text.strip())
    text = re.sub(r"(約|およそ|概ね)$", "", text.strip())
    text = _CJK_GAP.sub("", text)  # a table cell wrapped onto two lines: 教 育等 → 教育等
    return text.strip(" 、,:・")


def _indicator_before(sentence: str, start: int, whole: bool = False) -> str:
    """The noun phrase that a value at ``start`` measures: back to the last を / について clause.

    ``whole``: the sentence states one target and nothing else (a KPI part), so everything
    before the particle is the measure, commas and all.
    """
    head = sentence[:start]
    labelled = _LABELLED_VALUE.search(head)
    if labelled:  # 特定健診実施率の向上(支部目標 70.0%): the measure is before the label
        head = re.sub(r"\([^()]*$", "", head[: labelled.start()]).rstrip("(:。 ")
        verb = re.search(r"を[^を]{1,12}(する|させる|図る|行う|目指す)$", head)
        if verb:  # …事業所数を拡大する。(令和3年度目標:100社): the object of the sentence
            head = head[: verb.start()]
        head = re.sub(r"の(向上|推進|実施|確保|強化)$", "", head)
        return clean_indicator(head)
    for boundary in ("について", "を"):
        cut = head.rfind(boundary)
        if (cut >= 0 and head[cut:].strip() in (boundary,)) or re.fullmatch(
            rf"{boundary}\s*((令和|平成)?\s*\S{{0,3}}年度(末)?(時点)?(で|まで|に|より|から)?"
            rf"|\d{{4}}\s*年度(末)?(で|まで|より|から)?)?\s*(約|およそ)?\s*",
            head[cut:],
        ):
            head = head[:cut]
            break
    if whole:
        return clean_indicator(head)
    if "、" in head.rstrip("、"):  # a long phrase with commas: let the parse say where it starts
        from extract.ginza import object_phrase

        phrase = object_phrase(sentence)
        if phrase and head.rstrip().endswith(phrase.rstrip()):
            return clean_indicator(phrase)
    # the phrase starts after the previous target or list comma (outside brackets)
    start_at = _last_top_level(head, "、。")
    phrase = head[start_at + 1 :] if start_at >= 0 and len(head) - start_at > 3 else head
    return clean_indicator(phrase)


def _last_top_level(text: str, marks: str) -> int:
    """Index of the last of ``marks`` not inside brackets, or -1."""
    depth, found = 0, -1
    for i, ch in enumerate(text):
        if ch in "(（「【":
            depth += 1
        elif ch in ")）」】":
            depth = max(0, depth - 1)
        elif ch in marks and depth == 0:
            found = i
    return found


_ARROW = re.compile(
    rf"(?P<a>{_NUMBER})\s*(?P<ua>{_UNITS})?\s*(\([^()]{{0,30}}\))?\s*(→|⇒|から)\s*(?P<b>{_NUMBER})\s*"
    rf"(?P<ub>{_UNITS})?\s*(\([^()]{{0,30}}\))?\s*(?P<tail>に(する|改善|減少|増加|引き上げ|引き下げ|減ら)?|」|$|。|\s|、)"
)


def read_sentence(sentence: str, default_year: int | None, single: bool = False) -> list[Reading]:
    """Every target stated in one (normalized) sentence (``single``: a KPI part, one target)."""
    sentence = squash_numbers(sentence).strip()
    arrows = [] if _REPORT.search(sentence) else list(_ARROW.finditer(sentence))
    if arrows:  # 10.4→9.0人, 18.2%から20.0%にする: the second value is the target
        deadline = _DEADLINE.search(sentence)
        year = parse_year(deadline.group(1)) if deadline else default_year
        found = []
        for arrow in arrows:
            unit = arrow.group("ub") or arrow.group("ua") or ""
            a, b = _number(arrow.group("a")), _number(arrow.group("b"))
            comparator = "=" if arrow.group("tail").startswith("に") and "から" in arrow.group(0) else (
                "<=" if b < a else ">="
            )
            indicator = _indicator_before(sentence, arrow.start(), single and len(arrows) == 1)
            if indicator:
                found.append(Reading(indicator, comparator, b, unit, year))
        return found
    deadline = _DEADLINE.search(sentence)
    year = parse_year(deadline.group(1)) if deadline else default_year
    readings: list[Reading] = []
    starts: list[int] = []
    yoy = _YOY.search(sentence)
    for m in _VALUE.finditer(sentence):
        if deadline and deadline.start() <= m.start() < deadline.end():
            continue  # the year of the deadline is no target
        after = sentence[m.end() :]
        unit, cmp = m.group("unit") or "", m.group("cmp")
        if unit == "歳":
            continue  # 40歳以上: who is counted, never the target
        bare = not unit and not cmp and not after.strip().startswith("とする")
        labelled = bool(_LABELLED_VALUE.search(sentence[: m.start()]))  # (支部目標 70.0%), 目標: 300件
        if (not _AFTER_TARGET.match(after) and not labelled) or bare:
            continue
        if _NOT_A_TARGET_AFTER.match(after) or _NOT_A_TARGET_BEFORE.search(sentence[: m.start()]):
            continue
        past_note = re.sub(r"^\s*\([^()]{0,30}\)\s*", "", after)  # (平成27年) after a value
        if past_note != after and re.match(r"^(を|から|→|⇒)", past_note):
            continue  # 522名(平成27年)を400名に減らす: the value before を is where it starts from
        comparator = _CMP.get(cmp or "", "=")
        if not cmp and re.match(r"^\s*(まで|に)\s*(減ら|減少|引き下げ|低減|抑制)", past_note):
            comparator = "<="
        elif not cmp and re.match(r"^\s*(まで|に)\s*(増や|拡大|増加|引き上げ|向上)", past_note):
            comparator = ">="
        elif _REDUCE.match(after):
            comparator = "reduce_by"
        elif _INCREASE.match(after) and cmp is None:
            comparator = "increase_by"
        readings.append(Reading("", comparator, _number(m.group("num")), unit, year))
        starts.append(m.start())
    if not readings and yoy:
        comparator = "yoy>=" if yoy.group(5) in ("以上", "を上回る") else "yoy<="
        readings.append(Reading("", comparator, None, "", year))
        starts.append(yoy.start())
    whole = single and len(readings) == 1
    for reading, start in zip(readings, starts, strict=True):
        reading.indicator = _indicator_before(sentence, start, whole)
    return [r for r in readings if r.indicator]


def read_commitment(sentence: str, default_year: int | None) -> Reading | None:
    """A commitment without a number (…を実施する): the object of its verb is the indicator."""
    sentence = squash_numbers(sentence).strip().rstrip("。")
    if not _DO.search(sentence):
        return None
    from extract.ginza import object_phrase  # GiNZA only for what regexes cannot read

    phrase = object_phrase(sentence)
    if not phrase:
        return None
    return Reading(clean_indicator(phrase), "do", None, "", default_year)


def population_of(text: str) -> str | None:
    for word, population in _POPULATION:
        if word in text:
            return population
    return None


# ---------------------------------------------------------------------------------------------
# Finding candidates in a plan's lines

_KPI_LABEL = re.compile(
    r"^\s*[■□◆●◇《〈<]?\s*[【\[]?\s*(?:(?:令和|平成)?\s*\d*\s*年度)?\s*(?:目標)?\s*[(（]?\s*KPI\s*[)）】\]》〉>]?"
    r"\s*(?:目標)?\s*[:]?\s*"
)
_STOP = re.compile(r"^\s*([○〇・◆●■□【]|<|〈)")
_PART = re.compile(r"^\s*([①-⑳]|[Ⅰ-Ⅻ]\.|[ⅰ-ⅻ]\)|\([ⅰ-ⅻ]\)|\(i{1,3}|iv|v\)|[アイウエオ][.)、])")
_SENTENCE_END = re.compile(
    rf"(とする|とす|する|させる|る|。|以上|以下|未満|\d\s*({_UNITS}))\s*(\([^()]*\))?\s*$"
)
_STATEMENT = re.compile(rf"{_NUMBER}\s*({_UNITS})?\s*(以上|以下|未満|とする|とす)+\s*(\([^()]*\))?\s*$")
# An estimate or a population count beside a target (実施見込者数, 対象者数) is not itself a target.
_ESTIMATE = re.compile(r"見込み?(者|件)?数|対象者数|見込み$")
_WORDS = re.compile(r"[A-Za-z\u3040-\u30ff\u4e00-\u9fff]")
_NEW_STATEMENT = re.compile(r"^\s*([■□◆●○〇・※【]|[①-⑳]|[ⅰ-ⅻ]\)|\(\d{1,2}\))")  # a line opening a statement
_CLAUSE_END = re.compile(r"(。|する|させる|らす|やす|とす|図る|行う|目指す|[)）】」]|:)\s*$")
_REPORT = re.compile(r"進捗|実績|達成度|上昇|低下|推移|評価|結果")  # a change that happened, not a goal
_GOAL = re.compile(
    r"(目標|目指|達成|とする|減少させ|増加させ|引き上げ|引き下げ|減らす|増やす|にする|となるよう)"
)


@dataclass
class Candidate:
    """A sentence (or table row) that may state targets, with its evidence."""

    text: str  # normalized, joined
    raw_lines: list[str]
    page: int
    item: int  # index of its first line in the plan
    kind: str
    part_of_kpi: bool = False
    readings: list[Reading] = field(default_factory=list)


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
        current = Candidate(text[label.end() :], [items[i].line.raw_text], items[i].page_no, i, "kpi", True)
        j = i + 1
        last = i  # the last line taken into the block
        while j < len(items) and j - i < 14:
            line = items[j].line.text.strip()
            if not line:
                j += 1
                continue
            if _KPI_LABEL.match(line) and "KPI" in line[:8]:
                break
            if line.startswith(("(※", "※")) or re.match(r"^\(?内訳\)?$", line):
                j += 1
                continue
            next_page = items[j].page_no != items[i].page_no
            if line.startswith("・") and _part_follows(items, j):
                j += 1  # a detail under a part (対象者数 …): the list of parts goes on
                continue
            if _STOP.match(line) or (next_page and _SENTENCE_END.search(current.text)):
                break
            wrapped = reaches_margin(items[last])  # the sentence filled its line: it goes on
            if _PART.match(line) or (
                not wrapped and _SENTENCE_END.search(current.text) and _STATEMENT.search(line)
            ):  # a new part: marked (②), or a complete statement on a line of its own
                parts.append(current)
                current = Candidate(line, [items[j].line.raw_text], items[j].page_no, j, "kpi", True)
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


def _part_follows(items: list[PlanLine], j: int) -> bool:
    for k in range(j + 1, min(j + 4, len(items))):
        text = items[k].line.text.strip()
        if _PART.match(text):
            return True
        if not text.startswith("・"):
            return False
    return False


def goal_candidates(items: list[PlanLine], taken: set[int]) -> list[Candidate]:
    """Sentences outside KPI blocks that state a numeric goal (目標, 達成, …を5%減少させる)."""
    found: list[Candidate] = []
    i = 0
    while i < len(items):
        if i in taken or not items[i].alone:  # a table cell is no sentence: tables have their reader
            i += 1
            continue
        start = i
        text, raws = items[i].line.text.strip(), [items[i].line.raw_text]  # one page: see the loop
        while (
            not re.search(r"[。]\s*$", text)
            and i + 1 < len(items)
            and i + 1 not in taken
            and items[i + 1].page_no == items[start].page_no
            and len(text) < 400
            and (
                items[i].line.x1 >= items[i].right_edge - 1.5 * items[i].line.size
                or not _CLAUSE_END.search(text)  # a line cut mid-sentence (…から / 38.2%に…)
            )
            and not _NEW_STATEMENT.match(items[i + 1].line.text)
            and items[i + 1].alone
        ):
            i += 1
            text += items[i].line.text.strip()
            raws.append(items[i].line.raw_text)
        i += 1
        numeric_goal = _GOAL.search(text) and re.search(r"\d\s*(%|‰|件|人|事業所|ポイント|社|回|名)", text)
        if not numeric_goal and not (_YOY.search(text) and "とす" in text) and not _ARROW.search(
            squash_numbers(text)
        ):
            continue
        for sentence in re.split(r"(?<=。)(?!\s*\()|(?=[・■①-⑳])", text):  # 。(目標:…) stays attached
            arrow_goal = _ARROW.search(squash_numbers(sentence)) and not _REPORT.search(sentence)
            goal = _GOAL.search(sentence) and (re.search(r"\d", sentence) or _YOY.search(sentence))
            if _REPORT.search(sentence) and "目標" not in sentence:
                continue  # a report of what happened (実績, 評価, 進捗), not a goal
            if goal or arrow_goal:
                found.append(Candidate(sentence, raws, items[start].page_no, start, "target"))
    return found


# ---------------------------------------------------------------------------------------------
# Target tables: rows rebuilt from positions


@dataclass
class TableRecord:
    indicator: str
    value: float | None
    unit: str
    comparator: str
    year: int
    baseline_value: float | None
    baseline_year: int | None
    raw: str
    page: int
    item: int


_YEAR_CELL = re.compile(
    r"^(?:(令和|平成)\s*(\d{1,2}|元)\s*年度?|(\d{4})\s*(?:年度)?|R\s*(\d{1,2})\s*年?度?)$"
)
_CELL_NUMBER = re.compile(rf"^({_NUMBER})\s*({_UNITS})?\s*(以上|以下|未満)?$")
_BASELINE = re.compile(r"直近値|現状値|基準値|現状|実績値|ベースライン")


def _rows(items: list[PlanLine], indexes: list[int]) -> list[list[int]]:
    """Group lines of one page into rows: lines whose vertical extents overlap, left to right."""
    rows: list[list[int]] = []
    for idx in sorted(indexes, key=lambda k: (items[k].line.y0, items[k].line.x0)):
        line = items[idx].line
        if rows:
            last = items[rows[-1][0]].line
            if min(line.y1, last.y1) - max(line.y0, last.y0) > 0.5 * min(line.size, last.size):
                rows[-1].append(idx)
                continue
        rows.append([idx])
    return [sorted(r, key=lambda k: items[k].line.x0) for r in rows]


def _year_of_cell(text: str) -> int | None:
    text = text.replace(" ", "")
    if not _YEAR_CELL.match(text):
        return None
    return parse_year(text if "年" in text else f"{text}年度")


_DASHES = {"-", "—", "―", "ー", "‐", "−", "–"}
_TABLE_UNIT = re.compile(rf"\(\s*単位\s*:\s*({_UNITS})\s*\)")
_YOY_CELL = re.compile(r"前年(度)?(比|実績)")
_NOT_TARGET_ROW = re.compile(r"対象者数")  # the eligible population, not a target


@dataclass
class _Row:
    """A data row of a target table while it is being read."""

    label: list[str]
    values: list  # Line objects of the value cells
    yoy: list  # Line objects of merged year-on-year cells
    raw: list[str]
    page: int
    item: int
    bottom: float = 0.0  # where its lowest line ends: a wrapped cell continues right below
    group: str = ""  # the label of a row group above it (がん検診受診率 → 胃がん検診)


def _cell_value(text: str) -> re.Match[str] | None:
    return _CELL_NUMBER.match(squash_numbers(text.strip()))


def table_records(items: list[PlanLine]) -> list[TableRecord]:
    """Records of every fiscal-year target table in the plan.

    Rows are rebuilt from the lines' positions: a header row names three or more fiscal years,
    each later row with numbers under those years is a data row; label lines below a data row
    and left of its numbers continue its label (a wrapped cell), and a row whose first label
    columns are empty inherits them from the row above (組合員 → 男性 / 女性 / 計).
    """
    records: list[TableRecord] = []
    by_page: dict[int, list[int]] = {}
    for k, item in enumerate(items):
        by_page.setdefault(item.page_no, []).append(k)
    rows = [row for indexes in by_page.values() for row in _rows(items, indexes)]
    # A table may run onto the next page: the state carries over page breaks.
    header: list[tuple[int, float, float]] | None = None
    baseline: tuple[int | None, float, float] | None = None
    unit = ""
    data: list[_Row] = []
    carry: dict[int, str] = {}
    group = ""

    def flush() -> None:
        for row in data:
            records.extend(_row_records(row, header or [], baseline, unit))
        data.clear()

    for r, row in enumerate(rows):
        cells = [items[k].line for k in row]
        texts = [c.text.strip() for c in cells]
        table_unit = next((m.group(1) for t in texts if (m := _TABLE_UNIT.search(t))), None)
        if table_unit:
            flush()
            unit = table_unit
            continue
        years = [(y, c.x0, c.x1) for c in cells if (y := _year_of_cell(c.text.strip()))]
        if len(years) >= 3:
            flush()
            header, baseline, carry, group = years, None, {}, ""
            for prev in rows[max(0, r - 2) : r + 1]:  # the baseline column is named above the years
                for k in prev:
                    c = items[k].line
                    if _BASELINE.search(c.text):
                        baseline = (parse_year(c.text), c.x0, c.x1)
            first_year, fx0, fx1 = header[0]
            if baseline is not None and fx0 < baseline[2] + 2 and fx1 > baseline[1] - 2:
                # the first "year" stands under 現状値: it is the baseline's year, not a target's
                baseline, header = (first_year, fx0, fx1), header[1:]
            continue
        if header is None:
            continue
        first_year_x = min(x0 for _, x0, _ in header)
        numbers = [c for c in cells if _cell_value(c.text)]
        # label cells: text left of the row's numbers (a header may sit over a label column)
        first_number_x = min((c.x0 for c in numbers), default=first_year_x)
        left = [c for c in cells if not _cell_value(c.text) and c.x1 <= max(first_year_x, first_number_x) + 2
                and c.text.strip() not in _DASHES]  # fmt: skip
        values = numbers if any(c.x0 >= first_year_x - 2 for c in numbers) else []
        # copies: a wrapped merged cell's text is completed below, the page's lines stay as read
        yoy = [c.model_copy() for c in cells if _YOY_CELL.search(c.text) and c.x1 > first_year_x]
        if values or yoy:
            label = []
            if left:
                for key in [k for k in carry if k >= round(left[0].x0)]:
                    del carry[key]
                for c in left:
                    carry[round(c.x0)] = c.text.strip()
            label = [carry[k] for k in sorted(carry)]
            data.append(_Row(label, values, yoy, [items[k].line.raw_text for k in row],
                             items[row[0]].page_no, row[0], max(c.y1 for c in cells), group))  # fmt: skip
            continue
        dashes = [c for c in cells if c.text.strip() in _DASHES]
        before_years = [c for c in cells if c.x1 <= first_year_x + 2]  # labels and the baseline
        if dashes and len(before_years) + len(dashes) == len(cells):
            carry = {round(left[0].x0): left[0].text.strip()} if left else carry
            continue  # a row with no targets ("—" in every year): the table goes on
        wrapped_yoy = data and [c for c in cells if c not in left and any(
            y.x0 - 2 <= c.x0 <= y.x1 for y in data[-1].yoy)]  # fmt: skip
        same_page = bool(data) and items[row[0]].page_no == data[-1].page
        plain = all(not match_style(c.text.strip()) and len(c.text.strip()) < 40 for c in left)
        if same_page and cells and min(c.y0 for c in cells) - data[-1].bottom > 0.6 * cells[0].size:
            same_page = False  # a row of its own, not the next line of a wrapped cell
        fits = len(left) + len(wrapped_yoy or []) == len(cells)
        if same_page and plain and (left or wrapped_yoy) and fits:
            # a wrapped cell: continue the label (or the merged cell) of the row above
            last = data[-1]
            for c in wrapped_yoy or []:
                target = next(y for y in last.yoy if y.x0 - 2 <= c.x0 <= y.x1)
                target.text += c.text.strip()
            for c in left:
                key = max((k for k in carry if k <= round(c.x0) + 2), default=None)
                if key is not None:
                    carry[key] += c.text.strip()
            last.label = [carry[k] for k in sorted(carry)]
            last.raw.extend(items[k].line.raw_text for k in row)
            last.bottom = max(last.bottom, max(c.y1 for c in cells))
            continue
        flush()
        if len(cells) > 2:  # a new block of text: the table is over
            header = None
        elif len(left) == len(cells) == 1 and len(_WORDS.findall(left[0].text)) >= 2:
            group = left[0].text.strip()  # a label alone on its row heads the rows below it
    flush()
    return records


def _row_records(row: _Row, header: list[tuple[int, float, float]], baseline, table_unit: str):
    glue = "" if all(_CJK_END.search(part) for part in row.label[:-1]) else " "
    label = glue.join(row.label)
    if row.group:
        label = f"{re.sub(r'[(（].*$', '', row.group).strip()}({label})"
    unit_m = re.search(rf"\(\s*({_UNITS})数?\s*\)", label)  # (%), (人), (回数)
    label_unit = unit_m.group(1) if unit_m else table_unit
    indicator = clean_indicator(re.sub(rf"\(\s*({_UNITS})数?\s*\)", "", label))
    if not indicator or _NOT_TARGET_ROW.search(indicator):
        return []
    base_value = None
    if baseline is not None:
        for c in row.values:
            if c.x0 < baseline[2] and c.x1 > baseline[1]:
                m = _cell_value(c.text)
                base_value = _number(m.group(1)) if m else None
    out = []
    def column_of(cell) -> int | None:
        """The year column whose left edge is nearest (cells and headers are left-aligned)."""
        gaps = [abs(cell.x0 - x0) for _, x0, _ in header]
        best = min(range(len(gaps)), key=gaps.__getitem__)
        spacing = min((b[1] - a[1] for a, b in itertools.pairwise(header)), default=50.0)
        return best if gaps[best] <= max(spacing * 0.6, 6.0) else None

    in_years = [c for c in row.values if c.x0 >= header[0][1] - 6]
    if len(in_years) == len(header):  # one number per year: read them in order, whatever the offsets
        placed: dict[int | None, object] = dict(enumerate(sorted(in_years, key=lambda c: c.x0)))
    else:
        placed = {column_of(c): c for c in in_years}
    for n, (year, x0, x1) in enumerate(header):
        cell = placed.get(n)
        if cell is not None:
            m = _cell_value(cell.text)
            assert m is not None
            value, unit = _number(m.group(1)), m.group(2) or label_unit
            comparator = _CMP.get(m.group(3) or "", "=")
        else:
            # a merged cell (前年度比 横ばいまたは減少) covers every year from where it starts
            in_years = [c for c in row.values if c.x0 >= header[0][1] - 2]
            merged = next((c for c in row.yoy if c.x0 < x1 + 2 and (c.x1 > x0 - 2 or not in_years)), None)
            if merged is None:
                continue
            up = re.search(r"増|向上|以上|上昇", merged.text)
            value, unit, comparator = None, "", "yoy>=" if up else "yoy<="
        record = TableRecord(
            indicator=indicator, value=value, unit=unit, comparator=comparator, year=year,
            baseline_value=base_value, baseline_year=baseline[0] if baseline else None,
            raw="\n".join(row.raw), page=row.page, item=row.item,
        )  # fmt: skip
        out.append(record)
    return out


# ---------------------------------------------------------------------------------------------
# The STEP template of health-insurance societies

_STEP_TARGET = re.compile(
    r"(?P<ind>[^\s()【】\]]{2,30}?(?:\([^()【】]{1,10}\))?)\s*\((?:【[^】]*実績値】\s*(?P<base>[-\d.]+%?)\s*[-‐]?\s*)?"
    r"【(?P<head>目標値|計画値/実績値)】\s*(?P<year>(令和|平成)\s*\S{1,2}\s*年度)\s*:\s*"
    r"(?P<val>\d+(?:\.\d+)?)\s*%(?:\s*/\s*(?P<act>\d+(?:\.\d+)?)\s*%)?"
)


@dataclass
class StepRecord:
    indicator: str
    value: float
    year: int | None
    actual: float | None
    start: int
    end: int


def step_records(text: str) -> list[StepRecord]:
    """``実施率(【実績値】-【目標値】令和2年度:10%)`` and ``【計画値/実績値】令和2年度:90%/57.6%``."""
    found = []
    for m in _STEP_TARGET.finditer(squash_numbers(text)):
        actual = float(m.group("act")) if m.group("act") else None
        indicator = re.split(r"。|指標", m.group("ind"))[-1]  # the cell, not the text before it
        found.append(StepRecord(clean_indicator(indicator), float(m.group("val")),
                                parse_year(m.group("year")), actual, m.start(), m.end()))  # fmt: skip
    return found


def normalize_indicator(text: str) -> str:
    return re.sub(r"\s+", "", normalize_text(text))


# ---------------------------------------------------------------------------------------------
# Assembly: a plan's records


def _kind_of(path: str, default: str) -> str:
    if "アウトカム" in path:
        return "outcome"
    if "アウトプット" in path:
        return "output"
    return default


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


def plan_kpis(plan, items: list[PlanLine], owner: list[int], sections: list) -> list:
    """Every KPI and numeric target of one plan, as :class:`schemas.kpis.Kpi` records."""
    from extract.indicators import canonical_id
    from schemas.kpis import Kpi

    parents = {s.id: n for n, s in enumerate(sections)}
    default_year = plan.fiscal_year
    records: list[Kpi] = []

    def add(reading_like: dict, item: int, page: int, raw: str, kind: str) -> None:
        section_index = owner[item] if 0 <= item < len(owner) else 0
        section = sections[section_index] if sections else None
        path = section.path if section else ""
        indicator = normalize_text(reading_like["indicator"]).strip()
        if len(_WORDS.findall(re.sub(r"令和|平成|年度", "", indicator))) < 2 or _ESTIMATE.search(indicator):
            return  # no measure named (a bracket note, a date), or an estimate
        records.append(
            Kpi(
                id=f"{plan.id}-k{len(records):03d}",
                doc_id=plan.doc_id,
                plan_id=plan.id,
                page=page,
                section=path,
                program=_program_of(section_index, sections, parents) if sections else None,
                kind=_kind_of(path, kind),  # type: ignore[arg-type]
                indicator=indicator,
                indicator_id=canonical_id(indicator, reading_like.get("population")),
                comparator=reading_like["comparator"],
                value=reading_like.get("value"),
                unit=reading_like.get("unit", ""),
                target_year=reading_like.get("target_year"),
                baseline_value=reading_like.get("baseline_value"),
                baseline_year=reading_like.get("baseline_year"),
                actual_value=reading_like.get("actual_value"),
                population=reading_like.get("population"),  # type: ignore[arg-type]
                raw_text=raw,
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
            add({**r.__dict__, "population": population_of(r.indicator)}, cand.item, cand.page, raw, "kpi")
        taken.update(range(cand.item, cand.item + len(cand.raw_lines)))
    for cand in goal_candidates(items, taken):
        for r in read_sentence(cand.text, default_year):
            raw = "\n".join(cand.raw_lines)
            add({**r.__dict__, "population": population_of(r.indicator)}, cand.item, cand.page, raw, "target")
    records[:] = _first_statement_only(records)  # sentences restated in a KPI list or table
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
                "population": population_of(t.indicator),
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
        for s in step_records(joined):
            first = max(0, bisect.bisect_right(starts, s.start) - 1)
            last = max(first, bisect.bisect_right(starts, s.end - 1) - 1)
            page = items[first].page_no
            lines = [items[k].line.raw_text for k in range(first, last + 1) if items[k].page_no == page]
            raw = "\n".join(lines)
            add(
                {"indicator": s.indicator, "comparator": "=", "value": s.value, "unit": "%",
                 "target_year": s.year, "actual_value": s.actual, "population": population_of(s.indicator)},
                first, items[first].page_no, raw, "target",
            )  # fmt: skip
    for n, record in enumerate(records):  # ids in reading order, after restatements were dropped
        record.id = f"{plan.id}-k{n:03d}"
    return records


def _first_statement_only(records: list) -> list:
    """A target stated twice in one plan (the KPI line, then a KPI table or list restating it) is
    one record: the first. Same year, comparator and value, and the same canonical indicator, or
    one indicator's words ending the other's (a restatement carries the measure's name before it)."""
    kept: list = []
    for record in records:
        text = re.sub(r"\s+", "", record.indicator)
        duplicate = any(
            k.target_year == record.target_year
            and k.comparator == record.comparator
            and k.value == record.value
            and (
                (record.value is not None and record.indicator_id and k.indicator_id == record.indicator_id)
                or (len(text) >= 2 and (text.endswith(re.sub(r"\s+", "", k.indicator))
                                        or re.sub(r"\s+", "", k.indicator).endswith(text)))
            )
            for k in kept
        )  # fmt: skip
        if not duplicate:
            kept.append(record)
    return kept


def _without_restatements(records: list[TableRecord]) -> list[TableRecord]:
    """Drop a 予定 (planned) row that repeats, year for year, the numbers of a 目標 (target) row."""
    series: dict[str, tuple] = {}
    for r in records:
        series.setdefault(r.indicator, ())
        series[r.indicator] += ((r.year, r.value, r.unit),)
    targets = {tuple(sorted(v, key=str)) for k, v in series.items() if "目標" in k or "予定" not in k}
    planned_twice = {
        k for k, v in series.items() if "予定" in k and len(v) >= 3 and tuple(sorted(v, key=str)) in targets
    }
    return [r for r in records if r.indicator not in planned_twice]


def _by_page(items: list[PlanLine]) -> list[list[int]]:
    pages: dict[int, list[int]] = {}
    for k, item in enumerate(items):
        pages.setdefault(item.page_no, []).append(k)
    return list(pages.values())
