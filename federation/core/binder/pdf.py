"""The binder as a PDF: a cover, the contents with each ledger's first page, and the ledgers,
each page under a running head and numbered within its ledger and within the binder.

The tables are laid out here, not by ReportLab's table splitting: rows are measured and
broken into lines with the font's own widths, and each page gets exactly the rows that fit,
under the table's header. ReportLab re-measures every remaining row each time it splits a
table, which is quadratic in a county's ledger of a hundred thousand lines.
"""

import itertools
import tempfile
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, Frame, PageBreak, PageTemplate, Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable
from reportlab.platypus.doctemplate import BaseDocTemplate

from federation.core import pdf_font
from federation.core.binder.ledgers import NUMERALS, Binder, cell_text, cover_lines, signature_line
from federation.core.disclosure import Disclosure, MarkedCanvas
from federation.core.reporting import Table

FONT = pdf_font.NAME  # embedded in the file (federation.core.pdf_font)
TABLE_SIZE, TABLE_LEADING, PAD = 8.5, 10.5, 3
HEADER_SHADE = colors.Color(0.9, 0.9, 0.9)
PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 14 * mm
FRAME_WIDTH, FRAME_HEIGHT = PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - 2 * MARGIN - 14 * mm
CAPTION_HEIGHT = 26  # a table's caption above its first page


def _style(size, *, leading=None, align=0, space=0):
    return ParagraphStyle(
        f"s{size}{align}", fontName=FONT, fontSize=size, leading=leading or size * 1.4, alignment=align,
        wordWrap="CJK", spaceAfter=space,
    )  # fmt: skip


TITLE = _style(26, leading=40, align=TA_CENTER)
CONTENTS_TITLE = _style(20, align=TA_CENTER)
HEADING = _style(16, leading=22, space=4)
SMALL = _style(10.5, leading=15)


def _fonts():
    return pdfmetrics.getFont(pdf_font.register())


def _p(text: str) -> str:
    """A paragraph's text: what the font can print, escaped."""
    return escape(pdf_font.printable(text))


def _printed(value) -> str:
    """A cell as the PDF prints it: its text, each character the font lacks as 〓."""
    return pdf_font.printable(cell_text(value))


def _number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


# --- Laying out the story ---------------------------------------------------------------


class PageState:
    """What the binder's canvas learns while the pages are laid out: where each ledger
    starts, and where the contents lines stand, to number them when the pages are done."""

    def __init__(self):
        self.starts: dict[str, int] = {}  # ledger key -> first page
        self.contents: list[tuple[int, float, float, str]] = []  # (page, x, y, ledger key)


class Mark(Flowable):
    """Where a ledger (or the contents) starts: it notes its page in the state, and takes no room."""

    def __init__(self, key, state: PageState):
        super().__init__()
        self.key, self.state = key, state

    def wrap(self, *args):
        return (0, 0)

    def draw(self):
        self.state.starts.setdefault(self.key, self.canv.getPageNumber())


class ContentsLine(Flowable):
    """A line of the contents; its page number is written when the pages are counted."""

    def __init__(self, text, key, indent, state: PageState):
        super().__init__()
        self.text, self.key, self.indent, self.state = text, key, indent, state

    def wrap(self, available_width, available_height):
        self.width = available_width
        return (available_width, 18)

    def draw(self):
        canvas = self.canv
        canvas.setFont(FONT, 11)
        canvas.drawString(self.indent, 5, pdf_font.printable(self.text))
        if self.key:
            canvas.setDash(1, 2)
            canvas.setStrokeColor(colors.grey)
            start = self.indent + canvas.stringWidth(self.text, FONT, 11) + 6
            canvas.line(start, 5, self.width - 40, 5)
            x, y = canvas.absolutePosition(self.width, 5)
            self.state.contents.append((canvas.getPageNumber(), x, y, self.key))


