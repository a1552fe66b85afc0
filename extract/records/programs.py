"""Programs (保健事業) of a plan, read from its lines and section tree, and the plan's health issues.

Plans describe programs in four ways, and each has a reader:

- **STEP forms** of the 健保組合 data-health template: the STEP4 reports and the STEP3 plan table
  (:mod:`extract.records.step_forms`).
- **Numbered chapters** (第1 特定健康診査 …): a section whose own parts include a 目的 and a 実施内容
  / 実施方法 part. Each part's text fills its field; the KPI records of the subtree are linked.
- **Measures of a business plan** (協会けんぽ): each numbered measure below a field, with its ○ / ・
  action lines and the KPIs stated under it.
- **実施方法 sections** of a 特定健康診査等実施計画: ``特定健康診査の実施方法`` is the program
  特定健康診査, described by its parts.

Health issues: :mod:`extract.records.health_issues`. Shared text helpers: :mod:`extract.records.program_text`.
"""

from __future__ import annotations

import re

from extract.records.health_issues import plan_health_issues
from extract.records.program_text import (
    SectionTree,
    age_range,
    key_program,
    kpis_under,
    name_key,
    prose,
    squash,
)
from extract.records.step_forms import step_report_programs, step_table_programs
from extract.records.targets import population_of
from extract.structure.headings import PlanLine, match_style
from schemas.kpis import Kpi
from schemas.plans import Plan, Section
from schemas.programs import HealthIssue, Program

_ACTION_MARK = re.compile(r"^\s*([○◯〇●◎・◆◇☆])\s*")
_FIGURES_ONLY = re.compile(
    r"[0-9.,]+\s*[%人件社]\s*(?:以上|以下)?\s*[)）]?\s*$"  # …実施率 59.0% / (受診対象者数:179,101人)
    r"|^[^、。]{0,40}[:：]\s*[^、。]*数\s*[0-9,]+\s*人"  # 被保険者(40歳以上):実施対象者数 791,721人、…
)
"""A bulleted line that only states figures (a target or a head count), not an action."""
_COUNT_NOTE = re.compile(r"\s*[(（][^()（）]*\d[^()（）]*[)）]\s*$")  # (一次勧奨実施予定人数 5,335人)
_WHO = re.compile(r"^(被保険者|被扶養者|加入者|組合員)")


def _figures_only(item: str) -> bool:
    """Whether a bulleted line states figures only: who is counted and how many, or a rate. An
    action with its planned number in a bracket after it (未治療者に対する受診勧奨(…予定人数 5,335人))
    is an action."""
    if not _FIGURES_ONLY.search(item):
        return False
    head = item
    while _COUNT_NOTE.search(head):
        head = _COUNT_NOTE.sub("", head)
    head = head.strip()
    return not head or bool(_WHO.match(head) or re.search(r"\d|数$", head))  # …実施予定人数(約620人)


_ACTION_STOP = re.compile(r"^\s*(?:■|※|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+\s*[)）.]|-\s*\d+\s*-$|【)")


# ---------------------------------------------------------------------------------------------
# Numbered chapters and 実施方法 sections

_PURPOSE = re.compile(r"^(?:事業の)?目的")
_CONTENT = re.compile(r"^(?:実施内容|事業内容|事業の内容|実施方法|取組内容|実施計画|内容)")
_STRUCTURE = re.compile(r"^(?:実施体制|実施機関|実施主体)")
_STATUS = re.compile(r"^(?:これまで.*の)?実施状況")
_OBSTACLE = re.compile(r"^課題")
_METHOD_HEADING = re.compile(r"^(.+?)の(?:実施方法|実施計画)$")
_TARGET_LINE = re.compile(r"(?:^|\n)[\s・\-]*対象者?\s*[:：]\s*([^\n]{1,60})")
_TARGET_HEADING = re.compile(r"^対象者?$|^対象者?の(?:範囲|要件|選定)")


def _population(tree: SectionTree, n: int) -> str | None:
    """The target population as the program states it: a ``対象者：…`` line, or the first line of a
    part headed 対象者."""
    m = _TARGET_LINE.search(tree.text(n))
    if m:
        return m.group(1).strip().rstrip("。")
    k = tree.find(n, _TARGET_HEADING)
    if k is not None and tree.sections[k].text.strip():
        # its first paragraph: a wrapped line goes on, a marked line (・組合員 …) is the next item
        lines = tree.sections[k].text.strip().splitlines()
        first = lines[0].strip()
        for line in lines[1:]:
            line = line.strip()
            if not line or first.endswith("。") or _ITEM_MARK.match(line) or len(first + line) > 120:
                break
            first += line
        return first.rstrip("。")
    return None


_ITEM_MARK = re.compile(r"^[・○〇●◆◇■□※\-－]|^[(（]?\d{1,2}[)）.．]")


