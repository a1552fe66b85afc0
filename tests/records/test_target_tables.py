"""Target tables (extract/records/target_tables.py) read from the reader's cells."""

from __future__ import annotations

from extract.read.pdf import read_pdf
from extract.records.target_tables import row_target_records
from extract.structure.headings import plan_lines
from tests.read import drawing


def test_a_table_of_target_rows_going_on_on_the_next_page_keeps_its_header_and_baseline() -> None:
    """The 目標値 row stands on the next page, the header and the 現状値 row (cut by the page break
    after ``現状値（令和4年``) on the first; Word repeats no header."""
    parsed = read_pdf(drawing.split_row_pdf())
    items = plan_lines([(page.page_no, page.lines) for page in parsed.pages])
    found = [(r.indicator, r.unit, r.value, r.year, r.baseline_value, r.baseline_year, r.page)
             for r in row_target_records(items)]  # fmt: skip
    assert found == [
        ("特定保健指導の終了者数", "人", 1250.0, 2029, 742.0, 2022, 2),
        ("特定保健指導対象者の減少率", "%", 25.0, 2029, 18.6, 2022, 2),
    ]
