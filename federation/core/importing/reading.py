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
    hidden_rows: set = field(default_factory=set)  # Excel row numbers (hidden, or filtered out)
    hidden_columns: set = field(default_factory=set)  # column indexes


@dataclass
class SheetFacts:
    """What a sheet holds that calamine does not give: found in the file itself."""

    last_row: int = 0  # 1-based, of the cells with content
    last_column: int = 0
    formula_blanks: set = field(default_factory=set)  # (row, column) of formulas saved without a value
    errors: dict = field(default_factory=dict)  # (row, column) -> "#N/A": calamine gives ""
    hidden_rows: set = field(default_factory=set)
    hidden_columns: set = field(default_factory=set)
    # (row, column) -> digits: a number in a cell formatted 00000 shows 02901, and a code
    # (户号) is what the cell shows, not the number.
    padded: dict = field(default_factory=dict)

    def apply(self, rows: list[list]) -> None:
        """Write into calamine's rows what the clerk sees: error values and padded codes."""
        for (row, column), text in self.errors.items():
            if row <= len(rows) and column < len(rows[row - 1]) and rows[row - 1][column] in ("", None):
                rows[row - 1][column] = text
        for (row, column), digits in self.padded.items():
            if row <= len(rows) and column < len(rows[row - 1]):
                value = rows[row - 1][column]
                if isinstance(value, float | int) and not isinstance(value, bool) and value == int(value) >= 0:
                    rows[row - 1][column] = f"{int(value):0{digits}d}"


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
        if data[30:38] == b"mimetype" and _ODS_MIMETYPE in data[38:120]:
            # LibreOffice's own .ods; its content.xml says what calamine does not.
            return _Workbook(data, xlsx=False, facts=_scan_ods(data))
        return _Workbook(data, xlsx=True)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return _Workbook(data, xlsx=False, facts=_check_xls(data))
    if suffix in {".csv", ".txt", ""}:
        return [_check_rows(_read_csv(data))]
    raise ImportFileError(_("Only .xlsx, .xls, .ods and .csv files can be imported."))


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

    def __init__(self, data: bytes, *, xlsx: bool, facts: dict | None = None):
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
        self._padded_styles = _xlsx_padded_styles(self._archive) if xlsx else {}
        self._facts = facts or {}  # an .xls's sheets, found before calamine opened it
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
        facts = self._facts.get(name) or SheetFacts()
        if self._archive is not None:
            path = self._paths.get(name)
            if path is None:
                raise _not_a_workbook()
            facts = _scan_xlsx_sheet(self._archive, path, self._padded_styles)
            self._cells += facts.last_row * facts.last_column
            _check_extent(name, facts.last_row, facts.last_column, self._cells)
        try:
            sheet = self._book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except Exception as error:  # noqa: BLE001 - calamine raises many kinds; all mean unreadable
            raise _unreadable(error) from None
        facts.apply(rows)
        _fill_down(rows, merged)
        return _check_rows(
            Table(
                rows=rows,
                first_row=1,
                formula_blanks=facts.formula_blanks,
                sheet=name,
                hidden_rows=facts.hidden_rows,
                hidden_columns=facts.hidden_columns,
            )
        )


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
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v(?:\s[^>]*)?>([^<]*)</")  # a value, maybe empty
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


_START_TAG = re.compile(rb"^<[^>]*")
_HIDDEN = re.compile(rb"\shidden\s*=\s*[\"'](?:1|true)[\"']")
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row\s([^>]*)>")
_COL_TAG = re.compile(rb"<(?:[\w.-]+:)?col\s([^>]*?)/?>")
_ATTRIBUTE = re.compile(rb"(?<![\w:])(r|t|s|min|max)\s*=\s*[\"']([^\"']*)[\"']")


def _attributes(tag: bytes) -> dict[bytes, bytes]:
    return dict(_ATTRIBUTE.findall(tag))


