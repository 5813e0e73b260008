"""Rows written as they are read: a CSV streamed to the browser some rows at a time, an
.xlsx written row by row (openpyxl's write-only mode) into a temporary file. The admin's
exports and the report downloads both use them: a county's year of a ledger is hundreds of
thousands of rows, too many to build in memory for one download."""

import codecs
import csv
import io
import itertools
import tempfile
from datetime import date, time, timedelta
from decimal import Decimal
from unicodedata import east_asian_width

from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from federation.core.disclosure import HEADER_PURPOSE_CHARS, Disclosure, encrypt_xlsx
from federation.core.exporting import neutralize, neutralize_all

CSV_ROWS_PER_WRITE = 1000
# An .xlsx's columns are as wide as the header and the first rows need (the rest are not read
# ahead: a ledger streams hundreds of thousands), within these bounds, in characters.
SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 60
# What an .xlsx cell holds as itself; anything else is written as its text, as tablib did.
XLSX_TYPES = (str, int, float, Decimal, date, time, timedelta)


class SafeCsvWriter:
    """csv.writer whose every cell goes through `neutralize`: the one way this system writes
    a CSV, so that no cell of any file it gives out is a formula in Excel or WPS."""

    def __init__(self, buffer):
        self._writer = csv.writer(buffer)

    def writerow(self, row):
        return self._writer.writerow(neutralize_all(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def _safe_cell(value):
    if isinstance(value, Cell):
        value.value = neutralize(value.value)
        return value
    return neutralize(value)


def safe_sheet(sheet):
    """Make every row appended to an openpyxl sheet go through `neutralize` first."""
    append = sheet.append
    sheet.append = lambda row: append([_safe_cell(value) for value in row])
    return sheet


class SafeWorkbook(Workbook):
    """The one way this system writes an .xlsx: each sheet's appended cells are neutralised
    (a village or town named "=HYPERLINK(…)" stays text), and so are its header and footer
    (where "&" starts a printing code)."""

    def __init__(self, write_only: bool = True):
        super().__init__(write_only=write_only)
        if not write_only:
            safe_sheet(self.active)

    def create_sheet(self, title=None, index=None):
        return safe_sheet(super().create_sheet(title, index))


def header_text(text: str) -> str:
    """Text for a printed page's header or footer: "&" doubled, so that it is never a code."""
    return str(neutralize(text)).replace("&", "&&")


def mark_sheet(sheet, disclosure: Disclosure | None) -> None:
    """Who took the file, when and why, in the sheet's printed header (right): on every page
    printed, beside what the sheet prints there itself."""
    if disclosure is not None:
        sheet.oddHeader.right.text = header_text(disclosure.text(HEADER_PURPOSE_CHARS))
        sheet.oddHeader.right.size = 8


def mark_workbook(workbook, disclosure: Disclosure | None) -> None:
    """The same in the workbook's properties (文件 → 属性), the purpose whole."""
    if disclosure is not None:
        properties = workbook.properties
        properties.creator = properties.lastModifiedBy = disclosure.who[:255]
        properties.description = disclosure.text()[:255]
        properties.keywords = disclosure.purpose[:255]


class ReadableStreamMixin:
    """A streamed response whose whole body can still be read as `content` (tests do):
    the server only ever iterates `streaming_content`."""

    @property
    def content(self):
        body = b"".join(self.streaming_content)
        self.streaming_content = [body]
        return body


class StreamingExportResponse(ReadableStreamMixin, StreamingHttpResponse):
    pass


class FileExportResponse(ReadableStreamMixin, FileResponse):
    pass


def csv_chunks(headers, rows, encoding: str, language: str | None, disclosure: Disclosure | None = None):
    """Yield the CSV's bytes some rows at a time, as the rows are read; first, when the user
    asked for it, a line saying who took the file (`Disclosure.csv_note`)."""
    # The rows are read after the view has returned: keep the request's language for the
    # labels and names written then.
    with translation.override(language):
        encoder = codecs.getincrementalencoder(encoding)()  # a BOM once, for utf-8-sig
        buffer = io.StringIO()
        writer = SafeCsvWriter(buffer)
        if disclosure is not None and disclosure.csv_note:
            writer.writerow(["# " + disclosure.text()])
        writer.writerow(headers)
        for number, row in enumerate(rows, 1):
            writer.writerow(row)
            if number % CSV_ROWS_PER_WRITE == 0:
                yield encoder.encode(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
        yield encoder.encode(buffer.getvalue(), final=True)


def xlsx_file(headers, rows, title: str, heading: str = "", disclosure: Disclosure | None = None):
    """Write the rows to an .xlsx in a temporary file (gone once closed) and return it,
    rewound. Write-only: a row is written out as soon as it is read.

    A `heading` (a report's: 站儿巷镇2024年年度工作汇总) is a title row above the header,
    merged across the table; without one the header is the first row (an admin export, which
    is imported again). The header is bold and frozen, and printed on every page; each column
    is as wide as its header and the first SAMPLE_ROWS rows need. The `disclosure` marks it
    (`mark_sheet`, `mark_workbook`) and, with a password, locks it."""
    workbook = SafeWorkbook()
    sheet = workbook.create_sheet(title=title[:31])
    mark_sheet(sheet, disclosure)
    mark_workbook(workbook, disclosure)
    rows = iter(rows)
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    # Widths must be set before the first row is written.
    for number, width in enumerate(column_widths(headers, sample), 1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    header_row = 2 if heading else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"1:{header_row}"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True)
    file = tempfile.TemporaryFile()
    try:
        if heading:
            sheet.row_dimensions[1].height = 24
            sheet.append([_styled(sheet, heading, font=Font(bold=True, size=14))])
            if len(headers) > 1:
                sheet.merged_cells.add(f"A1:{get_column_letter(len(headers))}1")
        sheet.append([_styled(sheet, header, font=bold) for header in headers])
        for row in itertools.chain(sample, rows):
            sheet.append([_xlsx_value(sheet, value, wrap) for value in row])
    finally:
        # Saving also deletes openpyxl's own temporary file of the rows (ID numbers and
        # all), which an error would otherwise leave in /tmp until the worker exits.
        workbook.save(file)
    file.seek(0)
    return locked(file, disclosure)


def locked(file, disclosure: Disclosure | None):
    """The .xlsx in `file`, locked when the disclosure has a password."""
    if disclosure is None or not disclosure.password:
        return file
    return encrypt_xlsx(file, disclosure.password)


def text_width(text: str) -> int:
    """How many columns of a spreadsheet a text takes: a Chinese (wide or full-width)
    character two, any other one; a text of several lines, its longest line."""
    lines = text.split("\n")
    return max(sum(2 if east_asian_width(char) in "WF" else 1 for char in line) for line in lines)


def column_widths(headers, rows) -> list[float]:
    """Each column's width: the widest of its header and its cells in `rows`, with a margin,
    between MIN_WIDTH and MAX_WIDTH (a longer text wraps or is cut off at the column's edge)."""
    widths = [text_width(str(header)) for header in headers]
    for row in rows:
        for index, value in enumerate(row[: len(widths)]):
            if value is not None:
                text = value.isoformat() if isinstance(value, date | time) else str(value)
                widths[index] = max(widths[index], text_width(text))
    return [min(max(width + 2, MIN_WIDTH), MAX_WIDTH) for width in widths]


def _xlsx_value(sheet, value, wrap):
    if isinstance(value, str):
        return _styled(sheet, value, alignment=wrap) if "\n" in value else value
    if value is None or isinstance(value, XLSX_TYPES):
        return value
    return str(value)


def _styled(sheet, value, **style):
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell
