"""The audit lists (导入记录, 报表日志, 敏感档案查阅记录, 清理记录, 手机验证器重置记录), registered
here, in the clerk's words: rosters, reports, kinds of record and formats by their Chinese
names, filters as "年度：2024", and each record opened named and linked when the reader may
open it herself."""

from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from federation.core.admin.base import ScopedChangeList, ScopedModelAdmin
from federation.core.binder import BINDER_LOG_NAME
from federation.core.models import ImportRecord, PurgeRecord, RecordAccess, ReportLog, SecondFactorReset
from federation.core.registry import registry

ACCESS_ACTIONS = {
    "view": pgettext_lazy("record access", "opened"),
    "history": pgettext_lazy("record access", "history read"),
    "file": pgettext_lazy("record access", "file downloaded"),
    "step": pgettext_lazy("record access", "next step opened"),
    "delete": pgettext_lazy("record access", "deletion page opened"),
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
    if name in registry.downloads:
        return str(registry.downloads[name].title)
    entry = registry.reports.get(name)
    return entry.title() if entry else name


def format_label(name: str) -> str:
    return str(FORMATS.get(name, name.upper()))


def filter_label(name: str, model=None, download=None) -> str:
    if download is not None and name in download.filters:
        return str(download.filters[name])
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
    download = registry.downloads.get(log.report)
    items = log.filters.items() if isinstance(log.filters, dict) else []
    shown = []
    for name, values in items:
        values = values if isinstance(values, list) else [values]
        values = [str(value) for value in values if str(value) != ""]
        if values and name not in ("report", "format", "e"):
            shown.append(f"{filter_label(name, model, download)}：{'、'.join(values)}")
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


class AuditLogAdmin(ScopedModelAdmin):
    """Read-only lists of what was done: town-wide staff see their town's, everyone their own."""

    list_select_related = ["user"]

    def get_queryset(self, request):
        own = self.model.objects.filter(user=request.user)
        return (super().get_queryset(request) | own).select_related("user")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportRecord)
class ImportRecordAdmin(AuditLogAdmin):
    list_display = ["created_at", "user", "roster", "file_name", "status", "new", "updated", "unchanged", "errors"]
    list_filter = [
        labelled_filter("resource", _("roster"), roster_title),
        "status",
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["file_name", "sha256", "user__username"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "created_at",
        "user",
        "roster",
        "file_name",
        "sha256",
        "status",
        "new",
        "updated",
        "unchanged",
        "errors",
        "error",
    ]

    @admin.display(description=_("roster"), ordering="resource")
    def roster(self, obj):
        return roster_title(obj.resource)


@admin.register(ReportLog)
class ReportLogAdmin(AuditLogAdmin):
    list_display = ["created_at", "user", "report_name", "filters_shown", "format_name", "rows", "purpose", "encrypted"]
    list_filter = [
        labelled_filter("report", _("report"), report_title),
        labelled_filter("format", _("format"), format_label),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["report", "user__username", "purpose"]
    date_hierarchy = "created_at"
    fields = readonly_fields = [
        "created_at",
        "user",
        "report_name",
        "filters_shown",
        "format_name",
        "rows",
        "purpose",
        "encrypted",
    ]

    @admin.display(description=_("report"), ordering="report")
    def report_name(self, obj):
        return report_title(obj.report)

    @admin.display(description=_("filters"))
    def filters_shown(self, obj):
        return filters_text(obj)

    @admin.display(description=_("format"), ordering="format")
    def format_name(self, obj):
        return format_label(obj.format)


class RecordAccessChangeList(ScopedChangeList):
    def get_results(self, request):
        super().get_results(request)
        found = records_opened(request, self.result_list)
        for access in self.result_list:
            access.record_shown = record_link(request, access, found)


@admin.register(RecordAccess)
class RecordAccessAdmin(AuditLogAdmin):
    list_display = ["created_at", "user", "kind", "opened_record", "action_name"]
    list_filter = [
        labelled_filter("record", _("kind of record"), record_kind),
        labelled_filter("action", _("action"), lambda action: str(ACCESS_ACTIONS.get(action, action))),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["user__username", "object_id"]
    date_hierarchy = "created_at"
    fields = readonly_fields = ["created_at", "user", "kind", "opened_record", "action_name"]

    def get_changelist(self, request, **kwargs):
        return RecordAccessChangeList

    @admin.display(description=_("kind of record"), ordering="record")
    def kind(self, obj):
        return record_kind(obj.record)

    @admin.display(description=_("record"))
    def opened_record(self, obj):
        return getattr(obj, "record_shown", None) or f"{record_kind(obj.record)} #{obj.object_id}"

    def get_object(self, request, object_id, from_field=None):
        access = super().get_object(request, object_id, from_field)
        if access is not None:  # its page names the record opened, if she may open it
            access.record_shown = record_link(request, access, records_opened(request, [access]))
        return access

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, obj):
        return ACCESS_ACTIONS.get(obj.action, obj.action)


class SuperuserLogAdmin(AuditLogAdmin):
    """A log for the superusers alone: of what only they do."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(SecondFactorReset)
class SecondFactorResetAdmin(SuperuserLogAdmin):
    """Whose authenticator a superuser reset (a lost phone), and why."""

    list_display = ["created_at", "user", "username", "reason"]
    list_select_related = ["user"]
    search_fields = ["username", "user__username", "reason"]
    date_hierarchy = "created_at"
    fields = readonly_fields = ["created_at", "user", "account", "username", "reason"]


@admin.register(PurgeRecord)
class PurgeRecordAdmin(SuperuserLogAdmin):
    """What `manage.py purge` removed: for the superuser alone, who runs it on the server."""

    list_display = ["created_at", "account", "before", "logs_before", "removed", "kept"]
    date_hierarchy = "created_at"
    fields = readonly_fields = ["created_at", "account", "before", "logs_before", "removed", "kept"]

    @admin.display(description=_("records removed"))
    def removed(self, obj):
        counts = obj.counts if isinstance(obj.counts, dict) else {}
        kinds = {label: model_of(label) for label in counts}
        return "、".join(
            f"{kinds[label]._meta.verbose_name_plural if kinds[label] else label} {count}"
            for label, count in counts.items()
        )
