"""The inspection binder (台账): the year's ledgers as one print-ready PDF or .xlsx.

Each app declares its ledgers with `reporting.binder_section(...)` in its reports.py, filed
under one of the county's inspection categories below; the binder prints them in the
categories' order, then the sections' order. A ledger's tables are its reports' own (the
same rows as the report page and the downloads), read with the reader's permissions: a
section the reader may not read is left out, and the contents says so.

The PDF is laid out here, not by ReportLab's table splitting: rows are measured and broken
into lines with the font's own widths, and each page gets exactly the rows that fit, under
the table's header. ReportLab re-measures every remaining row each time it splits a table,
which is quadratic in a county's ledger of a hundred thousand lines.
"""

import itertools
import re
import tempfile
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Flowable, Frame, PageBreak, PageTemplate, Paragraph, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable
from reportlab.platypus.doctemplate import BaseDocTemplate

from federation.core import approved, pdf_font, streams
from federation.core.models import ReportLog
from federation.core.registry import CATEGORIES, BinderSection, registry
from federation.core.reporting import DateRange, ReportScope, Table, file_cell

# The county's inspection categories (年度考核), in the order of its scoring sheet.
NUMERALS = "一二三四五六七八九十"
BINDER_LOG_NAME = "ledger_binder"  # each binder printed is logged under this name


@dataclass
class Ledger:
    section: BinderSection
    tables: list[tuple[str, Table]]  # (the report's title, its table)

    @property
    def title(self) -> str:
        return self.section.title()


@dataclass
class Binder:
    unit: str  # 填报单位: the town's federation, or a village's
    period: DateRange
    printed_on: date
    chapters: list[tuple[str, list[Ledger]]]  # (category, its ledgers) in the county's order
    left_out: list[str] = field(default_factory=list)  # ledgers the reader may not read
    rows: int = 0  # the ledgers' rows written (the download's log counts them)

    @property
    def year_label(self) -> str:
        period = self.period
        if (period.start.month, period.start.day, period.end.month, period.end.day) == (1, 1, 12, 31):
            if period.start.year == period.end.year:
                return _("%(year)s annual") % {"year": period.start.year}
        return period.label

    @property
    def ledgers(self) -> list[Ledger]:
        return [ledger for _category, ledgers in self.chapters for ledger in ledgers]

    @property
    def title(self) -> str:
        return _("Women's federation ledgers of %(unit)s, %(year)s") % {"unit": self.unit, "year": self.year_label}

    def file_name(self, extension: str) -> str:
        ledgers = pgettext("file name", "ledgers")  # (not inside the f-string: xgettext reads no f-string)
        return re.sub(r'[\\/:*?"<>|]', "_", f"{self.unit}_{ledgers}_{self.period.label}.{extension}")


def compile_binder(rs: ReportScope, period: DateRange, unit: str) -> Binder:
    """The ledgers `rs.user` may read, each table computed by its report for the scope."""
    sections = sorted(
        registry.binder_sections.values(), key=lambda s: (list(CATEGORIES).index(s.category), s.order, s.name)
    )
    chapters = {key: [] for key in CATEGORIES}
    left_out = []
    for section in sections:
        entries = [registry.reports[name] for name in section.reports]
        readable = [entry for entry in entries if entry.allowed(rs.user)]
        if not readable:
            left_out.append(section.title())
            continue
        tables = []
        for entry in readable:
            table, kept = approved.run(entry, rs, period)
            tables.append((entry.title() if kept is None else f"{entry.title()}（{kept.note()}）", table))
        chapters[section.category].append(Ledger(section, tables))
    return Binder(
        unit=unit,
        period=period,
        printed_on=timezone.localdate(),
        chapters=[(str(label), chapters[key]) for key, label in CATEGORIES.items()],
        left_out=left_out,
    )


def unit_name(rs: ReportScope) -> str:
    """填报单位: 站儿巷镇妇联, or 站儿巷镇太坝村妇联 for one village's binder."""
    rows = rs.village_rows()
    town = rs.town_name
    if len(rows) == 1 and not rs.town_ids:
        return _("%(town)s%(village)s women's federation") % {"town": town, "village": rows[0][1]}
    return _("%(town)s women's federation") % {"town": town or _("county")}


def _text(value) -> str:
    value = file_cell(value)
    if isinstance(value, Decimal | float):
        return f"{value:,.2f}"
    return str(value)


def _printed(value) -> str:
    """A cell as the PDF prints it: its text, each character the font lacks as 〓."""
    return pdf_font.printable(_text(value))


