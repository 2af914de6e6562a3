"""The draft as a Word document built from the template's own styles, so editors can restyle it in one place.

Headings use Title and Heading 1-3, lists use List Bullet / List Number (each numbered list restarts at 1),
tables a built-in table style with a repeating header row. Stakeholder text only ever goes into a run's text:
python-docx escapes it, and no field (fldSimple, instrText) is ever created, so `{ MERGEFIELD x }` stays text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt

from bot.charts.draw import WIDTH_CM
from bot.export.draft import Draft
from bot.export.layout import (
    Block,
    Field,
    Figure,
    Heading,
    ItemList,
    Paragraph,
    Table,
    clean,
    document_subject,
    document_title,
    layout,
)
from bot.messages import Catalogue

if TYPE_CHECKING:
    from bot.charts import Chart

TABLE_STYLE = "Light Grid Accent 1"
BULLET_STYLE = "List Bullet"
NUMBER_STYLE = "List Number"
TABLE_TEXT = Pt(8.5)  # tables hold many short cells: a size smaller than the body text keeps them compact


def _text(value: str) -> str:
    """Runs hold one line: newlines would become breaks, which is fine, but tabs and controls are not."""
    return clean(value).replace("\t", " ")


def _restart_numbering(document: DocxDocument) -> str:
    """A fresh numbering instance of the List Number style's list, starting again at 1; returns its numId."""
    style = document.styles[NUMBER_STYLE]
    num_id = style.element.pPr.numPr.numId.val
    numbering = document.part.numbering_part.element
    abstract_id = next(num.abstractNumId.val for num in numbering.num_lst if num.numId == num_id)
    num = numbering.add_num(abstract_id)
    override = num.add_lvlOverride(ilvl=0)
    override.add_startOverride(1)
    return str(num.numId)


def _numbered(paragraph, num_id: str) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    ilvl = OxmlElement("w:ilvl")
    ilvl.set(qn("w:val"), "0")
    num = OxmlElement("w:numId")
    num.set(qn("w:val"), num_id)
    num_pr.append(ilvl)
    num_pr.append(num)
    p_pr.append(num_pr)


def _column_widths(block: Table, total: int) -> list[int]:
    """Each column gets room for its longest word first; the rest of the width goes by how much text it holds."""
    width = len(block.header)
    rows = [block.header, *((list(r) + [""] * width)[:width] for r in block.rows)]
    columns = list(zip(*rows, strict=True))
    floors = [
        Cm(0.45) + Cm(0.21) * max((len(word) for cell in column for word in cell.split()), default=1)
        for column in columns
    ]
    if sum(floors) >= total:
        return [int(total * f / sum(floors)) for f in floors]
    means = [min(sum(len(cell) for cell in column) / len(column), 90) + 1 for column in columns]
    spare = total - sum(floors)
    return [int(f + spare * m / sum(means)) for f, m in zip(floors, means, strict=True)]


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _keep_row_together(row) -> None:
    """A row is not split across two pages (a criterion and its evidence stay side by side)."""
    tr_pr = row._tr.get_or_add_trPr()
    keep = OxmlElement("w:cantSplit")
    keep.set(qn("w:val"), "true")
    tr_pr.append(keep)


