"""Programs (保健事業) and health issues: the four kinds of plan of the corpus, in both layouts,
against tests/gold/programs."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from extract.evaluate import score_programs
from extract.pipeline import read_parsed
from extract.read.normalize import normalize_text
from extract.records.program_text import age_range, key_program, name_key
from extract.records.programs import actions
from tests.conftest import ROOT, parsed, whole
from tests.conftest import readings as plan_readings

GOLD = ROOT / "tests" / "gold" / "programs"
DOCS = sorted(p.stem for p in GOLD.glob("*.json"))
LIKE = "like-kenpo-datahealth-plan-step-format"
OITA = "chikyosai-oita-datahealth-plan-3rd"
TOKYO = "tokyo-ishikokuho-tokutei-kenshin-plan-3rd"
KYOUKAI = "kyoukai-kenpo-r3-branch-plans"


def readings(doc_id: str, layout: str = "plain"):
    """(parsed document, plan readings) of a corpus document in a layout, read once a session."""
    return parsed(doc_id, layout), plan_readings(doc_id, layout)


def by_plan(doc_id: str, what: str = "programs", layout: str = "plain") -> dict[str, list]:
    _, plans = readings(doc_id, layout)
    return {(r.plan.branch if len(plans) > 1 else "main"): getattr(r, what) for r in plans}


def squash(text: str) -> str:
    return "".join(normalize_text(text).split())


def gold(doc_id: str) -> dict:
    return json.loads((GOLD / f"{doc_id}.json").read_text(encoding="utf-8"))


def test_small_readers() -> None:
    assert key_program("特定健康診査（重点★）") == ("特定健康診査", True)
    assert key_program("人間ドック") == ("人間ドック", False)
    assert age_range("対象となる40歳～74歳の被保険者") == (40, 74)
    assert age_range("年齢 40 〜 74歳") == (40, 74)
    assert age_range("74歳から40歳") == (None, None)
    assert name_key("後発（ジェネリック）医薬品普及促進★") == name_key("後発(ジェネリック)医薬品 普及促進")
    text = (
        "○ 評議会における保険料率に関する議論\n"
        "・ 被保険者(40歳以上):実施対象者数 791,721人、実施見込者数 414,600人\n"
        "・特定保健指導 実施率 30.9%\n"
        "(内訳)協会保健師実施分 7.5%\n"
        "○ 医療機関を受診していない治療放置者に対する受診勧奨の推進\n"
        "(二次勧奨実施予定人数:12,000人)\n"
        "■KPI:①サービススタンダードの達成状況を 100%とする\n"
        "☆ 健診結果で要治療と判定されながら医療機関を受診していない者に対して電話等による受診勧奨を、\n"
        "一次勧奨対象者を含めた\n"
        "(2) 次の項目"
    )
    assert actions(text) == [
        "評議会における保険料率に関する議論",
        "医療機関を受診していない治療放置者に対する受診勧奨の推進(二次勧奨実施予定人数:12,000人)",
        "健診結果で要治療と判定されながら医療機関を受診していない者に対して電話等による受診勧奨を、一次勧奨対象者を含めた",
    ]


# programs and health issues the gold has (tests/gold/programs/README.md)
SAKURA = "variant-sakura-kyosai-datahealth-plan-3rd"
STYLES = "variant-kyoukai-kenpo-r3-branch-styles"
GOLD_COUNTS = {KYOUKAI: (186, 0), OITA: (17, 6), TOKYO: (2, 0), LIKE: (9, 2), SAKURA: (5, 4), STYLES: (73, 0)}
FLOORS: dict[str, dict[str, float]] = {  # every other figure is 1.0; a document that scores lower goes here
    # the published layout breaks 岩手's action before a ・ (…効率化 / ・簡素化を推進): read as a bullet
    STYLES: {"program actions": 0.98},
}


@pytest.mark.reads(*DOCS)
def test_programs_and_health_issues_in_every_field(layout: str, doc_id: str) -> None:
    """Names found (P, R) and every field the gold has, compared exactly (None is not False): each
    figure at least its floor (make bench prints them)."""
    issues = by_plan(doc_id, "health_issues", layout=layout)
    score = score_programs(by_plan(doc_id, layout=layout), gold(doc_id), issues)
    assert (score.programs.expected, score.issues.expected) == GOLD_COUNTS[doc_id]
    floors = FLOORS.get(doc_id, {})
    for what, evaluation in (("program", score.programs), ("issue", score.issues)):
        figures = {"precision": evaluation.precision, "recall": evaluation.recall, **evaluation.agreements()}
        for name, figure in figures.items():
            wrong = [str(m) for m in evaluation.wrong(name)][:5]
            limit = floors.get(f"{what} {name}", 1.0)
            assert figure >= limit, (what, name, round(figure, 4), wrong, evaluation.missed, evaluation.extra)


@pytest.mark.reads(LIKE)
def test_like_step_programs_with_budgets_targets_and_kpis(layout: str) -> None:
    """ライク: 9 programs from the STEP forms, each with its target population and output KPI."""
    programs = by_plan(LIKE, layout=layout)["main"]
    wanted = {name_key(p["name"]): p for p in gold(LIKE)["programs"]}
    assert len(programs) == 9
    for program in programs:
        want = wanted[name_key(program.name)]
        for name in ("category", "new", "sex", "population", "budget_thousand_yen", "age_from", "age_to"):
            assert getattr(program, name) == want[name], (program.name, name)
        assert program.kpi_ids, program.name
        assert program.method and program.structure and program.evaluation
    _, plans = readings(LIKE, layout)
    kpis = {k.id: k for k in plans[0].kpis}
    linked = [kpis[k] for p in programs for k in p.kpi_ids]
    assert all(k.program in {p.name for p in programs} for k in linked)
    assert sum(p.budget_thousand_yen or 0 for p in programs) == 350 + 5830 + 11214 + 4530
    # the reports' actual rows: 決算額 as printed (corpus/texts, 決算額 lines; "-" for the others)
    settled = {p.name: p.settled_thousand_yen for p in programs if p.settled_thousand_yen is not None}
    assert settled == {
        "婦人科がん検診": 9353, "胃がん検診": 4750, "特定保健指導": 796, "ジェネリック差額通知の発送": 242,
        "医療費通知の発送": 650, "重症化予防": 133,
    }  # fmt: skip


@pytest.mark.reads(OITA)
def test_oita_programs_with_purposes_targets_and_key_marks(layout: str) -> None:
    programs = by_plan(OITA, layout=layout)["main"]
    wanted = {name_key(p["name"]): p for p in gold(OITA)["programs"]}
    assert len(programs) == 17
    for program in programs:
        assert program.purpose and program.summary, program.name
        # the plan marks six programs 重点★: the other eleven are not key programs (False, not None)
        assert program.key_program is wanted[name_key(program.name)]["key_program"], program.name
        assert program.population == wanted[name_key(program.name)]["population"]  # 対象者：HbA1c7.0以上の者
    # every 第N has an evaluation table; 第15 lists indicators without values, 第17 sets none
    without = [p.name for p in programs if not p.kpi_ids]
    assert without == ["適正受診・服薬推進", "事業主との連携・コラボヘルス"]


@pytest.mark.reads(TOKYO)
def test_tokyo_method_programs(layout: str) -> None:
    programs = by_plan(TOKYO, layout=layout)["main"]
    assert [p.name for p in programs] == ["特定健康診査", "特定保健指導"]
    assert all(p.source == "method" and p.method and p.structure for p in programs)
    # whom each serves: the people the plan states the ages for (…の対象となる40歳～74歳の被保険者),
    # and those the 特定保健指導 sends its 利用券 (動機づけ支援対象者、積極的支援対象者)
    assert [(p.population, p.age_from, p.age_to) for p in programs] == [
        ("被保険者", 40, 74), ("動機づけ支援対象者、積極的支援対象者", 40, 74)
    ]  # fmt: skip


@pytest.mark.reads(*DOCS)
def test_every_program_keeps_its_evidence_on_its_pages(layout: str, doc_id: str) -> None:
    doc, plans = readings(doc_id, layout)
    text = {p.page_no: squash(p.text) for p in doc.pages}
    for reading in plans:
        for program in reading.programs:
            pages = "".join(text[n] for n in range(program.page_start, program.page_end + 1))
            assert squash(program.name)[:8] in pages, program.name
            for line in program.raw_text.splitlines()[:5]:
                assert squash(line)[-10:] in pages
        for issue in reading.health_issues:
            assert squash(issue.raw_text.splitlines()[0])[-8:] in text[issue.page]


@pytest.mark.reads(KYOUKAI)
def test_every_measure_of_every_branch_is_a_program(layout: str) -> None:
    """All 35 branch plans yield measures in each of their three fields, most with ○ / ・ actions
    (a few branches number their actions (1), ① instead), and every KPI stands under one."""
    found = by_plan(KYOUKAI, layout=layout)
    assert len(found) == 35
    fields = {"基盤的保険者機能関係", "戦略的保険者機能関係", "組織・運営体制関係"}
    assert all({p.category for p in programs} == fields for programs in found.values())
    every = [p for programs in found.values() for p in programs]
    assert len(every) >= 750  # 756 measures today (石川 numbers five of them ⅳ)… under one ○ measure)
    assert sum(bool(p.actions) for p in every) >= 0.88 * len(every)  # 0.885 today
    linked = {k for p in every for k in p.kpi_ids}
    _, plans = readings(KYOUKAI, layout)
    assert linked == {k.id for r in plans for k in r.kpis}


@pytest.mark.reads(*[LIKE, OITA, TOKYO])
def test_cut_documents_still_read(layout: str, doc_id: str) -> None:
    """A plan cut anywhere (a partial download, a chapter printed alone) reads without error: its
    tables and reports lose rows, not the document."""
    doc, _ = readings(doc_id, layout)
    pages = doc.pages
    last = len(pages)
    for start, stop in [(0, 3), (2, last // 2), (last // 3, last), (last - 2, last)]:
        for n in range(start, stop, max(1, (stop - start) // 4)):
            cut = doc.model_copy(update={"pages": pages[start : n + 1]})
            for reading in whole(read_parsed(cut)).plans:
                assert all(p.name for p in reading.programs)
                assert all(i.issue for i in reading.health_issues)


@pytest.mark.reads(LIKE, TOKYO)
def test_targets_link_to_the_program_they_name(layout: str) -> None:
    """東京都医師国保 states its rates in a goal table away from the 実施方法 sections: a rate that
    names one program belongs to it; a head count (受診者数（組合員 男性）) belongs to the program
    the heading of its table's section names (① 特定健康診査受診者の目標数)."""
    _, plans = readings(TOKYO, layout)
    programs = {p.id: p.name for p in plans[0].programs}
    for kpi in plans[0].kpis:
        names = [n for n in ("特定健康診査", "特定保健指導") if n in kpi.indicator]
        if not names:
            names = [n for n in ("特定健康診査", "特定保健指導") if n in kpi.section.rsplit(" > ", 1)[-1]]
        assert len(names) == 1 and kpi.program == names[0], (kpi.indicator, kpi.section)
    linked = {k for p in plans[0].programs for k in p.kpi_ids}
    assert linked == {k.id for k in plans[0].kpis if k.program} and len(programs) == 2
    # ライク: the reports' programs own their STEP3 rows' targets as well; only the plan's overall
    # goal (事業全体の目標) belongs to none
    _, like = readings(LIKE, layout)
    assert [k.indicator for k in like[0].kpis if k.program is None] == ["循環器系の医療費"]


