"""The one way an app plugs into the core: federation names no domain app.

Each app fills the registry in its `AppConfig.ready()` (importing its reports.py and
resources.py registers their reports, summary figures and rosters): its reports, the rows of
the annual summary and the functions computing them, the charts of the home page, its rosters and its extensions of
another app's roster, its home-page work lists, what it adds to another app's admin, its part
of the demo town, what `manage.py purge` may remove of its records, and which of its records may
be opened for a few hours by breaking the glass. A name registered
twice is refused at startup, and a system check fails when a summary row has no figure.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import pgettext_lazy

# The county's six inspection categories, in its order: each binder section files under one.
CATEGORIES = {
    "organization": pgettext_lazy("binder", "Organisation building"),
    "guidance": pgettext_lazy("binder", "Ideological guidance"),
    "achievement": pgettext_lazy("binder", "Women's achievements"),
    "rights": pgettext_lazy("binder", "Rights and care"),
    "family": pgettext_lazy("binder", "Family building"),
    "children": pgettext_lazy("binder", "Children's work"),
}


@dataclass(frozen=True)
class SummaryRow:
    """A row of the annual summary (年度工作汇总): its board, indicator and unit as the county
    names them, its place among all rows, and the key of the figure that fills it."""

    key: str
    section: object
    indicator: object
    unit: object
    order: int


@dataclass(frozen=True)
class Chart:
    """A chart of the home page: `function(report_scope, period)` draws it (federation.core.charts)
    from the app's selectors; it shows to those who may read `permissions`, in `order`."""

    name: str
    function: Callable
    permissions: tuple[str, ...]
    order: int


@dataclass(frozen=True)
class BinderSection:
    """A ledger of the inspection binder (台账): its title, the county's inspection category it
    files under (CATEGORIES), its place in the binder, and the reports whose
    tables it prints, in order (a ledger may be two tables: a register and its visits)."""

    name: str
    title: Callable[[], str]
    category: str
    order: int
    reports: tuple[str, ...]


@dataclass(frozen=True)
class HelpSection:
    """A section of the manual (federation.core.help): the template admin/federation/help/<slug>.html
    (in the app that registers it), its place in the contents (`order`), and the permissions
    that make it one of the reader's own (none: everyone's)."""

    slug: str
    title: object
    permissions: tuple[str, ...] = ()
    order: int = 50

    @property
    def template(self) -> str:
        return f"admin/federation/help/{self.slug}.html"

    def is_for(self, user) -> bool:
        return not self.permissions or any(user.has_perm(permission) for permission in self.permissions)


@dataclass(frozen=True)
class Download:
    """A printed file an app logs in the report log that is no report (a household's passbook,
    a village's posting): its title, and the names of the filters its log records, so that the
    log reads in the users' words."""

    name: str
    title: object
    filters: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Glass:
    """Records of `model` a user may open for a few hours by breaking the glass
    (federation.core.glass), though she lacks `permissions`: the glass stands in for them on
    that one record. A file (a domestic-violence case, a child's care file) is asked for itself:
    `applies()` is a Q of its records that may be (none: all), `find` the fields the request page
    finds one by, typed exactly (a case's number, a child's ID number), and `describe(record)`
    names it as her masked list would. A record of a file (a case's sessions) names the file it
    belongs to by `via`, a path ("case", "referral__case"): it opens with the file."""

    model: type
    permissions: tuple[str, ...]
    applies: Callable | None = None
    find: tuple[str, ...] = ()
    describe: Callable = str
    via: str = ""

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def file_label(self) -> str:
        """The model label of the file its records open with (its own, for a file)."""
        model = self.model
        for hop in self.via.split("__") if self.via else ():
            model = model._meta.get_field(hop).related_model
        return model._meta.label_lower

    def file_key(self, record) -> tuple[str, str]:
        """(the file's model label, its id) for a record of this kind."""
        if not self.via:
            return self.label, str(record.pk)
        *hops, last = self.via.split("__")
        for hop in hops:
            record = getattr(record, hop)
        return self.file_label, str(getattr(record, f"{last}_id"))