def _ticketed(text: str) -> str | None:
    """Whom a …の実施方法 section sends its 受診券 / 利用券 (``…動機づけ支援対象者、積極的支援対象者に対し、
    利用券を交付``): the people that program serves."""
    m = _TICKETED.search(squash(text))  # a table cell wraps anywhere: 利用券の発 / 行
    return m.group(1) if m else None


def _field(tree: SectionTree, n: int, pattern: re.Pattern[str]) -> str | None:
    k = tree.find(n, pattern)
    if k is None:
        return None
    return prose(tree.text(k, with_headings=True)) or None


def _section_program(tree: SectionTree, n: int, source: str, name: str, kpis: list[Kpi]) -> dict:
    s = tree.sections[n]
    whole = tree.text(n, with_headings=True)
    name, key = key_program(name)
    low, high = age_range(whole)
    content = _field(tree, n, _CONTENT)
    linked = kpis_under(kpis, s.path)
    last = tree.sections[tree.subtree(n)[-1]]
    return {
        "source": source,
        "section": s.path,
        "page_start": s.page_start,
        "page_end": max(s.page_end, last.page_end),
        "name": name,
        "key_program": key or None,
        "purpose": _field(tree, n, _PURPOSE),
        "summary": content if source == "chapter" else None,
        "method": prose(whole) if source == "method" else None,
        "structure": _field(tree, n, _STRUCTURE),
        "status": _field(tree, n, _STATUS),
        "obstacles": _field(tree, n, _OBSTACLE),
        "age_from": low,
        "age_to": high,
        "population": _population(tree, n) or (_ticketed(whole) if source == "method" else None),
        "kpi_ids": [k.id for k in linked],
        "raw_text": f"{s.label} {s.heading}\n{whole}".strip(),
    }


_AGED_WHO = re.compile(r"\d+歳?[~～〜\-－]\d+歳の(被保険者|被扶養者|組合員|加入者)")
# who a 特定健康診査等実施計画 sends its tickets to: the program's own statement of whom it serves
_TICKETED = re.compile(r"(?:利用券|受診券)の(?:発行|交付).{0,30}?([^、。]*対象者(?:、[^、。]*対象者)*)に対し")


def _stated_ages(sentences: list[str], name: str) -> tuple[int | None, int | None, str | None]:
    """An age range the plan states for a program elsewhere: the first of the plan's sentences
    naming the program that holds one (特定健康診査及び特定保健指導の対象となる40歳～74歳の被保険者),
    and whom it names with them (被保険者)."""
    key = squash(name)
    for sentence in sentences:
        if key in sentence:
            low, high = age_range(sentence)
            if low is not None:
                who = _AGED_WHO.search(sentence)
                return low, high, who.group(1) if who else None
    return None, None, None


def chapter_programs(tree: SectionTree, kpis: list[Kpi]) -> list[dict]:
    """Sections whose parts include a 目的 and a 実施内容 / 実施方法, and …の実施方法 sections.

    A program whose own text states no age range takes the one the plan states for it elsewhere.
    """
    found: list[dict] = []
    inside: set[int] = set()
    for n, s in enumerate(tree.sections):
        if n in inside:
            continue
        heads = [squash(k.heading) for k in tree.kids(n)]
        if any(_PURPOSE.match(h) for h in heads) and any(_CONTENT.match(h) for h in heads):
            found.append(_section_program(tree, n, "chapter", s.heading, kpis))
            inside.update(tree.subtree(n))
            continue
        m = _METHOD_HEADING.match(squash(s.heading))
        if m and tree.kids(n) and not any(_METHOD_HEADING.match(h) for h in heads):
            found.append(_section_program(tree, n, "method", m.group(1), kpis))
            inside.update(tree.subtree(n))
    if any(program["age_from"] is None for program in found):
        sentences = [part for s in tree.sections for part in re.split(r"(?<=。)", squash(s.text))]
        for program in found:
            if program["age_from"] is None:
                program["age_from"], program["age_to"], who = _stated_ages(sentences, program["name"])
                program["population"] = program["population"] or who
    return found


# ---------------------------------------------------------------------------------------------
# Measures of a business plan


def actions(text: str) -> list[str]:
    """The ○ / ・ action lines of a measure, each joined with the lines that continue it.

    A line opening with another mark (■ KPI, ※, a numbering such as （１） or ii)) ends an
    action; bulleted lines that only state figures (targets, head counts) are not actions.
    """
    found: list[str] = []
    open_action = False
    for line in text.splitlines():
        m = _ACTION_MARK.match(line)
        if m:
            first = line[m.end() :].strip()
            open_action = bool(first) and not _figures_only(first)
            if open_action:
                found.append(first)
        elif _ACTION_STOP.match(line) or match_style(line.strip()):
            open_action = False
        elif open_action and line.strip():
            found[-1] += line.strip()
    return found


