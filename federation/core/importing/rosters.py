"""Rosters: the base every importable roster derives from, its registry, and the pipeline
from a file to a report (read, find the header, clean the cells, plan, write)."""

import hashlib
import logging
import re
import time
from copy import deepcopy
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from federation.core.exporting import ScopedResource, can_see_identity
from federation.core.importing.cells import (
    CellError,
    Column,
    ExcelDateWidget,
    MaskedCell,
    error_value,
    is_blank,
    normalize_header,
)
from federation.core.importing.reading import HEADER_SEARCH_ROWS, ImportFileError, Table, read_tables
from federation.core.importing.templates import example_cell
from federation.core.importing.villages import Villages
from federation.core.models import ImportRecord
from federation.core.registry import registry
from federation.core.scoping import EVERYTHING, Scope, scope_for

logger = logging.getLogger(__name__)

# --- Results -------------------------------------------------------------------------


@dataclass
class RowError:
    row: int | None
    column: str
    message: str
    sheet: str = ""  # named when the file's rows come from more than one sheet

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.sheet:
            return _("Sheet “%(sheet)s”, %(where)s") % {
                "sheet": self.sheet,
                "where": str(RowError(self.row, self.column, self.message)),
            }
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
    sheet: str = ""
    ignored_rows: list[tuple[int | str, str]] = field(default_factory=list)  # (row, why): examples, totals, footers
    # What the clerk must know about the file as a whole: the sheets read and not read, the
    # hidden rows and columns left out, masked ID numbers.
    notices: list[str] = field(default_factory=list)
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

    def shown_sample(self, user) -> list[dict]:
        """The sample rows as the preview shows them to `user`: ID numbers and phones masked
        as every list masks them."""
        maskers = {} if can_see_identity(user) else self.maskers
        return [
            {
                "row": item["row"],
                "status": item["status"],
                "cells": {header: shown_cell(value, maskers.get(header)) for header, value in item["cells"].items()},
            }
            for item in self.sample
        ]


def shown_cell(value, masker=None):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return masker(str(value)) if masker else value


KEEP_CELLS = 1000
_UNSEEN = object()


def among(name: str, values: list) -> Q:
    """`name__in=values`, on PostgreSQL as one array parameter: an IN list of thousands of
    placeholders costs psycopg more to parse than the server to answer."""
    if connection.vendor != "postgresql" or not values:
        return Q(**{f"{name}__in": values})
    kind = "bigint" if isinstance(next(iter(values)), int) else "text"
    return Q(**{f"{name}__in": RawSQL(f"SELECT unnest(%s::{kind}[])", [list(values)])})  # noqa: S611 - a cast, not input


# The columns that name the example's person or household.
EXAMPLE_KEYS = {"id_number", "head_id_number", "number", "name"}
# The headers of a column that numbers the rows (a roster reads no such column).
_NUMBERING = {"序号", "序", "编号", "no", "no."}
_TOTAL = re.compile(r"^(合计|小计|总计|共计|汇总)[:：]?$")
# What township forms put under the data: a signature block, 以下空白, a note.
_FOOTER = re.compile(
    r"^(填表人|填报人|制表人|统计人|经办人|审核人|审批人|负责人|联系人|联系电话|填表日期|填报日期|制表日期|"
    r"填报单位|填表单位|单位盖章|以下空白|以下无内容|此页空白|注|备注|说明|附注)"
)


def found_attribute(found: dict, attribute: str) -> str | None:
    return attribute if any(column.attribute == attribute for column in found.values()) else None


def skipped_row(cells: list, numbering: int | None = None) -> str:
    """Why a row is not data: a template's example row, a 合计 row or a footer under the
    data, or a row holding only its pre-typed 序号 (in column `numbering`)."""
    filled = [(position, cell) for position, cell in enumerate(cells) if not is_blank(cell)]
    first = filled[0][1] if filled else None
    if isinstance(first, str):
        text = normalize_header(first)
        if _TOTAL.match(text):
            return _("total row")
        if _FOOTER.match(text):
            return _("footer")
    if len(filled) == 1 and filled[0][0] == numbering and isinstance(first, int | float | str):
        return _("serial number only")
    for cell in cells:
        # The template's mark, or a cell saying just 示例; never a note that merely begins so.
        if isinstance(cell, str) and "示例" in cell:
            text = normalize_header(cell)
            if text.startswith("示例行") or text in ("示例", "(示例)"):
                return _("example row")
    return ""


