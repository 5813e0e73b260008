from datetime import date

from django.contrib import admin
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from federation.core.admin.base import (
    ScopedModelAdmin,
    ScopedTabularInline,
    ServiceErrorsAsMessagesMixin,
    ServiceInlinesMixin,
    VillageFilter,
)
from federation.core.reporting import per_row
from federation.core.scoping import in_scope, scope_for
from federation.models import Activity
from organization import services
from organization.models import ActivityVenue, Venue, Volunteer, VolunteerHours, VolunteerTeam
from organization.selectors import in_service_q

# --- Venues, volunteer teams, volunteers and their hours (阵地, 巾帼志愿者) ----------------


def _hours_total(hours, field: str):
    """The hours of `hours` per outer row, as a subquery (a join would multiply other counts)."""
    rows = hours.filter(**{field: OuterRef("pk")}).order_by().values(field)
    total = rows.annotate(total=Sum("hours")).values("total")
    return Coalesce(Subquery(total), 0, output_field=DecimalField(max_digits=10, decimal_places=1))


def hours_shown(value) -> str:
    return f"{value:g}" if value else "0"


class FederationFieldsMixin:
    """The federation a record is of: the town's (no village) or a village's."""

    @admin.display(description=_("federation"), ordering="village__sort_order")
    def federation(self, obj):
        return obj.federation_name


def village_filter(path: str):
    """The village filter on where the records count (VillageFilter's own would take the
    town's records for each village's as well, as the village's users see them)."""

    class Filter(VillageFilter):
        def queryset(self, request, queryset):
            return queryset.filter(**{path: self.value()}) if self.value() else queryset

    return Filter


class HeldInline(ScopedTabularInline):
    """The venue's page lists the activities held there, as recorded on their pages."""

    model = ActivityVenue
    fields = ["activity_date", "activity_title", "activity_kind", "activity_participants"]
    readonly_fields = fields
    can_delete = False
    max_num = 0
    verbose_name_plural = _("activities held here")

    def get_queryset(self, request):
        # Only the activities the user sees: a town's venue holds every village's.
        seen = in_scope(Activity.objects.all(), scope_for(request.user)).values("pk")
        return (
            super()
            .get_queryset(request)
            .filter(activity__in=seen)
            .select_related("activity")
            .order_by("-activity__date")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("date"))
    def activity_date(self, obj):
        return obj.activity.date

    @admin.display(description=_("title"))
    def activity_title(self, obj):
        url = reverse("admin:federation_activity_change", args=[obj.activity_id])
        return format_html('<a href="{}">{}</a>', url, obj.activity.title)

    @admin.display(description=_("kind"))
    def activity_kind(self, obj):
        return obj.activity.get_kind_display()

    @admin.display(description=_("participants"))
    def activity_participants(self, obj):
        return obj.activity.participants