def _flowables(binder: Binder, state: PageState, width: float, height: float):
    """The story: the cover and the contents, then the ledgers' pages as ReportLab asks for
    them (a town's year is tens of thousands of rows, which would otherwise all be held at once)."""
    return itertools.chain(_cover(binder, height), _contents(binder, state), _ledgers(binder, state, width, height))


def _cover(binder: Binder, height: float) -> list:
    lines = cover_lines(binder, binder.printed_on.strftime("%Y年%m月%d日"))
    rows = [[label, pdf_font.printable(value)] for label, value in lines]
    cover = PdfTable(rows, colWidths=[150, 300], rowHeights=30)
    cover.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 13),
                ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    return [Spacer(1, height * 0.18), Paragraph(_p(binder.title), TITLE), Spacer(1, height * 0.12), cover, PageBreak()]


def _contents(binder: Binder, state: PageState) -> list:
    """Each chapter and its ledgers (their pages written in when the pages are counted), and
    the ledgers left out."""
    story = [Mark("contents", state), Paragraph(_p(_("Ledger contents")), CONTENTS_TITLE), Spacer(1, 10)]
    for number, (category, ledgers) in enumerate(binder.chapters):
        story.append(ContentsLine(f"{NUMERALS[number]}、{category}", None, 0, state))
        if not ledgers:
            story.append(ContentsLine(_("(no ledger this year)"), None, 28, state))
        for index, ledger in enumerate(ledgers, 1):
            story.append(ContentsLine(f"{index}. {ledger.title}", ledger.section.name, 28, state))
    if binder.left_out:
        names = "、".join(binder.left_out)
        story += [
            Spacer(1, 10),
            Paragraph(_p(_("Left out (not readable with your permissions): %(names)s") % {"names": names}), SMALL),
        ]
    return story


def _ledgers(binder: Binder, state: PageState, width: float, height: float):
    """Each ledger from a new page, each of its tables from the top of a page (its pages are
    cut for a whole page), signed under; then the characters the font lacks, if any."""
    measure = Measure(TABLE_SIZE)
    collector = pdf_font.missing.get()
    for ledger in binder.ledgers:
        if collector is not None:
            collector.where = ledger.title
        yield from [PageBreak(), Mark(ledger.section.name, state)]
        for number, (name, table) in enumerate(ledger.tables):
            if number:
                yield PageBreak()
            caption = name if len(ledger.tables) > 1 or name != ledger.title else ledger.title
            yield Paragraph(_p(caption), HEADING)
            yield from _table_pages(table, measure, width, height - CAPTION_HEIGHT, binder)
        yield from [Spacer(1, 18), Paragraph(_p(signature_line()), SMALL)]
    if collector is not None and collector.found:
        yield from _missing(collector, state)


def _missing(collector: pdf_font.Missing, state: PageState):
    """A last page naming each character printed as 〓, and the ledgers it is in."""
    yield from [PageBreak(), Mark("missing", state)]
    yield Paragraph(_p(_("Characters the font lacks")), HEADING)
    note = _("These characters are printed as %(mark)s: the font has no glyph for them.") % {
        "mark": pdf_font.MISSING_MARK
    }
    yield Paragraph(_p(note), SMALL)
    for char, where in sorted(collector.found.items()):
        places = "、".join(sorted(place or _("cover and contents") for place in where))
        yield Paragraph(_p(f"U+{ord(char):04X}：{places}"), SMALL)


class Story:
    """The flowables as the document template asks for them, made from an iterator: it reads
    the first ones, takes them off, and puts split pieces back in front (a list's
    operations, on the front only)."""

    def __init__(self, flowables):
        self.ahead, self.source = deque(), iter(flowables)

    def _fill(self, count: int) -> None:
        while len(self.ahead) < count:
            following = next(self.source, None)
            if following is None:
                return
            self.ahead.append(following)

    def __len__(self) -> int:
        self._fill(1)
        return len(self.ahead)

    def __getitem__(self, index):
        if isinstance(index, slice):
            self._fill(index.stop if index.stop is not None else 10**9)
            return list(self.ahead)[index]
        self._fill(index + 1)
        return self.ahead[index]

    def __delitem__(self, index) -> None:
        self._fill(index + 1)
        del self.ahead[index]

    def __setitem__(self, index, flowables) -> None:
        if not (isinstance(index, slice) and index.start in (0, None) and index.stop == 0):
            raise TypeError("a story takes flowables back only in front")
        self.ahead.extendleft(reversed(list(flowables)))

    def insert(self, index: int, flowable) -> None:
        self._fill(index)
        self.ahead.insert(index, flowable)