def test_the_program_gold_readme_counts_what_the_files_hold() -> None:
    """tests/gold/programs/README.md's table (programs, ★ key programs, actions, health issues) and
    its programs per branch are the files'."""
    readme = (GOLD / "README.md").read_text(encoding="utf-8")
    row = re.compile(r"^\| (?P<file>[\w-]+)\.json \| (?P<plans>[^|]+) \| (?P<programs>\d+)(?: \((?P<n>\d+) "
                     r"(?P<what>key|actions)\))? \| (?P<issues>\d+) \|$", re.M)  # fmt: skip
    rows = {m["file"]: m for m in row.finditer(readme)}
    assert sorted(rows) == DOCS
    for doc_id, m in rows.items():
        wanted = gold(doc_id)
        programs = wanted["programs"]
        annotated = wanted["plans_annotated"]
        plans = "main" if annotated == ["main"] else f"{len(annotated)} branches"
        assert (m["plans"], int(m["programs"]), int(m["issues"])) == (plans, len(programs),
                                                                    len(wanted["health_issues"])), doc_id
        key = sum(bool(p["key_program"]) for p in programs)
        actions = sum(len(p["actions"]) for p in programs)
        assert (int(m["n"] or 0), m["what"]) == ((key, "key") if key else (actions, "actions") if actions
                                                 else (0, None)), doc_id  # fmt: skip
    branches = re.search(r"\*\*Branches\.\*\* (.+?)\.\n", readme, re.S)
    assert branches is not None
    counts = {name: int(n) for name, n in re.findall(r"(\S+) (\d+)", branches[1])}
    assert counts == Counter(p["plan"] for p in gold("kyoukai-kenpo-r3-branch-plans")["programs"])
