"""Import of village rosters: one strict, fast path for every roster of every app.

A roster file (.xlsx, .xls or .csv) is read into a `Table`, its header row is found
under any title rows, each cell is cleaned by its column's widget, and the resource turns
the rows into a plan: what to create, what to update, what is unchanged, and every
error with the row and column as the user sees them in Excel. A plan with any error
writes nothing. Writes are bulk inserts and updates with history, in one transaction.

Resources are django-import-export `ModelResource`s (see `RosterResource`): their
declared fields name the columns for export and import alike; this module replaces
import-export's row-by-row import, which costs five queries a row (shared/NOTES.md).
"""

import csv
import hashlib
import io
import re
import secrets
import time
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path, PurePosixPath

import python_calamine
from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, widgets

from federation.exporting import ScopedResource
from federation.identity import IdNumber, mask_id_number, mask_phone, normalize_text, parse_id_number
from federation.identity import normalize_phone as _normalize_phone
from federation.scoping import EVERYTHING, Scope, in_scope, scope_for

HEADER_SEARCH_ROWS = 10
SAMPLE_ROWS = 20


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, too large, no header row)."""


class CellError(ValueError):
    """A cell's value is wrong; the message is in Chinese and names no row or column."""


# --- Reading files -------------------------------------------------------------------


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


# --- Cells ---------------------------------------------------------------------------