@dataclass
class SourceRow:
    number: int  # as Excel shows it
    values: dict  # attribute -> cleaned value; blank cells are absent
    cells: list  # the row as read, for the preview sample
    layout: list  # (position, header as written, Column) of the columns read; shared by all rows
    columns: dict  # attribute -> header as written, for error messages; shared by all rows
    failed: bool = False  # a cell of the row has an error already
    sheet: str = ""  # its sheet, when the file's rows come from more than one
    order: int = 0  # its place among all the file's rows

    @property
    def where(self) -> int | str:
        """The row as the clerk finds it: 5, or “太坝村” 5 when rows come from several sheets."""
        return f"“{self.sheet}” {self.number}" if self.sheet else self.number


# --- Resources -----------------------------------------------------------------------


def changed_meanwhile(error: Exception) -> bool:
    """Whether a write failed because another user's write came first: a record saved
    meanwhile (a duplicate key, a check), or PostgreSQL breaking a deadlock or a
    serialization conflict between two imports. Importing again then succeeds."""
    if isinstance(error, IntegrityError | ValidationError):
        return True
    return getattr(error.__cause__, "sqlstate", None) in ("40P01", "40001")


class RosterExtension:
    """What an app adds to another app's roster (`registry.extend_roster(name, extension)`):
    columns, how they export, and what the import does with them once the roster has
    planned its own rows. The core's rosters need not know the app."""

    columns: dict[str, Column] = {}
    # True when `dehydrate` reads no more of the record than its key (`record.pk`): the
    # roster's export may then read plain rows (ScopedResource.export_from_values).
    export_from_values = False

    def filter_export(self, resource, queryset):
        return queryset

    def dehydrate(self, resource, name: str, record) -> str:
        return ""

    def plan(self, resource, rows: list, plan) -> None:
        """`rows`: the (row, key) pairs the roster keeps; add row errors with
        `resource.error(...)` and steps to `plan.after`."""


