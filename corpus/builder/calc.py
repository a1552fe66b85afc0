"""The Excel producer: texts kept as workbooks (openpyxl) and printed to PDF by LibreOffice Calc
(``office.convert``), into ``corpus/calc/{id}.pdf`` with a sidecar ``{id}.json``.

What the manifest's ``[document.calc]`` asks for (``layout``):

* ``branch_sheets`` -- the 協会けんぽ branch plans, one sheet per branch: the title merged over
  the two columns, the header row ``分野 | 具体的施策等`` repeated on every printed page (print
  titles), each paragraph of the right column a row, the field label merged down all the rows of
  its field; fitted to the page width, landscape.
* ``step_sheets`` -- the data-health portal's STEP form, one sheet per STEP: its title merged
  over the columns, then each block of the form (lines between blank lines) a cell -- short ones
  side by side, a long one merged across the sheet.

Calc prints as it prints any workbook: the page header and footer are drawn first, a merged cell
after the cells around it, and a merged label cell that runs onto the next page is not closed at
the foot of the first one. Excel sets no row heights by itself when a workbook is written by a
program, so the rows are made as tall as their wrapped text (measured with the font's widths).
"""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path

import pymupdf
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from .branches import branch_rows, split_branches
from .common import Metrics, first_pages, page_texts, text_of, write_sidecar
from .office import convert
from .source import bold_runs, field_labels, single

FONT = "IPAexGothic"
SIZE = 10.0
TITLE_SIZE = 14.0
LINE = 1.3  # line height, in font sizes
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SHADE = PatternFill("solid", fgColor="D9D9D9")
TOP_LEFT = Alignment(wrap_text=True, vertical="top")
BRANCH_COLUMNS = (16, 100)  # widths of 分野 and 具体的施策等, in characters of the default font
STEP_COLUMNS = 4
STEP_WIDTH = 36  # characters, each column of a STEP sheet
NARROW = 24  # a STEP block whose lines are all this short shares its row
FIT_EVERY = 5
"""Every fifth sheet is fitted to the page width by Calc; the others are printed at SCALE (what
fitting chooses for these columns, a little less): Calc fits a sheet by paginating it again and
again, a second a page, which for the whole compilation would take over a minute."""
SCALE = 85


def points(chars: float) -> float:
    """An Excel column width (characters of the default font) in points, less the cell's margins,
    as Calc prints it (7 points a character, measured on its PDFs at 100 %)."""
    return chars * 7.0 - 6


def row_height(texts: list[tuple[str, float]], metrics: Metrics, size: float = SIZE) -> float:
    """The height (points) of a row whose cells hold ``texts`` (text, column width in points):
    the tallest cell's lines, each source line wrapped at its column's width, with a margin for
    the font Calc substitutes for the default one."""
    lines = 1
    for text, width in texts:
        usable = 0.9 * width
        lines = max(lines, sum(max(1, math.ceil(metrics.width(t, size) / usable)) for t in text.split("\n")))
    return round(lines * size * LINE + 4, 1)


