"""The frame of a 協会けんぽ business plan (extract/structure/fields.py): its fields, whatever they
are called and however they are numbered, and the measures under them, in both layouts."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from extract.read.normalize import normalize_text
from extract.read.pdf import read_pdf
from extract.structure.fields import find_frame, measure_heading
from extract.structure.headings import plan_lines, reaches_margin
from extract.structure.plans import read_plans
from tests.conftest import CORPUS
from tests.structure.test_outline import hokkaido
from tests.structure.test_plans import plans_of


@pytest.mark.reads("kyoukai-kenpo-r3-branch-plans")
def test_fields_are_top_level_and_measures_their_children(layout: str) -> None:
    for plan, sections in plans_of("kyoukai-kenpo-r3-branch-plans", layout):
        by_id = {s.id: s for s in sections}
        tops = [s.heading for s in sections if s.level == 1]
        assert tops == ["基盤的保険者機能関係", "戦略的保険者機能関係", "組織・運営体制関係"], plan.branch
        for s in sections:
            if s.level == 2:
                assert by_id[s.parent_id].level == 1


@pytest.mark.reads("kyoukai-kenpo-r3-branch-plans")
def test_field_and_first_measure_on_one_line(layout: str) -> None:
    sections = hokkaido(layout)
    paths = [s.path for s in sections]
    assert "１．基盤的保険者機能関係 > １．健全な財政運営" in paths
    assert "２．戦略的保険者機能関係 > ３．ジェネリック医薬品の使用促進" in paths


@pytest.mark.reads("kyoukai-kenpo-r3-branch-plans")
def test_kpi_lines_and_actions_are_body_text(layout: str) -> None:
    for _, sections in plans_of("kyoukai-kenpo-r3-branch-plans", layout):
        for s in sections:
            assert "KPI" not in s.heading.upper()
            assert not s.heading.endswith("とする")


def test_fields_named_otherwise_are_found_by_their_numbering_and_shared_word() -> None:
    """No fixed spelling: a plan whose fields are named as no corpus plan names them."""
    body = [("○ 取組の一行目", 10.5, False, "text")] * 4
    names = ["加入者サービスの向上", "保健事業によるサービスの充実", "組織運営によるサービスの確保"]
    lines = []
    for k, name in enumerate(names, start=1):
        lines += [(f"({k}){name}", 13.0, True, "text"), ("① 健全な財政運営", 10.5, False, "text"), *body]
    assert _frame_names(lines) == names  # (1) (2) (3), the most prominent, sharing サービス


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


# --- branch plans numbered otherwise: a preamble field, fields （１） / Ⅰ．, measures ① ---------------
STYLES = "variant-kyoukai-kenpo-r3-branch-styles"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _fields_written(branch: str) -> list[tuple[str, str]]:
    """(label, name) of each field of one branch of the variant, from its source text: the lines
    that open with the manifest's ``field_label`` (how the text writes its fields)."""
    with (CORPUS / "manifest.toml").open("rb") as fh:
        entry = next(d for d in tomllib.load(fh)["document"] if d["id"] == STYLES)
    field_rx, start_rx = re.compile(entry["field_label"]), re.compile(entry["page_break_before"])
    fields: list[tuple[str, str]] = []
    inside = False
    for raw in (CORPUS / "texts" / entry["text"]).read_text(encoding="utf-8").split("\n"):
        line = raw.strip()
        if start_rx.search(line):
            inside = f"（{branch}支部）" in line
        elif inside and (m := field_rx.match(line)):
            label = re.match(r"[0-9０-９]+．|（[0-9０-９]+）|[Ⅰ-Ⅻ]．", m.group(0))
            assert label is not None, line
            fields.append((label.group(), m.group(0)[label.end() :].strip()))
    return fields


@pytest.mark.reads(STYLES)
def test_a_preamble_field_and_fields_numbered_otherwise_frame_the_measures(layout: str) -> None:
    """Every field of every branch, the 基本方針 preamble first where the branch writes one (１．基本方針
    then ２．３．４．…関係, or （１）基本方針 then （２）…), or Ⅰ．Ⅱ．Ⅲ．: the top level, as written; the
    measures ①②③ under the three 関係 fields, counted from ① in each, none under the preamble."""
    plans = plans_of(STYLES, layout)
    assert [p.branch for p, _ in plans] == ["北海道", "岩手", "岐阜", "兵庫", "鹿児島"]
    preambles = 0
    for plan, sections in plans:
        by_id = {s.id: s for s in sections}
        fields = [s for s in sections if s.level == 1]
        written = _fields_written(plan.branch or "")
        assert [(normalize_text(s.label), s.heading) for s in fields] == [
            (normalize_text(label), name) for label, name in written
        ], plan.branch
        for field_section in fields:
            measures = [s for s in sections if s.level == 2 and s.parent_id == field_section.id]
            if "関係" not in field_section.heading:  # the preamble: the branch's policy, no measures
                preambles += 1
                assert measures == [] and field_section.text, plan.branch
                continue
            assert [s.label for s in measures] == list(_CIRCLED[: len(measures)]), plan.branch
        assert all(by_id[s.parent_id].level == 1 for s in sections if s.level == 2)
        assert not [s for s in sections if s.level > 2], plan.branch  # sub-items, KPI parts: text
    assert preambles == 4  # 北海道, 岩手, 兵庫 (１．), 鹿児島 (（１）); 岐阜 writes none