def measure_programs(tree: SectionTree, kpis: list[Kpi]) -> list[dict]:
    """Each measure: a section right below a field (a top-level section), with its subtree's
    actions and KPIs. A field's own list of goals (headings with no text) is not a measure."""
    found = []
    by_id = {s.id: s for s in tree.sections}
    for n, s in enumerate(tree.sections):
        parent = by_id.get(s.parent_id or "")
        if s.level != 2 or parent is None or parent.level != 1:
            continue
        text = tree.text(n)
        if not text.strip():
            continue
        acts = actions(text)
        linked = kpis_under(kpis, s.path)
        name, key = key_program(s.heading)
        found.append(
            {
                "source": "measure",
                "section": s.path,
                "page_start": s.page_start,
                "page_end": tree.sections[tree.subtree(n)[-1]].page_end,
                "name": name,
                "key_program": key or None,
                "category": parent.heading,
                "actions": acts,
                "kpi_ids": [k.id for k in linked],
                "raw_text": f"{s.label}{s.heading}\n{tree.text(n, with_headings=True)}".strip(),
            }
        )
    return found


# ---------------------------------------------------------------------------------------------
# A plan's programs and health issues


def plan_programs(
    plan: Plan, items: list[PlanLine], owner: list[int], sections: list[Section], kpis: list[Kpi]
) -> tuple[list[Program], list[HealthIssue]]:
    """Every program and health issue of one plan (a pure function of what the plan stage read)."""
    tree = SectionTree(sections)
    table = step_table_programs(items, kpis)
    drafts = step_report_programs(items, kpis, table) or table
    if not drafts:
        drafts = chapter_programs(tree, kpis)
    if not drafts and plan.plan_type == "business_plan":
        drafts = measure_programs(tree, kpis)
    programs: list[Program] = []
    for n, draft in enumerate(drafts, start=1):
        item = draft.pop("item", None)
        draft.pop("number_in_source", None)
        if "section" not in draft:
            index = owner[item] if item is not None and item < len(owner) else 0
            draft["section"] = sections[index].path if sections else ""
        programs.append(
            Program(id=f"{plan.id}-g{n:03d}", doc_id=plan.doc_id, plan_id=plan.id, number=n, **draft)
        )
    if any(p.key_program for p in programs):  # the plan marks its key programs: the others are not
        for program in programs:
            program.key_program = bool(program.key_program)
    _link_field_kpis(programs, kpis)
    _link_by_name(programs, kpis)
    by_kpi = {k: p for p in programs for k in p.kpi_ids}
    for kpi in kpis:
        if kpi.id in by_kpi:  # the program's name as the programs table has it
            kpi.program = by_kpi[kpi.id].name
            kpi.population = kpi.population or _named_population(kpi.program)
    issues = plan_health_issues(plan, items, owner, sections, programs, tree)
    for program in programs:  # a STEP form prints the 健康課題との関連 cell under the last cell
        for issue in issues:
            for name in ("obstacles", "success_factors", "status"):
                value = getattr(program, name)
                if value and issue.issue in value:
                    setattr(program, name, value.replace(issue.issue, "").strip() or None)
    return programs, issues


def _named_population(name: str) -> str | None:
    """The population a program's name gives in brackets (特定健康診査（被扶養者）): whom its
    targets count when their indicator does not say."""
    for part in re.findall(r"[(（]([^()（）]+)[)）]", name):
        who = population_of(part)
        if who:
            return who  # type: ignore[return-value]
    return None


def _link_field_kpis(programs: list[Program], kpis: list[Kpi]) -> None:
    """A business plan's KPI line that stands in a field's own text, before the field's first
    measure, closes the measure before it: the table row of that measure (the previous field's
    last) broke across the page, and the line came out after the next field's label."""
    measures = [p for p in programs if p.source == "measure"]
    linked = {k for p in programs for k in p.kpi_ids}
    for kpi in kpis:
        if kpi.id in linked or kpi.kind != "kpi" or " > " in kpi.section or not kpi.section:
            continue
        first = next((n for n, p in enumerate(measures) if p.section.startswith(kpi.section + " > ")), None)
        if first:  # a measure of the field follows, and one of the field before precedes it
            measures[first - 1].kpi_ids.append(kpi.id)


def _link_by_name(programs: list[Program], kpis: list[Kpi]) -> None:
    """A target stated away from its program (a plan's goal table: 特定健康診査受診率 …) belongs to
    the program its indicator names, when it names exactly one (the longest name wins); one whose
    indicator names none, to the program the heading of its section names (a table under
    ``① 特定健康診査受診者の目標数``)."""
    linked = {k for p in programs for k in p.kpi_ids}
    names = [(name_key(p.name), p) for p in programs if len(name_key(p.name)) >= 4]
    names.sort(key=lambda pair: -len(pair[0]))

    def named(text: str) -> Program | None:
        key = name_key(text)
        found = [p for name, p in names if name in key]
        if found and all(name_key(other.name) in name_key(found[0].name) for other in found[1:]):
            return found[0]
        return None

    for kpi in kpis:
        if kpi.id in linked:
            continue
        program = named(kpi.indicator) or named(kpi.section.rsplit(" > ", 1)[-1])
        if program is not None:
            program.kpi_ids.append(kpi.id)
