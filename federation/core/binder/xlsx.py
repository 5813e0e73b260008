"""The binder as an .xlsx: a cover, the contents and one sheet per ledger table, each set up
to print: A4 landscape, one page wide, its title and header repeated on every page, numbered."""

import itertools
import re
import tempfile

from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from federation.core import streams
from federation.core.binder.ledgers import NUMERALS, Binder, cell_text, cover_lines, signature_line
from federation.core.disclosure import Disclosure
from federation.core.reporting import Table, file_cell

BOLD, BIG = Font(bold=True), Font(bold=True, size=16)
WIDTH_SAMPLE = 200  # the rows a column's width is measured on


class Sheets:
    """The binder's workbook: each sheet named as Excel allows (31 characters, no []:*?/\\,
    each name once) and set up to print under the binder's unit and year."""

    def __init__(self, binder: Binder, disclosure: Disclosure | None = None):
        self.book = streams.SafeWorkbook()
        self.header = streams.header_text(f"{binder.unit} {binder.year_label}")
        self.used = set()
        self.disclosure = disclosure
        streams.mark_workbook(self.book, disclosure)

    def add(self, name: str):
        name = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
        base, n = name, 2
        while name in self.used:
            name = f"{base[:28]}({n})"
            n += 1
        self.used.add(name)
        ws = self.book.create_sheet(name)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.gridLines = True
        ws.oddFooter.center.text = _("Page &P of &N")
        ws.oddHeader.left.text = self.header
        streams.mark_sheet(ws, self.disclosure)
        return ws


def _cell(ws, value, font=None):
    cell = WriteOnlyCell(ws, value=file_cell(value))
    cell.font = font
    return cell


def _write_cover(sheets: Sheets, binder: Binder) -> None:
    cover = sheets.add(_("Cover"))
    cover.column_dimensions["A"].width, cover.column_dimensions["B"].width = 24, 48
    cover.append([_cell(cover, binder.title, BIG)])
    cover.append([])
    for label, value in cover_lines(binder, binder.printed_on.isoformat()):
        cover.append([label, value])


def _write_contents(sheets: Sheets, binder: Binder) -> list[tuple[str, str, Table]]:
    """The contents sheet; return the tables to write, each as (its title, its sheet's name, it)."""
    contents = sheets.add(_("Ledger contents"))
    contents.column_dimensions["A"].width, contents.column_dimensions["B"].width = 28, 48
    contents.append([_cell(contents, _("Ledger contents"), BIG)])
    plan = []
    for number, (category, ledgers) in enumerate(binder.chapters):
        contents.append([_cell(contents, f"{NUMERALS[number]}、{category}", BOLD)])
        if not ledgers:
            contents.append(["", _("(no ledger this year)")])
        for index, ledger in enumerate(ledgers, 1):
            for name, table in ledger.tables:
                title = ledger.title if name == ledger.title else f"{ledger.title}：{name}"
                plan.append((title, name, table))
                contents.append(["", f"{index}. {title}"])
    return plan


def _write_ledger(sheets: Sheets, binder: Binder, title: str, name: str, table: Table) -> None:
    """One table's sheet: its title, the unit and year, the header (the three repeated on
    every printed page), the rows, and the signature line."""
    ws = sheets.add(name)
    header = [str(heading) for heading in table.header]
    rows = iter(table.rows)
    raw = list(itertools.islice(rows, WIDTH_SAMPLE))
    _set_widths(ws, header, [[cell_text(value) for value in row] for row in raw])
    ws.print_title_rows = "1:3"
    ws.append([_cell(ws, title, BIG)])
    unit = _("Reporting unit")  # not in the f-string: xgettext does not read inside one
    ws.append([f"{unit}：{binder.unit}　{binder.year_label}"])
    ws.append([_cell(ws, heading, BOLD) for heading in header])
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
    ws.append([signature_line()])


def _set_widths(ws, header: list[str], sample: list[list[str]]) -> None:
    """Each column as wide as its longest text among the first rows (room for Chinese
    characters), at least 8 and at most 48."""
    for index, heading in enumerate(header, 1):
        longest = max([len(heading)] + [len(row[index - 1]) for row in sample])
        ws.column_dimensions[get_column_letter(index)].width = min(max(longest * 1.8 + 2, 8), 48)


def write_xlsx(binder: Binder, file, disclosure: Disclosure | None = None) -> None:
    """A cover, the contents and one sheet per ledger table, each set up to print (and marked
    with who took it)."""
    sheets = Sheets(binder, disclosure)
    _write_cover(sheets, binder)
    for title, name, table in _write_contents(sheets, binder):
        _write_ledger(sheets, binder, title, name, table)
    sheets.book.save(file)


def xlsx_file(binder: Binder, disclosure: Disclosure | None = None):
    file = tempfile.TemporaryFile()
    write_xlsx(binder, file, disclosure)
    file.seek(0)
    return streams.locked(file, disclosure)