def test_a_first_field_that_shares_no_word_opens_the_count() -> None:
    """The fields count from 1 whatever the first is called: a preamble (１．基本方針) before the
    fields that share a word (…関係) is a field; fields that count from 2 with no 1 before them,
    or a 1 after them, are no frame."""
    body = [("○ 評議会における保険料率に関する議論", 10.5, False, "text")] * 4
    policy = ("当支部は、加入者の健康の保持増進に取り組む。", 10.5, False, "text")
    preamble = [("1. 基本方針", 13.0, True, "text"), policy]
    names = ["基盤的保険者機能関係", "戦略的保険者機能関係", "組織・運営体制関係"]

    def plan(first: int, mark: str = "{}. ") -> list[tuple[str, float, bool, str]]:
        lines = []
        for k, name in enumerate(names, start=first):
            measure = ("① 健全な財政運営", 10.5, False, "text")
            lines += [(mark.format(k) + name, 13.0, True, "text"), measure, *body]
        return lines

    assert _frame_names(preamble + plan(2)) == ["基本方針", *names]
    bracketed = [("(1)基本方針", 13.0, True, "text"), policy]
    assert _frame_names(bracketed + plan(2, "({})")) == ["基本方針", *names]
    assert _frame_names(plan(1, "{}. ")) == names  # no preamble: the count starts at the first 関係
    assert _frame_names(plan(2)) == []  # counting from 2, and no field 1
    assert _frame_names(plan(2) + preamble) == []  # a 1 after the fields opens nothing


def test_a_kpi_part_that_fills_its_line_is_no_measure_and_a_tag_cut_after_its_bracket_goes_on() -> None:
    """Under measures numbered ①: a KPI part ① that is a sentence filling its line (after a bare
    ■KPI： label) ends there, it is not the start of a heading wrapped onto the note below; a
    measure whose tag 〈Ⅰ、Ⅱ、Ⅲ〉 is cut after its open bracket goes on onto the next line."""
    action = "・ 加入者及び事業主に対して、情報提供を丁寧に行い、理解を得るよう努める。"
    filler = [(action, 10.5, False, "text")] * 6
    part = "①社会保険診療報酬支払基金と合算したレセプト点検の査定率について対前年度以上とする。"
    items = _plan([*filler, ("■ KPI：", 10.5, False, "text"), (part, 10.5, False, "text"),
                   ("(※)査定率=レセプト点検により査定した額÷医療費総額", 10.5, False, "text")])  # fmt: skip
    i = next(k for k, it in enumerate(items) if it.line.text == part)
    assert reaches_margin(items[i])  # as long as the filler: it fills its line
    assert measure_heading(items, i, part[1:]) is None
    cut = "②データ分析に基づいた第2期保健事業実施計画(データヘルス計画)の着実な実施〈"
    items = _plan([*filler, (cut, 10.5, False, "text"), ("Ⅰ、Ⅱ、Ⅲ〉", 10.5, False, "text"),
                   ("【上位目標】", 10.5, False, "text")])  # fmt: skip
    i = next(k for k, it in enumerate(items) if it.line.text == cut)
    assert measure_heading(items, i, cut[1:]) == (cut[1:] + "Ⅰ、Ⅱ、Ⅲ〉", i + 1)
    # a heading closed by its tag, or one a 「quote」 opening the next paragraph did not fit beside
    paragraph = "「特定健診・特定保健指導の推進」、「重症化予防の対策」を基本的な実施事項と"
    measure = "第2期保健事業実施計画の着実な実施"
    for mark, heading in (("(1)", measure + "〈Ⅰ、Ⅱ、Ⅲ〉"), ("○", measure)):
        line = mark + heading
        items = _plan([*filler, (line, 10.5, False, "text"), (paragraph, 10.5, False, "text"),
                       ("する計画に基づく取組を着実に実施する。", 10.5, False, "text")])  # fmt: skip
        i = next(k for k, it in enumerate(items) if it.line.text == line)
        assert reaches_margin(items[i + 1]) and not reaches_margin(items[i])
        assert measure_heading(items, i, heading) == (heading, i)