def _scan_xlsx_sheet(archive: zipfile.ZipFile, path: str, padded_styles: dict[bytes, int]) -> SheetFacts:
    """The sheet's extent (the last row and column holding a cell with content, 1-based),
    and what calamine does not say: formulas without a computed value (an `openpyxl`
    save, or Excel's manual calculation), error values, hidden rows and columns, numbers
    formatted to show leading zeros.

    The `<dimension ref>` is not used: calamine ignores it (A1 with a dimension of
    A1:XFD1048576 read in 12 MB), and what it allocates is what the cells reach."""
    facts = SheetFacts()
    last_row = last_column = 0
    positional = False
    # Style numbers as they appear in a cell's tag, for a quick look before the slower scan.
    style_marks = [b' s="' + style + b'"' for style in padded_styles]
    for part in _sheet_parts(archive, path):
        if part.count(b"<c") == part.count(b'<c r="') and not _PREFIXED_CELL.search(part):
            rows, columns = set(_ROWS.findall(part)), set(_COLUMNS.findall(part))
        else:
            found = _CONTENT_CELL.findall(part)
            rows, columns = {row for _column, row in found}, {column for column, _row in found}
            positional = positional or _NO_REFERENCE.search(part) is not None
        last_row = max(last_row, max(map(_number, rows), default=0))
        last_column = max(last_column, max((_column_index(c.upper()[:4]) + 1 for c in columns), default=0))
        if b"hidden" in part:
            _scan_hidden(part, facts)
        if (
            b"<f" in part
            or b":f" in part
            or b't="e"' in part
            or (style_marks and any(mark in part for mark in style_marks))
        ):
            _scan_cells(part, facts, padded_styles)
    if positional:
        last_row, last_column = _scan_positions(archive, path, last_row, last_column)
    facts.last_row, facts.last_column = last_row, last_column
    return facts


def _scan_hidden(part: bytes, facts: SheetFacts) -> None:
    for attributes in _ROW_TAG.findall(part):
        if _HIDDEN.search(b" " + attributes):
            row = _attributes(attributes).get(b"r", b"")
            if row.isdigit():
                facts.hidden_rows.add(_number(row))
    for attributes in _COL_TAG.findall(part):
        if _HIDDEN.search(b" " + attributes):
            found = _attributes(attributes)
            first, last = found.get(b"min", b""), found.get(b"max", b"")
            if first.isdigit() and last.isdigit():
                # LibreOffice hides the columns right of the data up to 1024 at once.
                last = min(_number(last), settings.IMPORT_MAX_COLUMNS)
                facts.hidden_columns.update(range(_number(first) - 1, last))


def _scan_cells(part: bytes, facts: SheetFacts, padded_styles: dict[bytes, int]) -> None:
    for match in _CELL.finditer(part):
        tag = _attributes(_START_TAG.match(match.group(0)).group(0))
        inner = match.group(3) or b""
        where = (int(match.group(2)), _column_index(match.group(1)))
        kind = tag.get(b"t", b"n")
        found = _VALUE.search(inner)
        value = found.group(1).strip() if found else b""
        if kind == b"e":
            if value:
                facts.errors[where] = value.decode("utf-8", "replace")
        elif b"<f" in inner or b":f>" in inner or b":f " in inner:
            # A formula whose result is empty text (IF($C2="","",…) copied down past the data)
            # has a saved value, and an empty one: only a formula without any is unknown.
            if not value and kind != b"str":
                facts.formula_blanks.add(where)
        if kind == b"n" and value and tag.get(b"s") in padded_styles:
            facts.padded[where] = padded_styles[tag[b"s"]]


def _xlsx_padded_styles(archive: zipfile.ZipFile) -> dict[bytes, int]:
    """The cell styles (as a cell's s="…") whose number format shows leading zeros (00000),
    each with its number of digits."""
    try:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile):
        return {}
    padded_formats = {}
    for element in styles.iter():
        if element.tag.endswith("}numFmt"):
            code = (element.get("formatCode") or "").split(";")[0]
            if re.fullmatch(r"0{2,}", code):
                padded_formats[element.get("numFmtId")] = len(code)
    if not padded_formats:
        return {}
    found = {}
    for element in styles.iter():
        if element.tag.endswith("}cellXfs"):
            for index, xf in enumerate(child for child in element if child.tag.endswith("}xf")):
                digits = padded_formats.get(xf.get("numFmtId"))
                if digits:
                    found[str(index).encode()] = digits
    return found


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
_XLS_FORMULA, _XLS_NUMBER, _XLS_BOOLERR, _XLS_RK = 0x0006, 0x0203, 0x0205, 0x027E
_XLS_CELLS = {_XLS_FORMULA, _XLS_NUMBER, _XLS_BOOLERR, 0x0204, _XLS_RK, 0x00FD, 0x00D6}
_XLS_MULRK, _XLS_BOF, _XLS_BOUNDSHEET = 0x00BD, 0x0809, 0x0085
_XLS_ROW, _XLS_COLINFO, _XLS_FORMAT, _XLS_XF = 0x0208, 0x007D, 0x041E, 0x00E0
_XLS_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
}


