from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_field, label_for_field, lookup_field
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from aid import selectors
from aid.models import (
    MASK,
    CareTarget,
    CareVisit,
    CharityAid,
    CharityAidAttachment,
    CharityDrive,
    DisputeCase,
    MediationSession,
    Pairing,
    ProtectionMeasure,
    Referral,
    ReferralFollowUp,
)
from aid.resources import (
    CareTargetsResource,
    DisputeCasesResource,
    MediationSessionsResource,
    ProtectionMeasuresResource,
    ReferralsResource,
)
from aid.services import (
    aid_record_delete,
    aid_record_save,
    care_visit_visitor,
    charity_aid_attachment_delete,
    charity_aid_attachment_save,
    charity_aid_save,
    charity_drive_save,
    dispute_parties_check,
    dispute_resolve,
    dispute_save,
    dispute_start_mediation,
    dispute_terminate,
    dispute_transfer,
    mediation_session_delete,
    mediation_session_save,
    pairing_end,
    pairing_save,
    protection_measure_delete,
    protection_measure_save,
    referral_accept,
    referral_close,
    referral_decline,
    referral_delete,
    referral_follow_up,
    referral_record,
    referral_update,
)
from federation.core.admin.base import (
    AccessLoggedAdminMixin,
    ScopedChangeList,
    ScopedModelAdmin,
    ScopedTabularInline,
    ServiceErrorsAsMessagesMixin,
    ServiceInlinesMixin,
    VillageFilter,
    add_service_error,
)
from federation.core.glass import file_glass, glass_grants, glass_open
from federation.core.reporting import money
from federation.core.scoping import in_scope, scope_for


def may(request, obj, permission: str) -> bool:
    """Whether the user holds `permission`, or her open glass access to `obj`'s file stands in
    for it (federation.core.glass): what the file's own page shows her."""
    return request.user.has_perm(permission) or glass_grants(request, obj, permission)


def case_label(case) -> str:
    """A case as the masked list shows it: number, village, kind, status."""
    return " · ".join([case.number, str(case.village), case.get_kind_display(), case.get_status_display()])


def care_target_label(target) -> str:
    return f"{target} · {target.person.village}"


def day_or_dash(day) -> str:
    return day.isoformat() if day else "—"


def record_table(model, names: list[str], rows) -> str:
    """Records listed on another record's page: a header naming `names` (fields of `model`) and
    a row for each (url, value of each name), the first value linking to the record's page."""
    header = format_html_join("", "<th>{}</th>", ((capfirst(label_for_field(name, model)),) for name in names))
    cells = "<td>{}</td>" * (len(names) - 1)
    body = format_html_join("", '<tr><td><a href="{}">{}</a></td>' + cells + "</tr>", rows)
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", header, body) if body else ""


