"""Section trees against the headings written by hand in tests/expected (precision, recall), in
both layouts of the corpus; the published layout gives the plain layout's tree."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from extract.evaluate import Evaluation, expected_parents, score_plans
from extract.normalize import normalize_text
from extract.pdf import read_pdf
from extract.plans import read_plans
from extract.sections import (
    SectionDraft,
    find_frame,
    match_style,
    not_an_outline,
    ordinal,
    plan_lines,
    title_like,
    undouble,
    undouble_digits,
)
from tests.conftest import CORPUS, ROOT, manifest
from tests.test_plans import expected, plans_of


def hokkaido(layout: str = "plain"):
    [sections] = [s for p, s in plans_of("kyoukai-kenpo-r3-branch-plans", layout) if p.branch == "北海道"]
    return sections


ANNOTATED = [e for e in manifest() if any("sections" in p for p in expected(e["id"])["plans"])]
# headings the expectations list (tests/expected/README.md)
EXPECTED_HEADINGS = {
    "kyoukai-kenpo-r3-branch-plans": 406, "chikyosai-oita-datahealth-plan-3rd": 268,
    "tokyo-ishikokuho-tokutei-kenshin-plan-3rd": 42, "like-kenpo-datahealth-plan-step-format": 6,
}  # fmt: skip
FLOORS: dict[str, dict[str, float]] = {}  # every figure is 1.0 today; a document that scores lower goes here


def document_score(doc_id: str, layout: str = "plain") -> Evaluation:
    return score_plans(plans_of(doc_id, layout), expected(doc_id))


@pytest.mark.parametrize("entry", ANNOTATED, ids=lambda d: d["id"])
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


def test_sixteen_branches_are_annotated(layout: str) -> None:
    annotated = [p["key"] for p in expected("kyoukai-kenpo-r3-branch-plans")["plans"] if "sections" in p]
    assert len(annotated) == 16


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


@pytest.mark.parametrize(
    ("heading", "title"),
    [("実施内容 (第3期における計画)", True), ("組合員 (任意継続組合員を除く。)", True), ("既", False),
     ("年齢別加入者数 加入者構成の分析 -", False), ("実施体制 計", False),
     ("被保険者の男女比: 男32%対女68%と女性比率が圧倒的に高い。 婦人科がん", False),
     ("上記(1)アは、大分県又は当支部が定める次の時期", False),
     ("専門職による対面での健診結果の説明  カ.他の保険者と共同で", False)],
)  # fmt: skip
def test_a_title_is_no_cell_and_no_sentence(heading: str, title: bool) -> None:
    assert title_like(heading) is title


def test_fields_are_top_level_and_measures_their_children(layout: str) -> None:
    for plan, sections in plans_of("kyoukai-kenpo-r3-branch-plans", layout):
        by_id = {s.id: s for s in sections}
        tops = [s.heading for s in sections if s.level == 1]
        assert tops == ["基盤的保険者機能関係", "戦略的保険者機能関係", "組織・運営体制関係"], plan.branch
        for s in sections:
            if s.level == 2:
                assert by_id[s.parent_id].level == 1


def test_field_and_first_measure_on_one_line(layout: str) -> None:
    sections = hokkaido(layout)
    paths = [s.path for s in sections]
    assert "１．基盤的保険者機能関係 > １．健全な財政運営" in paths
    assert "２．戦略的保険者機能関係 > ３．ジェネリック医薬品の使用促進" in paths


def test_table_of_contents_is_not_taken_for_sections(layout: str) -> None:
    [(_, sections)] = plans_of("chikyosai-oita-datahealth-plan-3rd", layout)
    chapters = [s for s in sections if s.label.startswith("第") and s.label.endswith("章")]
    assert [s.label for s in chapters] == [f"第{n}章" for n in range(1, 9)]
    assert all(s.page_start > 1 for s in chapters)  # the contents are on page 1
    programs = [s for s in sections if s.level == 2 and s.label.replace(" ", "").startswith("第")]
    assert len(programs) == 17


def test_kpi_lines_and_actions_are_body_text(layout: str) -> None:
    for _, sections in plans_of("kyoukai-kenpo-r3-branch-plans", layout):
        for s in sections:
            assert "KPI" not in s.heading.upper()
            assert not s.heading.endswith("とする")


def test_section_text_is_kept(layout: str) -> None:
    sections = hokkaido(layout)
    [generic] = [s for s in sections if s.heading == "ジェネリック医薬品の使用促進"]
    assert "KPI" in generic.text and generic.page_start == generic.page_end


@pytest.mark.parametrize(
    ("text", "style", "label", "heading"),
    [
        ("第1章 背景及び趣旨", "chapter", "第1章", "背景及び趣旨"),
        ("序章 計画策定にあたって", "chapter", "序章", "計画策定にあたって"),
        ("第12 こころの健康づくり", "dai", "第12", "こころの健康づくり"),
        ("1.1 データヘルス計画", "n.n", "1.1", "データヘルス計画"),
        ("1. 健全な財政運営", "n.", "1.", "健全な財政運営"),
        ("1 目的", "n", "1", "目的"),
        ("2広報活動の推進", "n", "2", "広報活動の推進"),
        ("(1) 実施状況", "(n)", "(1)", "実施状況"),
        ("1)組織運営の強化", "(n)", "1)", "組織運営の強化"),
        ("① 実施体制", "circled", "①", "実施体制"),
        ("ⅱ)特定保健指導の実施率の向上", "roman", "ⅱ)", "特定保健指導の実施率の向上"),
        ("ア 組合員", "kana", "ア", "組合員"),
        ("STEP1-2 保健事業の実施状況", "step_sub", "STEP1-2", "保健事業の実施状況"),
        ("STEP2 健康課題の抽出", "step", "STEP2", "健康課題の抽出"),
        ("○健全な財政運営", "bullet○", "○", "健全な財政運営"),
    ],
)
def test_numbering_styles(text: str, style: str, label: str, heading: str) -> None:
    assert match_style(text) == (style, label, heading)


@pytest.mark.parametrize("text", ["第3期データヘルス計画", "3年間の実績", "0.0% 20.0%", "2022 3,687", "Ⅲ〉"])
def test_not_numbering(text: str) -> None:
    assert match_style(text) is None


def test_fake_bold_doubles_are_undone() -> None:
    assert undouble("STEP1-1 基本情報STEP1-1 基本情報") == "STEP1-1 基本情報"
    assert undouble("基本分析基本分析") == "基本分析"
    assert undouble("健診健診の受診") == "健診健診の受診"
    assert undouble_digits("STEP11-33") == "STEP1-3"
    assert undouble_digits("STEP12-3") == "STEP12-3"


def test_fields_named_otherwise_are_found_by_their_numbering_and_shared_word() -> None:
    """No fixed spelling: a plan whose fields are named as no corpus plan names them."""
    body = [("○ 取組の一行目", 10.5, False, "text")] * 4
    names = ["加入者サービスの向上", "保健事業によるサービスの充実", "組織運営によるサービスの確保"]
    lines = []
    for k, name in enumerate(names, start=1):
        lines += [(f"({k}){name}", 13.0, True, "text"), ("① 健全な財政運営", 10.5, False, "text"), *body]
    assert _frame_names(lines) == names  # (1) (2) (3), the most prominent, sharing サービス


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


# --- the frame of a business plan, whatever its fields are called ------------------------------
VARIANT = CORPUS / "variants" / "kyoukai-kenpo-r3-field-spellings.pdf"


def _variant() -> dict:
    with (CORPUS / "manifest.toml").open("rb") as fh:
        return next(v for v in tomllib.load(fh)["variant"] if v["id"] == VARIANT.stem)


def _spelled(spelling: dict, number: int, plain: str) -> tuple[str, str]:
    """(label, name) of field ``number`` as the manifest says the variant spells it."""
    names = spelling.get("names", [])
    name = names[number - 1] if number <= len(names) else plain
    full = str(number).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return spelling.get("mark", "{n}．").format(n=full, r="ⅠⅡⅢⅣⅤ"[number - 1]), name


def test_fields_spelled_otherwise_give_the_same_outline(corpus_pdfs: Path) -> None:
    """The variant spells each branch's fields another way (marks （１） / １． / Ⅰ． / none, no ・,
    the 令和6年度 wording, some as headings inside the cell): same fields, same measures."""
    variant = _variant()
    plain = {p.branch: s for p, s in plans_of("kyoukai-kenpo-r3-branch-plans", "plain")}
    found = read_plans(read_pdf(VARIANT.read_bytes()))
    assert [p.branch for p, _ in found] == list(plain)
    spellings, styles = variant["field_spellings"], variant["published"]["styles"]
    assert any(s.get("field_in_cell") for s in styles) and any(not s.get("field_in_cell") for s in styles)
    for n, (plan, sections) in enumerate(found):
        spelling = spellings[n % len(spellings)]
        fields = [s for s in sections if s.level == 1]
        plain_fields = [s.heading for s in plain[plan.branch] if s.level == 1]
        want = [_spelled(spelling, k, name) for k, name in enumerate(plain_fields, start=1)]
        assert [(normalize_text(s.label), s.heading) for s in fields] == [
            (normalize_text(label), name) for label, name in want
        ], plan.branch
        measures = [(s.label, s.heading) for s in sections if s.level == 2]
        assert measures == [(s.label, s.heading) for s in plain[plan.branch] if s.level == 2], plan.branch
    third = {_spelled(s, 3, "組織・運営体制関係")[1] for s in spellings}
    assert third >= {"組織運営体制関係", "組織・運営体制関係"}


def _plan(lines: list[tuple[str, float, bool, str]]) -> list:
    """PlanLines of one page from (text, size, bold, role), one line under the other."""
    from schemas.records import Line

    out = []
    for k, (text, size, bold, role) in enumerate(lines):
        y = 60.0 + 16 * k
        out.append(Line(text=text, raw_text=text, x0=56, y0=y, x1=56 + size * len(text), y1=y + size,
                        size=size, bold=bold, role=role))  # fmt: skip
    return plan_lines([(1, out)])


def _frame_names(lines: list[tuple[str, float, bool, str]]) -> list[str]:
    items = _plan(lines)
    return [f.name for f in find_frame(items).fields.values()]


def test_the_frame_is_found_from_numbering_prominence_and_shared_words() -> None:
    body = [("○ 評議会における保険料率に関する議論", 10.5, False, "text")] * 4
    r6 = ["基盤的保険者機能の盤石化", "戦略的保険者機能の一層の発揮"]
    r6.append("保険者機能の強化を支える組織・運営体制等の整備")
    lines = []
    for k, name in enumerate(r6, start=1):
        measure = (f"({k}) 健全な財政運営の推進", 10.5, True, "text")
        lines += [(f"{k}. {name}", 14.0, True, "text"), measure, *body]
    assert _frame_names(lines) == r6  # they share 保険者機能
    # unnumbered label cells share 関係; a header cell (分野) shares nothing and is not a field
    labels = ["基盤的保険者機能関係", "戦略的保険者機能関係", "組織運営体制関係"]
    lines = [("分野", 10.5, False, "label")]
    for name in labels:
        lines += [(name, 10.5, False, "label"), ("1. サービス水準の向上", 10.5, False, "text"), *body]
    assert _frame_names(lines) == labels


def test_no_frame_without_shared_words_or_in_a_plan_of_chapters() -> None:
    body = [("本文の一行目です。", 10.5, False, "text")] * 4
    lines = []
    for k, name in enumerate(["健全な財政運営", "サービス水準の向上", "現金給付の適正化の推進"], start=1):
        lines += [(f"{k}. {name}", 14.0, True, "text"), *body]
    assert _frame_names(lines) == []  # numbered 1-3 and prominent, but nothing in common
    chapters = [("第1章 計画の基本的事項", 16.0, True, "text")]
    for k, name in enumerate(["特定健康診査の実施", "特定保健指導の実施", "特定健診等の評価"], start=1):
        chapters += [(f"{k}. {name}", 14.0, True, "text"), *body]
    assert _frame_names(chapters) == []  # shares 特定, but the plan's top level is its chapters
