"""Section trees against the headings written by hand in tests/expected (precision, recall), in
both layouts of the corpus; the published layout gives the plain layout's tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.evaluate import Evaluation, expected_parents, score_plans
from extract.read.normalize import normalize_text
from extract.structure.headings import ordinal
from extract.structure.outline import SectionDraft, not_an_outline
from tests.conftest import ROOT, manifest
from tests.structure.test_plans import expected, plans_of


def hokkaido(layout: str = "plain"):
    [sections] = [s for p, s in plans_of("kyoukai-kenpo-r3-branch-plans", layout) if p.branch == "北海道"]
    return sections


ANNOTATED = [e for e in manifest() if any("sections" in p for p in expected(e["id"])["plans"])]
# headings the expectations list (tests/expected/README.md)
EXPECTED_HEADINGS = {
    "kyoukai-kenpo-r3-branch-plans": 406, "chikyosai-oita-datahealth-plan-3rd": 268,
    "tokyo-ishikokuho-tokutei-kenshin-plan-3rd": 42, "like-kenpo-datahealth-plan-step-format": 6,
    "variant-sakura-kyosai-datahealth-plan-3rd": 42, "variant-kyoukai-kenpo-r3-branch-styles": 131,
}  # fmt: skip
FLOORS: dict[str, dict[str, float]] = {}  # every figure is 1.0 today; a document that scores lower goes here


def document_score(doc_id: str, layout: str = "plain") -> Evaluation:
    return score_plans(plans_of(doc_id, layout), expected(doc_id))


@pytest.mark.reads(*(e["id"] for e in ANNOTATED))
def test_section_headings_levels_and_parents(layout: str, entry: dict) -> None:
    """Every heading found counts, whatever its numbering style; label, heading, level and parent
    of each matched one are compared. Each figure at least its floor (make bench prints them)."""
    score = document_score(entry["id"], layout)
    assert score.expected == EXPECTED_HEADINGS[entry["id"]]
    floors = FLOORS.get(entry["id"], {})
    for name, figure in {"precision": score.precision, "recall": score.recall, **score.agreements()}.items():
        wrong = [str(m) for m in score.wrong(name)][:10]
        assert figure >= floors.get(name, 1.0), (name, round(figure, 4), wrong, score.missed, score.extra)


def _outline(sections) -> list[tuple[int, str, str]]:
    """(level, label, heading) of every heading, normalized: a heading wrapped over two lines is
    joined from the normalized text, so only the characters count, not where a layout broke them."""
    return [
        (s.level, normalize_text(s.label), "".join(normalize_text(s.heading).split()))
        for s in sections
        if s.level > 0
    ]


@pytest.mark.parametrize("entry", ANNOTATED, ids=lambda d: d["id"])
def test_the_published_layout_gives_the_plain_layouts_tree(corpus_pdfs: Path, entry: dict) -> None:
    """Labels, headings and levels of every plan of every expected document, heading for heading."""
    plain, published = plans_of(entry["id"], "plain"), plans_of(entry["id"], "published")
    assert [p.branch for p, _ in plain] == [p.branch for p, _ in published]
    for (plan, a), (_, b) in zip(plain, published, strict=True):
        assert _outline(a) == _outline(b), plan.branch
    assert any(_outline(a) for _, a in plain)


@pytest.mark.reads("kyoukai-kenpo-r3-branch-plans")
def test_sixteen_branches_are_annotated(layout: str) -> None:
    annotated = [p["key"] for p in expected("kyoukai-kenpo-r3-branch-plans")["plans"] if "sections" in p]
    assert len(annotated) == 16


@pytest.mark.reads("like-kenpo-datahealth-plan-step-format")
def test_step_parts_stand_at_the_top_whatever_precedes_them(layout: str) -> None:
    """ライク: STEP２ and STEP３ follow a table row marked ア; they are parts of the template."""
    [(_, sections)] = plans_of("like-kenpo-datahealth-plan-step-format", layout)
    steps = [s for s in sections if s.level > 0]
    assert [(s.level, s.parent_id) for s in steps] == [(1, None)] * 6
    assert [s.label for s in steps][3:5] == ["STEP２", "STEP３"]


def test_marks_that_are_no_outline_are_text() -> None:
    """A run of marks that does not count from its first (3 既 / ス …), a list whose items follow
    one another, and a form label repeated per record are taken back as text."""
    def run(*heads: tuple[str, str, str, list[str]]) -> list[SectionDraft]:
        drafts = [SectionDraft(1, "第1章", "総論", "chapter", 1, 1, None, ["本文"], item=0)]
        for n, (style, label, heading, lines) in enumerate(heads, start=1):
            drafts.append(SectionDraft(2, label, heading, style, 1, 1, 0, lines, item=n))
        return drafts

    assert not_an_outline(run(("n", "1", "目的", ["…"]), ("n", "2", "内容", ["…"]))) == set()
    assert not_an_outline(run(("n", "3", "既存", ["…"]), ("n", "4", "新規", ["…"]))) == {1, 2}
    assert not_an_outline(run(("circled", "①", "はい", []), ("circled", "②", "いいえ", []))) == {1, 2}
    assert not_an_outline(run(("n", "1", "事業名", ["…"]), ("n", "2", "事業名", ["…"]))) == {1, 2}
    # a run may start again at its first mark (two lists of ① items under one parent)
    restart = run(("circled", "①", "セミナー", ["…"]), ("circled", "②", "教室", ["…"]),
                  ("circled", "①", "大会", ["…"]))  # fmt: skip
    assert not_an_outline(restart) == set()
    assert [ordinal("kana", "ウ"), ordinal("roman", "ⅱ)"), ordinal("(n)", "（１２）")] == [3, 2, 12]


@pytest.mark.reads("chikyosai-oita-datahealth-plan-3rd")
def test_table_of_contents_is_not_taken_for_sections(layout: str) -> None:
    [(_, sections)] = plans_of("chikyosai-oita-datahealth-plan-3rd", layout)
    chapters = [s for s in sections if s.label.startswith("第") and s.label.endswith("章")]
    assert [s.label for s in chapters] == [f"第{n}章" for n in range(1, 9)]
    assert all(s.page_start > 1 for s in chapters)  # the contents are on page 1
    programs = [s for s in sections if s.level == 2 and s.label.replace(" ", "").startswith("第")]
    assert len(programs) == 17


@pytest.mark.reads("kyoukai-kenpo-r3-branch-plans")
def test_section_text_is_kept(layout: str) -> None:
    sections = hokkaido(layout)
    [generic] = [s for s in sections if s.heading == "ジェネリック医薬品の使用促進"]
    assert "KPI" in generic.text and generic.page_start == generic.page_end


def squash_all(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("entry", manifest(), ids=lambda d: d["id"])
def test_expected_files_agree_with_their_texts(entry: dict) -> None:
    """The checks of tests/expected/README.md ("Validation"), against corpus/texts: each heading
    stands on its line (a cut heading runs onto the next one), in text order, no level deeper than
    one below the heading before it (so every parent is a heading of the list)."""
    data = expected(entry["id"])
    assert data["id"] == entry["id"]
    lines = (ROOT / "corpus" / "texts" / entry["text"]).read_text(encoding="utf-8").split("\n")
    for plan in data["plans"]:
        sections = plan.get("sections", [])
        previous_level, previous_line = 0, 0
        for s in sections:
            here = squash_all(lines[s["line"] - 1])
            after = next((squash_all(t) for t in lines[s["line"] :] if t.strip()), "")
            assert squash_all(s.get("label_as_written", s["label"])) in here, s
            assert squash_all(s["heading"]) in here + after, s
            assert s["line"] >= previous_line and 1 <= s["level"] <= previous_level + 1, s
            previous_level, previous_line = s["level"], s["line"]
        assert [p is None for p in expected_parents(sections)].count(True) == sum(
            s["level"] == 1 for s in sections
        )
    keys = [p["key"] for p in data["plans"]]
    assert len(keys) == len(set(keys))
