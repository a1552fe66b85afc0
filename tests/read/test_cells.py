"""The cell stage (extract/read/cells.py) on a small ruled PDF written here with PyMuPDF.

Page 1 holds a two-column table: a header row (分野 | 具体的施策等), a field label wrapped over
three lines in a narrow cell spanning two rows of the right column. Page 2 repeats the header
row, goes on with the right column beside an empty label cell, opens a second field, and after a
paragraph holds a year-column target table with a label wrapped in its cell.
"""

from __future__ import annotations

import pymupdf
import pytest

from extract.read.pdf import read_pdf
from extract.records.target_tables import table_records
from extract.structure.headings import plan_lines
from extract.structure.plans import read_structure
from tests.read import drawing

FONT = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
X0, XM, X1 = 50.0, 110.0, 545.0


def _cell(page: pymupdf.Page, box: tuple[float, float, float, float], lines: list[str], size: float = 10.5,
          *, bars: bool = False) -> None:  # fmt: skip
    """A bordered cell (a stroked rectangle, or four thin filled bars as Word draws them)."""
    x0, y0, x1, y1 = box
    if bars:
        t = 0.5
        edges = ((x0, y0, x1, y0 + t), (x0, y1 - t, x1, y1), (x0, y0, x0 + t, y1), (x1 - t, y0, x1, y1))
        for r in edges:
            page.draw_rect(pymupdf.Rect(r), color=None, fill=(0, 0, 0), width=0)
    else:
        page.draw_rect(pymupdf.Rect(box), color=(0, 0, 0), width=0.5)
    for k, text in enumerate(lines):
        page.insert_text((x0 + 3, y0 + 3 + size + k * size * 1.3), text, fontname="ipa", fontsize=size)


def _ruled_pdf() -> bytes:
    doc = pymupdf.open()
    header = [((X0, 60, XM, 80), ["分野"]), ((XM, 60, X1, 80), ["具体的施策等"])]
    one = doc.new_page(width=595, height=842)
    one.insert_font(fontname="ipa", fontfile=FONT)
    for box, lines in header:
        _cell(one, box, lines)
    _cell(one, (X0, 80, XM, 800), ["１．基盤的", "保険者機能", "関係"])  # spans the two rows beside it
    _cell(one, (XM, 80, X1, 200), ["１．健全な財政運営", "○ 評議会における保険料率に関する議論"])
    _cell(one, (XM, 200, X1, 800), ["２．サービス水準の向上", "○ お客様満足度の向上"])
    two = doc.new_page(width=595, height=842)
    two.insert_font(fontname="ipa", fontfile=FONT)
    for box, lines in header:  # the header row again, at the top of the page the table runs onto
        _cell(two, box, lines)
    _cell(two, (X0, 80, XM, 150), [])  # the field goes on: its label cell is empty
    _cell(two, (XM, 80, X1, 150), ["○ 郵送による申請の促進"])
    _cell(two, (X0, 150, XM, 300), ["２．戦略的保", "険者機能関係"], bars=True)  # runs past its cell
    _cell(two, (XM, 150, X1, 300), ["１．ジェネリック医薬品の使用促進", "○ 加入者へのアプローチ"], bars=True)
    two.insert_text((X0, 330), "目標値は次のとおりとする。", fontname="ipa", fontsize=10.5)
    xs = [50.0, 150.0, 250.0, 350.0, 450.0]
    head = ["指標", "2024年度", "2025年度", "2026年度"]
    row = [["特定健康診査", "受診率(%)"], ["70.0"], ["72.0"], ["75.0"]]
    for k in range(4):
        _cell(two, (xs[k], 350, xs[k + 1], 370), [head[k]], 9)
        _cell(two, (xs[k], 370, xs[k + 1], 400), row[k], 9)
    return doc.tobytes(garbage=4, deflate=True)


@pytest.fixture(scope="module")
def parsed():
    return read_pdf(_ruled_pdf())


def test_a_wrapped_label_cell_is_one_text_spanning_the_rows_beside_it(parsed) -> None:
    lines = parsed.pages[0].lines
    [label] = [ln for ln in lines if ln.role == "label"]
    assert label.text == "1.基盤的保険者機能関係"
    assert label.raw_text == "１．基盤的保険者機能関係"
    assert label.cell is not None and (label.cell.col, label.cell.row_span) == (0, 2)
    texts = [ln.text for ln in lines]
    # read as the heading of what stands beside it: before the right cell's text
    assert texts.index(label.text) < texts.index("1.健全な財政運営") < texts.index("2.サービス水準の向上")
    measures = [ln for ln in lines if ln.text in ("1.健全な財政運営", "2.サービス水準の向上")]
    assert [ln.cell.row for ln in measures] == [1, 2] and all(ln.cell.col == 1 for ln in measures)