# --- The ledgers' tables ------------------------------------------------------------------


class Measure:
    """Widths of text in the table font, a character at a time, remembered: Chinese breaks
    between any two characters, so a cell's lines are found by adding widths."""

    def __init__(self, size: float):
        self.font, self.size, self.widths = _fonts(), size, {}

    def char(self, char: str) -> float:
        width = self.widths.get(char)
        if width is None:
            width = self.widths[char] = self.font.stringWidth(char, self.size)
        return width

    def width(self, text: str) -> float:
        return sum(self.char(char) for char in text)

    def lines(self, text: str, width: float) -> list[str]:
        lines = []
        for paragraph in text.splitlines() or [""]:
            line, used = [], 0.0
            for char in paragraph:
                w = self.char(char)
                if line and used + w > width + 0.01:  # (sums of widths round)
                    lines.append("".join(line))
                    line, used = [], 0.0
                line.append(char)
                used += w
            lines.append("".join(line))
        return lines


def _column_widths(measure: Measure, header: list[str], sample: list[list[str]], total: float) -> list[float]:
    """Columns of dates, numbers and ID numbers as wide as their widest value (they must not
    break); the text columns share what is left, each at least four characters (a name) or
    its widest text, the rest by how long their texts are; a heading may take three lines."""
    cap, char = total * 0.3, measure.char("中")
    natural, whole = [], []
    for index, heading in enumerate(header):
        values = [row[index] for row in sample]
        widest = max([measure.width(value) for value in values] + [measure.width(heading) / 3, 2 * char])
        natural.append(min(widest + 2 * PAD, cap))
        whole.append(all(value.isascii() and len(value) <= 24 for value in values))
    fixed = sum(width for width, keep in zip(natural, whole, strict=True) if keep)
    floors = [width if keep else min(width, 4 * char + 2 * PAD) for width, keep in zip(natural, whole, strict=True)]
    if sum(floors) >= total:  # too many columns for the page: all give way alike
        return [width * total / sum(floors) for width in floors]
    room = total - fixed - sum(floor for floor, keep in zip(floors, whole, strict=True) if not keep)
    extra = [0 if keep else natural[i] - floors[i] for i, keep in enumerate(whole)]
    if sum(extra) <= room:  # everything fits: the text columns share the rest alike
        spare = (total - sum(natural)) / max(1, whole.count(False))
        return [width if keep else width + spare for width, keep in zip(natural, whole, strict=True)]
    return [floors[i] + extra[i] * room / sum(extra) for i in range(len(header))]


