"""Reading roster files: .xlsx, .xls and .csv into `Table`s of rows, safely.

By content, not by name; with limits checked before a reader allocates anything.
"""

import csv
import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import python_calamine
from defusedxml import ElementTree
from django.conf import settings
from django.utils.translation import gettext as _
from xlrd.compdoc import CompDoc

HEADER_SEARCH_ROWS = 10

# python-calamine 0.9.1 allocates every cell of a sheet's range, empty or not: measured
# ~32 bytes a cell for an .xlsx sheet plus 8 for `to_python`, and ~62 for an .xls sheet
# (all sheets are parsed when the workbook opens, then copied when asked for). 8 million
# cells (200,010 rows × 40 columns) peaked at 332 MB for .xlsx and 567 MB for .xls, before
# the import does anything with them. Whole imports, measured: 100,000 rows × 11 columns
# peaked at 319 MB, 100,000 × 20 (nine more columns of distinct text) at 419 MB, 100,000 ×
# 30 at 593 MB. So a sheet may hold 2 million cells: 100,000 rows (IMPORT_MAX_ROWS) of 20
# columns, or fewer rows of more.
MAX_CELLS = 2_000_000
_CHUNK = 1024 * 1024


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, too large, no header row)."""


@dataclass
class Table:
    rows: list[list]
    first_row: int = 1  # the Excel row number of rows[0]
    formula_blanks: set = field(default_factory=set)  # (excel row, column index)
    sheet: str = ""  # the sheet's name; "" for a CSV file


def read_table(data: bytes, file_name: str) -> Table:
    """The first visible sheet of an .xlsx/.xls file, or a .csv file, as a Table."""
    tables = read_tables(data, file_name)
    if not tables:
        raise ImportFileError(_("The workbook has no visible sheet."))
    return tables[0]


def read_tables(data: bytes, file_name: str) -> Sequence[Table]:
    """One Table per visible worksheet, in workbook order (one Table for a CSV file).

    A sheet is read when it is first indexed or iterated to, so a workbook whose data is
    on its first sheet never parses the others; its limits are checked just before."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": len(data) / 1024 / 1024, "limit": settings.IMPORT_MAX_BYTES / 1024 / 1024}
        )
    # By content, not by name: WPS and renamed files often carry the wrong suffix.
    suffix = PurePosixPath(file_name).suffix.lower()
    if data.startswith(b"PK\x03\x04"):
        _check_zip(data)
        return _Workbook(data, xlsx=True)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        _check_xls(data)
        return _Workbook(data, xlsx=False)
    if suffix in {".csv", ".txt", ""}:
        return [_check_rows(_read_csv(data))]
    raise ImportFileError(_("Only .xlsx, .xls and .csv files can be imported."))


def _check_rows(table: Table) -> Table:
    if len(table.rows) > settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS:
        raise ImportFileError(
            _("The file has more than %(limit)d rows; split it into smaller files.")
            % {"limit": settings.IMPORT_MAX_ROWS}
        )
    return table


def _unreadable(error) -> ImportFileError:
    return ImportFileError(_("The file could not be read as an Excel workbook: %(error)s") % {"error": error})


def _not_a_workbook() -> ImportFileError:
    return ImportFileError(_("The file is not a valid Excel workbook."))