def _number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


# --- PDF -------------------------------------------------------------------------------

FONT = pdf_font.NAME  # embedded in the file (federation.core.pdf_font)
TABLE_SIZE, TABLE_LEADING, PAD = 8.5, 10.5, 3
HEADER_SHADE = colors.Color(0.9, 0.9, 0.9)


def _fonts():
    return pdfmetrics.getFont(pdf_font.register())


def _p(text: str) -> str:
    """A paragraph's text: what the font can print, escaped."""
    return escape(pdf_font.printable(text))


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


class _PageState:
    """What the binder's canvas learns while the pages are laid out: where each ledger
    starts, and where the contents lines stand, to number them when the pages are done."""

    def __init__(self):
        self.starts: dict[str, int] = {}  # ledger key -> first page
        self.contents: list[tuple[int, float, float, str]] = []  # (page, x, y, ledger key)


def _flowables(binder: Binder, state: _PageState, width: float, height: float):

    def style(size, *, leading=None, align=0, space=0):
        return ParagraphStyle(
            f"s{size}{align}", fontName=FONT, fontSize=size, leading=leading or size * 1.4, alignment=align,
            wordWrap="CJK", spaceAfter=space,
        )  # fmt: skip

    class Mark(Flowable):
        def __init__(self, key):
            super().__init__()
            self.key = key

        def wrap(self, *args):
            return (0, 0)

        def draw(self):
            state.starts.setdefault(self.key, self.canv.getPageNumber())

    class ContentsLine(Flowable):
        """A line of the contents; its page number is written when the pages are counted."""

        def __init__(self, text, key, indent):
            super().__init__()
            self.text, self.key, self.indent = text, key, indent

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
                state.contents.append((canvas.getPageNumber(), x, y, self.key))

    title = style(26, leading=40, align=TA_CENTER)
    heading = style(16, leading=22, space=4)
    small = style(10.5, leading=15)
    story = [Spacer(1, height * 0.18), Paragraph(_p(binder.title), title), Spacer(1, height * 0.12)]
    cover_rows = [
        [_("Reporting unit"), pdf_font.printable(binder.unit)],
        [_("Year"), binder.year_label],
        [_("Compiled on"), binder.printed_on.strftime("%Y年%m月%d日")],
        [_("Person in charge (signature)"), ""],
        [_("Compiled by (signature)"), ""],
        [_("Stamp"), ""],
    ]
    cover = PdfTable(cover_rows, colWidths=[150, 300], rowHeights=30)
    cover.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 13),
                ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    story += [cover, PageBreak(), Mark("contents"), Paragraph(_p(_("Ledger contents")), style(20, align=TA_CENTER))]
    story.append(Spacer(1, 10))
    for number, (category, ledgers) in enumerate(binder.chapters):
        story.append(ContentsLine(f"{NUMERALS[number]}、{category}", None, 0))
        if not ledgers:
            story.append(ContentsLine(_("(no ledger this year)"), None, 28))
        for index, ledger in enumerate(ledgers, 1):
            story.append(ContentsLine(f"{index}. {ledger.title}", ledger.section.name, 28))
    if binder.left_out:
        story += [
            Spacer(1, 10),
            Paragraph(
                _p(
                    _("Left out (not readable with your permissions): %(names)s")
                    % {"names": "、".join(binder.left_out)}
                ),
                small,
            ),
        ]

    measure = Measure(TABLE_SIZE)
    signature = _(
        "Compiled by: ________    Checked by: ________    Person in charge: ________    (stamp)    Date: ____年__月__日"
    )

    def ledgers():
        collector = pdf_font.missing.get()
        for ledger in binder.ledgers:
            if collector is not None:
                collector.where = ledger.title
            yield from [PageBreak(), Mark(ledger.section.name)]
            for number, (name, table) in enumerate(ledger.tables):
                if number:  # each table from the top of a page: its pages are cut for a whole page
                    yield PageBreak()
                caption = name if len(ledger.tables) > 1 or name != ledger.title else ledger.title
                yield Paragraph(_p(caption), heading)
                yield from _table_pages(table, measure, width, height - 26, small, binder)
            yield from [Spacer(1, 18), Paragraph(_p(signature), small)]
        if collector is not None and collector.found:
            yield from [PageBreak(), Mark("missing")]
            yield Paragraph(_p(_("Characters the font lacks")), heading)
            note = _("These characters are printed as %(mark)s: the font has no glyph for them.") % {
                "mark": pdf_font.MISSING_MARK
            }
            yield Paragraph(_p(note), small)
            for char, where in sorted(collector.found.items()):
                places = "、".join(sorted(place or _("cover and contents") for place in where))
                yield Paragraph(_p(f"U+{ord(char):04X}：{places}"), small)

    # The ledgers' pages are made as ReportLab asks for them: a town's year is tens of
    # thousands of rows, which would otherwise all be held at once.
    return itertools.chain(story, ledgers())


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
        canvas, widths, heights = self.canv, self.widths, self.heights
        total_width, total_height = sum(widths), sum(heights)
        xs = list(itertools.accumulate(widths, initial=0))
        ys = list(itertools.accumulate((-h for h in heights), initial=total_height))
        canvas.setFillColor(HEADER_SHADE)
        canvas.rect(0, ys[1], total_width, heights[0], stroke=0, fill=1)
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
        text = canvas.beginText()
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
        canvas.drawText(text)


