"""The line a page is read into before normalization: its text and the geometry later stages use
(shared by the reader's modules: :mod:`extract.read.layout`, ``baselines``, ``cells``, ``ocr``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class CellRef:
    """The table cell a line stands in (see :mod:`extract.read.cells`): the table's number on the page,
    the cell's first row and column in the table's grid and how many it spans, and its box."""

    table: int
    row: int
    col: int
    row_span: int
    col_span: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(slots=True)
class RawLine:
    """A line before normalization, with the geometry the later stages use."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    vertical: bool = False
    spans: list[tuple[str, float, float, float]] = field(default_factory=list)  # text, x, y, size
    cell: CellRef | None = None
    role: str = "text"  # "label": a label column's cell; "header": a table's header row