def page_setup(ws: Worksheet, header: str, fit: bool) -> str:
    """Landscape A4, fitted to the page width (``fit``) or scaled; a header and a page number.
    Returns how the sheet is fitted (for the sidecar)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if fit:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    else:
        ws.page_setup.scale = SCALE
    ws.oddHeader.right.text = header
    ws.oddHeader.right.size = 8
    ws.oddFooter.center.text = "- &P -"
    return "width" if fit else f"{SCALE}%"


def branch_sheet(ws: Worksheet, lines: list[str], entry: dict, metrics: Metrics) -> dict:
    """One branch plan on its sheet; returns its title and merged cells for the sidecar."""
    spec = entry["calc"]
    page_break = re.compile(entry["page_break_before"])
    before, header, rows = branch_rows(lines, re.compile(spec["header_row"]), fields=field_labels(entry))
    label_w, body_w = (points(w) for w in BRANCH_COLUMNS)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = BRANCH_COLUMNS
    facts: dict = {"title": "", "merged": []}
    r = 1
    for para in before:  # the title, and any paragraph above the table: merged over both columns
        title = bool(page_break.search(para.text))
        size = TITLE_SIZE if title else SIZE
        ws.cell(r, 1, para.text).font = Font(name=FONT, size=size, bold=title or para.bold)
        ws.cell(r, 1).alignment = Alignment(horizontal="center" if title else "left", wrap_text=True)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        ws.row_dimensions[r].height = row_height([(para.text, label_w + body_w)], metrics,
                                                 TITLE_SIZE if title else SIZE)  # fmt: skip
        facts["merged"].append(para.text)
        facts["title"] = facts["title"] or (para.text if title else "")
        r += 1
    r += 1  # an empty row between the title and the table
    if header:
        for c, text in enumerate(header[:2], start=1):
            cell = ws.cell(r, c, text)
            cell.font, cell.fill, cell.border = Font(name=FONT, size=SIZE), SHADE, BOX
            cell.alignment = Alignment(horizontal="center")
        ws.print_title_rows = f"{r}:{r}"
        facts["print_titles"] = header
        r += 1
    for row in rows:
        start = r
        paras = [p for group in row.groups for p in group] or [None]
        for para in paras:
            cell = ws.cell(r, 2, para.text if para else None)
            cell.font = Font(name=FONT, size=SIZE, bold=bool(para and para.bold))
            cell.alignment, cell.border = TOP_LEFT, BOX
            ws.cell(r, 1).border = BOX
            ws.row_dimensions[r].height = row_height([(para.text if para else "", body_w)], metrics)
            r += 1
        label = ws.cell(start, 1, row.label or None)
        label.font, label.alignment = Font(name=FONT, size=SIZE), TOP_LEFT
        if r - 1 > start:
            ws.merge_cells(start_row=start, start_column=1, end_row=r - 1, end_column=1)
        # a label longer than its rows: the last row grows to hold it
        need = row_height([(row.label, label_w)], metrics)
        have = sum(ws.row_dimensions[k].height for k in range(start, r))
        if need > have:
            ws.row_dimensions[r - 1].height += need - have
        if row.label:
            facts["merged"].append(row.label)
    return facts


def step_sheet(ws: Worksheet, title: str, blocks: list[list[str]], metrics: Metrics) -> dict:
    """One STEP of the portal's form: its title merged over the columns, its blocks as cells."""
    width = points(STEP_WIDTH)
    for c in range(STEP_COLUMNS):
        ws.column_dimensions[chr(ord("A") + c)].width = STEP_WIDTH
    facts: dict = {"title": title, "merged": [title]}
    ws.cell(1, 1, title).font = Font(name=FONT, size=TITLE_SIZE, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=STEP_COLUMNS)
    ws.row_dimensions[1].height = row_height([(title, STEP_COLUMNS * width)], metrics, TITLE_SIZE)
    r, c, row_texts = 3, 0, []

    def next_row() -> None:
        nonlocal r, c, row_texts
        if row_texts:
            ws.row_dimensions[r].height = row_height(row_texts, metrics)
            r, c, row_texts = r + 1, 0, []

    for block in blocks:  # lines of the transcription: a run it holds twice is one bold run
        text = "\n".join(single(line) for line in block)
        narrow = max(len(line) for line in text.split("\n")) <= NARROW
        if not narrow or c == STEP_COLUMNS:
            next_row()
        cell = ws.cell(r, c + 1, rich(block))
        cell.font, cell.alignment, cell.border = Font(name=FONT, size=SIZE), TOP_LEFT, BOX
        if narrow:
            row_texts.append((text, width))
            c += 1
            continue
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=STEP_COLUMNS)
        for k in range(2, STEP_COLUMNS + 1):
            ws.cell(r, k).border = BOX
        facts["merged"].append(text)
        row_texts.append((text, STEP_COLUMNS * width))
        next_row()
    next_row()
    return facts