class WithoutMotherFilter(admin.SimpleListFilter):
    title = _("work list")
    parameter_name = "list"

    def lookups(self, request, model_admin):
        return [("no_mother", _("children without a caring mother")), ("open", _("on the register today"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "no_mother":
            return selectors.children_without_mother(queryset, today)
        if self.value() == "open":
            return queryset.filter(selectors.active_on(today))
        return queryset


@admin.register(CareTarget)
class CareTargetAdmin(AccessLoggedAdminMixin, ScopedModelAdmin):
    import_resource = CareTargetsResource
    list_display = ["person", "village", "category", "since", "until", "guardian_name", "guardian_phone"]
    list_filter = [WithoutMotherFilter, "category", VillageFilter]
    list_select_related = ["person__village"]
    search_fields = ["person__name", "person__id_number", "guardian_name"]
    autocomplete_fields = ["person"]
    fieldsets = [
        (None, {"fields": ["person", "category", "since", "until"]}),
        (_("Guardian"), {"fields": ["guardian_name", "guardian_phone", "parents_work_place"]}),
        (_("Situation"), {"fields": ["situation"]}),
    ]
    delete_service = staticmethod(aid_record_delete)
    history_related = ("person",)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and may(request, obj, "aid.view_carevisit"):
            name = "visits_to_add" if request.user.has_perm("aid.add_carevisit") else "visits_list"
            fieldsets = [*fieldsets, (_("Care visits"), {"fields": [name]})]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "visits_list", "visits_to_add"]

    @admin.display(description=_("care visits"))
    def visits_list(self, obj, *, may_add=False):
        """The person's visits on this entry, newest first, each linking to its page (and the
        button that records one: 记录走访, the form opening with her chosen)."""
        if obj is None or obj.pk is None:
            return "—"
        visits = obj.visits.select_related("pairing__mother").order_by("-date", "-pk")
        table = record_table(
            CareVisit,
            ["date", "kind", "visitor", "content", "gifts"],
            (
                (
                    reverse("admin:aid_carevisit_change", args=[visit.pk]),
                    visit.date.isoformat(),
                    visit.get_kind_display(),
                    visit.visited_by,
                    visit.content,
                    visit.gifts,
                )
                for visit in visits
            ),
        )
        button = ""
        if may_add:
            url = f"{reverse('admin:aid_carevisit_add')}?{urlencode({'target': obj.pk})}"
            button = format_html('<p><a class="button" href="{}">{}</a></p>', url, gettext("Record a visit"))
        return format_html("{}{}", table or gettext("No visit recorded yet."), button)

    @admin.display(description=_("care visits"))
    def visits_to_add(self, obj):
        return self.visits_list(obj, may_add=True)

    @admin.display(description=_("village"), ordering="person__village__sort_order")
    def village(self, obj):
        return obj.person.village

    def save_model(self, request, obj, form, change):
        aid_record_save(record=obj, by=request.user)


class CareVisitInline(ScopedTabularInline):
    """The caring mother's visits, on her pairing's page (each is to the child's register entry)."""

    model = CareVisit
    fk_name = "pairing"
    fields = ["date", "kind", "content", "gifts"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target__person")


class PairingStateFilter(admin.SimpleListFilter):
    title = _("work list")
    parameter_name = "list"

    def lookups(self, request, model_admin):
        return [
            ("active", pgettext_lazy("pairing", "active")),
            ("overdue", _("no visit in the last 30 days")),
            ("ended", _("ended")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(end__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(selectors.overdue_q(timezone.localdate()))
        if self.value() == "ended":
            return queryset.filter(end__isnull=False)
        return queryset


@admin.register(Pairing)
class PairingAdmin(ServiceInlinesMixin, AccessLoggedAdminMixin, ScopedModelAdmin):
    list_display = ["mother", "child", "village", "start", "end", "last_visit"]
    list_filter = [PairingStateFilter, VillageFilter]
    list_select_related = ["mother", "child__village"]
    search_fields = ["mother__name", "child__name"]
    search_help_text = _("Search by the caring mother's or the child's name: a mother's pairings list her children.")
    autocomplete_fields = ["mother", "child"]
    fields = ["mother", "child", "start", "end", "notes"]
    inlines = [CareVisitInline]
    record_service = staticmethod(aid_record_save)
    record_delete_service = staticmethod(aid_record_delete)
    delete_service = staticmethod(aid_record_delete)
    actions = ["end_pairings"]
    history_related = ("mother", "child")

    def get_queryset(self, request):
        return selectors.with_last_visit(super().get_queryset(request))

    @admin.display(description=_("village"), ordering="child__village__sort_order")
    def village(self, obj):
        return obj.child.village

    @admin.display(description=_("last visit"), ordering="last_visit")
    def last_visit(self, obj):
        return obj.last_visit or "—"

    def save_model(self, request, obj, form, change):
        pairing_save(pairing=obj, by=request.user)

    @admin.action(permissions=["change"], description=_("End the selected pairings today"))
    def end_pairings(self, request, queryset):
        today = timezone.localdate()
        for pairing in queryset.filter(end__isnull=True):
            try:
                pairing_end(pairing=pairing, day=today, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{pairing}: {' '.join(error.messages)}", messages.ERROR)


class VisitedByFilter(admin.SimpleListFilter):
    title = _("visited by")
    parameter_name = "by"

    def lookups(self, request, model_admin):
        return [("mother", _("caring mothers")), ("others", _("staff and other visitors"))]

    def queryset(self, request, queryset):
        if self.value() == "mother":
            return queryset.filter(pairing__isnull=False)
        if self.value() == "others":
            return queryset.filter(pairing__isnull=True)
        return queryset


class CareVisitForm(forms.ModelForm):
    class Meta:
        model = CareVisit
        fields = ["target", "pairing", "visitor", "date", "kind", "content", "gifts"]

    user = None  # the user recording it (CareVisitAdmin.get_form)

    def clean(self):
        cleaned_data = super().clean()
        # Who visited, as the service will keep it: the database refuses a visit naming nobody.
        cleaned_data["visitor"] = care_visit_visitor(
            pairing=cleaned_data.get("pairing"), visitor=cleaned_data.get("visitor") or "", by=self.user
        )
        return cleaned_data


@admin.register(CareVisit)
class CareVisitAdmin(ServiceErrorsAsMessagesMixin, AccessLoggedAdminMixin, ScopedModelAdmin):
    """Care visits to anyone on the register: a caring mother's (of a pairing) or one by staff
    or another visitor. A register entry's page opens this form with the person chosen."""

    form = CareVisitForm
    list_display = ["date", "kind", "target", "visited_by_shown", "village", "gifts"]
    list_filter = [VisitedByFilter, "kind", VillageFilter]
    list_select_related = ["target__person", "pairing__mother", "pairing__child", "village"]
    search_fields = ["target__person__name", "pairing__mother__name", "visitor"]
    search_help_text = _("Search by the name of the person visited, the caring mother or the visitor.")
    autocomplete_fields = ["target", "pairing"]
    date_hierarchy = "date"
    fields = ["target", "pairing", "visitor", "date", "kind", "content", "gifts"]
    delete_service = staticmethod(aid_record_delete)
    history_related = ("target__person",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    @admin.display(description=_("visited by"))
    def visited_by_shown(self, obj):
        return obj.visited_by

    def save_model(self, request, obj, form, change):
        aid_record_save(record=obj, by=request.user)


class DisputeForm(forms.ModelForm):
    class Meta:
        model = DisputeCase
        fields = ["village", "kind", "source", "found_on", "parties", "summary", "members", "mediators", "police"]

    def clean_parties(self):
        parties = self.cleaned_data["parties"]
        try:
            dispute_parties_check(parties)
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["parties"]) from None
        return parties


class DisputeStepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), widget=forms.RadioSelect)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    transferred_to = forms.CharField(label=_("Transferred to"), required=False, max_length=100)
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        steps = [
            ("resolve", _("resolved")),
            ("transfer", _("transferred")),
            ("terminate", _("terminated")),
        ]
        if case.status == DisputeCase.Status.REGISTERED:
            steps.insert(0, ("mediate", _("mediation started")))
        self.fields["step"].choices = steps
        self.initial.setdefault("day", timezone.localdate())


class OpenCaseFilter(admin.SimpleListFilter):
    title = _("open or closed")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("open")), ("no", _("closed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(selectors.open_q())
        if self.value() == "no":
            return queryset.exclude(selectors.open_q())
        return queryset


class ConfidentialChangeList(ScopedChangeList):
    """The list (and export) of a user who may not see the confidential records."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Its drill-down links are drawn from the dates of every record listed; the date
        # lookups still work, under the rule below.
        self.date_hierarchy = None

    @property
    def mobile_hidden(self) -> list[str]:
        # A phone keeps a confidential row's way in (申请临时查阅) beside its number.
        return [name for name in super().mobile_hidden if name != "glass"]

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        # exclude_parameters: the filter whose facet counts are being computed. Any lookup but
        # those telling no more than CONFIDENTIAL_VISIBLE leaves the confidential records out:
        # they cannot be said to match.
        lookups = [*self.get_filters_params(), *(exclude_parameters or ())]
        safe = self.model_admin.confidential_safe_lookups()
        if any(lookup.split("__")[0] not in safe for lookup in lookups):
            queryset = queryset.exclude(self.model.confidential_q())
        return queryset


class ConfidentialAdminMixin:
    """The admin of a model with confidential records (aid.models.Confidential): to a user
    without their permission, a confidential record opens nowhere (its pages answer 404, as
    if it were not there: its history too), and its list and export show CONFIDENTIAL_VISIBLE
    of it, mask the rest, and neither sort nor filter it by the rest."""

    # List filters (their parameters) that tell no more of a record than CONFIDENTIAL_VISIBLE.
    confidential_filters: tuple[str, ...] = ()
    # The columns her list sorts by (None: every visible one), and its order: neither may
    # place a confidential record by what is hidden (a date, a relation's own order).
    confidential_sortable: tuple[str, ...] | None = None
    confidential_ordering: tuple[str, ...] = ("-pk",)

    def sees_violence(self, request, obj=None) -> bool:
        """Whether the user sees the confidential records: all of them by her permission, or
        `obj` alone by her open glass access to its file."""
        if self.model.sees_confidential(request.user):
            return True
        return obj is not None and glass_open(request, obj) is not None

    def confidential_safe_lookups(self) -> tuple[str, ...]:
        return (*self.model.CONFIDENTIAL_VISIBLE, *self.confidential_filters)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and obj.confidential and not self.sees_violence(request, obj):
            return None
        return obj

    def get_list_display(self, request):
        names = super().get_list_display(request)
        if self.sees_violence(request):
            return names
        visible = self.model.CONFIDENTIAL_VISIBLE
        columns = [name if name in visible else self.confidential_column(name) for name in names]
        glass = file_glass(self.model)
        if glass is not None and glass.find:  # a confidential file may be asked for by its number
            columns.append(self.glass_column(request, glass.find[0]))
        return columns

    def glass_column(self, request, number: str):
        """A confidential row's way in: 申请临时查阅 (the request page, its number typed), or its
        page while her glass access to it is open."""

        def column(obj):
            if not obj.confidential:
                return ""
            access = glass_open(request, obj)
            if access is not None:
                opts = self.model._meta
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                return format_html('<a href="{}">{}</a>', url, gettext("Open (by request)"))
            value = obj
            for part in number.split("__"):
                value = getattr(value, part)
            url = f"{reverse('admin:federation_glassaccess_add')}?{urlencode({'number': value})}"
            return format_html('<a href="{}">{}</a>', url, gettext("Ask to open"))

        column.short_description = _("open by request")
        column.__name__ = "glass"
        return column

    def confidential_column(self, name):
        """The list column `name`, masked for a confidential record. It has no sort order."""
        empty = self.get_empty_value_display()

        def column(obj):
            if obj.confidential:
                return MASK
            field, _attr, value = lookup_field(name, obj, self)
            return value if field is None else display_for_field(value, field, empty)

        column.short_description = label_for_field(name, self.model, self)
        column.__name__ = name if isinstance(name, str) else name.__name__
        return column

    def get_sortable_by(self, request):
        if self.sees_violence(request):
            return super().get_sortable_by(request)
        return self.model.CONFIDENTIAL_VISIBLE if self.confidential_sortable is None else self.confidential_sortable

    def get_ordering(self, request):
        if self.sees_violence(request):
            return super().get_ordering(request)
        return list(self.confidential_ordering)

    def get_changelist(self, request, **kwargs):
        if self.sees_violence(request):
            return super().get_changelist(request, **kwargs)
        return ConfidentialChangeList

    def get_search_results(self, request, queryset, search_term):
        # No picker lists these records; the site's autocomplete, asked for one through any
        # relation, finds none.
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class BackToCaseMixin:
    """A record recorded from its case's page goes back to it once saved, unless the user
    asked to go on here."""

    def _back_to_case(self, request, obj, response):
        if any(key in request.POST for key in ("_continue", "_addanother", "_saveasnew")):
            return response
        return HttpResponseRedirect(reverse("admin:aid_disputecase_change", args=[obj.case_id]))

    def response_add(self, request, obj, post_url_continue=None):
        return self._back_to_case(request, obj, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return self._back_to_case(request, obj, super().response_change(request, obj))


@admin.register(DisputeCase)
class DisputeCaseAdmin(ConfidentialAdminMixin, AccessLoggedAdminMixin, ScopedModelAdmin):
    """Dispute files. A domestic-violence case is opened only with its own permission;
    without it, the lists and the export show only DisputeCase.CONFIDENTIAL_VISIBLE of it
    and mask the rest, and do not sort or filter it by the rest."""

    form = DisputeForm
    resource_classes = [DisputeCasesResource]
    list_display = [
        "number",
        "village",
        "kind",
        "source",
        "found_on",
        "parties_shown",
        "status",
        "sessions",
        "age",
        "closed_on",
    ]
    list_filter = [OpenCaseFilter, "status", "kind", "source", "village"]
    list_select_related = ["village"]
    search_fields = ["number"]
    date_hierarchy = "found_on"
    autocomplete_fields = ["parties"]
    readonly_fields = [
        "number",
        "status",
        "next_step",
        "mediation_started_on",
        "closed_on",
        "transferred_to",
        "outcome",
    ]
    fieldsets = [
        (None, {"fields": ["number", "village", "kind", "source", "found_on"]}),
        (_("The dispute"), {"fields": ["parties", "summary"]}),
        (_("Handled by"), {"fields": ["members", "mediators", "police"]}),
        (
            _("Steps"),
            {"fields": ["status", "next_step", "mediation_started_on", "closed_on", "transferred_to", "outcome"]},
        ),
    ]

    delete_service = staticmethod(aid_record_delete)
    # Open or closed follows from the status. Her list goes by number, the order the cases
    # were registered in: the model's (by the day found) would tell where a case's day falls.
    confidential_filters = ("open",)
    confidential_ordering = ("-number",)

    def get_queryset(self, request):
        # The sessions counted in a subquery per case, not a join (a join would repeat the
        # case for each session and each party).
        sessions = MediationSession.objects.filter(case=OuterRef("pk")).order_by().values("case")
        count = Subquery(sessions.annotate(n=Count("pk")).values("n"), output_field=IntegerField())
        return (
            super().get_queryset(request).prefetch_related("parties").annotate(session_count=Coalesce(count, Value(0)))
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        user = request.user
        # Opened by a glass access: she reads its records, and records no new one on it (their
        # forms offer only the cases she may see).
        adds = not obj.confidential or DisputeCase.sees_confidential(user)
        if may(request, obj, "aid.view_mediationsession"):
            name = "sessions_to_add" if adds and user.has_perm("aid.add_mediationsession") else "sessions_list"
            fieldsets = [*fieldsets, (_("Mediation sessions"), {"fields": [name]})]
        if may(request, obj, "aid.view_referral"):
            name = "referrals_to_add" if adds and user.has_perm("aid.add_referral") else "referrals_list"
            fieldsets = [*fieldsets, (_("Referrals"), {"fields": [name]})]
        if obj.confidential and may(request, obj, "aid.view_protectionmeasure"):
            name = "measures_to_add" if adds and user.has_perm("aid.add_protectionmeasure") else "measures_list"
            fieldsets = [*fieldsets, (_("Warning letters and protection orders"), {"fields": [name]})]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        extra = ["sessions_list", "sessions_to_add", "referrals_list", "referrals_to_add"]
        return [*super().get_readonly_fields(request, obj), *extra, "measures_list", "measures_to_add"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.closed:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("parties"))
    def parties_shown(self, obj):
        return "、".join(person.name for person in obj.parties.all())

    @admin.display(description=_("mediation sessions"), ordering="session_count")
    def sessions(self, obj):
        return obj.session_count

    @admin.display(description=_("days open"))
    def age(self, obj):
        end = obj.closed_on or timezone.localdate()
        return (end - obj.found_on).days

    @admin.display(description=_("mediation sessions"))
    def sessions_list(self, obj, *, may_add=False):
        """The case's sessions, each linking to its page (and the button that records one)."""
        if obj is None or obj.pk is None:
            return "—"
        table = record_table(
            MediationSession,
            ["date", "place", "mediators", "present", "content", "result"],
            (
                (
                    reverse("admin:aid_mediationsession_change", args=[session.pk]),
                    session.date.isoformat(),
                    session.place,
                    session.mediators,
                    session.present,
                    session.content,
                    session.get_result_display(),
                )
                for session in obj.sessions.all()
            ),
        )
        button = ""
        if may_add and not obj.closed:
            url = f"{reverse('admin:aid_mediationsession_add')}?{urlencode({'case': obj.pk})}"
            button = format_html(
                '<p><a class="button" href="{}">{}</a></p>', url, gettext("Record a mediation session")
            )
        return format_html("{}{}", table or gettext("No session recorded yet."), button)

    @admin.display(description=_("mediation sessions"))
    def sessions_to_add(self, obj):
        return self.sessions_list(obj, may_add=True)

    @admin.display(description=_("referrals"))
    def referrals_list(self, obj, *, may_add=False):
        """The case's referrals, each linking to its page (and the button that records one)."""
        if obj is None or obj.pk is None:
            return "—"
        table = record_table(
            Referral,
            ["referred_on", "agency", "agency_name", "request", "status", "result", "follow_up_on"],
            (
                (
                    reverse("admin:aid_referral_change", args=[referral.pk]),
                    referral.referred_on.isoformat(),
                    referral.get_agency_display(),
                    referral.agency_name,
                    referral.request,
                    referral.get_status_display(),
                    referral.result,
                    day_or_dash(referral.follow_up_on),
                )
                for referral in obj.referrals.order_by("referred_on", "pk")
            ),
        )
        button = ""
        if may_add and not obj.closed:
            url = f"{reverse('admin:aid_referral_add')}?{urlencode({'case': obj.pk})}"
            button = format_html('<p><a class="button" href="{}">{}</a></p>', url, gettext("Record a referral"))
        return format_html("{}{}", table or gettext("No referral recorded yet."), button)

    @admin.display(description=_("referrals"))
    def referrals_to_add(self, obj):
        return self.referrals_list(obj, may_add=True)

    @admin.display(description=_("warning letters and protection orders"))
    def measures_list(self, obj, *, may_add=False):
        """The case's warning letters and protection orders (and the button that records one)."""
        if obj is None or obj.pk is None:
            return "—"
        table = record_table(
            ProtectionMeasure,
            ["kind", "date", "issued_by", "court", "decision", "decided_on", "valid_until"],
            (
                (
                    reverse("admin:aid_protectionmeasure_change", args=[measure.pk]),
                    measure.get_kind_display(),
                    measure.date.isoformat(),
                    measure.issued_by,
                    measure.court,
                    measure.get_decision_display(),
                    day_or_dash(measure.decided_on),
                    day_or_dash(measure.valid_until),
                )
                for measure in obj.protection_measures.order_by("date", "pk")
            ),
        )
        button = ""
        if may_add:
            url = f"{reverse('admin:aid_protectionmeasure_add')}?{urlencode({'case': obj.pk})}"
            button = format_html(
                '<p><a class="button" href="{}">{}</a></p>', url, gettext("Record a warning letter or protection order")
            )
        return format_html("{}{}", table or gettext("None recorded yet."), button)

    @admin.display(description=_("warning letters and protection orders"))
    def measures_to_add(self, obj):
        return self.measures_list(obj, may_add=True)

    @admin.display(description=_("next step"))
    def next_step(self, obj):
        if obj.pk is None or obj.closed:
            return "—"
        url = reverse("admin:aid_disputecase_step", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, gettext("Record the next step"))

    def save_model(self, request, obj, form, change):
        pass  # saved with its parties in save_related, through the service

    def save_related(self, request, form, formsets, change):
        dispute_save(case=form.instance, parties=form.cleaned_data["parties"], by=request.user)

    def get_urls(self):
        step = path("<path:object_id>/step/", self.admin_site.admin_view(self.step_view), name="aid_disputecase_step")
        return [step, *super().get_urls()]

    def step_view(self, request, object_id):
        case = self.get_object_or_404(request, object_id)
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        change_url = reverse("admin:aid_disputecase_change", args=[case.pk])
        form = DisputeStepForm(request.POST or None, case=case)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["step"] == "mediate":
                    dispute_start_mediation(case=case, day=data["day"], by=request.user)
                elif data["step"] == "resolve":
                    dispute_resolve(case=case, day=data["day"], outcome=data["outcome"], by=request.user)
                elif data["step"] == "transfer":
                    dispute_transfer(
                        case=case,
                        day=data["day"],
                        to=data["transferred_to"],
                        outcome=data["outcome"],
                        by=request.user,
                    )
                else:
                    dispute_terminate(case=case, day=data["day"], outcome=data["outcome"], by=request.user)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, gettext("The case %(number)s is updated.") % {"number": case.number})
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Next step of case %(number)s") % {"number": case.number},
            "obj": case,
            "summary": " · ".join([case.number, str(case.village), case.get_kind_display(), case.get_status_display()]),
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/federation/step.html", context)


@admin.register(MediationSession)
class MediationSessionAdmin(BackToCaseMixin, ServiceErrorsAsMessagesMixin, AccessLoggedAdminMixin, ScopedModelAdmin):
    """Mediation sessions, each recorded from its case's page (记录调解) and listed there. A
    domestic-violence case's sessions are as hidden as it is: to a user who may not see it,
    they are in no list, form, history or export, and a guessed address answers 404; a
    closed case's are read only and are not deleted."""

    resource_classes = [MediationSessionsResource]
    list_display = ["date", "case", "village", "place", "mediators", "result"]
    list_filter = ["result", VillageFilter]
    list_select_related = ["case", "village"]
    search_fields = ["case__number", "place", "mediators"]
    search_help_text = _("Search by case number, place or mediator.")
    date_hierarchy = "date"
    fields = ["case", "date", "place", "mediators", "present", "content", "result"]
    history_related = ("case",)

    def get_queryset(self, request):
        return selectors.sessions_seen_by(super().get_queryset(request), request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:  # a session of a case her glass access opens (listed on the case's page)
            obj = self.glass_object(request, super().get_queryset(request), object_id)
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            # Sessions are recorded for open cases the user may open (by number: no case is
            # searched for by what it holds).
            cases = in_scope(DisputeCase.objects.filter(selectors.open_q()), scope_for(request.user))
            if not DisputeCase.sees_confidential(request.user):
                cases = cases.exclude(kind=DisputeCase.Kind.DOMESTIC_VIOLENCE)
            kwargs["queryset"] = cases.order_by("-number")
            kwargs["error_messages"] = {
                "invalid_choice": gettext("A session is recorded for an open case of your villages.")
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "case"] if obj is not None else fields  # a session stays with its case

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.closed:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        mediation_session_save(session=obj, by=request.user)

    def delete_service(self, *, record, by):
        mediation_session_delete(session=record, by=by)


def cases_for(request, *, open_only: bool, violence_only: bool = False):
    """The cases a referral or measure form offers: the user's (by number: no case is searched
    for by what it holds), a domestic-violence case only to who may see it."""
    cases = in_scope(DisputeCase.objects.all(), scope_for(request.user))
    if open_only:
        cases = cases.filter(selectors.open_q())
    if violence_only:
        cases = cases.filter(DisputeCase.confidential_q())
    if not DisputeCase.sees_confidential(request.user):
        cases = cases.exclude(DisputeCase.confidential_q())
    return cases.order_by("-number")


class ReferralWorkListFilter(admin.SimpleListFilter):
    title = _("work list")
    parameter_name = "list"

    def lookups(self, request, model_admin):
        days = selectors.referral_answer_days()
        return [
            ("waiting", _("not answered in %(days)d days") % {"days": days}),
            ("follow_up", _("follow-up due")),
            ("open", _("referred or accepted")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        going = [Referral.Status.REFERRED, Referral.Status.ACCEPTED]
        if self.value() == "waiting":
            return queryset.filter(selectors.unanswered_q(today))
        if self.value() == "follow_up":
            return queryset.filter(status__in=going, follow_up_on__lte=today)
        if self.value() == "open":
            return queryset.filter(status__in=going)
        return queryset


class ReferralStepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), widget=forms.RadioSelect)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(
        label=_("Result, reason or what was learned"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_on = forms.DateField(label=_("Next follow-up"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        Status = Referral.Status
        steps = []
        if referral.status == Status.REFERRED:
            steps = [("accept", Status.ACCEPTED.label), ("decline", Status.DECLINED.label)]
        elif referral.status == Status.ACCEPTED:
            steps = [("close", Status.CLOSED.label)]
        self.fields["step"].choices = [*steps, ("follow_up", _("follow-up"))]
        self.initial.setdefault("day", timezone.localdate())


@admin.register(Referral)
class ReferralAdmin(
    ConfidentialAdminMixin, BackToCaseMixin, ServiceErrorsAsMessagesMixin, AccessLoggedAdminMixin, ScopedModelAdmin
):
    """Referrals, each recorded from its case's page (记录转介) and listed there; answered,
    closed and followed up on its step page. A domestic-violence case's referral is shown to a
    user who may not see the case as the case is (ConfidentialAdminMixin)."""

    resource_classes = [ReferralsResource]
    list_display = [
        "case",
        "village",
        "agency",
        "agency_name",
        "referred_on",
        "status",
        "days_waiting",
        "follow_up_on",
    ]
    list_filter = [ReferralWorkListFilter, "status", "agency", VillageFilter]
    list_select_related = ["case", "village"]
    search_fields = ["case__number"]
    search_help_text = _("Search by case number.")
    date_hierarchy = "referred_on"
    fieldsets = [
        (None, {"fields": ["case", "agency", "agency_name", "referred_on", "contact", "request"]}),
        (
            _("Steps"),
            {"fields": ["status", "next_step", "answered_on", "closed_on", "result", "follow_up_on", "follow_ups"]},
        ),
    ]
    readonly_fields = ["status", "next_step", "answered_on", "closed_on", "result", "follow_ups"]
    history_related = ("case",)
    # Sorted by the case (its model's order is by the day found) it would tell that day.
    confidential_sortable = ("village", "agency", "status")
    confidential_ordering = ("-case__number", "-pk")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["case", "agency", "agency_name", "referred_on", "contact", "request"]})]
        return super().get_fieldsets(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            kwargs["queryset"] = cases_for(request, open_only=True)
            kwargs["error_messages"] = {
                "invalid_choice": gettext("A referral is made of an open case of your villages.")
            }
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "case"] if obj is not None else fields  # a referral stays with its case

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.closed:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("days waiting"))
    def days_waiting(self, obj):
        """Days from the referral to its answer (to today while it waits)."""
        return ((obj.answered_on or timezone.localdate()) - obj.referred_on).days

    @admin.display(description=_("follow-ups"))
    def follow_ups(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        step = reverse("admin:aid_referral_step", args=[obj.pk])  # where they are recorded
        table = record_table(
            ReferralFollowUp,
            ["date", "note", "recorded_by"],
            (
                (step, up.date.isoformat(), up.note, (up.recorded_by.get_full_name() or up.recorded_by.get_username()))
                if up.recorded_by_id
                else (step, up.date.isoformat(), up.note, "")
                for up in obj.follow_ups.select_related("recorded_by")
            ),
        )
        return table or gettext("No follow-up recorded yet.")

    @admin.display(description=_("next step"))
    def next_step(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:aid_referral_step", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, gettext("Record an answer or a follow-up"))

    def save_model(self, request, obj, form, change):
        if change:
            referral_update(referral=obj, by=request.user)
        else:
            referral_record(referral=obj, by=request.user)

    def delete_service(self, *, record, by):
        referral_delete(referral=record, by=by)

    def get_urls(self):
        step = path("<path:object_id>/step/", self.admin_site.admin_view(self.step_view), name="aid_referral_step")
        return [step, *super().get_urls()]

    def step_view(self, request, object_id):
        # Its answer and follow-ups are recorded after its case is closed too.
        referral = self.get_object_or_404(request, object_id)
        if not self.has_change_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:aid_referral_change", args=[referral.pk])
        form = ReferralStepForm(request.POST or None, referral=referral)
        if request.method == "POST" and form.is_valid():
            data, by = form.cleaned_data, request.user
            try:
                if data["step"] == "accept":
                    referral_accept(referral=referral, day=data["day"], by=by)
                elif data["step"] == "decline":
                    referral_decline(referral=referral, day=data["day"], reason=data["text"], by=by)
                elif data["step"] == "close":
                    referral_close(referral=referral, day=data["day"], result=data["text"], by=by)
                else:
                    referral_follow_up(
                        referral=referral, day=data["day"], note=data["text"], next_on=data["next_on"], by=by
                    )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, gettext("The referral %(referral)s is updated.") % {"referral": referral})
                return HttpResponseRedirect(reverse("admin:aid_disputecase_change", args=[referral.case_id]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Next step of referral %(referral)s") % {"referral": referral},
            "obj": referral,
            "summary": " · ".join(
                [
                    referral.case.number,
                    referral.agency_name,
                    referral.referred_on.isoformat(),
                    referral.get_status_display(),
                ]
            ),
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/federation/step.html", context)


class MeasureWorkListFilter(admin.SimpleListFilter):
    title = _("work list")
    parameter_name = "list"

    def lookups(self, request, model_admin):
        return [
            ("ending", _("protection orders ending in %(days)d days") % {"days": selectors.ORDER_ENDING_DAYS}),
            ("pending", _("orders awaiting the court's decision")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "ending":
            return queryset.filter(selectors.orders_ending_q(timezone.localdate()))
        if self.value() == "pending":
            return queryset.filter(decision=ProtectionMeasure.Decision.PENDING)
        return queryset


@admin.register(ReferralFollowUp)
class ReferralFollowUpAdmin(ConfidentialAdminMixin, AccessLoggedAdminMixin, ScopedModelAdmin):
    """The follow-ups of every referral, to read (a month's submission links its follow-ups
    here): each is recorded, with the referral's answers, on the referral's step page."""

    list_display = ["referral", "date", "note"]
    list_filter = [VillageFilter]
    list_select_related = ["referral__case"]
    search_fields = ["referral__case__number"]
    search_help_text = _("Search by case number.")
    date_hierarchy = "date"
    fields = ["referral", "date", "note"]
    history_related = ("referral",)
    confidential_sortable = ()
    confidential_ordering = ("-referral__case__number", "-pk")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProtectionMeasure)
class ProtectionMeasureAdmin(
    ConfidentialAdminMixin, BackToCaseMixin, ServiceErrorsAsMessagesMixin, AccessLoggedAdminMixin, ScopedModelAdmin
):
    """Warning letters and protection orders of domestic-violence cases, recorded from the
    case's page. To a user who may not see the cases, each is its case's number, village,
    kind and decision."""

    resource_classes = [ProtectionMeasuresResource]
    list_display = ["case", "village", "kind", "date", "issued_by", "court", "decision", "decided_on", "valid_until"]
    list_filter = [MeasureWorkListFilter, "kind", "decision", VillageFilter]
    list_select_related = ["case", "village"]
    search_fields = ["case__number"]
    search_help_text = _("Search by case number.")
    date_hierarchy = "date"
    fieldsets = [
        (None, {"fields": ["case", "kind", "note"]}),
        (_("Police warning letter"), {"fields": ["issued_on", "issued_by"]}),
        (
            _("Personal safety protection order"),
            {"fields": ["applied_on", "court", "decision", "decided_on", "valid_until"]},
        ),
    ]
    history_related = ("case",)
    confidential_sortable = ("village", "kind", "decision")
    confidential_ordering = ("-case__number", "-pk")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            kwargs["queryset"] = cases_for(request, open_only=False, violence_only=True)
            kwargs["error_messages"] = {"invalid_choice": gettext("Choose a domestic-violence case of your villages.")}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "case"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        protection_measure_save(measure=obj, by=request.user)

    def delete_service(self, *, record, by):
        protection_measure_delete(measure=record, by=by)


class CharityAidForm(forms.ModelForm):
    class Meta:
        model = CharityAid
        fields = ["household", "date", "drive", "charity_drive", "amount", "goods", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Aid paid from a recorded drive may leave the text blank: the service names the drive.
        self.fields["drive"].required = False

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("drive", "").strip() and not cleaned_data.get("charity_drive"):
            self.add_error("drive", gettext("Name the drive, or choose the recorded drive that paid for it."))
        return cleaned_data


class CharityAidAttachmentInline(ScopedTabularInline):
    """The aid's files (ID copy, proof of hardship, signed receipt…), sent only to staff who
    may see the aid."""

    model = CharityAidAttachment
    fields = ["kind", "title", "file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]


@admin.register(CharityAid)
class CharityAidAdmin(ServiceErrorsAsMessagesMixin, ServiceInlinesMixin, ScopedModelAdmin):
    form = CharityAidForm
    list_display = ["date", "household", "village", "drive", "charity_drive", "amount", "goods", "reason"]
    list_filter = ["drive", "charity_drive", VillageFilter]
    list_select_related = ["village", "household__head", "charity_drive"]
    search_fields = ["household__number", "household__head__name", "drive"]
    autocomplete_fields = ["household"]
    date_hierarchy = "date"
    fields = ["household", "date", "drive", "charity_drive", "amount", "goods", "reason"]
    inlines = [CharityAidAttachmentInline]
    delete_service = staticmethod(aid_record_delete)
    history_related = ("household__head",)

    def save_model(self, request, obj, form, change):
        charity_aid_save(aid=obj, by=request.user)

    def record_service(self, *, record, by):
        charity_aid_attachment_save(attachment=record, by=by)

    def record_delete_service(self, *, record, by):
        charity_aid_attachment_delete(attachment=record, by=by)


class DriveAidInline(ScopedTabularInline):
    """The aid the drive paid for, in the user's villages (added on the aid's own page)."""

    model = CharityAid
    fields = ["date", "household", "amount", "goods", "reason"]
    readonly_fields = fields
    can_delete = False
    max_num = 0
    verbose_name_plural = _("aid paid from the drive")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("household__head")


@admin.register(CharityDrive)
class CharityDriveAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    personal_export = False  # a drive, not its recipients
    list_display = ["name", "kind", "start", "end", "village_shown", "raised", "donors", "spent", "balance"]
    list_filter = ["kind", "village"]
    list_select_related = ["village"]
    search_fields = ["name", "note"]
    date_hierarchy = "start"
    fields = ["town", "village", "name", "kind", "start", "end", "raised", "donors", "note", "spent", "balance"]
    readonly_fields = ["spent", "balance"]
    inlines = [DriveAidInline]
    delete_service = staticmethod(aid_record_delete)

    def get_queryset(self, request):
        return selectors.with_spent(super().get_queryset(request))

    def has_change_permission(self, request, obj=None):
        # A town-wide drive is the town's: a village clerk reads it and pays aid from it.
        if obj is not None and obj.village_id is None and not scope_for(request.user).covers_town(obj.town_id):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.village_id is None and not scope_for(request.user).covers_town(obj.town_id):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("village"), ordering="village__sort_order")
    def village_shown(self, obj):
        return obj.village or gettext("whole town")

    @admin.display(description=_("aid paid (yuan)"), ordering="spent")
    def spent(self, obj):
        return money(getattr(obj, "spent", 0))

    @admin.display(description=_("balance (yuan)"))
    def balance(self, obj):
        return money(obj.raised) - money(getattr(obj, "spent", 0))

    def save_model(self, request, obj, form, change):
        charity_drive_save(drive=obj, by=request.user)


def care_reminders(request) -> list[tuple]:
    """The care work waiting today, in the user's villages."""
    today, items = timezone.localdate(), []
    if request.user.has_perm("aid.view_caretarget"):
        targets = in_scope(CareTarget.objects.all(), scope_for(request.user))
        url = reverse("admin:aid_caretarget_changelist")
        count = selectors.children_without_mother(targets, today).count()
        items.append((gettext("Children in care without a caring mother"), count, f"{url}?list=no_mother"))
    if request.user.has_perm("aid.view_pairing"):
        pairings = selectors.with_last_visit(in_scope(Pairing.objects.all(), scope_for(request.user)))
        url = reverse("admin:aid_pairing_changelist")
        count = pairings.filter(selectors.overdue_q(today)).count()
        items.append((gettext("Pairings without a visit in 30 days"), count, f"{url}?list=overdue"))
    if request.user.has_perm("aid.view_disputecase"):
        cases = in_scope(DisputeCase.objects.all(), scope_for(request.user))
        url = reverse("admin:aid_disputecase_changelist")
        count = cases.filter(selectors.open_q()).count()
        items.append((gettext("Open dispute cases"), count, f"{url}?open=yes"))
    # A domestic-violence case's referral or order is counted only for who may see it: her
    # list, so filtered, leaves it out too.
    if request.user.has_perm("aid.view_referral"):
        referrals = selectors.seen_by(in_scope(Referral.objects.all(), scope_for(request.user)), request.user)
        url = reverse("admin:aid_referral_changelist")
        count = referrals.filter(selectors.unanswered_q(today)).count()
        label = gettext("Referrals not answered in %(days)d days") % {"days": selectors.referral_answer_days()}
        items.append((label, count, f"{url}?list=waiting"))
    if request.user.has_perm("aid.view_protectionmeasure"):
        measures = selectors.seen_by(in_scope(ProtectionMeasure.objects.all(), scope_for(request.user)), request.user)
        url = reverse("admin:aid_protectionmeasure_changelist")
        count = measures.filter(selectors.orders_ending_q(today)).count()
        label = gettext("Protection orders ending in %(days)d days") % {"days": selectors.ORDER_ENDING_DAYS}
        items.append((label, count, f"{url}?list=ending"))
    return items