def _check_xls(data: bytes) -> dict[str, SheetFacts]:
    """Refuse an .xls whose sheets reach too far, before calamine opens it, and find in its
    records what calamine does not say (see SheetFacts), for each sheet by name.

    calamine reads every sheet of an .xls when the workbook opens (one 65536 × 256 sheet: 522 MB,
    1 GB once asked for), hidden ones included: all of them are checked here, together.

    One loop over the records, long as it is: a sheet of 65536 × 256 cells is millions of
    records, each read in the loop itself rather than by a call a record, and what a record
    means depends on the ones before (the sheet it is in, the workbook's number formats)."""
    view = _xls_workbook_stream(data)
    names = {}  # stream offset of a sheet's BOF → its name
    sheets = []  # (name, SheetFacts)
    padded_formats, xfs = {}, []  # format number → digits; each XF's format number, in order
    padded_xfs: dict[int, int] = {}
    position = 0
    unpack = struct.unpack_from
    facts = None
    while position + 4 <= len(view):
        kind, length = unpack("<HH", view, position)
        body = position + 4
        position = body + length
        if position > len(view):
            break
        if kind in _XLS_CELLS and length >= 4:
            row, column = unpack("<HH", view, body)
            if facts is not None and length >= 6:
                _xls_cell(view, kind, body, length, row, column, facts, padded_xfs)
        elif kind == _XLS_MULRK and length >= 6:
            row = unpack("<H", view, body)[0]
            column = unpack("<H", view, position - 2)[0]
            if facts is not None and padded_xfs:
                first = unpack("<H", view, body + 2)[0]
                for index in range((length - 6) // 6):
                    digits = padded_xfs.get(unpack("<H", view, body + 4 + 6 * index)[0])
                    if digits:
                        facts.padded[(row + 1, first + index)] = digits
        else:
            if kind == _XLS_BOF:
                facts = SheetFacts()
                sheets.append((names.get(body - 4, ""), facts))
                padded_xfs = {
                    index: padded_formats[number] for index, number in enumerate(xfs) if number in padded_formats
                }
            elif kind == _XLS_BOUNDSHEET and length >= 8:
                names[unpack("<I", view, body)[0]] = _xls_sheet_name(view[body + 6 : position])
            elif kind == _XLS_FORMAT and length >= 5 and len(sheets) == 1:  # the workbook's globals
                code = _xls_sheet_name(view[body + 2 : position], wide_count=True).split(";")[0]
                if re.fullmatch(r"0{2,}", code):
                    padded_formats[unpack("<H", view, body)[0]] = len(code)
            elif kind == _XLS_XF and length >= 4 and len(sheets) == 1:
                xfs.append(unpack("<H", view, body + 2)[0])
            elif kind == _XLS_ROW and length >= 14 and facts is not None:
                if unpack("<H", view, body + 12)[0] & 0x20:  # fDyZero: the row is hidden
                    facts.hidden_rows.add(unpack("<H", view, body)[0] + 1)
            elif kind == _XLS_COLINFO and length >= 10 and facts is not None:
                first, last = unpack("<HH", view, body)
                if unpack("<H", view, body + 8)[0] & 0x1:
                    facts.hidden_columns.update(range(first, min(last, settings.IMPORT_MAX_COLUMNS) + 1))
            continue
        if facts is not None:
            facts.last_row, facts.last_column = max(facts.last_row, row + 1), max(facts.last_column, column + 1)
    cells = 0
    for name, found in sheets:
        cells += found.last_row * found.last_column
        _check_extent(name, found.last_row, found.last_column, cells)
    return {name: found for name, found in sheets}


def _xls_workbook_stream(data: bytes) -> memoryview:
    """The workbook stream of an .xls compound file (named Workbook, or Book in Excel 5's)."""
    try:
        document = CompDoc(data, logfile=io.StringIO())
        stream, base, size = document.locate_named_stream("Workbook")
        if stream is None:
            stream, base, size = document.locate_named_stream("Book")
    except Exception:  # noqa: BLE001 - xlrd raises several kinds for a broken compound file
        raise _not_a_workbook() from None
    if stream is None:
        raise _not_a_workbook()
    return memoryview(stream)[base : base + size]


def _xls_cell(view, kind, body, length, row, column, facts: SheetFacts, padded_xfs) -> None:
    """An error value, or a number in a zero-padded format, of one cell record."""
    unpack = struct.unpack_from
    if kind == _XLS_BOOLERR and length >= 8 and view[body + 7] == 1:
        facts.errors[(row + 1, column)] = _XLS_ERRORS.get(view[body + 6], "#N/A")
    elif kind == _XLS_FORMULA and length >= 14:
        result = bytes(view[body + 6 : body + 14])
        if result[6:8] == b"\xff\xff":
            if result[0] == 2:  # an error
                facts.errors[(row + 1, column)] = _XLS_ERRORS.get(result[2], "#N/A")
        elif padded_xfs.get(unpack("<H", view, body + 4)[0]):
            facts.padded[(row + 1, column)] = padded_xfs[unpack("<H", view, body + 4)[0]]
    elif kind in (_XLS_NUMBER, _XLS_RK) and padded_xfs:
        digits = padded_xfs.get(unpack("<H", view, body + 4)[0])
        if digits:
            facts.padded[(row + 1, column)] = digits


_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_TEXT_P = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"


def _scan_ods(data: bytes) -> dict[str, SheetFacts]:
    """Each sheet of an .ods by name: its extent (a row or cell repeated a million times costs
    calamine a million), hidden rows and columns, error values and numbers shown with leading
    zeros — read from content.xml as it streams, before calamine opens the file.

    One loop over the elements, long as it is: a cell is read where the parser gives it, not
    by a call a cell, and the state it updates (the sheet, row and column being read) runs
    from each element to the next."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheets: dict[str, SheetFacts] = {}
    cells = 0
    try:
        member = archive.open("content.xml")
    except KeyError:
        raise _not_a_workbook() from None
    facts, name, row, column, columns = None, "", 0, 0, 0
    limit = settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS
    try:
        for event, element in ElementTree.iterparse(member, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == _TABLE + "table":
                    name, facts, row, columns = element.get(_TABLE + "name", ""), SheetFacts(), 0, 0
                    sheets[name] = facts
                elif facts is None:
                    continue
                elif tag == _TABLE + "table-column":
                    repeat = min(_repeat(element, "number-columns-repeated"), settings.IMPORT_MAX_COLUMNS)
                    if element.get(_TABLE + "visibility", "visible") != "visible":
                        facts.hidden_columns.update(range(columns, columns + repeat))
                    columns += repeat
                elif tag == _TABLE + "table-row":
                    column = 0
                continue
            if facts is None:
                continue
            if tag in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
                repeat = _repeat(element, "number-columns-repeated")
                kind = element.get(_OFFICE + "value-type")
                shown = "".join(p.text or "" for p in element.iter(_TEXT_P))
                if kind or shown:
                    facts.last_row = max(facts.last_row, row + 1)
                    facts.last_column = max(facts.last_column, column + repeat)
                    where = (row + 1, column)
                    if element.get(_CALCEXT + "value-type") == "error":
                        facts.errors[where] = shown.strip()
                    elif kind == "float" and shown[:1] == "0" and shown.isdigit() and len(shown) > 1:
                        facts.padded[where] = len(shown)
                column += repeat
                element.clear()
            elif tag == _TABLE + "table-row":
                repeat = _repeat(element, "number-rows-repeated")
                if element.get(_TABLE + "visibility", "visible") != "visible" and row < limit:
                    facts.hidden_rows.update(range(row + 1, min(row + repeat, limit) + 1))
                if facts.last_row == row + 1 and repeat > 1:
                    facts.last_row = row + repeat  # the row's content, repeated
                row += repeat
                element.clear()
                if facts.last_row > limit:
                    break
            elif tag == _TABLE + "table":
                cells += facts.last_row * facts.last_column
                _check_extent(name, facts.last_row, facts.last_column, cells)
                facts = None
                element.clear()
    except (ElementTree.ParseError, zipfile.BadZipFile, ValueError):
        raise _not_a_workbook() from None
    if facts is not None:
        _check_extent(name, facts.last_row, facts.last_column, cells + facts.last_row * facts.last_column)
    return sheets


def _repeat(element, attribute: str) -> int:
    value = element.get(_TABLE + attribute, "1")
    return _number(value.encode()) if value.isdigit() else 1


def _xls_sheet_name(raw: memoryview, wide_count: bool = False) -> str:
    """A BIFF8 string: a count of characters (one byte, or two in a FORMAT record), flags, characters."""
    if wide_count:
        if len(raw) < 3:
            return ""
        count, wide, raw = raw[0] | raw[1] << 8, raw[2] & 1, raw[1:]
    elif len(raw) < 2:
        return ""
    else:
        count, wide = raw[0], raw[1] & 1
    text = bytes(raw[2 : 2 + count * (2 if wide else 1)])
    return text.decode("utf-16-le" if wide else "latin-1", errors="replace")


def _read_csv(data: bytes) -> Table:
    # UTF-8 first and strictly: a UTF-8 file must never be decoded as GB18030. Excel's and
    # WPS's "Unicode 文本" is UTF-16 with its byte-order mark, tab-separated.
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The CSV file is neither UTF-8, UTF-16 nor GBK/GB18030 text."))
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