class _Workbook(Sequence):
    """The visible worksheets of a workbook, each read when first asked for."""

    def __init__(self, data: bytes, *, xlsx: bool):
        try:
            self._book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
            self._names = [
                sheet.name
                for sheet in self._book.sheets_metadata
                if sheet.visible == python_calamine.SheetVisibleEnum.Visible
                and sheet.typ == python_calamine.SheetTypeEnum.WorkSheet
            ]
        except Exception as error:  # noqa: BLE001 - calamine raises many kinds; all mean unreadable
            raise _unreadable(error) from None
        self._archive = zipfile.ZipFile(io.BytesIO(data)) if xlsx else None
        self._paths = _xlsx_sheet_paths(self._archive) if xlsx else {}
        self._tables: dict[str, Table] = {}
        self._cells = 0  # held by the sheets read so far

    def __len__(self) -> int:
        return len(self._names)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        name = self._names[index]
        if name not in self._tables:
            self._tables[name] = self._read(name)
        return self._tables[name]

    def _read(self, name: str) -> Table:
        blanks = set()
        if self._archive is not None:
            path = self._paths.get(name)
            if path is None:
                raise _not_a_workbook()
            last_row, last_column, blanks = _scan_xlsx_sheet(self._archive, path)
            self._cells += last_row * last_column
            _check_extent(name, last_row, last_column, self._cells)
        try:
            sheet = self._book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except Exception as error:  # noqa: BLE001 - calamine raises many kinds; all mean unreadable
            raise _unreadable(error) from None
        _fill_down(rows, merged)
        return _check_rows(Table(rows=rows, first_row=1, formula_blanks=blanks, sheet=name))


def _fill_down(rows: list[list], merged) -> None:
    """Give every row of a vertically merged cell its value, as the clerk sees it.

    Village rosters merge 户主身份证号, 村 and 组 down over a family's rows; the reader returns
    the value in the top-left cell only. Only the first column is filled, so a title or a
    header merged across columns is not repeated. `to_python(skip_empty_area=False)` starts
    at A1 and the ranges are 0-based from A1, so they index `rows` directly."""
    budget = sum(len(row) for row in rows)  # overlapping ranges (not from Excel) cannot loop for long
    for (top, column), (bottom, _right) in merged:
        if top >= len(rows) or column >= len(rows[top]):
            continue
        value = rows[top][column]
        if value is None or value == "":
            continue
        for row in rows[top + 1 : bottom + 1]:
            budget -= 1
            if budget < 0:
                return
            if column < len(row) and (row[column] is None or row[column] == ""):
                row[column] = value


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check_extent(sheet: str, last_row: int, last_column: int, cells: int) -> None:
    """Refuse a sheet that reaches too far (1-based last row and column) before it is read."""
    if not last_row or not last_column:
        return
    cell = f"{_column_letters(last_column)}{last_row}"
    rows = settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS
    if last_row > rows or last_column > settings.IMPORT_MAX_COLUMNS:
        raise ImportFileError(
            _(
                "The sheet “%(sheet)s” reaches cell %(cell)s; the limit is %(rows)d rows and %(columns)d columns. "
                "Delete the empty rows and columns below and to the right of the data, or split the file."
            )
            % {"sheet": sheet, "cell": cell, "rows": rows, "columns": settings.IMPORT_MAX_COLUMNS}
        )
    if cells > MAX_CELLS:
        raise ImportFileError(
            _(
                "The sheet “%(sheet)s” reaches cell %(cell)s, which makes %(cells)d cells in the file; "
                "the limit is %(limit)d. "
                "Delete the empty rows and columns below and to the right of the data, or split the file."
            )
            % {"sheet": sheet, "cell": cell, "cells": cells, "limit": MAX_CELLS}
        )


