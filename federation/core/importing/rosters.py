"""Rosters: the base every importable roster derives from, its registry, and the pipeline
from a file to a report, which it runs: read (reading), find the header (headers), clean the
cells (rows), plan (each roster's own), write (writing) and record (records). The hooks a
roster overrides, and the helpers its plan calls, are here."""

import hashlib
import logging
import time
from copy import deepcopy

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from federation.core.exporting import ScopedResource
from federation.core.importing.cells import CellError, Column
from federation.core.importing.headers import Header, choose_tables, find_header, note_header
from federation.core.importing.reading import ImportFileError, Table, read_tables
from federation.core.importing.records import record_import, refuse_repeated
from federation.core.importing.report import ImportReport, RowError
from federation.core.importing.rows import Reading, SheetRows, SourceRow
from federation.core.importing.templates import example_cell
from federation.core.importing.villages import Villages
from federation.core.registry import registry
from federation.core.scoping import EVERYTHING, Scope, scope_for

logger = logging.getLogger(__name__)

# The columns that name the example's person or household.
EXAMPLE_KEYS = {"id_number", "head_id_number", "number", "name"}


def among(name: str, values: list) -> Q:
    """`name__in=values`, on PostgreSQL as one array parameter: an IN list of thousands of
    placeholders costs psycopg more to parse than the server to answer."""
    if connection.vendor != "postgresql" or not values:
        return Q(**{f"{name}__in": values})
    kind = "bigint" if isinstance(next(iter(values)), int) else "text"
    return Q(**{f"{name}__in": RawSQL(f"SELECT unnest(%s::{kind}[])", [list(values)])})  # noqa: S611 - a cast, not input


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
        interruption = self._plan_and_write(rows, report, dry_run=dry_run)
        report.errors.extend(self.errors)
        report.errors.sort(key=lambda error: error.row or 0)
        report.applied = not dry_run and not report.errors
        if not dry_run and report.errors:
            self.record(report, interruption=interruption)
        report.seconds = time.perf_counter() - started
        return report

    def _plan_and_write(self, rows: list[SourceRow], report: ImportReport, *, dry_run: bool) -> Exception | None:
        """Plan the rows and write the plan in one transaction, rolled back on any error or in
        a preview; return the exception that broke off the write (told as an error), if one did."""
        self.writing = not dry_run
        try:
            with transaction.atomic():
                self._write_plan(rows, report, dry_run=dry_run)
        except Exception as error:
            self.errors.append(RowError(None, "", self._failure_message(error, report.file_name)))
            return error
        except BaseException as error:
            # The process is being stopped (a worker's timeout, Ctrl-C): the transaction has
            # rolled back; record that, then let it stop.
            if not dry_run:
                report.errors.append(RowError(None, "", _("The import was interrupted; nothing was written.")))
                self.record(report, interruption=error)
            raise
        finally:
            self.writing = False
        return None

    def _write_plan(self, rows: list[SourceRow], report: ImportReport, *, dry_run: bool) -> None:
        plan = self.plan(rows)
        report.new, report.updated, report.unchanged = plan.counts()
        report.sample = plan.sample
        # Rows saved through services are written (and rolled back) even beside
        # other rows' errors, so that the preview lists every error at once.
        if plan.checks_on_write or (not self.errors and not dry_run):
            reason = _("Import of %(file)s") % {"file": report.file_name}
            if not dry_run:
                record = self.record(report)
                reason = _("Import #%(id)d (%(file)s)") % {"id": record.pk, "file": report.file_name}
            plan.apply(user=self.user, reason=reason)
        if self.errors or dry_run:
            transaction.set_rollback(True)

    def _failure_message(self, error: Exception, file_name: str) -> str:
        """What the clerk is told of a write that broke off (called while it is handled)."""
        if changed_meanwhile(error):
            return _("The records changed while importing; nothing was written. Import the file again.")
        # Never a server error for a roster, whatever broke (the database, or a fault
        # in the code): the clerk keeps her file and is told, and the log says what to mend.
        logger.exception("import of %s (%s) failed", self.import_name, file_name)
        return _(
            "The file could not be imported; nothing was written. Tell the system administrator the file and the time."
        )

    def refuse_repeat(self, report: ImportReport) -> None:
        """The same file imported twice would award every ledger line twice (records)."""
        refuse_repeated(report)

    def record(self, report: ImportReport, *, interruption: BaseException | None = None):
        """Record the import as it ended (records): a successful one inside its transaction,
        a failed or interrupted one after its transaction rolled back."""
        return record_import(report, self.user, interruption=interruption)

    def find_header(self, table: Table, hidden: set = frozenset()) -> Header:
        """Return the header row's index, its columns by position, all headers and the ignored
        ones (headers.find_header). Columns at `hidden` positions are left out."""
        return find_header(table, self.columns(), hidden, self.optional_when_known)

    def optional_when_known(self, attribute: str) -> bool:
        """A required column that may be missing (the village, when there is only one)."""
        return False

    def hidden_columns(self, table: Table) -> set:
        return set() if self.include_hidden else table.hidden_columns

    def choose_tables(self, tables, report: ImportReport) -> list[tuple[Table, Header]]:
        """The visible sheets to read, each with its header (headers.choose_tables)."""
        return choose_tables(tables, lambda table: self.find_header(table, self.hidden_columns(table)), report)

    def read_rows(self, tables, report: ImportReport) -> list[SourceRow]:
        """The data rows of the sheets chosen, each cell cleaned (rows.SheetRows); their
        errors are kept in `self.errors`, what was left out in the report."""
        chosen = self.choose_tables(tables, report)
        reading = Reading(
            report, self.errors, several=len(chosen) > 1, include_hidden=self.include_hidden, progress=self.progress
        )
        for table, header in chosen:
            note_header(report, table, header, several=reading.several, include_hidden=self.include_hidden)
            sheet = SheetRows(table, header, reading, self.blank_keeps)
            villages = self.villages if "village" in sheet.columns else None
            sheet.read(villages, self.example_values(sheet.positions, villages), self.template_example("").keys())
        return reading.finish()

    def error(self, row: SourceRow, attribute: str | None, message: str) -> None:
        column = ""
        if attribute:
            column = row.columns.get(attribute) or getattr(self.fields.get(attribute), "column_name", "")
        self.errors.append(RowError(row.number, column, message, row.sheet))

    def validation_error(
        self, row: SourceRow, error: ValidationError, attribute: str | None = None, model=None
    ) -> None:
        """A model's or service's answer, on the row and the column it is about: a field's on
        its column, a constraint of `model`'s on the first field it names that the roster
        reads, the rest on `attribute`'s."""
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                name = self.field_columns.get(name, name)
                target = name if name in self.fields else attribute
                for each in errors:
                    if name == NON_FIELD_ERRORS and model is not None:
                        target = self.constraint_attribute(model, each.messages, attribute) or attribute
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

    def constraint_attribute(self, model, messages: list[str], attribute: str | None) -> str | None:
        """The roster attribute of the constraint whose message these are: `attribute` when the
        constraint names it, else the first of the fields it names (its fields, then its
        condition's) that the roster reads."""
        for constraint in model._meta.constraints:
            if constraint.get_violation_error_message() not in messages:
                continue
            names = [*getattr(constraint, "fields", ()), *_condition_fields(getattr(constraint, "condition", None))]
            names = [self.field_columns.get(name, name) for name in names]
            read = [name for name in names if name in self.fields]
            if attribute in read:
                return attribute
            if read:
                return read[0]
        return None

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
                    self.validation_error(row, error, attribute, type(record))

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


def _condition_fields(condition) -> list[str]:
    """The fields a constraint's condition (a Q) names, in order: its lookups' and its F()s'."""
    if condition is None:
        return []
    names = []
    for child in condition.children:
        if isinstance(child, Q):
            names += _condition_fields(child)
            continue
        lookup, value = child
        names.append(lookup.split(LOOKUP_SEP)[0])
        if isinstance(value, F):
            names.append(value.name.split(LOOKUP_SEP)[0])
    return names