def _table_pages(table: Table, measure: Measure, width: float, height: float, small, binder: Binder):
    """The table as page-sized pieces, each under the header: rows measured here."""
    rows = iter(table.rows)
    sample = list(itertools.islice(rows, 300))
    if not sample:
        yield Paragraph(_p(_("No records in the period.")), small)
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
            # The pages after the first have no heading above the table.
            page, heights, room = [head], [head_height], height + (26 if first else 0) - head_height
            first = False
        page.append(cells)
        heights.append(row_height)
        binder.rows += 1
        room -= row_height
    yield LedgerPage(widths, numeric, page, heights, measure)


def write_pdf(binder: Binder, file) -> int:
    """Write the binder's PDF to `file`; return its number of pages."""
    _fonts()
    page_width, page_height = landscape(A4)
    margin = 14 * mm
    frame_width, frame_height = page_width - 2 * margin, page_height - 2 * margin - 14 * mm
    state = _PageState()
    titles = {ledger.section.name: ledger.title for ledger in binder.ledgers}
    titles["contents"] = _("Ledger contents")
    titles["missing"] = _("Characters the font lacks")
    categories = {ledger.section.name: category for category, ledgers in binder.chapters for ledger in ledgers}

    class BinderCanvas(pdf_canvas.Canvas):
        """Holds the pages until the last one: then each gets its header and footer (the
        ledger's own page count) and the contents their page numbers."""

        def __init__(self, *args, **kwargs):
            # Each page starts in this font, not ReportLab's Helvetica, left to the viewer.
            kwargs["initialFontName"] = FONT
            super().__init__(*args, **kwargs)
            self.pages = []

        def showPage(self):
            self.pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self.pages)
            starts = sorted((page, key) for key, page in state.starts.items())
            ranges = {}
            for index, (page, key) in enumerate(starts):
                end = starts[index + 1][0] - 1 if index + 1 < len(starts) else total
                ranges[key] = (page, end)
            for number, page in enumerate(self.pages, 1):
                self.__dict__.update(page)
                self._decorate(number, total, ranges)
                super().showPage()
            super().save()

        def _decorate(self, number, total, ranges):
            self.setFont(FONT, 9)
            for key, (start, end) in ranges.items():
                if start <= number <= end:
                    top = page_height - margin + 2
                    self.drawString(margin, top, pdf_font.printable(f"{binder.unit}　{binder.year_label}"))
                    self.drawRightString(
                        page_width - margin,
                        top,
                        pdf_font.printable(" · ".join(filter(None, [categories.get(key), titles[key]]))),
                    )
                    self.line(margin, top - 4, page_width - margin, top - 4)
                    footer = _("Page %(page)s of %(pages)s") % {"page": number - start + 1, "pages": end - start + 1}
                    self.drawCentredString(page_width / 2, margin - 12, pdf_font.printable(f"{titles[key]}　{footer}"))
                    self.drawRightString(
                        page_width - margin,
                        margin - 12,
                        _("sheet %(page)s of %(pages)s") % {"page": number, "pages": total},
                    )
            self.setFont(FONT, 11)
            for page, x, y, key in state.contents:
                if page == number and key in ranges:
                    self.drawRightString(x, y, str(ranges[key][0]))

    doc = BaseDocTemplate(
        file,
        pagesize=(page_width, page_height),
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin + 8 * mm,
        bottomMargin=margin + 6 * mm,
        title=binder.title,
        author=binder.unit,
        creator="妇联工作台",
    )
    doc.addPageTemplates(
        [PageTemplate("page", [Frame(margin, margin + 6 * mm, frame_width, frame_height, 0, 0, 0, 0, id="body")])]
    )
    token = pdf_font.missing.set(pdf_font.Missing())
    try:
        doc.build(Story(_flowables(binder, state, frame_width, frame_height)), canvasmaker=BinderCanvas)
    finally:
        pdf_font.missing.reset(token)
    return doc.page


