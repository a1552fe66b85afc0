"""The 協会けんぽ branch plans as one Word document: a section per branch (its own page
orientation), a centred title, then a two-column table ``分野 | 具体的施策等`` -- the field label
in a narrow left cell merged down all the rows of its field, one row per group of the right
column (``branches.branch_rows``).

As a Word user leaves it: rows may break across pages (a field label wrapped onto several lines
can be cut in two by a page break, ``３．組織・運営体`` at the foot of one page and ``制関係`` on
the next); the header row repeats at the top of every page for some branches and not for others;
and the borders vary from branch to branch (the manifest's ``[[document.word.styles]]``):
``grid`` -- every cell ruled, ``fields`` -- a rule between fields but none between the groups of
a field, ``none`` -- no line grid at all but a rule under the header row; and ``rows``: ``group``
-- a row per group of the right column, ``field`` -- one row per field, its groups one after the
other in one cell (a row pages long, broken at every page).
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from . import docx_parts as parts
from .branches import branch_rows, split_branches
from .common import Metrics, text_of
from .source import field_labels

SIZE = 10.0
TITLE_SIZE = 14.0
MARGINS_MM = {"portrait": (20.0, 20.0, 22.0, 20.0), "landscape": (18.0, 18.0, 20.0, 18.0)}
DEFAULT_STYLE = {"orientation": "portrait", "body": "mincho", "label_width": 30.0, "borders": "grid",
                 "repeat_header": True, "shade_header": True, "rows": "group"}  # fmt: skip


def _style(spec: dict) -> dict:
    unknown = set(spec) - set(DEFAULT_STYLE)
    if unknown:
        raise ValueError(f"unknown word style keys: {sorted(unknown)}")
    return {**DEFAULT_STYLE, **spec}


def write(entry: dict, path: Path, metrics: Metrics) -> dict:
    """Write the compilation as a .docx at ``path``; returns what its sidecar says."""
    spec = entry["word"]
    styles = [_style(s) for s in spec.get("styles", [])] or [dict(DEFAULT_STYLE)]
    page_break = re.compile(entry["page_break_before"])
    header_rx = re.compile(spec["header_row"])
    doc = Document()
    parts.base_style(doc, parts.MINCHO, SIZE)
    doc.core_properties.title = entry["title"]
    doc.core_properties.author = entry["insurer"]
    facts: dict = {"branch_titles": [], "styles": [], "header": [], "field_labels": []}
    for n, lines in enumerate(split_branches(text_of(entry), page_break)):
        style = styles[n % len(styles)]
        facts["styles"].append(style)
        section = doc.sections[0] if n == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
        parts.page_setup(section, style["orientation"], MARGINS_MM[style["orientation"]])
        if n == 0:  # later sections keep the first one's header and footer (linked, as Word does)
            parts.header_and_footer(section, entry["short_title"])
        family = parts.GOTHIC if style["body"] == "gothic" else parts.MINCHO
        before, header, rows = branch_rows(lines, header_rx, fields=field_labels(entry))
        for para in before:
            title = bool(page_break.search(para.text))
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if title else None
            run = p.add_run(para.text)
            run.font.size = Pt(TITLE_SIZE if title else SIZE)
            run.bold = title or para.bold or None
            parts.set_fonts(run._r, parts.BOLD if run.bold else family)
            if title:
                facts["branch_titles"].append(para.text)
        width = (section.page_width - section.left_margin - section.right_margin) / parts.Mm(1)
        label = style["label_width"]
        table = doc.add_table(rows=0, cols=2)
        borders = style["borders"]
        ruled = borders != "none"
        parts.table_borders(table, outer=ruled, inside_h=borders == "grid", inside_v=ruled)
        if header:
            facts["header"] = header
            cells = table.add_row().cells
            for cell, text in zip(cells, header, strict=False):
                parts.cell_text(cell, text, SIZE, family=family).alignment = WD_ALIGN_PARAGRAPH.CENTER
                if style["shade_header"]:
                    parts.shade(cell)
                if borders != "grid":
                    parts.cell_border(cell, bottom=True)
            if style["repeat_header"]:
                parts.repeat_header(table.rows[-1])
        for row in rows:
            first = None
            for k, group in enumerate(row.groups):
                if k == 0 or style["rows"] == "group":
                    cells = table.add_row().cells
                first = first or cells[0]
                for para in group:
                    parts.cell_text(cells[1], para.text, SIZE, bold=para.bold,
                                    family=parts.BOLD if para.bold else family)  # fmt: skip
            last = cells[0]
            if row.label:
                # no widow control: a page break may leave one line of the label on either side
                parts.cell_text(first, row.label, SIZE, family=family).paragraph_format.widow_control = False
                facts["field_labels"].append((n, row.label))
            if last is not first:
                first = first.merge(last)
            if borders == "fields":
                for cell in cells:
                    parts.cell_border(cell, bottom=True)
        parts.fixed_widths(table, [label, width - label])
    doc.save(path)
    return facts


def split_labels(
    doc, starts: list[int], styles: list[dict], labels: list[tuple[int, str]]
) -> list[dict]:
    """Field labels a page break cut in two: the start of the label at the foot of the label
    column on one page, the rest at the top of it on the next (below the repeated header). Read
    from the exported PDF, in the label column of each page (its branch's margin and width)."""
    import unicodedata

    def squash(text: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))

    columns = []
    for page in doc:
        branch = max(k for k, start in enumerate(starts) if start <= page.number + 1)
        style = styles[branch]
        left = MARGINS_MM[style["orientation"]][0] * 72 / 25.4
        clip = (0, 0, left + style["label_width"] * 72 / 25.4, page.rect.height)
        columns.append(squash(page.get_text("text", clip=clip)).removeprefix("分野"))
    found = []
    ends = [*starts[1:], len(columns) + 1]
    for branch, label in labels:  # (branch number, label): each branch has the same fields
        whole = squash(label)
        pages = range(starts[branch] - 1, ends[branch] - 1)
        if any(whole in columns[n] for n in pages):
            continue
        for n in pages[:-1]:
            here, there = columns[n], columns[n + 1]
            cut = next((k for k in range(len(whole) - 1, 1, -1)
                        if here.endswith(whole[:k]) and there.startswith(whole[k:])), None)  # fmt: skip
            if cut:
                found.append({"label": label, "pages": [n + 1, n + 2], "parts": [whole[:cut], whole[cut:]]})
                break
    return found