def _check_zip(data: bytes) -> None:
    """Refuse an .xlsx whose unpacked size or compression ratio is absurd (a zip bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _not_a_workbook() from None
    unpacked = 0
    for member in archive.infolist():
        unpacked += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES or (
            member.file_size > 1024 * 1024 and ratio > settings.IMPORT_MAX_COMPRESSION_RATIO
        ):
            raise ImportFileError(_("The workbook unpacks to an unreasonable size and was refused."))


def _xlsx_sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name → the path of its XML inside the .xlsx, from workbook.xml and its rels."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile):
        raise _not_a_workbook() from None
    targets = {rel.get("Id"): rel.get("Target") or "" for rel in relations}
    paths = {}
    for sheet in workbook.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        rel_id = next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None)
        target = targets.get(rel_id)
        if target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            paths[sheet.get("name")] = path
    return paths


# A cell with content: a start tag that is not self-closing. Cells with a style only
# (`<c r="A1048576" s="1"/>`, what borders far down leave) are self-closing and cost calamine
# nothing; `<c r="Z1000000"><v></v></c>` costs the whole range. Cells with `<f>` only cost
# nothing either, but are counted, to keep the rule simple. calamine takes lowercase references.
# The usual spelling, as Excel, WPS, LibreOffice and openpyxl write it, fast:
_ROWS = re.compile(rb'<c r="[A-Za-z]+(\d+)"[^>]*(?<!/)>')
_COLUMNS = re.compile(rb'<c r="([A-Za-z]+)\d+"[^>]*(?<!/)>')
# Any spelling (a namespace prefix, other quotes or spaces), slower:
_CONTENT_CELL = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?(?<=\s)r\s*=\s*[\"']([A-Za-z]+)(\d+)[\"'][^>]*?(?<!/)>")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
# A row or cell without r="…": calamine places it after the one before, which needs a slower scan.
_NO_REFERENCE = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)(?![^>]*?\sr\s*=)[\s/>]")
_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])(?:[^>]*?\sr\s*=\s*[\"']([A-Za-z]*)(\d+)[\"'])?[^>]*?(/?)>")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>[^<]+</")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c\s[^>]*?r=\"([A-Z]+)(\d+)\"[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.DOTALL)


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (letter - 64)
    return index - 1


def _number(digits: bytes) -> int:
    # No sheet has a billion rows; int() of thousands of digits would raise.
    return int(digits) if len(digits) < 10 else 10**9


def _sheet_parts(archive: zipfile.ZipFile, path: str):
    """The sheet's XML in pieces of about _CHUNK bytes, each ending after a whole row when it can."""
    try:
        member = archive.open(path)
    except Exception:  # noqa: BLE001 - missing, encrypted, or an unknown compression
        raise _not_a_workbook() from None
    with member:
        rest = b""
        while True:
            try:
                chunk = member.read(_CHUNK)
            except Exception:  # noqa: BLE001 - a broken deflate stream or CRC
                raise _not_a_workbook() from None
            if not chunk:
                yield rest
                return
            buffer = rest + chunk
            cut = buffer.rfind(b"row>") + 4
            if cut < 4 or len(buffer) - cut > 4 * _CHUNK:
                cut = buffer.rfind(b"<")
            yield buffer[:cut]
            rest = buffer[cut:]


def _scan_xlsx_sheet(archive: zipfile.ZipFile, path: str) -> tuple[int, int, set]:
    """The last row and column (1-based) holding a cell with content, and the cells that
    hold a formula without a computed value (an `openpyxl` save, or Excel's manual calculation).

    The `<dimension ref>` is not used: calamine ignores it (A1 with a dimension of
    A1:XFD1048576 read in 12 MB), and what it allocates is what the cells reach."""
    last_row = last_column = 0
    blanks = set()
    positional = False
    for part in _sheet_parts(archive, path):
        if part.count(b"<c") == part.count(b'<c r="') and not _PREFIXED_CELL.search(part):
            rows, columns = set(_ROWS.findall(part)), set(_COLUMNS.findall(part))
        else:
            found = _CONTENT_CELL.findall(part)
            rows, columns = {row for _column, row in found}, {column for column, _row in found}
            positional = positional or _NO_REFERENCE.search(part) is not None
        last_row = max(last_row, max(map(_number, rows), default=0))
        last_column = max(last_column, max((_column_index(c.upper()[:4]) + 1 for c in columns), default=0))
        if b"<f" in part or b":f" in part:
            for match in _CELL.finditer(part):
                inner = match.group(3) or b""
                if (b"<f" in inner or b":f>" in inner or b":f " in inner) and not _VALUE.search(inner):
                    blanks.add((int(match.group(2)), _column_index(match.group(1))))
    if positional:
        last_row, last_column = _scan_positions(archive, path, last_row, last_column)
    return last_row, last_column, blanks


