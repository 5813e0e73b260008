"""The audit lists (导入记录, 报表日志, 敏感档案查阅记录) in the clerk's words: rosters, reports,
kinds of record and formats by their Chinese names, filters as "年度：2024", and each record
opened named and linked when the reader may open it herself."""

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from federation.binder import BINDER_LOG_NAME
from federation.registry import registry

ACCESS_ACTIONS = {
    "view": pgettext_lazy("record access", "opened"),
    "history": pgettext_lazy("record access", "history read"),
    "file": pgettext_lazy("record access", "file downloaded"),
}
FORMATS = {"html": pgettext_lazy("format", "web page")}
# What the report page's and the lists' URLs carry, by name.
FILTER_NAMES = {
    "year": _("year"),
    "quarter": _("quarter"),
    "month": _("month"),
    "date_from": _("from"),
    "date_to": _("to"),
    "town": _("town"),
    "villages": _("villages (communities)"),
    "q": pgettext_lazy("filters", "search"),
    "o": pgettext_lazy("filters", "order"),
}


def model_of(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def record_kind(label: str) -> str:
    model = model_of(label)
    return str(model._meta.verbose_name) if model else label


def roster_title(name: str) -> str:
    roster = registry.rosters.get(name)
    return str(roster.import_title) if roster else name


def report_title(name: str) -> str:
    if name.startswith("export:"):
        model = model_of(name.removeprefix("export:"))
        records = model._meta.verbose_name_plural if model else name.removeprefix("export:")
        return gettext("Export of %(records)s") % {"records": records}
    if name == BINDER_LOG_NAME:
        return gettext("Ledger binder")
    entry = registry.reports.get(name)
    return entry.title() if entry else name


def format_label(name: str) -> str:
    return str(FORMATS.get(name, name.upper()))


def filter_label(name: str, model=None) -> str:
    if name in FILTER_NAMES:
        return str(FILTER_NAMES[name])
    if model is not None:
        try:
            return str(model._meta.get_field(name.split("__")[0]).verbose_name)
        except FieldDoesNotExist:  # a filter of the list's own (?list=overdue)
            return name
    return name


def filters_text(log) -> str:
    model = model_of(log.report.removeprefix("export:")) if log.report.startswith("export:") else None
    items = log.filters.items() if isinstance(log.filters, dict) else []
    shown = []
    for name, values in items:
        values = values if isinstance(values, list) else [values]
        values = [str(value) for value in values if str(value) != ""]
        if values and name not in ("report", "format", "e"):
            shown.append(f"{filter_label(name, model)}：{'、'.join(values)}")
    return "；".join(shown) or "—"


def labelled_filter(field: str, title, label):
    """A sidebar filter offering the values present, by their Chinese names."""

    class LabelledFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            values = model_admin.get_queryset(request).order_by().values_list(field, flat=True).distinct()
            return sorted(((value, label(value)) for value in values), key=lambda item: item[1])

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    LabelledFilter.title = title
    return LabelledFilter


def records_opened(request, accesses) -> dict:
    """{(label, id): record} for the records of `accesses` the reader may open herself: one
    query per kind of record on the page."""
    wanted: dict[str, set] = {}
    for access in accesses:
        wanted.setdefault(access.record, set()).add(access.object_id)
    found = {}
    for label, ids in wanted.items():
        # The record's own admin decides, as on its page: scope, permission, confidentiality.
        model_admin = admin.site._registry.get(model_of(label))
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            continue
        records = model_admin.get_queryset(request).filter(pk__in=[i for i in ids if i.isdigit()])
        if any(field.name == "person" for field in records.model._meta.concrete_fields):
            records = records.select_related("person")
        found.update({(label, str(record.pk)): record for record in records})
    return found


def record_link(request, access, found: dict) -> str:
    record = found.get((access.record, access.object_id))
    if record is None:
        return f"{record_kind(access.record)} #{access.object_id}"
    # A health record's name is its number: whose it is tells the reader more.
    person = getattr(record, "person", None)
    name = f"{person.name}（{record}）" if person is not None and person.name not in str(record) else str(record)
    try:
        url = reverse(f"admin:{record._meta.app_label}_{record._meta.model_name}_change", args=[record.pk])
    except NoReverseMatch:
        return name
    return format_html('<a href="{}">{}</a>', url, name)