class RosterResource(ScopedResource):
    """Base of every importable roster. Subclasses declare `Column`s and write `plan()`:
    the mapping of columns to service arguments and the lookups, never a copy of a rule
    (the writes run in the preview too, rolled back, so a service's answer is the preview's)."""

    import_name = ""  # the name `import_data` knows it by
    import_title = ""
    # A model field whose error belongs to a column of another name (Person.household is
    # given by 户主身份证号).
    field_columns: dict[str, str] = {"person": "id_number"}
    # Required columns whose blank cell keeps what a known record holds (the planner asks
    # for them only for a new one).
    blank_keeps: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.import_name:
            registry.add_roster(cls)  # a second roster of the same name is refused

    def __init__(self, user=None, *, scope: Scope | None = None, default_village=None, **kwargs):
        super().__init__(user=user, **kwargs)
        for extension in self.extensions:
            self.fields.update({name: deepcopy(column) for name, column in extension.columns.items()})
        self.scope = scope if scope is not None else (scope_for(user) if user else EVERYTHING)
        self.default_village = default_village
        self.errors: list[RowError] = []
        self.writing = False  # True while planning the real write: lock what will be updated
        self.include_hidden = False  # read hidden rows and columns too
        # Called with (rows checked, rows) while the cells are cleaned: a background job's
        # progress bar. The plan and the write run in one transaction, which no other
        # connection sees before it ends, so they report nothing.
        self.progress = None

    # -- columns and villages --

    @property
    def extensions(self) -> list[RosterExtension]:
        return registry.roster_extensions.get(self.import_name, [])

    def extension_of(self, name: str) -> RosterExtension | None:
        return next((extension for extension in self.extensions if name in extension.columns), None)

    def filter_export(self, queryset, **kwargs):
        queryset = super().filter_export(queryset, **kwargs)
        for extension in self.extensions:
            queryset = extension.filter_export(self, queryset)
        return queryset

    def dehydrator(self, field):
        name = self.get_field_name(field)
        extension = self.extension_of(name)
        if extension is not None:
            return lambda record: extension.dehydrate(self, name, record)
        return super().dehydrator(field)

    def exports_from_values(self) -> bool:
        return super().exports_from_values() and all(extension.export_from_values for extension in self.extensions)

    def columns(self) -> list[Column]:
        return [column for column in self.fields.values() if isinstance(column, Column)]

    @cached_property
    def villages(self) -> Villages:
        return Villages.for_scope(self.scope)

    def scoped_village_ids(self) -> set[int]:
        return self.villages.scoped_ids

    def only_village(self):
        """The village a row without one belongs to: --village, or the user's only one."""
        if self.default_village is not None:
            return self.default_village
        villages = self.villages.scoped
        return villages[0] if len(villages) == 1 else None

    def locked(self, queryset):
        """Lock the rows an import will update until it commits, so that an edit saved
        meanwhile waits instead of being overwritten (PostgreSQL; SQLite writes one at a time)."""
        return queryset.select_for_update(of=("self",)) if self.writing else queryset

    # -- the pipeline --

    def import_file(
        self, data: bytes, file_name: str, *, dry_run: bool, again: bool = False, hidden: bool = False
    ) -> ImportReport:
        """Read, check and (unless `dry_run`) write a roster file. A file imported before is
        refused unless `again`; hidden rows and columns are left out (and named) unless
        `hidden`. The preview is the write itself, rolled back, whenever the
        roster saves through services; the confirm plans and writes in one transaction."""
        report = ImportReport(resource=self.import_name, file_name=file_name, sha256=hashlib.sha256(data).hexdigest())
        started = time.perf_counter()
        self.include_hidden = hidden
        try:
            rows = self.read_rows(read_tables(data, file_name), report)
            if not again:
                self.refuse_repeat(report)
        except ImportFileError as error:
            report.errors.append(RowError(None, "", str(error)))
            if not dry_run:
                self.record(report)
            return report
        self.writing = not dry_run
        interruption = None  # the exception that broke off the write, if one did
        try:
            with transaction.atomic():
                plan = self.plan(rows)
                report.new, report.updated, report.unchanged = plan.counts()
                report.sample = plan.sample
                # Rows saved through services are written (and rolled back) even beside
                # other rows' errors, so that the preview lists every error at once.
                if plan.checks_on_write or (not self.errors and not dry_run):
                    reason = _("Import of %(file)s") % {"file": file_name}
                    if not dry_run:
                        record = self.record(report)
                        reason = _("Import #%(id)d (%(file)s)") % {"id": record.pk, "file": file_name}
                    plan.apply(user=self.user, reason=reason)
                if self.errors or dry_run:
                    transaction.set_rollback(True)
        except Exception as error:
            interruption = error
            if changed_meanwhile(error):
                self.errors.append(
                    RowError(
                        None, "", _("The records changed while importing; nothing was written. Import the file again.")
                    )
                )
            else:
                # Never a server error for a roster, whatever broke (the database, or a fault
                # in the code): the clerk keeps her file and is told, and the log says what to mend.
                logger.exception("import of %s (%s) failed", self.import_name, file_name)
                self.errors.append(
                    RowError(
                        None,
                        "",
                        _(
                            "The file could not be imported; nothing was written. "
                            "Tell the system administrator the file and the time."
                        ),
                    )
                )
        except BaseException as error:
            # The process is being stopped (a worker's timeout, Ctrl-C): the transaction has
            # rolled back; record that, then let it stop.
            if not dry_run:
                report.errors.append(RowError(None, "", _("The import was interrupted; nothing was written.")))
                self.record(report, interruption=error)
            raise
        finally:
            self.writing = False
        report.errors.extend(self.errors)
        report.errors.sort(key=lambda error: error.row or 0)
        report.applied = not dry_run and not report.errors
        if not dry_run and report.errors:
            self.record(report, interruption=interruption)
        report.seconds = time.perf_counter() - started
        return report

    def refuse_repeat(self, report: ImportReport) -> None:
        """The same file imported twice would award every ledger line twice."""
        previous = (
            ImportRecord.objects.filter(
                resource=self.import_name, sha256=report.sha256, status=ImportRecord.Status.SUCCEEDED
            )
            .order_by("-created_at")
            .first()
        )
        if previous is not None:
            raise ImportFileError(
                _(
                    "This file was already imported on %(when)s (import record #%(id)d). "
                    "To import it again all the same, tick “Import again”."
                )
                % {"when": timezone.localtime(previous.created_at).strftime("%Y-%m-%d %H:%M"), "id": previous.pk}
            )

    def record(self, report: ImportReport, *, interruption: BaseException | None = None):
        """Record an import: a successful one inside its transaction, a failed or interrupted
        one after its transaction rolled back (so that the record remains), without counts:
        nothing was written."""
        fields = {
            "user": self.user if self.user and self.user.pk else None,
            "resource": report.resource,
            "file_name": report.file_name[:200],
            "sha256": report.sha256,
            "errors": len(report.errors),
        }
        if not report.errors:
            return ImportRecord.objects.create(
                **fields,
                new=report.new,
                updated=report.updated,
                unchanged=report.unchanged,
                applied=True,
                status=ImportRecord.Status.SUCCEEDED,
            )
        if interruption is None:
            status, error = ImportRecord.Status.FAILED, ""
        else:
            status, error = ImportRecord.Status.INTERRUPTED, type(interruption).__name__[:200]
        try:
            with transaction.atomic():
                return ImportRecord.objects.create(**fields, applied=False, status=status, error=error)
        except DatabaseError:
            # The database itself is gone: the clerk is told all the same, the log keeps it.
            logger.exception("the failed import of %s (%s) could not be recorded", report.resource, report.file_name)
            return None

    def find_header(
        self, table: Table, hidden: set = frozenset()
    ) -> tuple[int, dict[int, Column], list[str], list[str]]:
        """Return the header row's index, its columns by position, all headers and the ignored
        ones. A two-level header is read as one: a column named only in the row above (序号,
        姓名 over an empty cell, not merged down) counts. Columns at `hidden` positions are left
        out."""
        spellings = {spelling: column for column in self.columns() for spelling in column.spellings()}
        required = [column for column in self.columns() if column.required]
        best = None
        above = []
        for index, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
            combined = [
                above[position]
                if is_blank(cell) and position < len(above) and normalize_header(above[position]) in spellings
                else cell
                for position, cell in enumerate(row)
            ]
            found = {
                position: spellings[normalize_header(cell)]
                for position, cell in enumerate(combined)
                if position not in hidden and normalize_header(cell) in spellings
            }
            if found and (best is None or len(found) > len(best[1])):
                best = (index, found, combined)
            above = row
        if best is None:
            raise ImportFileError(
                _("No header row was found in the first %(rows)d rows. The roster needs the columns: %(columns)s.")
                % {"rows": HEADER_SEARCH_ROWS, "columns": "、".join(c.column_name for c in required)}
            )
        index, found, cells = best
        header = [re.sub(r"\s+", "", str(cell or "")) for cell in cells]
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
            hidden_named = [
                header[position] for position in sorted(hidden) if position < len(header) and header[position]
            ]
            message = _("Row %(row)d is the header row, but it lacks the columns: %(columns)s.") % {
                "row": table.first_row + index,
                "columns": "、".join(missing),
            }
            if hidden_named:
                message += " " + _(
                    "The hidden columns %(columns)s were not read; "
                    "unhide them, or tick “Import hidden rows and columns”."
                ) % {"columns": "、".join(hidden_named)}
            error = ImportFileError(message)
            error.missing = missing
            raise error
        ignored = [
            header[position]
            for position in range(len(header))
            if header[position] and position not in found and position not in hidden
        ]
        return index, found, header, ignored

    def optional_when_known(self, attribute: str) -> bool:
        """A required column that may be missing (the village, when there is only one)."""
        return False

    def hidden_columns(self, table: Table) -> set:
        return set() if self.include_hidden else table.hidden_columns

    def choose_tables(self, tables, report: ImportReport) -> list[tuple[Table, tuple]]:
        """The visible sheets to read: the first that has a header row (village workbooks often
        open with a 说明 cover sheet), and every later one whose header has the same columns (one
        sheet per village). The sheets not read are named in the report."""
        chosen, not_read, first_error = [], [], None
        for table in tables:
            try:
                found = self.find_header(table, self.hidden_columns(table))
            except ImportFileError as error:
                first_error = first_error or error
                if table.sheet and any(not is_blank(cell) for row in table.rows for cell in row):
                    missing = getattr(error, "missing", None)
                    why = _("lacks %(columns)s") % {"columns": "、".join(missing)} if missing else _("no header row")
                    not_read.append((table.sheet, why))
                continue
            attributes = {column.attribute for column in found[1].values()}
            if not chosen or attributes == {column.attribute for column in chosen[0][1][1].values()}:
                chosen.append((table, found))
            else:
                not_read.append((table.sheet, _("its columns differ")))
        if not chosen:
            if first_error is None:
                raise ImportFileError(_("The file is empty."))
            names = [name for name, _why in not_read]
            if len(names) > 1:
                raise ImportFileError(
                    _("None of the sheets %(sheets)s has a header row. %(error)s")
                    % {"sheets": "、".join(f"“{name}”" for name in names), "error": first_error}
                )
            raise first_error
        if len(chosen) > 1:
            report.notices.append(
                _("Rows were read from %(count)d sheets: %(sheets)s.")
                % {"count": len(chosen), "sheets": "、".join(f"“{table.sheet}”" for table, _found in chosen)}
            )
        if not_read:
            report.notices.append(
                _("Sheets not read: %(sheets)s.")
                % {"sheets": "、".join(f"“{name}”（{why}）" for name, why in not_read)}
            )
        return chosen

    def read_rows(self, tables, report: ImportReport) -> list[SourceRow]:
        chosen = self.choose_tables(tables, report)
        several = len(chosen) > 1
        rows: list[SourceRow] = []
        hidden: list[str] = []
        masked: dict = {}  # the rows with a masked cell, in order
        for table, found in chosen:
            self._read_table(table, found, report, rows, several, hidden, masked)
        if hidden:
            report.notices.append(
                _(
                    "%(count)d hidden rows (hidden, or filtered out) were not imported: rows %(rows)s. "
                    "To import them, unhide them, or tick “Import hidden rows and columns”."
                )
                % {"count": len(hidden), "rows": "、".join(map(str, hidden[:20])) + ("…" if len(hidden) > 20 else "")}
            )
        if masked:
            # One word for the file, not a thousand rows that each say the same.
            first = next(iter(masked))
            self.errors.insert(
                0,
                RowError(
                    None,
                    "",
                    _(
                        "The ID numbers or phones in %(count)d rows are masked (as in a list exported by a "
                        "user who may not see them whole), starting at row %(first)s: such a list cannot be "
                        "imported. Import a file with the whole ID numbers and phones."
                    )
                    % {"count": len(masked), "first": first},
                ),
            )
        if not rows:
            if report.ignored_rows:
                raise ImportFileError(_("The file has only example or total rows, no data rows."))
            raise ImportFileError(_("The file has a header row but no data rows."))
        return rows

    def _read_table(self, table, found_header, report, rows, several, hidden_rows, masked) -> None:
        index, found, header, ignored = found_header
        sheet = table.sheet if several else ""
        if not report.header_row:
            report.sheet = table.sheet
            report.header_row = table.first_row + index
            report.headers = [header[position] for position in sorted(found)]
            report.ignored_columns = ignored
            report.maskers = {
                header[position]: column.widget.masker
                for position, column in found.items()
                if hasattr(column.widget, "masker")
            }
            hidden_columns = sorted(table.hidden_columns)
            if hidden_columns and not self.include_hidden:
                named = [header[p] for p in hidden_columns if p < len(header) and header[p]]
                if named:
                    report.notices.append(_("Hidden columns not read: %(columns)s.") % {"columns": "、".join(named)})
        elif several:
            report.sheet = "、".join(filter(None, [report.sheet, table.sheet]))
        data_rows = table.rows[index + 1 :]
        if len(rows) + len(data_rows) > settings.IMPORT_MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(limit)d rows; split it into smaller files.")
                % {"limit": settings.IMPORT_MAX_ROWS}
            )
        blanks = table.formula_blanks
        skip_hidden = set() if self.include_hidden else table.hidden_rows
        positions = sorted(found.items())
        layout = [(position, header[position], column) for position, column in positions]
        columns = {column.attribute: header[position] for position, column in positions}
        required = [
            (position, column)
            for position, column in positions
            if column.required and column.attribute not in self.blank_keeps
        ]
        numbering = next(
            (p for p, text in enumerate(header) if p not in found and normalize_header(text) in _NUMBERING), None
        )
        dated = [
            position
            for position, column in positions
            if isinstance(column.widget, ExcelDateWidget) and not column.widget.month
        ]
        person = found_attribute(found, "id_number")
        # Rosters repeat themselves (villages, groups, heads' ID numbers): clean each
        # distinct value of a column once.
        memo = {position: {} for position, _column in positions}
        formula_error = _("The cell holds a formula without a value; recalculate and save the file in Excel.")
        villages = self.villages if "village" in columns else None
        example = self.example_values(positions, villages)
        example_columns = self.template_example("").keys()
        progress = self.progress
        first_row = table.first_row + index + 1
        for offset, cells in enumerate(data_rows):
            if progress is not None and offset % 200 == 0:
                progress(len(rows) + offset, len(rows) + len(data_rows))
            number = first_row + offset
            if all(is_blank(cell) for cell in cells) and not any((number, p) in blanks for p, _c in positions):
                continue
            where = f"“{sheet}” {number}" if sheet else number
            if number in skip_hidden:
                hidden_rows.append(where)
                continue
            skipped = skipped_row(cells, numbering)
            if skipped:
                report.ignored_rows.append((where, skipped))
                continue
            values = {}
            failed = False
            width = len(cells)
            for position, column in positions:
                if blanks and (number, position) in blanks:
                    self.errors.append(RowError(number, header[position], formula_error, sheet))
                    failed = True
                    continue
                cell = cells[position] if position < width else None
                if cell is None or cell == "":
                    continue
                seen = memo[position]
                cleaned = seen.get(cell, _UNSEEN)  # cells from the readers are all hashable
                if cleaned is _UNSEEN:
                    shown = error_value(cell)
                    try:
                        if shown:
                            raise CellError(shown)
                        cleaned = column.widget.clean(cell, villages=villages)
                    except CellError as error:
                        cleaned = error
                    seen[cell] = cleaned
                if isinstance(cleaned, MaskedCell):
                    masked[where] = True  # said once, for the file (read_rows)
                    failed = True
                elif isinstance(cleaned, CellError):
                    self.errors.append(RowError(number, header[position], str(cleaned), sheet))
                    failed = True
                elif cleaned is not None:
                    values[column.attribute] = cleaned
            if (
                example
                and not failed
                and values.keys() <= example_columns
                and all(values.get(name) == value for name, value in example.items())
            ):
                # A template's example row without its mark (templates of any version carry
                # the same example person): skipped and listed, never a record.
                report.ignored_rows.append((where, _("example row")))
                continue
            if person is not None and person in values:
                born = values[person].birth_date
                for position in dated:
                    day = values.get(found[position].attribute)
                    if day is not None and day < born:
                        self.errors.append(
                            RowError(
                                number,
                                header[position],
                                _("%(date)s is before the person was born (%(born)s).")
                                % {"date": day.isoformat(), "born": born.isoformat()},
                                sheet,
                            )
                        )
                        failed = True
            for position, column in required:
                if column.attribute not in values and not (blanks and (number, position) in blanks):
                    cell = cells[position] if position < width else None
                    if is_blank(cell):
                        self.errors.append(
                            RowError(
                                number,
                                header[position],
                                _("%(column)s is required.") % {"column": header[position]},
                                sheet,
                            )
                        )
                        failed = True
            rows.append(
                SourceRow(
                    number=number,
                    # The raw cells serve only the preview's sample of the first rows; keeping
                    # every row's would keep the whole sheet in memory through the write.
                    cells=cells if len(rows) < KEEP_CELLS else [],
                    values=values,
                    layout=layout,
                    columns=columns,
                    failed=failed,
                    sheet=sheet,
                    order=len(rows),
                )
            )
        if progress is not None:
            progress(len(rows), len(rows))

    def error(self, row: SourceRow, attribute: str | None, message: str) -> None:
        column = ""
        if attribute:
            column = row.columns.get(attribute) or getattr(self.fields.get(attribute), "column_name", "")
        self.errors.append(RowError(row.number, column, message, row.sheet))

    def validation_error(self, row: SourceRow, error: ValidationError, attribute: str | None = None) -> None:
        """A model's or service's answer, on the row and the column it is about."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                name = self.field_columns.get(name, name)
                target = name if name in self.fields else attribute
                for each in errors:
                    if each.code in ("blank", "null", "required") and target in self.fields:
                        # Django's words name no column; the clerk's file does.
                        column = row.columns.get(target) or self.fields[target].column_name
                        message = _("%(column)s is required.") % {"column": column}
                    else:
                        message = " ".join(each.messages)
                    self.error(row, target, message)
        else:
            for message in error.messages:
                self.error(row, attribute, message)

    def save_through(
        self, service, records: list[tuple[SourceRow, object]], attribute: str | None = None, *, with_reason=False
    ):
        """A plan step that saves each (row, record) through its app's service
        (`service(record=..., by=...)`, and `reason=` the import's when asked), as the admin
        does; what the service refuses is the row's error, on `attribute`'s column when the
        error names no field."""

        def save(user, reason) -> None:
            for row, record in records:
                try:
                    with transaction.atomic():
                        if with_reason:
                            service(record=record, by=user, reason=reason)
                        else:
                            service(record=record, by=user)
                except ValidationError as error:
                    self.validation_error(row, error, attribute)

        save.checks_on_write = True
        return save

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
                        row.sheet,
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
                self.error(row, attribute, _("The same ID number is already on row %(row)s.") % {"row": seen[key]})
                continue
            seen[key] = row.where
            if not row.failed:
                keyed.append((row, value))
        return keyed

    def plan(self, rows: list[SourceRow]):
        raise NotImplementedError

    @classmethod
    def template_example(cls, village: str) -> dict:
        """One example row of the import template, by column attribute."""
        return {}

    def example_values(self, positions, villages) -> dict:
        """The template's example as this file's columns clean it (its village aside, and what
        is made of it: those are the clerk's own): a row holding all of it, and nothing in the
        columns the example leaves blank (an ID number the example has not), is the example. Empty
        unless the file has two of its columns, one of them the example's person or household
        (an award of the example's rule and day to someone else is an award)."""
        example, elsewhere = self.template_example("甲村"), self.template_example("乙村")
        cleaned = {}
        for _position, column in positions:
            name = column.attribute
            if name in example and example[name] == elsewhere.get(name):  # not the village, nor made of it
                try:
                    value = column.widget.clean(example_cell(column, example[column.attribute]), villages=villages)
                except CellError:
                    continue
                if value is not None:
                    cleaned[column.attribute] = value
        return cleaned if len(cleaned) >= 2 and EXAMPLE_KEYS & cleaned.keys() else {}


def discover() -> dict[str, type[RosterResource]]:
    """Every app's rosters (registered when the apps were ready)."""
    return registry.rosters
