from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext_lazy
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
from organization import selectors, services
from organization.models import (
    ActivityVenue,
    Committee,
    CommitteeMember,
    Delegate,
    Meeting,
    MeetingAttachment,
    Venue,
    Volunteer,
    VolunteerHours,
    VolunteerTeam,
)
from organization.reports import hours_text
from organization.resources import CommitteeRosterResource
from organization.selectors import in_service_q
from organization.services import (
    committee_delete,
    committee_elect,
    committee_save,
    delegate_delete,
    delegate_save,
    keeps_federation,
    meeting_attachment_delete,
    meeting_attachment_save,
    meeting_delete,
    meeting_save,
    member_delete,
    member_save,
)

# --- Committees, their members, meetings and delegates ---------------------------------------


class FederationFilter(VillageFilter):
    """By federation: a village's, or the town's own (VillageFilter would show the town's
    records under every village, as they are seen there)."""

    title = _("federation")
    parameter_name = "federation"
    prefix = ""

    def lookups(self, request, model_admin):
        return [("town", _("the town's federation")), *super().lookups(request, model_admin)]

    def queryset(self, request, queryset):
        value = str(self.value() or "")  # a facet's count asks with the lookup's own (int) value
        if value == "town":
            return queryset.filter(**{f"{self.prefix}village__isnull": True})
        if value and value.isdigit():
            return queryset.filter(**{f"{self.prefix}village_id": value})
        return queryset


class MemberFederationFilter(FederationFilter):
    prefix = "committee__"


class TeamFederationFilter(FederationFilter):
    prefix = "team__"


class HoursFederationFilter(FederationFilter):
    prefix = "volunteer__team__"