def _scan_positions(archive: zipfile.ZipFile, path: str, last_row: int, last_column: int) -> tuple[int, int]:
    """The same as calamine for rows and cells without r="…": one after the one before."""
    row = column = 0
    for part in _sheet_parts(archive, path):
        for name, letters, digits, closed in _TAG.findall(part):
            if name == b"row":
                row = _number(digits) if digits else row + 1
                column = 0
                continue
            if digits:
                row, column = _number(digits), _column_index(letters.upper()[:4]) + 1
            else:
                column += 1
            if not closed:
                last_row, last_column = max(last_row, row), max(last_column, column)
    return last_row, last_column


# .xls (BIFF8) records that put a value in a cell: calamine allocates up to the furthest one.
# BLANK and MULBLANK (formatting only) cost it nothing. Columns are 16-bit in the records,
# so a crafted file can reach far beyond the format's 256.
_XLS_CELLS = {0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6}
_XLS_MULRK, _XLS_BOF, _XLS_BOUNDSHEET = 0x00BD, 0x0809, 0x0085


def _check_xls(data: bytes) -> None:
    """Refuse an .xls whose sheets reach too far, before calamine opens it.

    calamine reads every sheet of an .xls when the workbook opens (one 65536 × 256 sheet: 522 MB,
    1 GB once asked for), hidden ones included: all of them are checked here, together."""
    try:
        document = CompDoc(data, logfile=io.StringIO())
        stream, base, size = document.locate_named_stream("Workbook")
        if stream is None:
            stream, base, size = document.locate_named_stream("Book")
    except Exception:  # noqa: BLE001 - xlrd raises several kinds for a broken compound file
        raise _not_a_workbook() from None
    if stream is None:
        raise _not_a_workbook()
    view = memoryview(stream)[base : base + size]
    names = {}  # stream offset of a sheet's BOF → its name
    sheets = []  # [name, last row, last column]
    position = 0
    unpack = struct.unpack_from
    while position + 4 <= len(view):
        kind, length = unpack("<HH", view, position)
        body = position + 4
        position = body + length
        if position > len(view):
            break
        if kind in _XLS_CELLS and length >= 4:
            row, column = unpack("<HH", view, body)
        elif kind == _XLS_MULRK and length >= 6:
            row = unpack("<H", view, body)[0]
            column = unpack("<H", view, position - 2)[0]
        else:
            if kind == _XLS_BOF:
                sheets.append([names.get(body - 4, ""), 0, 0])
            elif kind == _XLS_BOUNDSHEET and length >= 8:
                names[unpack("<I", view, body)[0]] = _xls_sheet_name(view[body + 6 : position])
            continue
        if sheets:
            sheet = sheets[-1]
            sheet[1], sheet[2] = max(sheet[1], row + 1), max(sheet[2], column + 1)
    cells = 0
    for name, last_row, last_column in sheets:
        cells += last_row * last_column
        _check_extent(name, last_row, last_column, cells)


def _xls_sheet_name(raw: memoryview) -> str:
    if len(raw) < 2:
        return ""
    count, wide = raw[0], raw[1] & 1
    text = bytes(raw[2 : 2 + count * (2 if wide else 1)])
    return text.decode("utf-16-le" if wide else "latin-1", errors="replace")


def _read_csv(data: bytes) -> Table:
    # UTF-8 first and strictly: a UTF-8 file must never be decoded as GB18030.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK/GB18030 text."))
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    # strict: a quotation mark never closed is an error, not the rest of the file in one cell.
    # NUL bytes pass through (Python 3.11 reads them): the roster checks each cell's characters.
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows = []
    line = 1
    try:
        for row in reader:
            rows.append(row)
            line = reader.line_num + 1
    except csv.Error:
        raise ImportFileError(
            _(
                "The CSV file could not be read near line %(line)d: a quotation mark is not closed "
                "or a cell is too long. Save it again from Excel as CSV UTF-8."
            )
            % {"line": line}
        ) from None
    return Table(rows=rows)