@dataclass
class AdminExtension:
    """What an app adds to another app's admin (the points ledger on a household's page):
    list actions, inlines, and links atop a record's page, each `link(request, obj)` giving
    (url, label) or None (打印积分存折 on a household's page)."""

    actions: list = field(default_factory=list)
    inlines: list = field(default_factory=list)
    links: list = field(default_factory=list)


class Registry:
    def __init__(self):
        self.reports: dict[str, object] = {}
        self.summary_rows: dict[str, SummaryRow] = {}
        self.figures: dict[str, tuple[Callable, tuple[str, ...]]] = {}
        self.rosters: dict[str, type] = {}
        self.roster_extensions: dict[str, list] = {}
        self.work_lists: dict[str, Callable] = {}
        self.charts: dict[str, Chart] = {}
        self.demos: dict[str, Callable] = {}
        self.admin_extensions: dict[str, AdminExtension] = {}
        self.purges: dict[str, Callable] = {}
        self.period_records: dict[type, object] = {}
        self.binder_sections: dict[str, BinderSection] = {}
        self.help_sections: dict[str, HelpSection] = {}
        self.help_pages: dict[str, str] = {}
        self.downloads: dict[str, Download] = {}
        self.glass: dict[type, Glass] = {}

    @staticmethod
    def _add(table: dict, name: str, value, what: str) -> None:
        if name in table and table[name] is not value:
            raise ImproperlyConfigured(f"Two {what}s are named {name!r}.")
        table[name] = value

    def add_help_section(self, section: HelpSection, pages: tuple[str, ...] = ()) -> None:
        self._add(self.help_sections, section.slug, section, "manual section")
        self.add_help_pages(section.slug, *pages)

    def add_help_pages(self, slug: str, *pages: str) -> None:
        """The pages whose 帮助 link opens the section: an app label, "app_label.model_name" or a
        URL name."""
        for page in pages:
            self._add(self.help_pages, page, slug, "manual page")

    def add_download(self, download: Download) -> None:
        self._add(self.downloads, download.name, download, "download")

    def add_glass(self, glass: Glass) -> None:
        """Records that may be opened by breaking the glass (see Glass)."""
        if glass.model in self.glass:
            raise ImproperlyConfigured(f"The glass of {glass.model._meta.label} is declared twice.")
        self.glass[glass.model] = glass

    def glass_files(self) -> list[Glass]:
        """The kinds of file asked for themselves (not opened with another)."""
        return [glass for glass in self.glass.values() if not glass.via]

    def glass_permissions(self, label: str) -> set[str]:
        """What a glass on a file of kind `label` stands in for: on the file and its records."""
        return {
            permission for glass in self.glass.values() if glass.file_label == label for permission in glass.permissions
        }

    def add_report(self, report) -> None:
        self._add(self.reports, report.name, report, "report")

    def add_summary_row(self, row: SummaryRow) -> None:
        self._add(self.summary_rows, row.key, row, "summary row")

    def add_figure(self, key: str, function: Callable, permissions: tuple[str, ...]) -> None:
        """`function(report_scope, period)` returns {key: (value, url or None)} for its keys."""
        self._add(self.figures, key, (function, permissions), "summary figure")

    def add_roster(self, resource_class: type) -> None:
        self._add(self.rosters, resource_class.import_name, resource_class, "roster")

    def extend_roster(self, name: str, extension) -> None:
        """Add an app's columns and steps to another app's roster (see RosterExtension)."""
        self.roster_extensions.setdefault(name, []).append(extension)

    def add_work_list(self, name: str, function: Callable) -> None:
        """`function(request)` returns the home page's reminders: [(label, count, url)]."""
        self._add(self.work_lists, name, function, "work list")

    def add_purge(self, name: str, select: Callable) -> None:
        """`select(cutoff, people)` returns a queryset of the app's records that `manage.py purge`
        removes: its closed cases older than `cutoff` (a date), and the records that belong to
        one of `people` alone (the people being removed), which go with her. Querysets are
        removed in the order registered, before the people; a record that keeps another
        record (PROTECT) is registered before it."""
        self._add(self.purges, name, select, "purge")

    def add_period_records(self, records) -> None:
        """Records that a village's submitted period holds and an approved one locks: a
        `federation.core.periods.PeriodRecords` naming the model, its date field, the path to its
        village and the fields a later step sets. Their saves, deletions and bulk writes are
        checked from then on (the lock's receivers read this table)."""
        if records.model in self.period_records:
            raise ImproperlyConfigured(f"The records of {records.model._meta.label} are registered twice.")
        self.period_records[records.model] = records
        records.guard()

    def add_binder_section(self, section: BinderSection) -> None:
        self._add(self.binder_sections, section.name, section, "binder section")

    def add_chart(self, chart: Chart) -> None:
        self._add(self.charts, chart.name, chart, "chart")

    def ordered_charts(self) -> list[Chart]:
        return sorted(self.charts.values(), key=lambda chart: chart.order)

    def add_demo(self, name: str, seed: Callable) -> None:
        """`seed(town)` adds the app's part of the demo town; apps seed in INSTALLED_APPS order."""
        self._add(self.demos, name, seed, "demo")

    def extend_admin(self, model_label: str, *, actions=(), inlines=(), links=()) -> None:
        extension = self.admin_extensions.setdefault(model_label.lower(), AdminExtension())
        extension.actions.extend(actions)
        extension.inlines.extend(inlines)
        extension.links.extend(links)

    def admin_extension(self, model) -> AdminExtension:
        return self.admin_extensions.get(model._meta.label_lower, AdminExtension())

    def summary(self) -> list[SummaryRow]:
        return sorted(self.summary_rows.values(), key=lambda row: row.order)


