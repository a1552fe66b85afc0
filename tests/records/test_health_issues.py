"""Health issues: the STEP2 rows (ライク), the issue / program table (大分), a table with named columns
(さくら), and a section's list."""

from __future__ import annotations

import pytest

from extract.records.health_issues import section_issues
from extract.records.program_text import SectionTree, name_key
from tests.records.test_programs import LIKE, OITA, SAKURA, by_plan, gold, squash


@pytest.mark.reads(*[LIKE, OITA, SAKURA])
def test_health_issues_link_their_programs(layout: str, doc_id: str) -> None:
    issues = by_plan(doc_id, "health_issues", layout=layout)["main"]
    programs = {p.id: p for p in by_plan(doc_id, layout=layout)["main"]}
    for want, issue in zip(gold(doc_id)["health_issues"], issues, strict=True):
        assert squash(issue.issue).startswith(squash(want["issue"])[:15])
        assert sorted(name_key(n) for n in issue.programs) == sorted(name_key(n) for n in want["programs"])
        linked = [name_key(programs[i].name) for i in issue.program_ids]
        assert linked == [name_key(n) for n in issue.programs]
        if want["direction"]:
            assert issue.direction and squash(issue.direction)[:10] == squash(want["direction"])[:10]


def test_health_issues_listed_in_a_section() -> None:
    """A data-health plan that lists its issues in a section (no table): numbered parts, or
    numbered lines, each an issue; a one-item list is not taken."""
    from schemas.plans import Section

    def section(n: int, parent: int | None, label: str, heading: str, text: str, level: int) -> Section:
        return Section(id=f"s{n}", plan_id="p", parent_id=f"s{parent}" if parent is not None else None,
                       level=level, label=label, heading=heading, path=f"{label}{heading}", page_start=3,
                       page_end=3, text=text)  # fmt: skip

    parts = [
        section(0, None, "第3章", "健康課題の抽出", "", 1),
        section(1, 0, "(1)", "生活習慣病の重症化", "腎症の新規透析導入を防ぐ対策が必要である。\n図表3", 2),
        section(2, 0, "(2)", "特定健診の受診率が低い", "40歳代の受診率は県平均を下回る。", 2),
    ]
    issues = section_issues(SectionTree(parts))
    assert [(i["number"], i["issue"]) for i in issues] == [
        (1, "生活習慣病の重症化"),
        (2, "特定健診の受診率が低い"),
    ]
    assert issues[0]["direction"] == "腎症の新規透析導入を防ぐ対策が必要である。"
    assert issues[1]["direction"] is None  # a finding, not a direction
    text = "次の課題がある。\n課題1 がんの医療費が高い\n課題2 喫煙率が高い"
    lines = [section(0, None, "第3章", "健康課題", text, 1)]
    assert [i["issue"] for i in section_issues(SectionTree(lines))] == ["がんの医療費が高い", "喫煙率が高い"]
    single = [section(0, None, "第3章", "健康課題", "① がんの医療費が高い", 1)]
    assert section_issues(SectionTree(single)) == []
    related = [section(0, None, "", "健康課題との関連", "1 a b c d\n2 e f g h", 1)]
    assert section_issues(SectionTree(related)) == []


def test_the_innermost_section_about_health_issues_lists_them() -> None:
    """現状の整理と健康課題 > 健康課題: the chapter's sections are no issues; its 健康課題 section's are."""
    from schemas.plans import Section

    def section(n: int, parent: int | None, label: str, heading: str, text: str, level: int) -> Section:
        return Section(id=f"s{n}", plan_id="p", parent_id=f"s{parent}" if parent is not None else None,
                       level=level, label=label, heading=heading, path=f"{label}{heading}", page_start=2,
                       page_end=2, text=text)  # fmt: skip

    parts = [
        section(0, None, "Ⅱ", "現状の整理と健康課題", "", 1),
        section(1, 0, "2-1", "加入者の構成", "加入者数は22,359人である。", 2),
        section(2, 0, "2-2", "健康課題", "① 被扶養者の受診率が低い\n② 喫煙率が高い", 2),
    ]
    issues = section_issues(SectionTree(parts))
    assert [i["issue"] for i in issues] == ["被扶養者の受診率が低い", "喫煙率が高い"]