def test_a_header_row_repeated_on_the_next_page_is_kept_once(parsed) -> None:
    first = [ln for ln in parsed.pages[0].lines if ln.role == "header"]
    assert [ln.text for ln in first] == ["分野", "具体的施策等"]
    second = parsed.pages[1]
    assert "分野" not in second.text and "具体的施策等" not in second.text
    assert second.lines[0].text == "○ 郵送による申請の促進"  # the table goes on at the top


def test_the_next_field_in_thin_filled_bars_is_a_label_too(parsed) -> None:
    labels = [ln.text for ln in parsed.pages[1].lines if ln.role == "label"]
    assert labels == ["2.戦略的保険者機能関係"]


def test_the_label_column_gives_the_plan_its_fields(parsed) -> None:
    [reading] = read_structure(parsed)
    outline = [(s.level, s.label, s.heading) for s in reading.sections if s.level]
    assert outline == [
        (1, "１．", "基盤的保険者機能関係"),
        (2, "１．", "健全な財政運営"),
        (2, "２．", "サービス水準の向上"),
        (1, "２．", "戦略的保険者機能関係"),
        (2, "１．", "ジェネリック医薬品の使用促進"),
    ]
    assert all("分野" not in s.text and "具体的施策等" not in s.text for s in reading.sections)


def test_a_year_table_reads_cell_by_cell_with_rows_and_columns(parsed) -> None:
    page = parsed.pages[1]
    table = [ln for ln in page.lines if ln.cell is not None and ln.cell.table == 1]
    grid = {(ln.cell.row, ln.cell.col): ln.text for ln in table}
    assert grid == {
        (0, 0): "指標", (0, 1): "2024年度", (0, 2): "2025年度", (0, 3): "2026年度",
        (1, 0): "特定健康診査受診率(%)", (1, 1): "70.0", (1, 2): "72.0", (1, 3): "75.0",
    }  # fmt: skip
    records = table_records(plan_lines([(2, page.lines)]))
    assert [(r.indicator, r.year, r.value, r.unit) for r in records] == [
        ("特定健康診査受診率", year, value, "%") for year, value in ((2024, 70.0), (2025, 72.0), (2026, 75.0))
    ]


def test_lines_outside_tables_keep_their_place(parsed) -> None:
    texts = [ln.text for ln in parsed.pages[1].lines]
    order = [texts.index(t) for t in ("○ 加入者へのアプローチ", "目標値は次のとおりとする。", "指標")]
    assert order == sorted(order)


def test_a_plain_page_is_left_as_it_is() -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="ipa", fontfile=FONT)
    page.insert_text((60, 100), "1. 健全な財政運営", fontname="ipa", fontsize=10.5)
    page.draw_line((50, 110), (545, 110))  # a rule under a heading
    lines = read_pdf(doc.tobytes()).pages[0].lines
    assert [(ln.text, ln.cell, ln.role) for ln in lines] == [("1. 健全な財政運営", None, "text")]


# --- a sheet as LibreOffice Calc prints it -------------------------------------------------------------
# Calc writes the page header and footer first, then the cells, and a merged cell after all the
# others; a merged label cell that runs onto the next page has no rule at its foot.

LEFT, MIDDLE, RIGHT = 54.0, 154.8, 784.7
MEASURES = ["１．健全な財政運営", "○ 評議会における保険料率に関する議論", "２．サービス水準の向上",
            "○ 郵送による申請の促進", "■ KPI：郵送化率を95.0％以上とする"]  # fmt: skip
GOING_ON = ["○ お客様満足度の向上", "１．ジェネリック医薬品の使用促進", "○ 加入者へのアプローチ"]