class LedgerPage(Flowable):
    """One page of a ledger's table: the header, then the rows that fit, drawn straight on
    the canvas (grid, a shaded header, each cell's lines centred in its row). ReportLab's
    Table costs ten times as much a cell, and a town's year is tens of thousands of rows."""

    def __init__(self, widths, numeric, rows, heights, measure):
        super().__init__()
        self.widths, self.numeric, self.rows, self.heights, self.measure = widths, numeric, rows, heights, measure

    def wrap(self, available_width, available_height):
        return sum(self.widths), sum(self.heights)

    def draw(self):
        xs = list(itertools.accumulate(self.widths, initial=0))
        ys = list(itertools.accumulate((-h for h in self.heights), initial=sum(self.heights)))
        self._draw_grid(xs, ys)
        self._draw_cells(xs, ys)

    def _draw_grid(self, xs, ys):
        canvas, total_width, total_height = self.canv, xs[-1], ys[0]
        canvas.setFillColor(HEADER_SHADE)
        canvas.rect(0, ys[1], total_width, self.heights[0], stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.setLineWidth(0.4)
        grid = canvas.beginPath()
        for y in ys:
            grid.moveTo(0, y)
            grid.lineTo(total_width, y)
        for x in xs:
            grid.moveTo(x, 0)
            grid.lineTo(x, total_height)
        canvas.drawPath(grid, stroke=1, fill=0)

    def _draw_cells(self, xs, ys):
        """Each cell's lines, centred in its row: the header's centred in their column, numbers
        to the right, text to the left."""
        widths, heights = self.widths, self.heights
        text = self.canv.beginText()
        text.setFont(FONT, TABLE_SIZE, TABLE_LEADING)
        width_of = self.measure.width
        for r, cells in enumerate(self.rows):
            top, height = ys[r], heights[r]
            for i, lines in enumerate(cells):
                baseline = top - (height - len(lines) * TABLE_LEADING) / 2 - TABLE_SIZE + 0.5
                for k, line in enumerate(lines):
                    if not line:
                        continue
                    if r == 0:
                        x = xs[i] + (widths[i] - width_of(line)) / 2
                    elif self.numeric[i]:
                        x = xs[i + 1] - PAD - width_of(line)
                    else:
                        x = xs[i] + PAD
                    text.setTextOrigin(x, baseline - k * TABLE_LEADING)
                    text.textOut(line)
        self.canv.drawText(text)


def _table_pages(table: Table, measure: Measure, width: float, height: float, binder: Binder):
    """The table as page-sized pieces, each under the header: rows measured here."""
    rows = iter(table.rows)
    sample = list(itertools.islice(rows, 300))
    if not sample:
        yield Paragraph(_p(_("No records in the period.")), SMALL)
        return
    header = [pdf_font.printable(str(heading)) for heading in table.header]
    texts = [[_printed(value) for value in row] for row in sample]
    numeric = [all(_number(row[i]) for row in sample if row[i] not in ("", None)) for i in range(len(header))]
    widths = _column_widths(measure, header, texts, width)
    inner = [w - 2 * PAD for w in widths]
    most = int((height / 2) // TABLE_LEADING)  # a cell longer than half a page is cut there

    def fit(cells):
        lines = [measure.lines(text, inner[i])[:most] for i, text in enumerate(cells)]
        return lines, max(len(cell) for cell in lines) * TABLE_LEADING + 2 * PAD

    head, head_height = fit(header)
    page, heights, room = [head], [head_height], height - head_height
    first = True
    for row in itertools.chain(texts, ([_printed(value) for value in row] for row in rows)):
        cells, row_height = fit(row)
        if row_height > room and len(page) > 1:
            yield LedgerPage(widths, numeric, page, heights, measure)
            # The pages after the first have no caption above the table.
            page, heights, room = [head], [head_height], height + (CAPTION_HEIGHT if first else 0) - head_height
            first = False
        page.append(cells)
        heights.append(row_height)
        binder.rows += 1
        room -= row_height
    yield LedgerPage(widths, numeric, page, heights, measure)


# --- The pages' heads and numbers -----------------------------------------------------------


@dataclass
class RunningHeads:
    """What each page's head says: the unit and year on the left, the ledger's chapter and
    title on the right (by ledger key; the contents and the missing characters have no chapter)."""

    unit_and_year: str
    titles: dict[str, str]
    categories: dict[str, str]

    @classmethod
    def of(cls, binder: Binder) -> "RunningHeads":
        titles = {ledger.section.name: ledger.title for ledger in binder.ledgers}
        titles["contents"] = _("Ledger contents")
        titles["missing"] = _("Characters the font lacks")
        categories = {ledger.section.name: category for category, ledgers in binder.chapters for ledger in ledgers}
        return cls(f"{binder.unit}　{binder.year_label}", titles, categories)


class BinderCanvas(MarkedCanvas):
    """Holds the pages until the last one: then each gets its header and footer (the
    ledger's own page count) and the contents their page numbers."""

    def __init__(self, *args, state: PageState, heads: RunningHeads, **kwargs):
        # Each page starts in this font, not ReportLab's Helvetica, left to the viewer.
        kwargs["initialFontName"] = FONT
        super().__init__(*args, **kwargs)
        self.state, self.heads = state, heads
        self.pages = []

    def showPage(self):
        self.pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self.pages)
        ranges = self._ledger_pages(total)
        for number, page in enumerate(self.pages, 1):
            self.__dict__.update(page)
            self._decorate(number, total, ranges)
            super().showPage()
        super().save()

    def _ledger_pages(self, total: int) -> dict[str, tuple[int, int]]:
        """Each ledger's first and last page: it ends where the next one starts."""
        starts = sorted((page, key) for key, page in self.state.starts.items())
        ranges = {}
        for index, (page, key) in enumerate(starts):
            end = starts[index + 1][0] - 1 if index + 1 < len(starts) else total
            ranges[key] = (page, end)
        return ranges

    def _decorate(self, number, total, ranges):
        self.setFont(FONT, 9)
        for key, (start, end) in ranges.items():
            if start <= number <= end:
                self._head_and_foot(key, number - start + 1, end - start + 1, number, total)
        self.setFont(FONT, 11)
        for page, x, y, key in self.state.contents:
            if page == number and key in ranges:
                self.drawRightString(x, y, str(ranges[key][0]))

    def _head_and_foot(self, key, page, pages, sheet, sheets):
        """The running head over the page; under it, its page in the ledger and in the binder."""
        heads = self.heads
        top = PAGE_HEIGHT - MARGIN + 2
        self.drawString(MARGIN, top, pdf_font.printable(heads.unit_and_year))
        self.drawRightString(
            PAGE_WIDTH - MARGIN,
            top,
            pdf_font.printable(" · ".join(filter(None, [heads.categories.get(key), heads.titles[key]]))),
        )
        self.line(MARGIN, top - 4, PAGE_WIDTH - MARGIN, top - 4)
        footer = _("Page %(page)s of %(pages)s") % {"page": page, "pages": pages}
        self.drawCentredString(PAGE_WIDTH / 2, MARGIN - 12, pdf_font.printable(f"{heads.titles[key]}　{footer}"))
        self.drawRightString(
            PAGE_WIDTH - MARGIN, MARGIN - 12, _("sheet %(page)s of %(pages)s") % {"page": sheet, "pages": sheets}
        )


def write_pdf(binder: Binder, file, disclosure: Disclosure | None = None) -> int:
    """Write the binder's PDF to `file`, each page marked with who took it; return its
    number of pages."""
    _fonts()
    state = PageState()
    doc = BaseDocTemplate(
        file,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 8 * mm,
        bottomMargin=MARGIN + 6 * mm,
        title=binder.title,
        author=binder.unit,
        creator="妇联工作台",
    )
    doc.addPageTemplates(
        [PageTemplate("page", [Frame(MARGIN, MARGIN + 6 * mm, FRAME_WIDTH, FRAME_HEIGHT, 0, 0, 0, 0, id="body")])]
    )
    canvasmaker = partial(BinderCanvas, state=state, heads=RunningHeads.of(binder), disclosure=disclosure)
    token = pdf_font.missing.set(pdf_font.Missing())
    try:
        doc.build(Story(_flowables(binder, state, FRAME_WIDTH, FRAME_HEIGHT)), canvasmaker=canvasmaker)
    finally:
        pdf_font.missing.reset(token)
    return doc.page


def pdf_file(binder: Binder, disclosure: Disclosure | None = None):
    """The PDF in a temporary file, rewound, and its page count."""
    file = tempfile.TemporaryFile()
    pages = write_pdf(binder, file, disclosure)
    file.seek(0)
    return file, pages