class FederationAdminMixin:
    """The admin of a federation's records (models.FederationRecord): the federation column,
    the town filled in on a new record, and a town's own records read in the villages and
    changed by the town's staff only."""

    def kept(self, request, obj) -> bool:
        return keeps_federation(request.user, obj.town_id, obj.village_id)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self.kept(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not self.kept(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_changeform_initial_data(self, request):
        # A village clerk's town is her village's: she is not asked for it.
        initial = super().get_changeform_initial_data(request)
        towns = scope_for(request.user).visible_town_ids
        if len(towns) == 1:
            initial.setdefault("town", next(iter(towns)))
        return initial

    @admin.display(description=_("federation"), ordering="village__sort_order")
    def federation(self, obj):
        return obj.federation_name


class DueFilter(admin.SimpleListFilter):
    title = _("work list")
    parameter_name = "list"

    def lookups(self, request, model_admin):
        return [("due", _("election due in 60 days or overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            due = selectors.committees_due(scope_for(request.user), timezone.localdate())
            return queryset.filter(pk__in=due.values("pk"))
        return queryset


class KeptParentInlineMixin:
    """The rows of a town's record are read in the villages and changed by the town's staff."""

    def kept(self, request, obj) -> bool:
        return obj is None or keeps_federation(request.user, obj.town_id, obj.village_id)

    def has_add_permission(self, request, obj=None):
        return self.kept(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.kept(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.kept(request, obj) and super().has_delete_permission(request, obj)


class CommitteeMemberInline(KeptParentInlineMixin, ScopedTabularInline):
    model = CommitteeMember
    # The phone is kept on the member's own page, whose form masks it for those who may not see it.
    fields = ["person", "name", "position", "duties", "joined_on", "left_on", "note"]
    autocomplete_fields = ["person"]
    rows_follow_parent = True  # the committee's page is scoped already


class ElectionForm(forms.Form):
    day = forms.DateField(label=_("elected on"), widget=AdminDateWidget)
    term_years = forms.IntegerField(label=_("term (years)"), min_value=1, max_value=10)


def next_election_shown(committee, today) -> str:
    if not committee.next_election_on:
        return "—"
    day = committee.next_election_on.isoformat()
    days = (committee.next_election_on - today).days
    if days < 0:
        return format_html('{} <strong class="errornote">{}</strong>', day, gettext("overdue"))
    left = ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
    if days <= selectors.DUE_WITHIN.days:
        return format_html("{} <strong>{}</strong>", day, left)
    return format_html("{} （{}）", day, left)


def vacancies_text(committee) -> str:
    free = selectors.vacancies(committee)
    labels = dict(CommitteeMember.Position.choices)
    return (
        "、".join(
            gettext("%(position)s short of %(count)d") % {"position": labels[p], "count": n} for p, n in free.items()
        )
        or "—"
    )


@admin.register(Committee)
class CommitteeAdmin(ServiceErrorsAsMessagesMixin, ServiceInlinesMixin, FederationAdminMixin, ScopedModelAdmin):
    list_display = ["federation", "elected_on", "next_election", "term_years", "in_office", "vacancies_shown"]
    list_filter = [DueFilter, FederationFilter]
    list_select_related = ["town", "village"]
    search_fields = ["village__name", "note"]
    search_help_text = _("Search by village.")
    fieldsets = [
        (None, {"fields": ["town", "village", "elected_on", "term_years", "next_election_on"]}),
        (_("Seats"), {"fields": ["chair_seats", "vice_chair_seats", "member_seats", "note"]}),
    ]
    inlines = [CommitteeMemberInline]
    record_service = staticmethod(lambda *, record, by: member_save(member=record, by=by))
    record_delete_service = staticmethod(lambda *, record, by: member_delete(member=record, by=by))

    def get_queryset(self, request):
        return selectors.with_seats_held(super().get_queryset(request))

    @admin.display(description=_("next election due"), ordering="next_election_on")
    def next_election(self, obj):
        return next_election_shown(obj, timezone.localdate())

    @admin.display(description=_("members in office"))
    def in_office(self, obj):
        url = reverse("admin:organization_committeemember_changelist")
        return format_html('<a href="{}?committee__id__exact={}&amp;left=no">{}</a>', url, obj.pk, selectors.held(obj))

    @admin.display(description=_("vacancies"))
    def vacancies_shown(self, obj):
        return vacancies_text(obj)

    def changelist_view(self, request, extra_context=None):
        # The town's view of its villages' committees: those with none are named here.
        if not request.GET.get("list"):
            scope = scope_for(request.user)
            missing = list(selectors.villages_without_committee(scope).order_by("sort_order", "name"))
            villages = len(scope.village_ids) if not scope.everything else None
            if missing:
                message = gettext("%(count)d villages have no executive committee on record: %(names)s.") % {
                    "count": len(missing),
                    "names": "、".join(village.name for village in missing),
                }
                self.message_user(request, message, messages.WARNING)
            elif villages:
                self.message_user(
                    request,
                    gettext("Every village of yours (%(count)d) has its executive committee.") % {"count": villages},
                    messages.INFO,
                )
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        links = []
        if obj is not None and self.has_change_permission(request, obj):
            links.append((reverse("admin:organization_committee_elect", args=[obj.pk]), gettext("Record an election")))
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "step_links": links})

    def get_urls(self):
        return [
            path(
                "<path:object_id>/elect/",
                self.admin_site.admin_view(self.elect_view),
                name="organization_committee_elect",
            ),
            *super().get_urls(),
        ]

    def elect_view(self, request, object_id):
        committee = self.get_object_or_404(request, object_id)
        if not self.has_change_permission(request, committee):
            raise PermissionDenied
        form = ElectionForm(request.POST or None, initial={"term_years": committee.term_years})
        if request.method == "POST" and form.is_valid():
            try:
                committee = committee_elect(
                    committee=committee,
                    day=form.cleaned_data["day"],
                    term_years=form.cleaned_data["term_years"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                self.message_user(
                    request,
                    gettext("The election of %(day)s is recorded; the next is due on %(next)s.")
                    % {"day": committee.elected_on.isoformat(), "next": committee.next_election_on.isoformat()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:organization_committee_change", args=[committee.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": committee,
            "title": gettext("Record an election: %(committee)s") % {"committee": committee},
            "form": form,
        }
        return TemplateResponse(request, "admin/organization/elect.html", context)

    def save_model(self, request, obj, form, change):
        committee_save(committee=obj, by=request.user)

    def delete_service(self, *, record, by):
        committee_delete(committee=record, by=by)


class InOfficeFilter(admin.SimpleListFilter):
    title = _("in office")
    parameter_name = "left"

    def lookups(self, request, model_admin):
        return [("no", _("in office")), ("yes", _("left"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(selectors.holding_seats_q())
        if self.value() == "yes":
            return queryset.exclude(selectors.holding_seats_q())
        return queryset


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    import_resource = CommitteeRosterResource
    list_display = ["shown_name", "federation", "position", "duties", "phone", "joined_on", "left_on"]
    list_filter = [InOfficeFilter, "position", MemberFederationFilter]
    list_select_related = ["person", "committee__town", "committee__village"]
    search_fields = ["person__name", "name", "duties"]
    search_help_text = _("Search by name or duties.")
    autocomplete_fields = ["person"]
    fields = ["committee", "person", "name", "position", "duties", "phone", "joined_on", "left_on", "note"]
    extra_lookups = ("committee__id__exact",)

    @admin.display(description=pgettext_lazy("person", "name"), ordering="person__name")
    def shown_name(self, obj):
        return obj.shown_name

    @admin.display(description=_("federation"), ordering="committee__village__sort_order")
    def federation(self, obj):
        return obj.committee.federation_name

    def has_change_permission(self, request, obj=None):
        if obj is not None and not keeps_federation(request.user, obj.committee.town_id, obj.committee.village_id):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not keeps_federation(request.user, obj.committee.town_id, obj.committee.village_id):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        member_save(member=obj, by=request.user)

    def delete_service(self, *, record, by):
        member_delete(member=record, by=by)


class MeetingAttachmentInline(KeptParentInlineMixin, ScopedTabularInline):
    """The meeting's files (the signed attendance sheet, photos, scanned minutes)."""

    model = MeetingAttachment
    fields = ["title", "file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]


def member_label(federation_named: bool):
    """How a member reads among the checkboxes: a new meeting's offers the members of every
    federation its user keeps, so each is named with hers."""

    def label(member) -> str:
        position = member.get_position_display()
        if federation_named:
            return f"{member.shown_name}（{member.committee.federation_name} {position}）"
        return f"{member.shown_name}（{position}）"

    return label


@admin.register(Meeting)
class MeetingAdmin(ServiceErrorsAsMessagesMixin, ServiceInlinesMixin, FederationAdminMixin, ScopedModelAdmin):
    list_display = ["date", "federation", "kind", "place", "attendance"]
    list_filter = ["kind", FederationFilter]
    list_select_related = ["town", "village"]
    search_fields = ["topics", "decisions", "place"]
    search_help_text = _("Search by topic, decision or place.")
    date_hierarchy = "date"
    fieldsets = [
        (None, {"fields": ["town", "village", "kind", "date", "place", "chaired_by"]}),
        (_("Who came"), {"fields": ["attendees", "absentees", "others_present"]}),
        (_("Topics and decisions"), {"fields": ["topics", "decisions", "minutes"]}),
    ]
    inlines = [MeetingAttachmentInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                present=per_row(Meeting.attendees.through.objects.all(), "meeting"),
                absent=per_row(Meeting.absentees.through.objects.all(), "meeting"),
            )
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The committee's members to tick: of the meeting's federation when it is known, else
        # of the federations the user keeps; the service checks they were in office that day.
        scope = scope_for(request.user)
        # A new meeting's federation is not known yet: the members in office of those she keeps.
        members = selectors.members(scope).filter(left_on__isnull=True)
        if not scope.everything:
            members = members.filter(
                Q(committee__village_id__in=scope.village_ids)
                | Q(committee__village__isnull=True, committee__town_id__in=scope.town_ids)
            )
        members = members.select_related("person", "committee__town", "committee__village")
        if obj is not None and obj.pk:
            federation = Q(committee__town_id=obj.town_id) & (
                Q(committee__village_id=obj.village_id) if obj.village_id else Q(committee__village__isnull=True)
            )
            members = in_scope(CommitteeMember.objects.filter(federation), scope_for(request.user))
            members = members.select_related("person")
        members = members.order_by("committee__village__sort_order", "left_on", "position", "pk")
        for name in ("attendees", "absentees"):
            field = form.base_fields.get(name)
            if field is None:  # read only: the town's meeting on a village clerk's screen
                continue
            # The core's field (it refuses what is no key) with the members as its choices.
            field.queryset = members
            field.label_from_instance = member_label(obj is None or obj.pk is None)
            field.help_text = _("Members of the federation's committee in office on the day.")
        return form

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in ("attendees", "absentees"):
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("attendance"))
    def attendance(self, obj):
        present, absent = getattr(obj, "present", 0), getattr(obj, "absent", 0)
        if not present + absent:
            return "—"
        return f"{present}/{present + absent}"

    def save_model(self, request, obj, form, change):
        meeting_save(
            meeting=obj,
            attendees=form.cleaned_data.get("attendees"),
            absentees=form.cleaned_data.get("absentees"),
            by=request.user,
        )

    def save_related(self, request, form, formsets, change):
        # Who came was saved with the meeting: only its files here.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def record_service(self, *, record, by):
        meeting_attachment_save(attachment=record, by=by)

    def record_delete_service(self, *, record, by):
        meeting_attachment_delete(attachment=record, by=by)

    def delete_service(self, *, record, by):
        meeting_delete(meeting=record, by=by)


class CurrentFilter(admin.SimpleListFilter):
    title = _("term")
    parameter_name = "term"

    def lookups(self, request, model_admin):
        return [("current", _("current")), ("past", _("past"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        current = Q(term_end__isnull=True) | Q(term_end__gte=today)
        if self.value() == "current":
            return queryset.filter(current, term_start__lte=today)
        if self.value() == "past":
            return queryset.exclude(current)
        return queryset


@admin.register(Delegate)
class DelegateAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    list_display = ["person", "village", "body", "level", "term_start", "term_end", "sector"]
    list_filter = [CurrentFilter, "body", "level", VillageFilter]
    list_select_related = ["person__village"]
    search_fields = ["person__name", "sector"]
    search_help_text = _("Search by name or sector.")
    autocomplete_fields = ["person"]
    fields = ["person", "body", "level", "term_start", "term_end", "sector", "note"]

    @admin.display(description=_("village"), ordering="person__village__sort_order")
    def village(self, obj):
        return obj.person.village

    def save_model(self, request, obj, form, change):
        delegate_save(delegate=obj, by=request.user)

    def delete_service(self, *, record, by):
        delegate_delete(delegate=record, by=by)


def committee_reminders(request) -> list[tuple]:
    """The home page's work list: committees whose 换届 is near or past, in the user's scope."""
    if not request.user.has_perm("organization.view_committee"):
        return []
    count = selectors.committees_due(scope_for(request.user), timezone.localdate()).count()
    url = reverse("admin:organization_committee_changelist")
    return [(gettext("Executive committees due for election (within 60 days) or overdue"), count, f"{url}?list=due")]


# --- Venues, volunteer teams, volunteers and their hours (阵地, 巾帼志愿者) ----------------


def _hours_total(hours, field: str):
    """The hours of `hours` per outer row, as a subquery (a join would multiply other counts)."""
    rows = hours.filter(**{field: OuterRef("pk")}).order_by().values(field)
    total = rows.annotate(total=Sum("hours")).values("total")
    return Coalesce(Subquery(total), 0, output_field=DecimalField(max_digits=10, decimal_places=1))


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
class VenueAdmin(FederationAdminMixin, ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    list_display = ["name", "kind", "federation", "opened_on", "area", "contact", "phone", "activities_held"]
    list_filter = ["kind", FederationFilter]
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
class VolunteerTeamAdmin(FederationAdminMixin, ServiceErrorsAsMessagesMixin, ServiceInlinesMixin, ScopedModelAdmin):
    list_display = ["name", "federation", "founded_on", "leader", "members_in_service", "hours_this_year"]
    list_filter = [FederationFilter]
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
        return hours_text(obj.year_hours)

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
    list_filter = [InServiceFilter, TeamFederationFilter, "team"]
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
        return format_html('<a href="{}">{}</a>', url, hours_text(obj.hours_total))

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
    list_filter = [HoursFederationFilter, "volunteer__team"]
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
