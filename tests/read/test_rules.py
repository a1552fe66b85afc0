"""Rules (extract/read/rules.py): strokes, Word's thin bars and shaded cells as the lines of tables."""

from __future__ import annotations

import pymupdf

from extract.read.rules import Rule, find_tables, merge_rules, page_rules
from tests.read import drawing


def _drawn(*shapes) -> pymupdf.Page:
    doc = pymupdf.open()
    p = drawing.page(doc)
    for draw, args in shapes:
        draw(p, *args)
    return pymupdf.open("pdf", drawing.pdf(doc))[0]


def test_shaded_cells_side_by_side_are_the_borders_of_a_table() -> None:
    """Word's ``borders none`` table: a header of two shaded cells (each painted twice) and a rule under
    them, nothing else: the cells' edges are its columns."""
    header = [(60.0, 80.0, 160.0, 92.0), (160.0, 80.0, 540.0, 92.0)]
    page = _drawn(*[(drawing.shade, (box,)) for box in header + header], (drawing.rule, (60, 92, 540, 92)))
    rules, fills = page_rules(page)
    assert len(fills) == 2  # each shaded rectangle once
    [table] = find_tables(rules)
    assert [round(x) for x in table.xs] == [60, 160, 540]
    assert [round(y) for y in table.ys] == [80, 92]


def test_a_shaded_band_alone_is_no_table() -> None:
    """A band behind a heading, with a rule under it: a shading, not a cell."""
    page = _drawn((drawing.shade, ((56.0, 260.0, 539.0, 278.0),)), (drawing.rule, (56, 278, 539, 278)))
    rules, fills = page_rules(page)
    assert len(fills) == 1
    assert not any(not r.horizontal for r in rules)
    assert find_tables(rules) == []


def test_rules_drawn_in_pieces_are_one_rule() -> None:
    pieces = [Rule(100.0, 10.0, 100.0, 30.0), Rule(100.4, 29.5, 100.4, 60.0), Rule(300.0, 10.0, 300.0, 60.0)]
    merged = merge_rules(pieces, horizontal=False)
    assert [(round(r.x0), r.y0, r.y1) for r in merged] == [(100, 10.0, 60.0), (300, 10.0, 60.0)]
    # an underline alone is no table; a box of two horizontal and two vertical rules is
    assert find_tables([Rule(50.0, 40.0, 545.0, 40.0)]) == []
    box = [Rule(50.0, 40.0, 545.0, 40.0), Rule(50.0, 90.0, 545.0, 90.0), Rule(50.0, 40.0, 50.0, 90.0),
           Rule(545.0, 40.0, 545.0, 90.0)]  # fmt: skip
    [table] = find_tables(box)
    assert (table.xs, table.ys) == ([50.0, 545.0], [40.0, 90.0])


def test_shaded_lines_in_a_shaded_box_are_no_cells() -> None:
    """A flow chart's box (Word): a shaded shape, its lines of text shaded inside it, one under the
    other, a line's shading in two runs side by side. Shapes, not a table row."""
    box = (75.0, 460.0, 160.0, 489.0)
    runs = [(80.0, 461.0, 120.0, 474.0), (120.0, 461.0, 155.0, 474.0), (80.0, 474.0, 155.0, 488.0)]
    rules, fills = page_rules(_drawn((drawing.shade, (box,)), *((drawing.shade, (run, 0.7)) for run in runs)))
    assert len(fills) == 4
    assert rules == []
