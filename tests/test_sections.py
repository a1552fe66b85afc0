"""Section trees against the headings written by hand in tests/expected (precision, recall), in
both layouts of the corpus; the published layout gives the plain layout's tree."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from extract.evaluate import Score, score_plans
from extract.normalize import normalize_text
from extract.pdf import read_pdf
from extract.plans import read_plans
from extract.sections import find_frame, match_field, match_style, plan_lines, undouble, undouble_digits
from tests.conftest import CORPUS, manifest
from tests.test_plans import expected, plans_of


def hokkaido(layout: str = "plain"):
    [sections] = [s for p, s in plans_of("kyoukai-kenpo-r3-branch-plans", layout) if p.branch == "北海道"]
    return sections


ANNOTATED = [e for e in manifest() if any("sections" in p for p in expected(e["id"])["plans"])]


def document_score(doc_id: str, layout: str = "plain") -> Score:
    return score_plans(plans_of(doc_id, layout), expected(doc_id))


@pytest.mark.parametrize("entry", ANNOTATED, ids=lambda d: d["id"])
def test_section_headings_precision_and_recall(layout: str, entry: dict) -> None:
    score = document_score(entry["id"], layout)
    assert score.expected >= 6
    assert score.precision >= 0.95, score
    assert score.recall >= 0.95, score


def _scored_outline(sections, styles: set[str]) -> list[tuple[int, str, str]]:
    """(level, label, heading) of the headings in the numbering styles the expectation annotates,
    normalized: a heading wrapped over two lines is joined from the normalized text."""
    from extract.evaluate import style_of

    return [
        (s.level, normalize_text(s.label), "".join(normalize_text(s.heading).split()))
        for s in sections
        if s.level > 0 and style_of(s.label, s.heading) in styles
    ]


@pytest.mark.parametrize("entry", ANNOTATED, ids=lambda d: d["id"])
def test_the_published_layout_gives_the_plain_layouts_tree(corpus_pdfs: Path, entry: dict) -> None:
    """Labels, headings and levels of every expected document's plans, in the styles annotated."""
    from extract.evaluate import style_of

    want = expected(entry["id"])
    plain, published = plans_of(entry["id"], "plain"), plans_of(entry["id"], "published")
    assert [p.branch for p, _ in plain] == [p.branch for p, _ in published]
    for (plan, a), (_, b), wanted in zip(plain, published, want["plans"], strict=True):
        styles = {style_of(s["label"], s["heading"]) for s in wanted.get("sections", [])}
        if not styles:
            continue
        assert _scored_outline(a, styles) == _scored_outline(b, styles), plan.branch
        assert _scored_outline(a, styles)


def test_at_least_ten_branches_are_scored(corpus_pdfs: Path) -> None:
    annotated = [p for p in expected("kyoukai-kenpo-r3-branch-plans")["plans"] if "sections" in p]
    assert len(annotated) >= 10


def test_fields_are_top_level_and_measures_their_children(layout: str) -> None:
    for plan, sections in plans_of("kyoukai-kenpo-r3-branch-plans", layout):
        by_id = {s.id: s for s in sections}
        tops = [s.heading for s in sections if s.level == 1]
        assert tops == ["基盤的保険者機能関係", "戦略的保険者機能関係", "組織・運営体制関係"], plan.branch
        for s in sections:
            if s.level == 2:
                assert by_id[s.parent_id].level == 1


def test_field_and_first_measure_on_one_line(layout: str) -> None:
    """The plain layout writes them on one line; the published one side by side, in two cells."""
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


def test_field_lines() -> None:
    both = "1.基盤的保険者機能関係 1.健全な財政運営"
    assert match_field(both) == ("1.", "基盤的保険者機能関係", "1.健全な財政運営")
    assert match_field("1.基盤的保険者機") == ("1.", "基盤的保険者機", "")  # cut at the line end
    assert match_field("基盤的保険者機能の強化について") is None


def test_expected_files_are_valid() -> None:
    for entry in manifest():
        data = expected(entry["id"])
        assert data["id"] == entry["id"]
        json.dumps(data)


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
