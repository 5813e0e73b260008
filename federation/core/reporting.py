"""County reports: one registry, one period, one scope, one CSV/XLSX writer.

A report is a function of (scope, period) that returns a `Table`. Each app registers its
reports in its reports.py with `@report(...)` (imported by its AppConfig.ready(), filling
federation.core.registry); the admin report page, the downloads and
`manage.py county_report` all call the same functions. Figures are aggregates computed in
the database, so a report's query count does not grow with the records.

Who reads a report is one rule, `may_read`: the page's permission, and the view permission of
every kind of record the report counts (declared by the app in its `@report`). A county
reader, who opens no record, holds `FIGURES_PERMISSION` instead: it reads every report of
figures, never one that lists people (`personal`), but a de-identified roster
(`deidentified`) of the towns that let her (`takes_deidentified_from`).
"""

import dataclasses
import re
from calendar import monthrange
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from itertools import groupby, islice
from operator import itemgetter
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from federation.core import streams
from federation.core.disclosure import Disclosure
from federation.core.exporting import can_see_identity, neutralize
from federation.core.identity import mask_id_number, mask_phone
from federation.core.models import ReportLog, Town, Village
from federation.core.registry import BinderSection, Chart, SummaryRow, registry
from federation.core.scoping import Scope, scope_for, village_path

PAGE_PERMISSION = "federation.view_reports"
# Reads the figures of every domain without the records' own permissions (the county reader).
FIGURES_PERMISSION = "federation.view_all_figures"


def permissions_of(permission: str | Iterable[str]) -> tuple[str, ...]:
    """("app.codename", ...) from one permission or several; () needs none but the page's."""
    names = (permission,) if isinstance(permission, str) else tuple(permission)
    for name in names:
        if not re.fullmatch(r"\w+\.\w+", name):
            raise ValueError(f"not a permission: {name!r}")
    return names


def may_read(user, permissions: tuple[str, ...], *, personal: bool = False, deidentified: bool = False) -> bool:
    """The one rule of who reads which figures: a report, a download, a row of the annual
    summary. The page's permission, then every permission of the records counted; without
    them, the figures permission, which never opens a list of people but a de-identified
    roster of a town that lets the county take it."""
    if user is None or not user.has_perm(PAGE_PERMISSION):
        return False
    if all(user.has_perm(name) for name in permissions):
        return True
    if personal and not deidentified:
        return False
    if not user.has_perm(FIGURES_PERMISSION):
        return False
    return not personal or bool(takes_deidentified_from(user, permissions))


def takes_deidentified_from(user, permissions: tuple[str, ...]) -> frozenset[int] | None:
    """The towns whose de-identified rosters the user takes: every town of her villages (None)
    when she holds the records' permissions, as she reads any list of them; otherwise, with
    the figures permission, the towns of her scope that have ticked
    `Town.county_takes_deidentified` (each town decides for its own people: one town's
    refusal does not hold back another's rows, nor does its consent open another's), read
    once for her request."""
    if user is None or all(user.has_perm(name) for name in permissions):
        return None
    if not user.has_perm(FIGURES_PERMISSION):
        return frozenset()
    towns = getattr(user, "_federation_deidentified_towns", None)
    if towns is None:
        scope = scope_for(user)
        allowing = Town.objects.filter(county_takes_deidentified=True)
        if not scope.everything:
            allowing = allowing.filter(pk__in=scope.visible_town_ids)
        towns = user._federation_deidentified_towns = frozenset(allowing.values_list("pk", flat=True))
    return towns


def confidential_permissions(permissions: tuple[str, ...]) -> tuple[str, ...]:
    """The permissions that open the confidential records among those counted: a model whose
    view permission a report names may declare `CONFIDENTIAL_PERMISSION` (a domestic-violence
    case's)."""
    found = []
    for name in permissions:
        app_label, _sep, codename = name.partition(".")
        if not codename.startswith("view_"):
            continue
        try:
            model = apps.get_model(app_label, codename.removeprefix("view_"))
        except LookupError:
            continue
        confidential = getattr(model, "CONFIDENTIAL_PERMISSION", None)
        if confidential:
            found.append(confidential)
    return tuple(found)


def whole_months(period: "DateRange") -> bool:
    return period.start.day == 1 and (period.end + timedelta(days=1)).day == 1