@admin.register(Venue)
class VenueAdmin(FederationFieldsMixin, ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    list_display = ["name", "kind", "federation", "opened_on", "area", "contact", "phone", "activities_held"]
    list_filter = ["kind", village_filter("village")]
    list_select_related = ["town", "village"]
    search_fields = ["name", "address", "contact"]
    search_help_text = _("Search by name, address or contact person.")
    date_hierarchy = "opened_on"
    fieldsets = [
        (None, {"fields": ["town", "village", "kind", "name", "address"]}),
        (_("Since when, how large, what it holds"), {"fields": ["opened_on", "closed_on", "area", "facilities"]}),
        (_("Contact"), {"fields": ["contact", "phone", "note"]}),
    ]
    inlines = [HeldInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(held_count=per_row(ActivityVenue.objects.all(), "venue"))

    @admin.display(description=_("activities held"), ordering="held_count")
    def activities_held(self, obj):
        if not obj.held_count:
            return 0
        url = reverse("admin:organization_venue_change", args=[obj.pk]) + "#held-group"
        return format_html('<a href="{}">{}</a>', url, obj.held_count)

    def save_model(self, request, obj, form, change):
        services.venue_save(venue=obj, by=request.user)

    def delete_service(self, *, record, by):
        services.venue_delete(venue=record, by=by)


class VolunteerInline(ScopedTabularInline):
    model = Volunteer
    fields = ["person", "joined_on", "left_on", "skills"]
    autocomplete_fields = ["person"]


def save_volunteer(*, record, by):
    return services.volunteer_save(volunteer=record, by=by)


def delete_volunteer(*, record, by):
    services.volunteer_delete(volunteer=record, by=by)


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(FederationFieldsMixin, ServiceErrorsAsMessagesMixin, ServiceInlinesMixin, ScopedModelAdmin):
    list_display = ["name", "federation", "founded_on", "leader", "members_in_service", "hours_this_year"]
    list_filter = [village_filter("village")]
    list_select_related = ["town", "village"]
    search_fields = ["name", "leader", "services"]
    search_help_text = _("Search by name, leader or services.")
    fields = ["town", "village", "name", "founded_on", "leader", "services", "note"]
    inlines = [VolunteerInline]
    record_service = staticmethod(save_volunteer)
    record_delete_service = staticmethod(delete_volunteer)

    def get_queryset(self, request):
        today = timezone.localdate()
        serving = Volunteer.objects.filter(in_service_q(today))
        this_year = VolunteerHours.objects.filter(date__range=(date(today.year, 1, 1), today))
        return (
            super()
            .get_queryset(request)
            .annotate(serving=per_row(serving, "team"), year_hours=_hours_total(this_year, "volunteer__team"))
        )

    @admin.display(description=_("volunteers in service"), ordering="serving")
    def members_in_service(self, obj):
        return obj.serving

    @admin.display(description=_("hours this year"), ordering="year_hours")
    def hours_this_year(self, obj):
        return hours_shown(obj.year_hours)

    def save_model(self, request, obj, form, change):
        services.team_save(team=obj, by=request.user)

    def delete_service(self, *, record, by):
        services.team_delete(team=record, by=by)


class InServiceFilter(admin.SimpleListFilter):
    title = _("in service")
    parameter_name = "service"

    def lookups(self, request, model_admin):
        return [("in", _("in service")), ("left", _("left the team"))]

    def queryset(self, request, queryset):
        serving = in_service_q(timezone.localdate())
        if self.value() == "in":
            return queryset.filter(serving)
        if self.value() == "left":
            return queryset.exclude(serving)
        return queryset


@admin.register(Volunteer)
class VolunteerAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    list_display = ["person", "team", "village", "joined_on", "left_on", "total_hours"]
    list_filter = [InServiceFilter, village_filter("person__village"), "team"]
    list_select_related = ["person__village", "team"]
    search_fields = ["person__name"]
    search_help_text = _("Search by name.")
    autocomplete_fields = ["person", "team"]
    fields = ["team", "person", "joined_on", "left_on", "skills"]
    # The link from a team's row and from a volunteer's hours.
    extra_lookups = ("team__id__exact",)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(hours_total=_hours_total(VolunteerHours.objects.all(), "volunteer"))
        )

    @admin.display(description=_("village"), ordering="person__village__sort_order")
    def village(self, obj):
        return obj.person.village

    @admin.display(description=_("total hours"), ordering="hours_total")
    def total_hours(self, obj):
        if not obj.hours_total:
            return "0"
        url = reverse("admin:organization_volunteerhours_changelist") + f"?volunteer__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, hours_shown(obj.hours_total))

    def save_model(self, request, obj, form, change):
        services.volunteer_save(volunteer=obj, by=request.user)

    def delete_service(self, *, record, by):
        services.volunteer_delete(volunteer=record, by=by)


def save_hours(*, record, by):
    return services.volunteer_hours_save(hours=record, by=by)


def delete_hours(*, record, by):
    services.volunteer_hours_delete(hours=record, by=by)


@admin.register(VolunteerHours)
class VolunteerHoursAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    list_display = ["date", "activity", "volunteer", "team", "hours", "note"]
    list_filter = [village_filter("village"), "volunteer__team"]
    list_select_related = ["activity", "volunteer__person", "volunteer__team"]
    search_fields = ["volunteer__person__name", "activity__title"]
    search_help_text = _("Search by the volunteer's name or the activity's title.")
    autocomplete_fields = ["activity", "volunteer"]
    date_hierarchy = "date"
    fields = ["activity", "volunteer", "hours", "note"]
    extra_lookups = ("volunteer__id__exact",)
    delete_service = staticmethod(delete_hours)

    @admin.display(description=_("volunteer team"), ordering="volunteer__team__name")
    def team(self, obj):
        return obj.volunteer.team

    def save_model(self, request, obj, form, change):
        save_hours(record=obj, by=request.user)


# The activity's page (federation's admin, extended in apps.py): where it was held and the
# hours the volunteers served there, written through the services above.


def _narrowed(formset, name: str, queryset) -> None:
    field = formset.form.base_fields.get(name)
    if field is not None:
        field.queryset = queryset


class NamedFormSet(BaseInlineFormSet):
    """Rows whose link to the activity has no reverse name ("+") get a prefix of their model's."""

    @classmethod
    def get_default_prefix(cls):
        return cls.model._meta.model_name


class ActivityVenueInline(ScopedTabularInline):
    model = ActivityVenue
    formset = NamedFormSet
    fields = ["venue"]
    max_num = 1

    @staticmethod
    def record_service(*, record, by):
        return services.activity_venue_set(activity=record.activity, venue=record.venue, by=by)

    @staticmethod
    def record_delete_service(*, record, by):
        services.activity_venue_set(activity=record.activity, venue=None, by=by)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:  # the venues of the activity's town
            field = formset.form.base_fields.get("venue")
            if field is not None:
                _narrowed(formset, "venue", field.queryset.filter(town_id=obj.town_id))
        return formset


class VolunteerHoursInline(ScopedTabularInline):
    model = VolunteerHours
    formset = NamedFormSet
    fields = ["volunteer", "hours", "note"]
    record_service = staticmethod(save_hours)
    record_delete_service = staticmethod(delete_hours)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("volunteer__person", "volunteer__team")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("volunteer")
        if field is not None:
            volunteers = field.queryset.select_related("person", "team")
            if obj is not None:  # the town's teams, and those on them on the activity's day
                volunteers = volunteers.filter(in_service_q(obj.date), team__town_id=obj.town_id)
            _narrowed(formset, "volunteer", volunteers)
            field.label_from_instance = lambda volunteer: f"{volunteer.person.name}（{volunteer.team.name}）"
        return formset


# --- end of venues and volunteers --------------------------------------------------------