def _calc_page(doc: pymupdf.Document, n: int, top: float, rows: list[str], field_at: int | None,
               labels: list[list[str]], title: str = "") -> None:  # fmt: skip
    """A page of the sheet: header row (print titles) at ``top``, ``rows`` in the right column, a
    rule across the label column above row ``field_at`` (a new field), no rule at the foot of the
    label column; the title and the label texts drawn last."""
    p = drawing.page(doc, drawing.LANDSCAPE)
    drawing.text(p, 670, 24, "協会けんぽ 令和3年度 支部事業計画", 8)  # the page header and footer first
    drawing.text(p, 411, 549, f"- {n} -", 10)
    head = top + 13.5
    drawing.shade(p, (LEFT, top, RIGHT, head))
    for y in (top, head):
        drawing.rule(p, LEFT, y, RIGHT, y)
    bottom = head + 14.8 * len(rows)
    for x in (LEFT, MIDDLE, RIGHT):
        drawing.rule(p, x, top, x, bottom)
    drawing.text(p, 95, top + 3, "分野", 9)
    drawing.text(p, 442, top + 3, "具体的施策等", 9)
    starts = []
    for k, row in enumerate(rows):
        y = head + 14.8 * k
        drawing.rule(p, MIDDLE, y + 14.8, RIGHT, y + 14.8)
        if k == field_at:
            drawing.rule(p, LEFT, y, RIGHT, y)
        drawing.text(p, MIDDLE + 1, y + 2, row, 9)
        starts.append(y)
    if title:  # merged over the two columns, no border: drawn after the cells
        drawing.text(p, 317, 80, title, 14)
    for k, label in zip((0, field_at), labels, strict=False):
        drawing.lines(p, LEFT + 1, starts[k or 0] + 2, label, 9)


@pytest.fixture(scope="module")
def calc():
    doc = pymupdf.open()
    title = "令和3年度 事業計画（北海道支部）"
    _calc_page(doc, 1, 105.7, MEASURES, None, [["１．基盤的保険者機能", "関係"]], title)
    _calc_page(doc, 2, 72.7, GOING_ON, 1, [[], ["２．戦略的保険者機能", "関係"]])
    return read_pdf(drawing.pdf(doc))


def test_calc_reads_in_page_order_not_in_stream_order(calc) -> None:
    texts = [ln.text for ln in calc.pages[0].lines]
    # drawn last, read first: the plan's title opens its page (as a compilation is split into plans)
    assert texts[0] == "令和3年度 事業計画(北海道支部)"
    assert texts.index("分野") < texts.index("1.基盤的保険者機能関係") < texts.index("1.健全な財政運営")
    assert all("支部事業計画" not in t and t != "- 1 -" for t in texts)  # the running header, the page number


def test_a_merged_cell_running_off_the_page_is_closed_by_the_table_frame(calc) -> None:
    [label] = [ln for ln in calc.pages[0].lines if ln.role == "label"]
    assert label.text == "1.基盤的保険者機能関係"
    assert label.cell is not None and label.cell.col == 0
    # where the rules on its sides end
    assert label.cell.y1 == pytest.approx(105.7 + 13.5 + 14.8 * len(MEASURES), abs=1)
    assert label.cell.row_span == len(MEASURES)
    [first] = [ln for ln in calc.pages[0].lines if ln.text == "1.健全な財政運営"]
    assert first.cell is not None and first.cell.row == label.cell.row


def test_calc_sheet_gives_the_plan_its_fields(calc) -> None:
    [reading] = read_structure(calc)
    outline = [(s.level, s.label, s.heading) for s in reading.sections if s.level]
    assert outline == [
        (1, "１．", "基盤的保険者機能関係"),
        (2, "１．", "健全な財政運営"),
        (2, "２．", "サービス水準の向上"),
        (1, "２．", "戦略的保険者機能関係"),
        (2, "１．", "ジェネリック医薬品の使用促進"),
    ]


def _grid_pdf(rows: list[list[list[str]]], xs: list[float], height: float = 22.0) -> bytes:
    doc = pymupdf.open()
    p = drawing.page(doc)
    for r, row in enumerate(rows):
        for k, words in enumerate(row):
            _cell(p, (xs[k], 100 + r * height, xs[k + 1], 100 + (r + 1) * height), words, 9)
    return drawing.pdf(doc)


def test_a_label_wrapped_before_its_unit_keeps_it() -> None:
    """Word moves a unit that does not fit to the next line of the cell: the label keeps it."""
    xs = [66.0, 198.0, 251.0, 340.0, 376.0]
    header = [["指標"], ["現状値"], ["2024"], ["2025"]]
    row = [["HbA1c 8.0%以上の割合", "（%）"], ["0.7"], ["0.6"], ["0.5"]]
    lines = read_pdf(_grid_pdf([header, row], xs)).pages[0].lines
    labels = [ln.text for ln in lines if ln.cell is not None and ln.cell.col == 0]
    assert labels == ["指標", "HbA1c 8.0%以上の割合(%)"]


def test_what_an_open_bracket_wraps_goes_on_even_if_it_looks_like_an_item() -> None:
    xs = [66.0, 130.0, 400.0]
    rows = [[["総合評価指標(大項目", "1) 特定健診"], ["実施率の基準値を達成すること"]]]
    lines = read_pdf(_grid_pdf(rows, xs, 40)).pages[0].lines
    assert lines[0].text == "総合評価指標(大項目1) 特定健診"