class _Writer:
    """Adds blocks to one document; style ids are looked up once (python-docx scans every style per lookup)."""

    def __init__(self, document: DocxDocument, charts: Sequence[Chart] = ()) -> None:
        self.document = document
        self.charts = {chart.name: chart for chart in charts}
        self._style_ids: dict[str, str] = {}
        section = document.sections[-1]
        self.text_width = section.page_width - section.left_margin - section.right_margin

    def paragraph(self, text: str = "", style: str | None = None):
        paragraph = self.document.add_paragraph(_text(text))
        if style is not None:
            if style not in self._style_ids:
                self._style_ids[style] = self.document.styles[style].style_id
            paragraph._p.style = self._style_ids[style]
        return paragraph

    def add(self, block: Block) -> None:
        if isinstance(block, Heading):
            self.paragraph(block.text, "Title" if block.level == 0 else f"Heading {block.level}")
        elif isinstance(block, Paragraph):
            self.paragraph(block.text)
        elif isinstance(block, Field):
            paragraph = self.paragraph()
            if not block.value:  # a label that introduces a list stays on the page of its first item
                paragraph.paragraph_format.keep_with_next = True
            paragraph.add_run(_text(block.label) + ":").bold = True
            if block.value:
                paragraph.add_run(" " + _text(block.value))
        elif isinstance(block, ItemList):
            num_id = _restart_numbering(self.document) if block.ordered else None
            for item in block.items:
                paragraph = self.paragraph(item, NUMBER_STYLE if block.ordered else BULLET_STYLE)
                if num_id is not None:
                    _numbered(paragraph, num_id)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Figure):
            self.figure(block)
        else:
            raise TypeError(f"unknown block {type(block).__name__}")

    def figure(self, block: Figure) -> None:
        """The chart at the width it was drawn for (or the text width, if narrower); its alt text is the picture's
        description, which screen readers read."""
        chart = self.charts.get(block.name)
        if chart is None:
            return
        width = min(self.text_width, Cm(WIDTH_CM))  # drawn for this width: its text prints at its own size
        shape = self.document.add_picture(io.BytesIO(chart.png), width=width)
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", _text(block.alt))
        doc_pr.set("name", block.name)
        paragraph = self.document.paragraphs[-1]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(3)

    def table(self, block: Table) -> None:
        width = len(block.header)
        if block.widths and len(block.widths) == width:
            share = sum(block.widths)
            widths = [Emu(int(self.text_width * w / share)) for w in block.widths]
        else:
            widths = [Emu(w) for w in _column_widths(block, self.text_width)]
        table = self.document.add_table(rows=0, cols=width)
        table.style = self.document.styles[TABLE_STYLE]
        table.autofit = False
        for n, column in enumerate(table.columns):
            column.width = widths[n]
        for index, row in enumerate([block.header, *block.rows]):
            added = table.add_row()
            for cell, text, cell_width in zip(added.cells, (list(row) + [""] * width)[:width], widths, strict=True):
                cell.width = cell_width
                cell.text = _text(text)
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.space_after = Pt(0)
                for run in paragraph.runs:
                    run.font.size = TABLE_TEXT
            _keep_row_together(added)
            if index == 0:
                _repeat_header(added)
        spacer = self.paragraph()  # Word merges two adjacent tables; a paragraph keeps them apart
        spacer.paragraph_format.space_after = Pt(0)
        spacer.paragraph_format.line_spacing = Pt(8)  # a small gap, not a whole empty line


def _compact_styles(document: DocxDocument) -> None:
    """Body text at 10 pt with a little space after each paragraph, headings with less space before them:
    the draft is read on paper at the meeting, so it should not run to more pages than its content needs (the
    charts of "The picture" take most of the first page)."""
    styles = document.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(2)
    normal.paragraph_format.line_spacing = 1.0
    styles["Title"].font.size = Pt(22)
    for name, size, before, after in (("Heading 1", 14, 12, 3), ("Heading 2", 12, 8, 2), ("Heading 3", 11, 6, 2)):
        styles[name].font.size = Pt(size)
        fmt = styles[name].paragraph_format
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    for name in (BULLET_STYLE, NUMBER_STYLE):
        styles[name].paragraph_format.space_after = Pt(0)


def render_docx(draft: Draft, messages: Catalogue | None = None, charts: Sequence[Chart] = ()) -> bytes:
    """The .docx bytes; the same draft gives the same document text (dates come from the draft, not the clock).
    `charts` (bot.charts) are shown under "The picture", after the vision."""
    document = Document()
    _compact_styles(document)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4, the paper most facilitators print on
    section.left_margin = section.right_margin = Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(1.5)
    props = document.core_properties
    props.title = _text(document_title(draft, messages))
    props.subject = _text(document_subject(draft, messages))
    props.author = "planbot"
    props.last_modified_by = "planbot"
    props.keywords = "upgrading plan; value chain"
    props.revision = draft.title.version
    stamp = datetime.combine(draft.title.date, time(), tzinfo=UTC)
    props.created = stamp
    props.modified = stamp
    writer = _Writer(document, charts)
    for block in layout(draft, messages, charts):
        writer.add(block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