def normalize_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s*＊:：]+", "", text).lower()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _integral(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class TextWidget(widgets.Widget):
    def __init__(self, squeeze: bool = False, max_length: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.squeeze = squeeze
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        text = _integral(value) if isinstance(value, float) else str(value)
        text = re.sub(r"\s+", "" if self.squeeze else " ", text.replace("\u3000", " ")).strip()
        if self.max_length and len(text) > self.max_length:
            raise CellError(_("At most %(limit)d characters.") % {"limit": self.max_length})
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IdNumberWidget(widgets.Widget):
    masker = staticmethod(mask_id_number)

    def clean(self, value, row=None, **kwargs) -> IdNumber | None:
        if is_blank(value):
            return None
        if isinstance(value, int | float):
            raise CellError(
                _(
                    "The ID number was stored by Excel as a number and has lost its last digits. "
                    "Format the column as text and type the numbers again."
                )
            )
        try:
            return parse_id_number(value)
        except ValidationError as error:
            raise CellError(error.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "number", value) or ""


class PhoneWidget(widgets.Widget):
    masker = staticmethod(mask_phone)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        text = _integral(value) if isinstance(value, float) else str(value)
        try:
            return _normalize_phone(text)
        except ValidationError as error:
            raise CellError(error.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


class ExcelDateWidget(widgets.Widget):
    """Real dates, Excel serials, 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日, 20240301."""

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, int | float):
            number = int(value)
            if 19000101 <= number <= 29991231:
                return self._ymd(str(number))
            if number == 60:
                raise CellError(_("Excel's serial 60 is the non-existent 29 February 1900."))
            if 0 < number < 2958466:
                return _EXCEL_EPOCH + timedelta(days=number + (1 if number < 60 else 0))
            raise CellError(_("“%(value)s” is not a date.") % {"value": value})
        text = normalize_text(value) if not re.search(r"[年月日]", str(value)) else str(value).strip()
        match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
        if match:
            return self._ymd("".join(part.zfill(2) for part in match.groups()), original=value)
        month = _MONTH_TEXT.match(text)
        if month:  # 出生年月 columns often give only a month: take its first day
            return self._ymd(month.group(1) + month.group(2).zfill(2) + "01", original=value)
        raise CellError(_("“%(value)s” is not a date; write it like 2024-03-01 or 2024年3月1日.") % {"value": value})

    def _ymd(self, digits: str, original=None):
        try:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        except ValueError:
            raise CellError(_("“%(value)s” is not a real date.") % {"value": original or digits}) from None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class ChoiceWidget(widgets.Widget):
    """A choice by its Chinese label, its code, or a known synonym."""

    def __init__(self, choices, synonyms: dict[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self._lookup = None
        self.synonyms = synonyms or {}

    def lookup(self) -> dict[str, str]:
        if self._lookup is None:
            table = {normalize_header(value): value for value, _label in self.choices}
            table.update({normalize_header(label): value for value, label in self.choices})
            table.update({normalize_header(word): value for word, value in self.synonyms.items()})
            self._lookup = table
        return self._lookup

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        found = self.lookup().get(normalize_header(value))
        if found is None:
            allowed = "、".join(str(label) for _value, label in self.choices)
            raise CellError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": value, "allowed": allowed})
        return found

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class VillageWidget(widgets.Widget):
    """A village by name, with or without its 村 / 社区 suffix, within the user's scope."""

    def clean(self, value, row=None, villages=None, **kwargs):
        if is_blank(value):
            return None
        village = villages.get(village_key(value)) if villages is not None else None
        if village is None:
            # Same words for a village that does not exist and one outside the scope.
            raise CellError(_("The village “%(value)s” is not one of your villages.") % {"value": value})
        return village

    def render(self, value, obj=None, **kwargs):
        return str(value or "")


def village_key(name: object) -> str:
    key = normalize_header(name)
    for suffix in ("社区", "村委会", "村"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


class Column(fields.Field):
    """A roster column: an import-export Field with the header spellings users write."""

    def __init__(self, attribute, column_name, widget, *, aliases: Iterable[str] = (), required=False, **kwargs):
        super().__init__(attribute=attribute, column_name=column_name, widget=widget, **kwargs)
        self.aliases = tuple(aliases)
        self.required = required

    def spellings(self) -> set[str]:
        return {normalize_header(self.column_name), *(normalize_header(alias) for alias in self.aliases)}


# --- Results -------------------------------------------------------------------------


@dataclass
class RowError:
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)d, column “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportReport:
    resource: str
    file_name: str = ""
    sha256: str = ""
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    header_row: int | None = None
    headers: list[str] = field(default_factory=list)
    maskers: dict = field(default_factory=dict)  # header -> how to mask it (ID numbers, phones)
    sample: list[dict] = field(default_factory=list)
    applied: bool = False
    seconds: float = 0.0

    @property
    def summary(self) -> str:
        return _("%(new)d new, %(updated)d updated, %(unchanged)d unchanged, %(errors)d errors") % {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
        }


@dataclass
class SourceRow:
    number: int  # as Excel shows it
    values: dict  # attribute -> cleaned value; blank cells are absent
    cells: list  # the row as read, for the preview sample
    layout: list  # (position, header as written, Column) of the columns read; shared by all rows
    columns: dict  # attribute -> header as written, for error messages; shared by all rows
    failed: bool = False  # a cell of the row has an error already


# --- Resources -----------------------------------------------------------------------

REGISTRY: dict[str, type["RosterResource"]] = {}


class RosterResource(ScopedResource):
    """Base of every importable roster. Subclasses declare `Column`s and write `plan()`."""

    import_name = ""  # the name `import_data` knows it by
    import_title = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.import_name:
            REGISTRY[cls.import_name] = cls

    def __init__(self, user=None, *, scope: Scope | None = None, default_village=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.scope = scope if scope is not None else (scope_for(user) if user else EVERYTHING)
        self.default_village = default_village
        self.errors: list[RowError] = []

    # -- columns and villages --

    def columns(self) -> list[Column]:
        return [column for column in self.fields.values() if isinstance(column, Column)]

    def scoped_villages(self):
        from federation.models import Village

        return in_scope(Village.objects.select_related("town"), self.scope)

    def village_lookup(self) -> dict:
        if not hasattr(self, "_villages"):
            self._villages = {village_key(village.name): village for village in self.scoped_villages()}
        return self._villages

    def only_village(self):
        """The village a row without one belongs to: --village, or the user's only one."""
        if self.default_village is not None:
            return self.default_village
        villages = list(self.village_lookup().values())
        return villages[0] if len(villages) == 1 else None

    # -- the pipeline --

    def import_file(self, data: bytes, file_name: str, *, dry_run: bool) -> ImportReport:
        report = ImportReport(resource=self.import_name, file_name=file_name, sha256=hashlib.sha256(data).hexdigest())
        started = time.perf_counter()
        try:
            table = read_table(data, file_name)
            rows = self.read_rows(table, report)
        except ImportFileError as error:
            report.errors.append(RowError(None, "", str(error)))
            if not dry_run:
                self.record(report)
            return report
        plan = self.plan(rows)
        report.errors.extend(self.errors)
        report.errors.sort(key=lambda error: error.row or 0)
        report.new, report.updated, report.unchanged = plan.counts()
        report.sample = plan.sample
        if not report.errors and not dry_run:
            try:
                with transaction.atomic():
                    record = self.record(report)
                    reason = _("Import #%(id)d (%(file)s)") % {"id": record.pk, "file": file_name}
                    plan.apply(user=self.user, reason=reason)
                report.applied = True
            except (IntegrityError, ValidationError):
                # Someone changed the same records between the check and the write.
                report.errors.append(
                    RowError(
                        None, "", _("The records changed while importing; nothing was written. Import the file again.")
                    )
                )
                self.record(report)
        elif not dry_run:
            self.record(report)
        report.seconds = time.perf_counter() - started
        return report

    def record(self, report: ImportReport):
        from federation.models import ImportRecord

        return ImportRecord.objects.create(
            user=self.user if self.user and self.user.pk else None,
            resource=report.resource,
            file_name=report.file_name[:200],
            sha256=report.sha256,
            new=report.new,
            updated=report.updated,
            unchanged=report.unchanged,
            errors=len(report.errors),
            applied=not report.errors,
        )

    def find_header(self, table: Table) -> tuple[int, dict[int, Column], list[str], list[str]]:
        """Return the header row's index, its columns by position, all headers and the ignored ones."""
        spellings = {spelling: column for column in self.columns() for spelling in column.spellings()}
        required = [column for column in self.columns() if column.required]
        best = None
        for index, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
            found = {
                position: spellings[normalize_header(cell)]
                for position, cell in enumerate(row)
                if normalize_header(cell) in spellings
            }
            if found and (best is None or len(found) > len(best[1])):
                best = (index, found)
        if best is None:
            raise ImportFileError(
                _("No header row was found in the first %(rows)d rows. The roster needs the columns: %(columns)s.")
                % {"rows": HEADER_SEARCH_ROWS, "columns": "、".join(c.column_name for c in required)}
            )
        index, found = best
        header = [re.sub(r"\s+", "", str(cell or "")) for cell in table.rows[index]]
        seen = {}
        for position, column in found.items():
            if column.attribute in seen:
                raise ImportFileError(
                    _("The columns “%(first)s” and “%(second)s” both mean %(name)s; keep only one.")
                    % {"first": header[seen[column.attribute]], "second": header[position], "name": column.column_name}
                )
            seen[column.attribute] = position
        missing = [
            column.column_name
            for column in required
            if column.attribute not in seen and not self.optional_when_known(column.attribute)
        ]
        if missing:
            raise ImportFileError(
                _("Row %(row)d is the header row, but it lacks the columns: %(columns)s.")
                % {"row": table.first_row + index, "columns": "、".join(missing)}
            )
        ignored = [header[position] for position in range(len(header)) if header[position] and position not in found]
        return index, found, header, ignored

    def optional_when_known(self, attribute: str) -> bool:
        """A required column that may be missing (the village, when there is only one)."""
        return False

    def read_rows(self, table: Table, report: ImportReport) -> list[SourceRow]:
        index, found, header, ignored = self.find_header(table)
        report.header_row = table.first_row + index
        report.headers = [header[position] for position in sorted(found)]
        report.ignored_columns = ignored
        report.maskers = {
            header[position]: column.widget.masker
            for position, column in found.items()
            if hasattr(column.widget, "masker")
        }
        villages = self.village_lookup()
        rows = []
        data_rows = table.rows[index + 1 :]
        if len(data_rows) > settings.IMPORT_MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)d rows; split it into smaller files.")
                % {"limit": settings.IMPORT_MAX_ROWS}
            )
        blanks = table.formula_blanks
        positions = sorted(found.items())
        layout = [(position, header[position], column) for position, column in positions]
        columns = {column.attribute: header[position] for position, column in positions}
        # Rosters repeat themselves (villages, groups, heads' ID numbers): clean each
        # distinct value of a column once.
        memo = {position: {} for position, _column in positions}
        formula_error = _("The cell holds a formula without a value; recalculate and save the file in Excel.")
        for offset, cells in enumerate(data_rows):
            number = report.header_row + 1 + offset
            if all(is_blank(cell) for cell in cells) and not any((number, p) in blanks for p, _c in positions):
                continue
            values = {}
            failed = False
            width = len(cells)
            for position, column in positions:
                if blanks and (number, position) in blanks:
                    self.errors.append(RowError(number, header[position], formula_error))
                    failed = True
                    continue
                cell = cells[position] if position < width else None
                if cell is None or cell == "":
                    continue
                seen = memo[position]
                try:
                    cleaned = seen[cell]
                except (KeyError, TypeError):
                    try:
                        cleaned = column.widget.clean(cell, villages=villages)
                    except CellError as error:
                        cleaned = CellError(str(error))
                    try:
                        seen[cell] = cleaned
                    except TypeError:
                        pass
                if isinstance(cleaned, CellError):
                    self.errors.append(RowError(number, header[position], str(cleaned)))
                    failed = True
                elif cleaned is not None:
                    values[column.attribute] = cleaned
            rows.append(
                SourceRow(number=number, values=values, cells=cells, layout=layout, columns=columns, failed=failed)
            )
        if not rows:
            raise ImportFileError(_("The file has a header row but no data rows."))
        return rows

    def error(self, row: SourceRow, attribute: str | None, message: str) -> None:
        column = row.columns.get(attribute, "") if attribute else ""
        self.errors.append(RowError(row.number, column, message))

    def require(self, row: SourceRow, *attributes: str) -> bool:
        """Report blank required cells; return whether all are present."""
        ok = True
        for attribute in attributes:
            if attribute not in row.values:
                column = self.fields[attribute].column_name if attribute in self.fields else attribute
                self.errors.append(
                    RowError(
                        row.number,
                        row.columns.get(attribute, column),
                        _("%(column)s is required.") % {"column": column},
                    )
                )
                ok = False
        return ok

    def keyed_rows(self, rows: list[SourceRow], attribute: str) -> list[tuple[SourceRow, object]]:
        """The rows with a key (an ID number), each key once: a blank key is an error, and so
        is a repeated one, on the later row, naming the earlier. Rows with a bad cell are
        left out (their error is reported already)."""
        seen, keyed = {}, []
        for row in rows:
            value = row.values.get(attribute)
            if value is None:
                if not row.failed:
                    self.require(row, attribute)
                continue
            key = getattr(value, "number", value)
            if key in seen:
                self.error(row, attribute, _("The same ID number is already on row %(row)d.") % {"row": seen[key]})
                continue
            seen[key] = row.number
            if not row.failed:
                keyed.append((row, value))
        return keyed

    def plan(self, rows: list[SourceRow]):
        raise NotImplementedError

    @classmethod
    def template_example(cls, village: str) -> dict:
        """One example row of the import template, by column attribute."""
        return {}


@dataclass
class Plan:
    """What an import will write. Resources fill it; `apply` writes it in bulk with history."""

    creates: list = field(default_factory=list)  # (model, [Row], with_history) in order
    updates: list = field(default_factory=list)  # (model, [objects], [fields])
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    sample: list = field(default_factory=list)
    after: list = field(default_factory=list)  # callables run after the writes

    def counts(self) -> tuple[int, int, int]:
        return self.new, self.updated, self.unchanged

    def add_sample(self, row: SourceRow, status: str) -> None:
        """Keep a row for the preview, as it will be stored (a date as a date, not 45352)."""
        if len(self.sample) >= SAMPLE_ROWS:
            return
        cells = {}
        for position, header, column in row.layout:
            if column.attribute in row.values:
                cells[header] = column.widget.render(row.values[column.attribute])
            else:
                cells[header] = row.cells[position] if position < len(row.cells) else None
        self.sample.append({"row": row.number, "status": status, "cells": cells})

    def apply(self, *, user, reason: str) -> None:
        history_user = user if user is not None and user.pk else None
        for model, objects, with_history in self.creates:
            if objects:
                insert_rows(model, objects)
                if with_history:
                    insert_history(model, objects, user=history_user, reason=reason, history_type="+")
        for model, objects, update_fields in self.updates:
            if objects:
                update_rows(model, objects, update_fields)
                insert_history(model, objects, user=history_user, reason=reason, history_type="~")
        for callback in self.after:
            callback(history_user, reason)


class Row(dict):
    """A row an import will insert: attname -> value, without a model instance (building
    100,000 instances costs more than inserting them). A value that is itself a Row stands
    for that row's primary key, known once it is inserted."""

    __slots__ = ()

    @property
    def pk(self):
        return self.get("id")

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


# Plain executemany for the writes that Django's bulk API makes slow at this size: inserts
# (bulk_create compiles every value through the ORM), history rows (bulk_history_create
# builds a model instance per row) and updates (bulk_update builds a CASE per batch).
# Values are adapted the way the ORM would adapt them.


def _adapter(field):
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    if kind == "DecimalField":
        return lambda value: connection.ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    return None


def _value(obj, field, adapt):
    if isinstance(obj, Row):
        value = obj.get(field.attname)
        if isinstance(value, Row):
            value = value.pk
    else:
        value = getattr(obj, field.attname)
        if isinstance(value, Row):
            value = value.pk
    return adapt(value) if adapt and value is not None else value


def _executemany(sql: str, rows: list) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


def insert_history(model, objects, *, user, reason: str, history_type: str) -> None:
    """Write one simple-history row per object or Row, as bulk_history_create would."""
    history = model.history.model
    tracked = {field.attname for field in history.tracked_fields}
    fields = [field for field in history._meta.concrete_fields if field.attname in tracked]
    adapters = [_adapter(field) for field in fields]
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    extra = [stamp, reason, history_type, user.pk if user is not None else None]
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields] + [
        quote(history._meta.get_field(name).column)
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    ]
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 - names, not input
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    rows = [
        [_value(obj, field, adapt) for field, adapt in zip(fields, adapters, strict=True)] + extra for obj in objects
    ]
    _executemany(sql, rows)


def _natural_key(model) -> list[str] | None:
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.fields and constraint.condition is None:
            return [model._meta.get_field(name).attname for name in constraint.fields]
    return None


def save_through(service, records: list):
    """A step for `Plan.after`: save each record through its app's service
    (`service(record=..., by=...)`), as the admin does."""

    def save(user, reason) -> None:
        for record in records:
            service(record=record, by=user)

    return save


def insert_rows(model, rows: list[Row]) -> None:
    """INSERT Rows and give each its primary key. With a natural key (the model's unique
    constraint) they go in by executemany and their keys are read back by it. Missing
    values take the fields' defaults."""
    key = _natural_key(model)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    if key is None:  # no key to read the new ids back by: let bulk_create return them
        attnames = {field.attname for field in fields}
        objects = [
            model(
                **{
                    name: value.pk if isinstance(value, Row) else value
                    for name, value in row.items()
                    if name in attnames
                }
            )
            for row in rows
        ]
        model._default_manager.bulk_create(objects, batch_size=1000)
        for row, obj in zip(rows, objects, strict=True):
            row["id"] = obj.pk
        return
    for model_field in fields:
        if model_field.has_default() or not model_field.null:
            default = model_field.get_default()
            for row in rows:
                row.setdefault(model_field.attname, default)
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    _executemany(
        sql, [[_value(row, field, adapt) for field, adapt in zip(fields, adapters, strict=True)] for row in rows]
    )
    by_key = {tuple(row[name] for name in key): row for row in rows}
    first = key[0]
    for start in range(0, len(rows), 5000):
        values = list({row[first] for row in rows[start : start + 5000]})
        for pk, *found in model._default_manager.filter(**{f"{first}__in": values}).values_list("pk", *key):
            row = by_key.get(tuple(found))
            if row is not None:
                row["id"] = pk


def update_rows(model, objects, field_names: list[str]) -> None:
    """UPDATE the named fields of each object or Row, one plain statement per row."""
    fields = [model._meta.get_field(name) for name in field_names]
    adapters = [_adapter(field) for field in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote(model._meta.pk.column)} = %s"  # noqa: S608
    rows = [
        [_value(obj, field, adapt) for field, adapt in zip(fields, adapters, strict=True)] + [obj.pk] for obj in objects
    ]
    _executemany(sql, rows)


def discover() -> dict[str, type[RosterResource]]:
    """Import every app's resources module so that their rosters register."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("resources")
    return REGISTRY


# --- Private storage of uploads between preview and confirm --------------------------


def upload_dir() -> Path:
    path = Path(settings.IMPORT_TMP_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def purge_uploads(max_age: int | None = None) -> None:
    """Remove uploads nobody confirmed: whole rosters must not linger on disk."""
    limit = time.time() - (settings.IMPORT_TMP_MAX_AGE if max_age is None else max_age)
    for path in upload_dir().glob("*-*.*"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def store_upload(data: bytes, user, kind: str = "upload") -> str:
    """Keep bytes for this user only, under a random token; return the token."""
    purge_uploads()
    token = f"{user.pk}-{secrets.token_urlsafe(24)}"
    path = upload_dir() / f"{token}.{kind}"
    path.touch(mode=0o600)
    path.write_bytes(data)
    return token


def store_errors(lines: list[list], user) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Row"), _("Column"), _("Problem")])
    writer.writerows(lines)
    return store_upload(buffer.getvalue().encode("utf-8-sig"), user, kind="errors")


def take_upload(token: str, user, *, remove: bool, kind: str = "upload") -> bytes | None:
    """Return what this user stored under the token; remove it when asked."""
    if not re.fullmatch(r"\d+-[A-Za-z0-9_-]{32}", token or "") or not token.startswith(f"{user.pk}-"):
        return None
    path = upload_dir() / f"{token}.{kind}"
    if not path.exists():
        return None
    data = path.read_bytes()
    if remove:
        path.unlink(missing_ok=True)
    return data


# --- Templates -----------------------------------------------------------------------


def build_template(resource_class: type[RosterResource], villages) -> bytes:
    """An .xlsx a clerk fills in: title rows, the headers, text ID columns, an example row
    and a drop-down of her villages."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    resource = resource_class()
    columns = resource.columns()
    names = [village.name for village in villages]
    book = Workbook()
    sheet = book.active
    sheet.title = str(resource_class.import_title)[:31]
    sheet.append([_("%(roster)s (import template)") % {"roster": resource_class.import_title}])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([_("Reporting unit:"), "", "", _("Date:")])
    sheet.append([column.column_name + ("*" if column.required else "") for column in columns])
    example = resource_class.template_example(names[0] if names else "")
    sheet.append([example.get(column.attribute, "") for column in columns])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 22 if isinstance(column.widget, IdNumberWidget) else 14
        sheet[f"{letter}3"].font = Font(bold=True)
        if isinstance(column.widget, IdNumberWidget | PhoneWidget):
            for row in range(4, 2001):  # as text, so Excel never rounds an ID number
                sheet[f"{letter}{row}"].number_format = "@"
        if isinstance(column.widget, VillageWidget) and names:
            lists = book.create_sheet("村(社区)")
            for row, name in enumerate(names, start=1):
                lists.cell(row=row, column=1, value=name)
            lists.sheet_state = "hidden"
            validation = DataValidation(type="list", formula1=f"='村(社区)'!$A$1:$A${len(names)}", allow_blank=True)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}4:{letter}2000")
        if isinstance(column.widget, ChoiceWidget):
            labels = ",".join(str(label) for _value, label in column.widget.choices)
            validation = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
            sheet.add_data_validation(validation)
            validation.add(f"{letter}4:{letter}2000")
    sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
