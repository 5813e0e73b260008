"""Reading roster files: .xlsx, .xls and .csv into a `Table` of rows, safely.

By content, not by name; with limits checked before a reader allocates anything.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import python_calamine
from defusedxml import ElementTree
from django.conf import settings
from django.utils.translation import gettext as _

HEADER_SEARCH_ROWS = 10


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, too large, no header row)."""


@dataclass
class Table:
    rows: list[list]
    first_row: int = 1  # the Excel row number of rows[0]
    formula_blanks: set = field(default_factory=set)  # (excel row, column index)


def read_table(data: bytes, file_name: str) -> Table:
    """Read the first sheet of an .xlsx/.xls file, or a .csv file, into a Table."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": len(data) / 1024 / 1024, "limit": settings.IMPORT_MAX_BYTES / 1024 / 1024}
        )
    # By content, not by name: WPS and renamed files often carry the wrong suffix.
    suffix = PurePosixPath(file_name).suffix.lower()
    if data.startswith(b"PK\x03\x04"):
        _check_zip(data)
        table = _read_workbook(data)
        table.formula_blanks = _xlsx_formula_blanks(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        table = _read_workbook(data)
    elif suffix in {".csv", ".txt", ""}:
        table = _read_csv(data)
    else:
        raise ImportFileError(_("Only .xlsx, .xls and .csv files can be imported."))
    if len(table.rows) > settings.IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS:
        raise ImportFileError(
            _("The file has more than %(limit)d rows; split it into smaller files.")
            % {"limit": settings.IMPORT_MAX_ROWS}
        )
    return table


def _check_zip(data: bytes) -> None:
    """Refuse an .xlsx whose unpacked size or compression ratio is absurd (a zip bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportFileError(_("The file is not a valid Excel workbook.")) from None
    unpacked = 0
    for member in archive.infolist():
        unpacked += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES or (
            member.file_size > 1024 * 1024 and ratio > settings.IMPORT_MAX_COMPRESSION_RATIO
        ):
            raise ImportFileError(_("The workbook unpacks to an unreasonable size and was refused."))


def _read_workbook(data: bytes) -> Table:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as error:  # noqa: BLE001 - calamine raises many kinds; all mean unreadable
        raise ImportFileError(
            _("The file could not be read as an Excel workbook: %(error)s") % {"error": error}
        ) from None
    return Table(rows=rows, first_row=1)


_VALUE = re.compile(rb"<v(?:\s[^>]*)?>[^<]+</v>")
_CELL = re.compile(rb"<c\s[^>]*?r=\"([A-Z]+)(\d+)\"[^>]*?(?:/>|>(.*?)</c>)", re.DOTALL)


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (letter - 64)
    return index - 1


def _xlsx_formula_blanks(data: bytes) -> set:
    """Cells of the first sheet that hold a formula but no computed value."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return set()
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    first = workbook.find("m:sheets/m:sheet", ns)
    if first is None:
        return set()
    rel_id = first.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    target = next((rel.get("Target") for rel in relations if rel.get("Id") == rel_id), None)
    if not target:
        return set()
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    try:
        sheet = archive.read(path)
    except KeyError:
        return set()
    if b"<f" not in sheet:
        return set()
    blanks = set()
    for match in _CELL.finditer(sheet):
        inner = match.group(3) or b""
        if b"<f" in inner and not _VALUE.search(inner):
            blanks.add((int(match.group(2)), _column_index(match.group(1))))
    return blanks


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
    return Table(rows=list(csv.reader(io.StringIO(text), delimiter=delimiter)))
