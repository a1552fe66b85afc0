"""Tables across pages (extract/read/continued.py): a header row repeated on the next page kept once,
a label or a row cut by a page break joined with its rest."""

from __future__ import annotations

import pymupdf
import pytest

from extract.read.continued import drop_repeated_headers
from extract.read.pdf import read_pdf
from extract.structure.plans import read_structure
from tests.read import drawing

X0, XM, X1 = 51.0, 102.0, 533.0


def _header(p: pymupdf.Page, top: float) -> float:
    drawing.box(p, (X0, top, XM, top + 12), ["分野"])
    drawing.box(p, (XM, top, X1, top + 12), ["具体的施策等"])
    return top + 12


@pytest.fixture(scope="module")
def split_label():
    """Word's rows broken across pages: the second field's label cut after ``２．戦略``."""
    doc = pymupdf.open()
    one = drawing.page(doc)
    top = _header(one, 88.0)
    drawing.box(one, (X0, top, XM, 700), ["１．基盤", "的保険者", "機能関係"])
    measures = ["○健全な財政運営", "・評議会において議論を実施", "○サービス水準の向上"]
    drawing.box(one, (XM, top, X1, 700), measures)
    drawing.box(one, (X0, 700, XM, 715), ["２．戦略"])  # the page ends: the rest of the row is on the next
    drawing.box(one, (XM, 700, X1, 715), ["○データヘルス計画の着実な実施"])
    two = drawing.page(doc)
    top = _header(two, 62.0)
    drawing.box(two, (X0, top, XM, 300), ["的保険者", "機能関係"])
    drawing.box(two, (XM, top, X1, 300), ["・特定健診の受診勧奨を実施", "○ジェネリック医薬品の使用促進"])
    drawing.box(two, (X0, 300, XM, 400), ["３．組織", "・運営体", "制関係"])
    drawing.box(two, (XM, 300, X1, 400), ["○人事評価制度の適正な運用"])
    return read_pdf(drawing.pdf(doc))


def test_a_label_cut_by_a_page_break_is_joined_with_its_rest(split_label) -> None:
    one, two = split_label.pages
    labels = [ln.text for ln in one.lines if ln.role == "label"]
    assert labels == ["1.基盤的保険者機能関係", "2.戦略的保険者機能関係"]
    assert [ln.text for ln in two.lines if ln.role == "label"] == ["3.組織・運営体制関係"]
    assert two.lines[0].text == "・特定健診の受診勧奨を実施"  # the repeated header dropped, the row goes on


def test_the_cut_field_keeps_its_measures(split_label) -> None:
    [reading] = read_structure(split_label)
    fields = [(s.label, s.heading) for s in reading.sections if s.level == 1]
    assert fields == [
        ("１．", "基盤的保険者機能関係"), ("２．", "戦略的保険者機能関係"), ("３．", "組織・運営体制関係"),
    ]  # fmt: skip


def test_a_grid_row_cut_by_a_page_break_is_joined_with_its_rest() -> None:
    one, two = read_pdf(drawing.split_row_pdf()).pages
    labels = [ln.text for ln in one.lines if ln.cell is not None and ln.cell.col == 0]
    assert labels == ["指標", "現状値(令和4年度)"]
    assert [ln.text for ln in two.lines][:3] == ["目標値(令和11年度)", "1,250", "25.0"]


def test_repeated_headers_need_the_table_to_end_the_page() -> None:
    """Two tables with the same header: the second is no continuation when text ends the first page."""
    from extract.read.layout import CellRef, RawLine

    def cell_line(text: str, row: int, col: int) -> RawLine:
        ref = CellRef(0, row, col, 1, 1, 0, 0, 0, 0)
        return RawLine(text, 60.0 * col, 10.0 * row, 60.0 * col + 50, 10.0 * row + 9, 9.0, False, cell=ref)

    def table() -> list[RawLine]:
        return [cell_line("指標", 0, 0), cell_line("目標値", 0, 1), cell_line("受診率", 1, 0)]

    closing = RawLine("図表 2 支部目標", 50, 700, 200, 710, 10.5, False)
    pages = drop_repeated_headers([[*table(), closing], table()])
    assert [ln.text for ln in pages[1]] == ["指標", "目標値", "受診率"]
    pages = drop_repeated_headers([table(), table()])
    assert [ln.text for ln in pages[1]] == ["受診率"]
    assert [ln.role for ln in pages[0][:2]] == ["header", "header"]