def whole_months_in(period: "DateRange") -> "DateRange | None":
    """The longest run of whole months inside the period, or None."""
    start = period.start if period.start.day == 1 else (period.start.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = period.end if (period.end + timedelta(days=1)).day == 1 else period.end.replace(day=1) - timedelta(days=1)
    if end < start:
        return None
    return DateRange(start, end, f"{start.isoformat()}至{end.isoformat()}")


def too_fine(user, permissions: tuple[str, ...], period: "DateRange") -> bool:
    """The one rule of how finely figures that count confidential records are given: to a
    reader who may not see those records, only for whole months (a month, a quarter, a year,
    or a range of whole months). Figures for a day, or for ranges that differ by a day, would
    date a case that her lists hide."""
    if whole_months(period):
        return False
    return any(not user.has_perm(name) for name in confidential_permissions(permissions))


def too_fine_message() -> str:
    return _(
        "These figures count confidential cases (domestic violence): without the permission to see them, "
        "choose whole months — a month, a quarter, a year, or a range from the 1st of a month to the end of one."
    )


def reads_approved_only(user) -> bool:
    """A county reader (who reads figures by the figures permission, not the records') is
    shown the records of approved periods only, in the towns that choose so
    (Town.county_sees_approved_only; the records' own rule says which are approved)."""
    return bool(user is not None and not user.is_superuser and user.has_perm(FIGURES_PERMISSION))


class DateRangeError(ValueError):
    """A period the user wrote that is not one (message in Chinese)."""


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date
    label: str  # as it appears in file names: 2024, 2024Q3, 2024-03, 2024-01-01至2024-06-30

    @classmethod
    def year(cls, year: int) -> "DateRange":
        return cls(date(year, 1, 1), date(year, 12, 31), str(year))

    @classmethod
    def quarter(cls, text: str) -> "DateRange":
        match = re.fullmatch(r"(\d{4})\s*[Qq季]?\s*([1-4])", text.strip())
        if not match:
            raise DateRangeError(_("“%(value)s” is not a quarter; write it like 2024Q3.") % {"value": text})
        year, quarter = int(match.group(1)), int(match.group(2))
        last = quarter * 3
        return cls(date(year, last - 2, 1), date(year, last, monthrange(year, last)[1]), f"{year}Q{quarter}")

    @classmethod
    def month(cls, text: str) -> "DateRange":
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise DateRangeError(_("“%(value)s” is not a month; write it like 2024-03.") % {"value": text})
        year, month = int(match.group(1)), int(match.group(2))
        return cls(date(year, month, 1), date(year, month, monthrange(year, month)[1]), f"{year}-{month:02d}")

    @classmethod
    def between(cls, start: date, end: date) -> "DateRange":
        if start > end:
            raise DateRangeError(
                _("The start date %(start)s is after the end date %(end)s.") % {"start": start, "end": end}
            )
        return cls(start, end, f"{start.isoformat()}至{end.isoformat()}")

    def __str__(self) -> str:
        return self.label


@dataclass
class ReportScope:
    """What a report counts: the villages chosen (within the user's scope), and the towns
    whose town-wide records count too (only when no village was picked)."""

    scope: Scope
    village_ids: list[int]
    town_ids: list[int]
    town_name: str = ""
    user: object = None  # who reads: the annual summary leaves out the rows they may not read
    # A county reader counts only approved periods' records, of the towns that say so.
    approved_only: bool = False

    @classmethod
    def of_user(cls, user) -> "ReportScope":
        """Everything the user sees: her villages, and the towns she sees whole. Read once in a
        page (`one_page`): the home page's work lists count in the villages its charts count."""

        def read():
            scope = scope_for(user)
            villages = Village.objects.all() if scope.everything else Village.objects.filter(pk__in=scope.village_ids)
            town_ids = sorted(Town.objects.values_list("pk", flat=True)) if scope.everything else sorted(scope.town_ids)
            towns = set(villages.values_list("town__name", flat=True).distinct())
            return cls(
                scope=scope,
                village_ids=sorted(villages.values_list("pk", flat=True)),
                town_ids=town_ids,
                town_name=towns.pop() if len(towns) == 1 else "",
                user=user,
                approved_only=reads_approved_only(user),
            )

        return once(("report scope", user.pk), read)

    def may_read(self, permissions: tuple[str, ...]) -> bool:
        return may_read(self.user, permissions)

    @cached_property
    def full_identity(self) -> bool:
        return can_see_identity(self.user)

    def id_number(self, number: str | None) -> str:
        """An ID number as the reader may see it in a ledger: masked without the full-identity
        permission (printed ledgers and downloads alike)."""
        return (number if self.full_identity else mask_id_number(number)) if number else ""

    def phone(self, phone: str | None) -> str:
        return (phone if self.full_identity else mask_phone(phone)) if phone else ""

    def pseudonym_keys(self) -> dict[int, bytes]:
        """{town id: its pseudonym key} of the towns of the chosen villages, in one query: each
        town's people carry that town's pseudonyms."""
        towns = Town.objects.filter(villages__in=self.village_ids).distinct()
        return {pk: key.encode() for pk, key in towns.values_list("pk", "pseudonym_key")}

    def village_rows(self) -> list[tuple[int, str]]:
        """(id, name) of the chosen villages in their order: the rows of per-village tables (read
        once in a page: each chart of the home page and its months grid has a row per village)."""

        def read():
            villages = Village.objects.filter(pk__in=self.village_ids).order_by("sort_order", "name")
            return list(villages.values_list("pk", "name"))

        return once(("village rows", tuple(self.village_ids)), read)

    @cached_property
    def chosen(self) -> Scope:
        """The chosen villages (and towns) as a scope: what `counted_in` filters by."""
        return Scope(
            town_ids=frozenset(self.town_ids), village_ids=frozenset(self.village_ids), approved_only=self.approved_only
        )


def per_village(queryset, *, path: str | None = None, **aggregates) -> dict[int, dict]:
    """`aggregates` of `queryset` for each village its records count in, by village id: the
    model says which village that is (`village_path`), or `path` does (a link table's)."""
    rows = queryset.values(village_key=F(path or village_path(queryset.model))).annotate(**aggregates).order_by()
    return {row["village_key"]: row for row in rows}


_read_in_page: ContextVar[dict | None] = ContextVar("read_in_page", default=None)


@contextmanager
def one_page():
    """While the home page is made, `once` reads each thing once: it shows a county's HPV
    coverage in a chart, a summary row and a work list (each count a tenth of a second), and
    the villages and links of four charts. A page only reads, so nothing changes meanwhile."""
    token = _read_in_page.set({})
    try:
        yield
    finally:
        _read_in_page.reset(token)


def once(key, read: Callable):
    """`read()`, or what it gave for `key` (what is read, for which scope and date) earlier in
    the page (`one_page`); outside a page, `read()` every time."""
    already = _read_in_page.get()
    if already is None:
        return read()
    if key not in already:
        already[key] = read()
    return already[key]


def field_label(model, name: str) -> str:
    """A ledger's column headed as the admin heads the field."""
    return capfirst(model._meta.get_field(name).verbose_name)


def day_text(value) -> str:
    """A ledger's date cell: 2024-03-08, or blank."""
    return value.isoformat() if value else ""


def labels_of(choices) -> dict:
    """{value: label} of choices, the labels translated once per table, not per row."""
    return {value: str(label) for value, label in choices}


def money(value) -> Decimal:
    """Yuan with two decimals on every database (SQLite's sums lose them)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


class QueryRows:
    """A ledger's rows as a query, read when asked: the report page counts them and reads the
    first few (LIMIT), a download streams them all. A county's year of a ledger is hundreds of
    thousands of lines, too many to build for a page that shows 500. `row(values)` makes a
    row of the `fields` of one record; without `fields`, `row(record)` makes it of the model
    instance, read with the queryset's prefetches a chunk at a time."""

    def __init__(self, queryset, fields: list[str] | None, row: Callable):
        self.queryset, self.fields, self.row = queryset, fields, row

    def __len__(self) -> int:
        return self.queryset.count()  # without the joins that the fields need

    def __bool__(self) -> bool:
        return self.queryset.exists()

    def _records(self):
        return self.queryset if self.fields is None else self.queryset.values_list(*self.fields)

    def __getitem__(self, index):
        records = self._records()
        if isinstance(index, slice):
            return [self.row(record) for record in records[index]]
        return self.row(records[index])

    def __iter__(self):
        chunk = 5000 if self.fields is not None else 2000
        return (self.row(record) for record in self._records().iterator(chunk_size=chunk))

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


class PseudonymousRows(QueryRows):
    """A de-identified roster's rows, read as `QueryRows` from a query whose first field is
    the village's id and which is ordered by village; within a village the rows come by their
    first cell (the pseudonym), not in the records' order. That order is the roster's, which
    is printed with names: a row's place would tell whose it is. A village's rows are sorted
    in memory, one village at a time."""

    def __iter__(self):
        records = self._records().iterator(chunk_size=5000)
        for _village, group in groupby(records, key=itemgetter(0)):
            yield from sorted(map(self.row, group), key=itemgetter(0))

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return next(islice(iter(self), index, None))
        if index.stop is None or index.step not in (None, 1):
            return list(islice(iter(self), index.start, index.stop, index.step))
        # The page's first rows: a village at a time, each read by its own query, until the
        # slice is full. Read in one, a county town's 85,000 people were sorted whole for them.
        key, rows = self.fields[0], []
        villages = Village.objects.filter(pk__in=self.queryset.order_by().values(key))
        for village in villages.order_by("sort_order", "name", "pk").values_list("pk", flat=True):
            records = self.queryset.filter(**{key: village}).values_list(*self.fields)
            rows.extend(sorted(map(self.row, records), key=itemgetter(0)))
            if len(rows) >= index.stop:
                break
        return rows[index.start : index.stop]


@dataclass
class Table:
    header: list[str]
    rows: list[list] = field(default_factory=list)
    links: dict = field(default_factory=dict)  # (row index, column index) -> admin URL of what it counts

    def add_total(self, label: str) -> None:
        """Append a row that sums the figure columns of the rows above (after the label column)."""
        columns = zip(*(row[1:] for row in self.rows), strict=True) if self.rows else [[0]] * (len(self.header) - 1)
        self.rows.append([label, *(sum(column) for column in columns)])


# --- Per-village tables, declared ------------------------------------------------------


def plain(value):
    return value


@dataclass(eq=False)  # a column is itself: a key of the figures read
class Column:
    """A figure column of a per-village table: its `label`, and the `aggregate` that counts it
    over a village's records (Count, Sum; for `Given`, a function of a village's figures).
    `show` makes the cell (`money` for yuan). `total` gives the total row's figure when it is
    not the sum of the villages' (a caring mother of children in two villages is one mother);
    `link(village id)` the admin list of what a village's cell counts."""

    label: str
    aggregate: object
    show: Callable = plain
    total: Callable[[], object] | None = None
    link: Callable[[int], str] | None = None
    figures: "Figures | None" = field(default=None, repr=False)  # the counted set it is read from


class Figures:
    """A counted set and the columns declared on it, read in one query grouped by village
    (`per_village`): `columns` are (label, aggregate), (label, aggregate, show) or `Column`s.
    `column(...)` declares one more and returns it, for a table whose columns of two sets
    take turns."""

    def __init__(self, queryset, columns: Iterable = (), *, path: str | None = None):
        self.queryset, self.path = queryset, path
        self.columns: list[Column] = []
        for spec in columns:
            self.add(spec if isinstance(spec, Column) else Column(*spec))

    def add(self, column: Column) -> Column:
        column.figures = self
        self.columns.append(column)
        return column

    def column(self, label, aggregate, **options) -> Column:
        return self.add(Column(label, aggregate, **options))

    def read(self) -> dict[int, dict]:
        """{village id: {column: figure}} of the villages it counts anything in (the others' are 0)."""
        aggregates = {f"figure_{index}": column.aggregate for index, column in enumerate(self.columns)}
        rows = per_village(self.queryset, path=self.path, **aggregates)
        return {
            pk: {column: row[name] or 0 for name, column in zip(aggregates, self.columns, strict=True)}
            for pk, row in rows.items()
        }

    def total_of(self, column: Column, cells: list):
        return column.show(column.total()) if column.total is not None else sum(cells)


class Given(Figures):
    """Figures a selector has worked out for every village, which are not aggregates of one
    counted set (HPV coverage: girls joined to their doses, and percents that do not add up):
    a column's `aggregate` is a function of a village's figures, and the total row shows it
    of `total`, the selector's figures of all the villages together."""

    def __init__(self, by_village: dict, columns: Iterable, *, total):
        super().__init__(None, columns)
        self.by_village, self.whole = by_village, total

    def read(self) -> dict[int, dict]:
        return {pk: {column: column.aggregate(item) for column in self.columns} for pk, item in self.by_village.items()}

    def total_of(self, column: Column, cells: list):
        return column.show(column.aggregate(self.whole))


def village_table(rs: ReportScope, *parts: "Figures | Column") -> Table:
    """The per-village table of the declared columns: a row per chosen village in order (0
    where it has no records), and the total row. A part is a `Figures` (all its columns) or
    one `Column` of one; each counted set is read once, in one query::

        pairings = selectors.pairings_in(rs.chosen, period.start, period.end)
        mothers = Count("mother", distinct=True)
        paired = Figures(pairings, [
            (_("Pairings"), Count("pk")),
            Column(_("Caring mothers"), mothers, total=lambda: pairings.aggregate(n=mothers)["n"]),
        ])
        charity = Figures(selectors.charity_in(rs.chosen, period.start, period.end), [
            (_("Times"), Count("pk")),
            (_("Amount (yuan)"), Sum("amount"), money),
        ])
        return village_table(rs, paired, charity)
    """
    columns = [column for part in parts for column in (part.columns if isinstance(part, Figures) else [part])]
    found: dict[Figures, dict] = {}
    for column in columns:
        if column.figures not in found:
            found[column.figures] = column.figures.read()
    table = Table(header=[_("Village (community)"), *(str(column.label) for column in columns)])
    for pk, name in rs.village_rows():
        figures = [found[column.figures].get(pk, {}).get(column, 0) for column in columns]
        table.rows.append([name, *(column.show(figure) for column, figure in zip(columns, figures, strict=True))])
        for index, column in enumerate(columns, start=1):
            if column.link is not None:
                table.links[(len(table.rows) - 1, index)] = column.link(pk)
    cells = zip(*(row[1:] for row in table.rows), strict=True) if table.rows else [[]] * len(columns)
    totals = [column.figures.total_of(column, list(cell)) for column, cell in zip(columns, cells, strict=True)]
    table.rows.append([_("Total"), *totals])
    return table


@dataclass(frozen=True)
class Report:
    name: str
    title: Callable[[], str]
    function: Callable[[ReportScope, DateRange], Table]
    description: Callable[[], str]
    permissions: tuple[str, ...]  # the view permissions of the records it counts
    personal: bool = False  # lists people (a ledger): not for readers of aggregates
    # Lists people by pseudonym only: the county reader takes it from the towns that allow it.
    deidentified: bool = False

    def allowed(self, user) -> bool:
        return may_read(user, self.permissions, personal=self.personal, deidentified=self.deidentified)

    def too_fine(self, user, period: DateRange) -> bool:
        """Whether the period is too short for this reader (`too_fine`)."""
        return too_fine(user, self.permissions, period)


def report(
    name: str,
    title,
    description="",
    *,
    permission: str | Iterable[str],
    personal: bool = False,
    deidentified: bool = False,
):
    """Register a report function under `name` (the command's name for it). `permission`:
    the view permission (or permissions) of the records it counts, or () for none; a
    `personal` report lists people, so it also names the permission of what it lists.

    A `deidentified` report lists people too (it is personal: never kept as approved figures,
    never in the binder), by pseudonym, age band and village, nothing that names them. The
    county reader may take it from the towns that allow it (`takes_deidentified_from`): the
    function is given the chosen villages of those towns only."""
    permissions = permissions_of(permission)

    def register(function):
        run = function
        if deidentified:
            run = lambda rs, period: function(_deidentified_scope(rs, permissions), period)  # noqa: E731
        entry = Report(
            name, lambda: str(title), run, lambda: str(description), permissions, personal or deidentified, deidentified
        )
        registry.add_report(entry)
        return function

    return register


def _deidentified_scope(rs: ReportScope, permissions: tuple[str, ...]) -> ReportScope:
    towns = takes_deidentified_from(rs.user, permissions)
    if towns is None:
        return rs
    villages = Village.objects.filter(pk__in=rs.village_ids, town__in=towns)
    return dataclasses.replace(
        rs,
        village_ids=sorted(villages.values_list("pk", flat=True)),
        town_ids=[pk for pk in rs.town_ids if pk in towns],
    )


def summary_figures(rs: ReportScope, period: DateRange):
    """(row, value, url) of every row of the annual summary the reader may read
    (`rs.may_read`), in order: the annual-summary report and the dashboard show these. Each
    figure function runs once for all its rows; every row has one (a system check holds it)."""
    computed = {}

    def figure(row, within):
        key = (within.start, within.end)
        if (key, row.key) not in computed:
            computed.update({(key, name): value for name, value in registry.figures[row.key][0](rs, within).items()})
        return computed[(key, row.key)]

    for row in registry.summary():
        function, permissions = registry.figures[row.key]
        if not rs.may_read(permissions):
            continue
        if rs.user is not None and too_fine(rs.user, permissions, period):
            # The whole months inside the period (the home page's year to date: to the end
            # of last month), or nothing when it holds none.
            months = whole_months_in(period)
            if months is None:
                yield row, _("(whole months only)"), None
                continue
            value, _url = figure(row, months)
            through = _("%(unit)s (whole months, to %(end)s)") % {"unit": row.unit, "end": months.end.isoformat()}
            yield dataclasses.replace(row, unit=through), value, None
            continue
        value, url = figure(row, period)
        yield row, value, url


def chart(name: str, *, order: int, permission):
    """Register a function drawing a chart of the home page (a BarChart or LineChart of
    federation.core.charts) from the app's selectors, with the permissions of what it counts."""
    permissions = permissions_of(permission)

    def register(function):
        registry.add_chart(Chart(name, function, permissions, order))
        return function

    return register


def summary_figure(*keys, permission):
    """Register a function that computes some figures of the annual summary, with the view
    permission (or permissions) of the records it counts, as `@report` declares them."""
    permissions = permissions_of(permission)

    def register(function):
        for key in keys:
            registry.add_figure(key, function, permissions)
        return function

    return register


def summary_rows(*rows) -> None:
    """Declare rows of the annual summary: (key, board, indicator, unit, order) each."""
    for key, section, indicator, unit, order in rows:
        registry.add_summary_row(SummaryRow(key, section, indicator, unit, order))


def binder_section(name: str, title, *, category: str, order: int, reports: Iterable[str]) -> None:
    """Declare a ledger of the inspection binder (`manage.py ledger_binder`): it prints the
    tables of `reports` (registered reports, read with their own permissions) under `title`,
    filed under the county's inspection `category` (a key of federation.core.registry.CATEGORIES)."""
    registry.add_binder_section(BinderSection(name, lambda: str(title), category, order, tuple(reports)))


def discover() -> dict[str, Report]:
    """Every app's reports (registered when the apps were ready)."""
    return registry.reports


# --- Writing ---------------------------------------------------------------------------


def file_cell(value):
    """A table's value as a file (CSV, .xlsx, the binder) holds it: numbers as numbers, text
    neutralised (no formula), nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    return neutralize(str(value))


def _rows(table: Table):
    return ([file_cell(value) for value in row] for row in table.rows)


def csv_chunks(table: Table, disclosure: Disclosure | None = None):
    """The CSV's bytes as its rows are read: UTF-8 with a BOM (Excel on a Chinese Windows
    PC reads it right), numbers as numbers, and no text cell that Excel would run."""
    header = [file_cell(value) for value in table.header]
    return streams.csv_chunks(header, _rows(table), "utf-8-sig", translation.get_language(), disclosure)


def csv_bytes(table: Table, disclosure: Disclosure | None = None) -> bytes:
    return b"".join(csv_chunks(table, disclosure))


def xlsx_file(table: Table, title: str = "", heading: str = "", disclosure: Disclosure | None = None):
    """The .xlsx in a temporary file, rewound: a sheet with the report's title row (`heading`)
    merged above the table, the header bold and frozen, the columns as wide as they need;
    marked (and locked) as the disclosure says."""
    headers = [file_cell(value) for value in table.header]
    return streams.xlsx_file(headers, _rows(table), title or "report", heading=heading, disclosure=disclosure)


def xlsx_bytes(table: Table, title: str = "", heading: str = "", disclosure: Disclosure | None = None) -> bytes:
    with xlsx_file(table, title, heading, disclosure) as file:
        return file.read()


def title_row(rs: ReportScope, entry: Report, period: DateRange) -> str:
    """A report's title as its .xlsx shows it above the table: 站儿巷镇2024年年度工作汇总,
    站儿巷镇太坝村2024年第3季度两癌筛查台账."""
    return _("%(place)s%(period)s%(title)s") % {
        "place": place_name(rs),
        "period": period_title(period),
        "title": entry.title(),
    }


def place_name(rs: ReportScope) -> str:
    """What the report counts: the town (站儿巷镇), or the villages it counts when they are not
    the whole town (a clerk's village, the villages chosen)."""
    if rs.town_ids or not rs.village_ids:
        return rs.town_name
    names = [name for _pk, name in rs.village_rows()]
    villages = "、".join(names) if len(names) <= 3 else _("%(count)d villages (communities)") % {"count": len(names)}
    return f"{rs.town_name}{villages}"


def period_title(period: DateRange) -> str:
    """2024年, 2024年第3季度, 2024年3月, or the dates (2024-01-01至2024-06-30)."""
    start, end = period.start, period.end
    whole = start.day == 1 and end.day == monthrange(end.year, end.month)[1] and start.year == end.year
    if whole and (start.month, end.month) == (1, 12):
        return _("year %(year)d") % {"year": start.year}
    if whole and start.month == end.month:
        return _("%(year)d-%(month)02d") % {"year": start.year, "month": start.month}
    if whole and start.month % 3 == 1 and end.month == start.month + 2:
        return _("%(year)d, quarter %(quarter)d") % {"year": start.year, "quarter": (start.month + 2) // 3}
    return period.label


# kind -> (content type, the whole file as bytes)
FORMATS = {
    "csv": ("text/csv; charset=utf-8", csv_bytes),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_bytes),
}


def response(
    entry: Report,
    table: Table,
    kind: str,
    rs: ReportScope | None = None,
    period: DateRange | None = None,
    disclosure: Disclosure | None = None,
):
    """A download of the table, streamed: written as its rows are read. The .xlsx has the
    report's title row (of `rs` and `period`); the CSV has none (its readers take the first
    row for the header)."""
    content_type, _writer = FORMATS[kind]
    if kind == "csv":
        return streams.StreamingExportResponse(csv_chunks(table, disclosure), content_type=content_type)
    heading = title_row(rs, entry, period) if rs is not None and period is not None else ""
    file = xlsx_file(table, entry.title(), heading, disclosure)
    return streams.FileExportResponse(file, content_type=content_type)


def file_name(rs: ReportScope, entry: Report, period: DateRange, extension: str) -> str:
    """站儿巷镇_年度工作汇总_2024.csv"""
    name = (
        f"{rs.town_name}_{entry.title()}_{period.label}.{extension}"
        if rs.town_name
        else f"{entry.title()}_{period.label}.{extension}"
    )
    return re.sub(r'[\\/:*?"<>|]', "_", name)


def attachment(name: str) -> str:
    return content_disposition_header(True, name)


def render(
    entry: Report,
    table: Table,
    kind: str,
    rs: ReportScope | None = None,
    period: DateRange | None = None,
    disclosure: Disclosure | None = None,
):
    """The whole file (bytes), as `response` writes it."""
    _content_type, writer = FORMATS[kind]
    if kind == "csv":
        return writer(table, disclosure)
    heading = title_row(rs, entry, period) if rs is not None and period is not None else ""
    return writer(table, entry.title(), heading, disclosure)


def log(user, entry: Report, filters: dict, kind: str, rows: int, disclosure: Disclosure | None = None) -> None:
    ReportLog.objects.create(
        user=user if user is not None and user.pk else None,
        report=entry.name,
        filters=filters,
        format=kind,
        rows=rows,
        **(disclosure.log_fields() if disclosure is not None else {}),
    )


def period_params(period: DateRange, field: str = "date") -> dict:
    """A list's URL lookups for the records of `field` within the period."""
    return {f"{field}__gte": period.start.isoformat(), f"{field}__lte": period.end.isoformat()}


def changelist(model, **params) -> str:
    # Reversed once in a page: each of a county's 169 bars in a chart links to the same list.
    url = once(
        ("changelist", model), lambda: reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    )
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


def per_row(related: QuerySet, field: str, aggregate=None) -> Coalesce:
    """An aggregate (a count by default) of the related rows whose `field` is the outer row,
    as a subquery: worked out only for the rows a page shows, where an annotation over a
    join would group the whole table first (and two of them would multiply each other)."""
    rows = related.filter(**{field: OuterRef("pk")}).order_by().values(field)
    value = rows.annotate(value=aggregate or Count("pk")).values("value")
    return Coalesce(Subquery(value, output_field=IntegerField()), 0)
