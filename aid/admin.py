from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_field, label_for_field, lookup_field
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from aid import selectors
from aid.models import MASK, CareTarget, CareVisit, CharityAid, CharityDrive, DisputeCase, Pairing
from aid.resources import CareTargetsResource, DisputeCasesResource
from aid.services import (
    aid_record_delete,
    aid_record_save,
    charity_aid_save,
    charity_drive_save,
    dispute_parties_check,
    dispute_resolve,
    dispute_save,
    dispute_start_mediation,
    dispute_terminate,
    dispute_transfer,
    pairing_end,
    pairing_save,
)
from federation.admin_base import (
    AccessLoggedAdminMixin,
    ScopedChangeList,
    ScopedModelAdmin,
    ScopedTabularInline,
    ServiceErrorsAsMessagesMixin,
    ServiceInlinesMixin,
    VillageFilter,
    add_service_error,
)
from federation.reporting import money
from federation.scoping import in_scope, scope_for


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

    @admin.display(description=_("village"), ordering="person__village__sort_order")
    def village(self, obj):
        return obj.person.village

    def save_model(self, request, obj, form, change):
        aid_record_save(record=obj, by=request.user)


class CareVisitInline(ScopedTabularInline):
    model = CareVisit
    fields = ["date", "kind", "content", "gifts"]


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


@admin.register(CareVisit)
class CareVisitAdmin(AccessLoggedAdminMixin, ScopedModelAdmin):
    list_display = ["date", "kind", "pairing", "gifts"]
    list_filter = ["kind", VillageFilter]
    list_select_related = ["pairing__mother", "pairing__child"]
    search_fields = ["pairing__mother__name", "pairing__child__name"]
    autocomplete_fields = ["pairing"]
    date_hierarchy = "date"
    fields = ["pairing", "date", "kind", "content", "gifts"]
    delete_service = staticmethod(aid_record_delete)

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


# The list lookups that tell no more of a case than DisputeCase.CONFIDENTIAL_VISIBLE (open or
# closed follows from the status). Any other filter, the date hierarchy included, leaves the
# confidential cases out for a user who may not see them: they cannot be said to match.
CONFIDENTIAL_SAFE_LOOKUPS = (*DisputeCase.CONFIDENTIAL_VISIBLE, OpenCaseFilter.parameter_name)


class ConfidentialChangeList(ScopedChangeList):
    """The dispute list (and export) of a user without the domestic-violence permission."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Its drill-down links are drawn from the found_on dates of every case listed; the
        # found_on lookups still work, under the rule above.
        self.date_hierarchy = None

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        # exclude_parameters: the filter whose facet counts are being computed.
        lookups = [*self.get_filters_params(), *(exclude_parameters or ())]
        if any(lookup.split("__")[0] not in CONFIDENTIAL_SAFE_LOOKUPS for lookup in lookups):
            queryset = queryset.exclude(kind=DisputeCase.Kind.DOMESTIC_VIOLENCE)
        return queryset


@admin.register(DisputeCase)
class DisputeCaseAdmin(AccessLoggedAdminMixin, ScopedModelAdmin):
    """Dispute files. A domestic-violence case is opened only with its own permission;
    without it, the lists and the export show only DisputeCase.CONFIDENTIAL_VISIBLE of it
    and mask the rest, and do not sort or filter it by the rest."""

    form = DisputeForm
    resource_classes = [DisputeCasesResource]
    list_display = ["number", "village", "kind", "source", "found_on", "parties_shown", "status", "age", "closed_on"]
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

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("parties")

    def sees_violence(self, request) -> bool:
        return DisputeCase.sees_confidential(request.user)

    def get_object(self, request, object_id, from_field=None):
        # A domestic-violence file does not open without its permission: it answers as
        # if it were not there.
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and obj.confidential and not self.sees_violence(request):
            return None
        return obj

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.closed:
            return False
        return super().has_change_permission(request, obj)

    def get_list_display(self, request):
        names = super().get_list_display(request)
        if self.sees_violence(request):
            return names
        return [name if name in DisputeCase.CONFIDENTIAL_VISIBLE else self.confidential_column(name) for name in names]

    def confidential_column(self, name):
        """The list column `name`, masked for a confidential case. It has no sort order."""
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
        return DisputeCase.CONFIDENTIAL_VISIBLE

    def get_ordering(self, request):
        # The model orders by found_on: a confidential case's place in the list would tell it.
        if self.sees_violence(request):
            return super().get_ordering(request)
        return ["-number"]

    def get_changelist(self, request, **kwargs):
        if self.sees_violence(request):
            return super().get_changelist(request, **kwargs)
        return ConfidentialChangeList

    @admin.display(description=_("parties"))
    def parties_shown(self, obj):
        return "、".join(person.name for person in obj.parties.all())

    @admin.display(description=_("days open"))
    def age(self, obj):
        end = obj.closed_on or timezone.localdate()
        return (end - obj.found_on).days

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


@admin.register(CharityAid)
class CharityAidAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    form = CharityAidForm
    list_display = ["date", "household", "village", "drive", "charity_drive", "amount", "goods", "reason"]
    list_filter = ["drive", "charity_drive", VillageFilter]
    list_select_related = ["village", "household__head", "charity_drive"]
    search_fields = ["household__number", "household__head__name", "drive"]
    autocomplete_fields = ["household"]
    date_hierarchy = "date"
    fields = ["household", "date", "drive", "charity_drive", "amount", "goods", "reason"]
    delete_service = staticmethod(aid_record_delete)

    def save_model(self, request, obj, form, change):
        charity_aid_save(aid=obj, by=request.user)


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
    return items
