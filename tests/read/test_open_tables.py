"""Open tables (extract/read/open_tables.py): a label table drawn as its shaded header row only,
as Word writes a table with ``borders none``, and its pages after the first without a header."""

from __future__ import annotations

import pymupdf
import pytest

from extract.read.pdf import read_pdf
from extract.structure.plans import read_structure
from tests.read import drawing

LEFT, MIDDLE, RIGHT = 46.0, 159.0, 786.0
PITCH = 11.5


def _rows(p: pymupdf.Page, top: float, rows: list[tuple[list[str], list[str]]]) -> float:
    """Label lines in the left column beside text lines in the right one; returns the bottom."""
    for label, text in rows:
        drawing.lines(p, LEFT + 5, top, label, 10)
        drawing.lines(p, MIDDLE + 5, top, text, 10)
        top += PITCH * max(len(label), len(text)) + 1
    return top


@pytest.fixture(scope="module")
def borderless():
    doc = pymupdf.open()
    one = drawing.page(doc, drawing.LANDSCAPE)
    drawing.text(one, 313, 60, "令和3年度 事業計画（宮城支部）", 14)
    for box in [(LEFT, 83.0, MIDDLE, 94.0), (MIDDLE, 83.0, RIGHT, 94.0)] * 2:  # Word paints each twice
        drawing.shade(one, box)
    drawing.rule(one, LEFT, 94, RIGHT, 94)
    drawing.text(one, 92, 84, "分野", 9)
    drawing.text(one, 442, 84, "具体的施策等", 9)
    _rows(one, 96.0, [
        (["１．基盤的保険者機能", "関係"], ["適用・徴収業務、給付業務等の基盤的業務を適正かつ迅速に行う。",
                                       "① 健全な財政運営", "・ 保険料率に関する議論を行う。"]),
        ([], ["② サービス水準の向上", "・ 郵送による申請を促進する。"]),
        (["２．戦略的保険者機能", "関係"], ["① ジェネリック医薬品の使用促進", "・ 差額通知を送付する。"]),
    ])  # fmt: skip
    two = drawing.page(doc, drawing.LANDSCAPE)  # no drawing at all: the table goes on
    _rows(two, 58.0, [
        ([], ["② 加入者へのアプローチ", "・ 健康保険委員を通じて周知する。"]),
        (["３．組織・運営体制", "関係"], ["① 人事評価制度の適正な運用", "・ 評価者研修を実施する。"]),
    ])  # fmt: skip
    three = drawing.page(doc, drawing.LANDSCAPE)  # text after the plan: no table
    prose = ["参考資料として、支部の加入者数と事業所数の推移を以下に示す。これは表ではない。",
             "２つ目の行も左の余白から始まり、右端まで続く本文の行である。"]  # fmt: skip
    drawing.lines(three, LEFT + 5, 58.0, prose, 10)
    return read_pdf(drawing.pdf(doc))


def test_the_shaded_header_gives_the_rows_below_their_columns(borderless) -> None:
    lines = borderless.pages[0].lines
    assert [ln.text for ln in lines if ln.role == "header"] == ["分野", "具体的施策等"]
    labels = [ln.text for ln in lines if ln.role == "label"]
    assert labels == ["1.基盤的保険者機能関係", "2.戦略的保険者機能関係"]
    texts = [ln.text for ln in lines]
    first_text = "適用・徴収業務、給付業務等の基盤的業務を適正かつ迅速に行う。"
    assert texts.index(labels[0]) < texts.index(first_text)


def test_the_next_page_without_a_header_goes_on_in_the_same_columns(borderless) -> None:
    lines = borderless.pages[1].lines
    assert [ln.text for ln in lines if ln.role == "label"] == ["3.組織・運営体制関係"]
    assert all(ln.cell is not None and ln.cell.x0 == pytest.approx(MIDDLE, abs=1.5)
               for ln in lines if ln.role != "label")  # fmt: skip


def test_a_page_of_running_text_after_it_is_no_table(borderless) -> None:
    assert all(ln.cell is None and ln.role == "text" for ln in borderless.pages[2].lines)


def test_the_borderless_plan_has_its_fields(borderless) -> None:
    [reading] = read_structure(borderless)
    outline = [(s.level, s.label, s.heading) for s in reading.sections if s.level]
    assert outline == [
        (1, "１．", "基盤的保険者機能関係"), (2, "①", "健全な財政運営"), (2, "②", "サービス水準の向上"),
        (1, "２．", "戦略的保険者機能関係"), (2, "①", "ジェネリック医薬品の使用促進"),
        (2, "②", "加入者へのアプローチ"),
        (1, "３．", "組織・運営体制関係"), (2, "①", "人事評価制度の適正な運用"),
    ]  # fmt: skip