# --- Excel -----------------------------------------------------------------------------


def write_xlsx(binder: Binder, file) -> None:
    """A cover, the contents and one sheet per ledger table, each set up to print: A4
    landscape, one page wide, its title and header repeated on every page, numbered."""
    book = streams.SafeWorkbook()
    bold, big = Font(bold=True), Font(bold=True, size=16)
    used = set()

    def sheet(name):
        name = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
        base, n = name, 2
        while name in used:
            name = f"{base[:28]}({n})"
            n += 1
        used.add(name)
        ws = book.create_sheet(name)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.gridLines = True
        ws.oddFooter.center.text = _("Page &P of &N")
        ws.oddHeader.left.text = streams.header_text(f"{binder.unit} {binder.year_label}")
        return ws

    def cell(ws, value, font=None):
        c = WriteOnlyCell(ws, value=file_cell(value))
        c.font = font
        return c

    cover = sheet(_("Cover"))
    cover.column_dimensions["A"].width, cover.column_dimensions["B"].width = 24, 48
    cover.append([cell(cover, binder.title, big)])
    cover.append([])
    for label, value in [
        (_("Reporting unit"), binder.unit),
        (_("Year"), binder.year_label),
        (_("Compiled on"), binder.printed_on.isoformat()),
        (_("Person in charge (signature)"), ""),
        (_("Compiled by (signature)"), ""),
        (_("Stamp"), ""),
    ]:
        cover.append([label, value])

    contents = sheet(_("Ledger contents"))
    contents.column_dimensions["A"].width, contents.column_dimensions["B"].width = 28, 48
    contents.append([cell(contents, _("Ledger contents"), big)])
    plan = []
    for number, (category, ledgers) in enumerate(binder.chapters):
        contents.append([cell(contents, f"{NUMERALS[number]}、{category}", bold)])
        if not ledgers:
            contents.append(["", _("(no ledger this year)")])
        for index, ledger in enumerate(ledgers, 1):
            for name, table in ledger.tables:
                title = ledger.title if name == ledger.title else f"{ledger.title}：{name}"
                plan.append((title, name, table))
                contents.append(["", f"{index}. {title}"])

    signature = _(
        "Compiled by: ________    Checked by: ________    Person in charge: ________    (stamp)    Date: ____年__月__日"
    )
    for title, name, table in plan:
        ws = sheet(name)
        header = [str(heading) for heading in table.header]
        rows = iter(table.rows)
        raw = list(itertools.islice(rows, 200))
        sample = [[_text(v) for v in row] for row in raw]
        for index, heading in enumerate(header, 1):
            longest = max([len(heading)] + [len(row[index - 1]) for row in sample])
            ws.column_dimensions[get_column_letter(index)].width = min(max(longest * 1.8 + 2, 8), 48)
        ws.print_title_rows = "1:3"
        ws.append([cell(ws, title, big)])
        ws.append([f"{_('Reporting unit')}：{binder.unit}　{binder.year_label}"])
        ws.append([cell(ws, heading, bold) for heading in header])
        count = 0
        # Plain values, the grid printed by the page setup: a styled cell costs openpyxl ten
        # times a plain one, and a town's points ledger is a hundred thousand rows.
        for row in itertools.chain(raw, rows):
            ws.append([file_cell(value) for value in row])
            count += 1
        binder.rows += count
        if not count:
            ws.append([_("No records in the period.")])
        ws.append([])
        ws.append([signature])
    book.save(file)


def log(user, filters: dict, kind: str, binder: Binder) -> None:
    """Every binder printed is logged as a report download (报表日志)."""
    who = user if getattr(user, "pk", None) else None
    ReportLog.objects.create(user=who, report=BINDER_LOG_NAME, filters=filters, format=kind, rows=binder.rows)


def pdf_file(binder: Binder):
    """The PDF in a temporary file, rewound, and its page count."""
    file = tempfile.TemporaryFile()
    pages = write_pdf(binder, file)
    file.seek(0)
    return file, pages


def xlsx_file(binder: Binder):
    file = tempfile.TemporaryFile()
    write_xlsx(binder, file)
    file.seek(0)
    return file
