"""Where a plan states its targets: the candidate lines and sentences the KPI assembly reads.

- **KPI blocks** (:func:`kpi_candidates`): a KPI label (■KPI, 【KPI】, KPI：, 令和3年度目標（KPI）：)
  and its parts (①②③, Ⅰ.Ⅱ., ア.イ., （内訳）), sentences broken across lines joined, up to the next
  statement or heading;
- **goal sentences** outside KPI labels (:func:`goal_candidates`): 上位目標, …を5%減らす, a rate
  to reach by a year;
- who a target counts when its block says so (:func:`stated_population`, :func:`ratio_population`)
  and the kind of each STEP form target (:func:`step_kinds`).

The records are assembled from these by ``extract.records.kpis``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.records.facts import FOLLOWING, STATED_GOAL, fact_sentence
from extract.records.targets import (
    _ARROW,
    _KPI_LABEL,
    _NUMBER,
    _REPORT,
    _UNITS,
    _YOY,
    KIND_LABEL,
    population_of,
    squash_numbers,
)
from extract.structure.headings import PlanLine, match_style, reaches_margin

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
ESTIMATE = re.compile(r"見込み?(者|件)?数|対象者数|見込み$")
_NEW_STATEMENT = re.compile(r"^\s*([■□◆●○〇・※【]|[①-⑳]|[ⅰ-ⅻ]\)|\(\d{1,2}\))")  # a line opening a statement
_CLAUSE_END = re.compile(r"(。|する|させる|らす|やす|とす|図る|行う|目指す|[)）】」]|:)\s*$")
_OTHERS_GOAL = re.compile(r"^\s*(国|政府|厚生労働省|本部|県)(は|の|が)")
_GOAL = re.compile(
    r"(目標|目指|めざ|達成|とする|とします|にします|減少させ|増加させ|引き上げ|引き下げ|減らす|増やす|にする|となるよう|削減す|に抑え|抑制す"
    r"|まで(拡大|増加|増や|減少|減ら)|以上の[^、。]{2,20}を(実施|開催)"
    r"|年度(末)?までに\s*\d[\d.,]*\s*(%|人|件)?\s*(以上|以下|未満))"  # R8年度までに25%以下
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
        # a line labelled with its indicator's kind (・アウトプット：…送付率 100%): an indicator, a target
        figure = re.search(r"\d\s*(%|件|人)", text) or _YOY.search(text)
        labelled = bool(KIND_LABEL.match(text)) and bool(figure)
        yoy_goal = _YOY.search(text) and "とす" in text
        if not numeric_goal and not labelled and not yoy_goal and not _ARROW.search(squash_numbers(text)):
            continue
        for sentence in sentences(text, line_starts):
            arrow_goal = _ARROW.search(squash_numbers(sentence)) and not _REPORT.search(sentence)
            goal = _GOAL.search(sentence) and (re.search(r"\d", sentence) or _YOY.search(sentence))
            if _REPORT.search(sentence) and not STATED_GOAL.search(sentence):
                continue  # a report of what happened (実績, 評価, 進捗), not a goal
            if fact_sentence(sentence):
                continue  # history, a projection or a rule: a figure of fact, not a goal
            if _OTHERS_GOAL.match(sentence) and not FOLLOWING.match(sentence):
                continue  # 国は、…の目標値を80%とし: a goal another body sets, the plan's reference
            if goal or arrow_goal or labelled:
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