registry = Registry()


def project_apps() -> list:
    """The app configs of this project: every app whose folder is in the checkout (a
    top-level app, or one kept deeper such as the test suite's plugin), not libraries',
    even when their virtualenv lives in the checkout too."""
    base = Path(settings.BASE_DIR).resolve()
    # A virtualenv kept in the checkout (.venv): its libraries are not the project's.
    prefixes = {Path(prefix).resolve() for prefix in (sys.prefix, sys.exec_prefix, sys.base_prefix)}
    environments = {prefix for prefix in prefixes if base in prefix.parents}

    def ours(config) -> bool:
        path = Path(config.path).resolve()
        if base not in path.parents:
            return False
        if {"site-packages", "dist-packages"} & set(path.parts):
            return False
        return not any(environment == path or environment in path.parents for environment in environments)

    return [config for config in apps.get_app_configs() if ours(config)]


@checks.register()
def binder_sections_print_reports(app_configs, **kwargs):
    errors = []
    for section in registry.binder_sections.values():
        if section.category not in CATEGORIES:
            errors.append(
                checks.Error(f"The binder section {section.name!r} files under no category.", id="federation.E002")
            )
        errors += [
            checks.Error(
                f"The binder section {section.name!r} prints an unknown report {name!r}.", id="federation.E003"
            )
            for name in section.reports
            if name not in registry.reports
        ]
    return errors


@checks.register()
def summary_rows_have_figures(app_configs, **kwargs):
    return [
        checks.Error(
            f"The annual summary's row {row.key!r} has no figure.",
            hint="Register the function computing it with summary_figure() in the app's reports.py.",
            id="federation.E001",
        )
        for row in registry.summary()
        if row.key not in registry.figures
    ]


@checks.register()
def period_records_keep_their_village(app_configs, **kwargs):
    """An approved month must hold what it held: a record is counted in its own village, or in
    that of a record which is locked with it (a redemption in its session's), never through a
    person or household who may move away and take it out of the month."""
    errors = []
    for model, records in registry.period_records.items():
        first, _sep, rest = records.village.partition("__")
        if not rest:
            continue
        hop = model._meta.get_field(first).related_model
        if hop not in registry.period_records:
            errors.append(
                checks.Error(
                    f"The period records of {model._meta.label} find their village through {records.village!r}.",
                    hint="Give the record a village of its own, set when it is recorded.",
                    id="federation.E004",
                )
            )
    return errors
