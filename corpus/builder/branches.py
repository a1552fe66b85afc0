"""A 協会けんぽ branch plan's lines as its published table has them: the paragraphs above the
table, the header row, and one row per field -- the field label (``１．基盤的保険者機能関係``)
beside groups of paragraphs (a measure heading and what follows it). Every producer of the
compilation (the builder's own ``published`` layout, Word, Calc) sets these rows its own way.

The seed puts a field and its first measure on one line because they stood side by side; a field
label the seed wraps (``１．基盤的保険者機`` / ``能関係``) is one label; a field line that repeats the
row's own label is a heading inside the right cell; a heading after a blank source line starts
the next group of the right column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .sheet import BODY_SIZE, HEADING_SIZES, Para
from .source import FIELD_LABEL, Block, heading_level, parse, split_field

D = "0-9０-９"
# A field label cut at the end of its cell's line in the seed: "１．基盤的保険者機" / "能関係".
_LABEL_START = re.compile(rf"^[{D}]+[．.]\S{{2,12}}$")
_FIELD_LINE = re.compile(rf"^[{D}]+[．.]\s*\S+関係$")


def split_branches(text: str, page_break: re.Pattern[str]) -> list[list[str]]:
    """The compilation's lines, one list per branch plan (a line matching ``page_break`` starts
    the next one; lines before the first belong to it)."""
    parts: list[list[str]] = [[]]
    for line in text.split("\n"):
        if page_break.search(line.strip()) and any(x.strip() for x in parts[-1]):
            parts.append([])
        parts[-1].append(line)
    return parts


def heading_para(b: Block) -> Para:
    return Para(b.text, HEADING_SIZES.get(b.level, BODY_SIZE), bold=True)


def cell_para(b: Block) -> Para:
    """A block inside a table cell: headings bold at body size (a Word table's own style)."""
    if b.kind == "heading":
        return Para(b.text, BODY_SIZE + (0.5 if b.level == 1 else 0.0), bold=True)
    return Para(b.text)


@dataclass
class FieldRow:
    label: str  # as printed
    groups: list[list[Para]] = field(default_factory=lambda: [[]])
    source: str = ""  # as the seed writes it


def _squash_label(text: str) -> str:
    return re.sub(r"[\s．.]", "", text)


def _respell(label: str, spelling: dict | None, field_no: int) -> str:
    """A field label in another branch's spelling (the variant corpus): mark and name."""
    if not spelling:
        return label
    names = spelling.get("names", [])
    name = names[field_no - 1] if field_no <= len(names) else re.sub(rf"^[{D}]+[．.]\s*", "", label)
    number = str(field_no).translate(FULL_WIDTH)
    mark = spelling.get("mark", "{n}．").format(n=number, r="ⅠⅡⅢⅣⅤ"[field_no - 1])
    return f"{mark}{name}"


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _field_number(label: str) -> int:
    m = re.match(rf"^([{D}]+)", label)
    return int(m.group(1).translate(str.maketrans("０１２３４５６７８９", "0123456789"))) if m else 0


def branch_rows(
    lines: list[str],
    header_rx: re.Pattern[str],
    spelling: dict | None = None,
    fields: re.Pattern[str] | None = None,
) -> tuple[list[Para], list[str], list[FieldRow]]:
    """A branch plan's lines as (paragraphs above the table, header cells, field rows); ``fields``
    (``source.field_labels``) is how a document that spells its fields otherwise writes them."""
    before: list[Para] = []
    header: list[str] = []
    rows: list[FieldRow] = []
    blank = False
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line:
            blank = True
            continue
        if blank and rows and rows[-1].groups[-1] and heading_level(line):
            rows[-1].groups.append([])  # a heading after a blank line: the next row of the right column
        blank = False
        if not rows and not header and header_rx.match(line):
            header = line.split()
            continue
        label, rest = None, ""
        m = FIELD_LABEL.match(line) if fields is None else None
        if fields is not None:
            if field := split_field(line, fields):
                label, rest = field
        elif m:
            label, rest = m.group(1), m.group(2)
        elif heading_level(line) == 1 and _FIELD_LINE.match(line):
            label = line
        elif _LABEL_START.match(line):  # the label wrapped in the seed: join its next line
            j = i
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and len(lines[j].strip()) <= 6 and _FIELD_LINE.match(line + lines[j].strip()):
                label, i = line + lines[j].strip(), j + 1
        if label is not None:
            written = _respell(label, spelling, _field_number(label))
            if rows and _squash_label(label) == _squash_label(rows[-1].source):
                # the row's own field again: a heading inside the right cell
                rows[-1].groups[-1].append(Para(written, BODY_SIZE + 0.5, bold=True))
                for b in parse(rest, fields) if rest else []:
                    rows[-1].groups[-1].append(cell_para(b))
                continue
            rows.append(FieldRow(written, source=label))
            for b in parse(rest, fields) if rest else []:
                rows[-1].groups[-1].append(cell_para(b))
            continue
        blocks = [b for b in parse(line, fields) if b.kind != "blank"]
        if not rows and not header:
            before.extend(heading_para(b) if b.kind == "heading" else Para(b.text) for b in blocks)
            continue
        if not rows:
            rows.append(FieldRow(""))
        rows[-1].groups[-1].extend(cell_para(b) for b in blocks)
    for row in rows:
        row.groups = [g for g in row.groups if g] or [[]]
    return before, header, rows


