"""Pieces of a Word document that python-docx has no call for, written as WordprocessingML the way
Word writes them: East Asian fonts, a page-number footer, repeated header rows, merged and shaded
cells, table and cell borders, expanded character spacing, ruby (furigana), dot-leader tabs.

The Word producer (``word.py``, ``word_branches.py``) builds its documents from these; LibreOffice
Writer reads them back as it reads any .docx.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

MINCHO, GOTHIC, BOLD = "IPAexMincho", "IPAexGothic", "MigMix 2P"
"""Font families as fontconfig names them (Debian: fonts-ipaexfont-*, fonts-migmix): the bold
weight of MigMix 2P is the real bold a Word user's Gothic heading has."""
SHADE = "D9D9D9"  # Word's "white, darker 15 %": the header cells' fill
A4 = (Mm(210), Mm(297))


def _el(tag: str, **attrs: str):
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def set_fonts(rpr_owner, family: str) -> None:
    """Latin and East Asian font of a style's or run's properties (python-docx sets only Latin)."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = _el("w:rFonts")
        rpr.insert(0, fonts)
    for key in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{key}"), family)


def base_style(doc: Document, family: str, size: float) -> None:
    """The Normal style: the body font, no space after paragraphs but a little, single spacing."""
    normal = doc.styles["Normal"]
    normal.font.size = Pt(size)
    set_fonts(normal.element, family)
    normal.paragraph_format.space_after = Pt(2)
    normal.paragraph_format.line_spacing = 1.15
    for level in (1, 2, 3):
        style = doc.styles[f"Heading {level}"]
        style.font.color.rgb = None
        style.font.italic = False
        set_fonts(style.element, BOLD)


def page_setup(section, orientation: str, margins_mm: tuple[float, float, float, float]) -> None:
    """A4 in ``orientation``; margins (left, right, top, bottom) in millimetres."""
    width, height = A4
    landscape = orientation == "landscape"
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    left, right, top, bottom = margins_mm
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)


def header_and_footer(section, header: str, size: float = 9.0) -> None:
    """A running header (right-aligned, on every page, the first one too) and a footer ``- N -``
    whose number is Word's PAGE field, filled in by the exporter on every page."""
    section.header.is_linked_to_previous = False
    para = section.header.paragraphs[0]
    para.text = ""
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    para.add_run(header).font.size = Pt(size)
    section.footer.is_linked_to_previous = False
    foot = section.footer.paragraphs[0]
    foot.text = ""
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("- ").font.size = Pt(size)
    field = _el("w:fldSimple", instr=" PAGE ")
    run = _el("w:r")
    text = _el("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    foot._p.append(field)
    foot.add_run(" -").font.size = Pt(size)


def letter_space(run: Run, points: float) -> None:
    """Expanded character spacing (Word: Font > Advanced > Spacing: Expanded by ``points``)."""
    run._r.get_or_add_rPr().append(_el("w:spacing", val=str(round(points * 20))))


def add_ruby(para: Paragraph, base: str, reading: str, size: float) -> None:
    """``base`` with its reading set above it in type of half the size (Word: Phonetic Guide)."""
    ruby = _el("w:ruby")
    props = _el("w:rubyPr")
    for tag, value in (("rubyAlign", "distributeSpace"), ("hps", str(round(size))),
                       ("hpsRaise", str(round(size * 2))), ("hpsBaseText", str(round(size * 2))),
                       ("lid", "ja-JP")):  # fmt: skip
        props.append(_el(f"w:{tag}", val=value))
    ruby.append(props)
    for tag, text, half_points in (("w:rt", reading, size), ("w:rubyBase", base, size * 2)):
        part = _el(tag)
        run = _el("w:r")
        rpr = _el("w:rPr")
        rpr.append(_el("w:sz", val=str(round(half_points))))
        rpr.append(_el("w:szCs", val=str(round(half_points))))
        run.append(rpr)
        t = _el("w:t")
        t.text = text
        t.set(qn("xml:space"), "preserve")
        run.append(t)
        part.append(run)
        ruby.append(part)
    holder = _el("w:r")
    holder.append(ruby)
    para._p.append(holder)


def leader_tab(para: Paragraph, position_mm: float) -> None:
    """A right-aligned tab stop with a dot leader (a table of contents entry's page number)."""
    ppr = para._p.get_or_add_pPr()
    tabs = _el("w:tabs")
    tabs.append(_el("w:tab", val="right", leader="dot", pos=str(round(position_mm / 25.4 * 1440))))
    ppr.append(tabs)


# --- tables ---------------------------------------------------------------------------------
def repeat_header(row: _Row) -> None:
    """Repeat this row at the top of every page the table runs onto (Word: Repeat as header row)."""
    row._tr.get_or_add_trPr().append(_el("w:tblHeader", val="true"))


def keep_row_together(row: _Row) -> None:
    """Do not let this row break across pages (Word: uncheck Allow row to break across pages)."""
    row._tr.get_or_add_trPr().append(_el("w:cantSplit", val="true"))


def shade(cell: _Cell, fill: str = SHADE) -> None:
    cell._tc.get_or_add_tcPr().append(_el("w:shd", val="clear", color="auto", fill=fill))


def table_borders(table: Table, outer: bool, inside_h: bool, inside_v: bool, size: int = 4) -> None:
    """The table's borders: the frame, the rules between rows, the rules between columns
    (``size`` in eighths of a point); ``nil`` where there is none."""
    tbl_pr = table._tbl.tblPr
    borders = _el("w:tblBorders")
    for side, on in (("top", outer), ("left", outer), ("bottom", outer), ("right", outer),
                     ("insideH", inside_h), ("insideV", inside_v)):  # fmt: skip
        attrs = {"val": "single", "sz": str(size), "space": "0", "color": "000000"} if on else {"val": "nil"}
        borders.append(_el(f"w:{side}", **attrs))
    tbl_pr.append(borders)


def cell_border(cell: _Cell, size: int = 4, **sides: bool) -> None:
    """Borders of one cell, overriding the table's: ``top=True`` draws a rule, ``top=False`` none."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = _el("w:tcBorders")
        tc_pr.append(borders)
    for side, on in sides.items():
        attrs = {"val": "single", "sz": str(size), "space": "0", "color": "000000"} if on else {"val": "nil"}
        borders.append(_el(f"w:{side}", **attrs))


def fixed_widths(table: Table, widths_mm: list[float]) -> None:
    """Fixed column widths (Word: the table does not resize to its contents)."""
    table.autofit = False
    table._tbl.tblPr.append(_el("w:tblLayout", type="fixed"))
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)


def cell_text(
    cell: _Cell, text: str, size: float, *, bold: bool = False, family: str | None = None
) -> Paragraph:
    """Put ``text`` into the cell's first (empty) paragraph, or a new one after what it holds."""
    para = cell.paragraphs[-1] if not cell.paragraphs[-1].text and len(cell.paragraphs) == 1 else None
    para = para or cell.add_paragraph()
    para.paragraph_format.space_after = Pt(0)
    run = para.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold or None
    if family:
        set_fonts(run._r, family)
    return para