def rich(lines: list[str]) -> str | CellRichText:
    """A cell's text: plain, or where the transcription holds a run twice, rich text whose bold
    runs are set in the bold of the font (as a cell's text is made bold in part in Excel)."""
    runs = [run for k, line in enumerate(lines) for run in [*([("\n", False)] * bool(k)), *bold_runs(line)]]
    if not any(bold for _, bold in runs):
        return "".join(t for t, _ in runs)
    plain, strong = InlineFont(rFont=FONT, sz=SIZE), InlineFont(rFont=FONT, sz=SIZE, b=True)
    return CellRichText([TextBlock(strong if bold else plain, t) for t, bold in runs])


def step_sections(text: str) -> list[tuple[str, list[list[str]]]]:
    """The STEP form's sections: (title, blocks of lines), as the published layout reads them."""
    from .source import heading_level

    sections: list[tuple[str, list[list[str]]]] = [("", [[]])]
    for raw in text.split("\n"):
        line = " ".join(c.strip() for c in raw.split("\t") if c.strip())
        if heading_level(single(line)) == 1 and line.upper().startswith("STEP"):
            sections.append((single(line), [[]]))  # the title is bold anyway
            continue
        blocks = sections[-1][1]
        if not line or (raw[:1].isspace() and blocks[-1]):
            blocks.append([])  # a blank line, or an indented one, ends a block
        if line:
            blocks[-1].append(line)
    return [(title, [b for b in blocks if b]) for title, blocks in sections if title or any(blocks)]


def write_workbook(entry: dict, path: Path, metrics: Metrics) -> dict:
    """Write ``entry`` as an .xlsx at ``path``; returns what its sidecar says."""
    spec = entry["calc"]
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title, wb.properties.creator = entry["title"], entry["insurer"]
    sheets = []
    if spec["layout"] == "branch_sheets":
        for lines in split_branches(text_of(entry), re.compile(entry["page_break_before"])):
            title = next((line.strip() for line in lines if line.strip()), "")
            name = re.search(r"（([^）]+)）", title)
            ws = wb.create_sheet((name.group(1) if name else title)[:31])
            fit = page_setup(ws, entry["short_title"], len(sheets) % FIT_EVERY == 0)
            sheets.append({"sheet": ws.title, "fit": fit, **branch_sheet(ws, lines, entry, metrics)})
    else:
        for n, (title, blocks) in enumerate(step_sections(text_of(entry))):
            ws = wb.create_sheet(f"STEP{n}" if title else "表紙")
            fit = page_setup(ws, entry["short_title"], True)
            sheets.append({"sheet": ws.title, "fit": fit, **step_sheet(ws, title, blocks, metrics)})
    wb.save(path)
    return {"layout": spec["layout"], "sheets": sheets}


def build_calc(entries: list[dict], out: Path, metrics: Metrics) -> list[dict]:
    """Every entry with a ``[document.calc]`` table, written, printed by Calc in one LibreOffice
    run, and its sidecar written beside its PDF."""
    facts = {}
    with tempfile.TemporaryDirectory(prefix="planex-calc-") as tmp:
        files = []
        for entry in entries:
            path = Path(tmp) / f"{entry['id']}.xlsx"
            facts[entry["id"]] = write_workbook(entry, path, metrics)
            files.append(path)
        convert(files, out)
    sidecars = []
    for entry in entries:
        info = facts[entry["id"]]
        doc = pymupdf.open(out / f"{entry['id']}.pdf")
        pages = page_texts(doc)
        titled = [s for s in info["sheets"] if s["title"]]
        starts = first_pages(pages, [s["title"] for s in titled])
        for sheet, start in zip(titled, starts, strict=True):
            sheet["first_page"] = start
        sidecar = {"id": entry["id"], "producer": "calc (openpyxl, LibreOffice Calc)",
                   "pages": doc.page_count,
                   "branch_starts": starts if info["layout"] == "branch_sheets" else [], **info}  # fmt: skip
        doc.close()
        write_sidecar(out, sidecar)
        sidecars.append(sidecar)
    return sidecars
