from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from federation.core.admin.base import (
    AccessLoggedAdminMixin,
    ScopedModelAdmin,
    ScopedTabularInline,
    ServiceErrorsAsMessagesMixin,
    ServiceInlinesMixin,
    VillageFilter,
    add_service_error,
)
from federation.core.reporting import ReportScope
from federation.core.scoping import in_scope, scope_for
from health import selectors
from health.models import (
    CancerAidApplication,
    CancerAidAttachment,
    HPVDeferral,
    HPVDose,
    HPVGirl,
    InsurancePolicy,
    Screening,
)
from health.resources import HPVRosterResource, ScreeningsResource
from health.services import (
    cancer_aid_approve,
    cancer_aid_attachment_delete,
    cancer_aid_attachment_save,
    cancer_aid_pay,
    cancer_aid_reject,
    health_record_delete,
    health_record_save,
)


class HealthAdmin(AccessLoggedAdminMixin, ScopedModelAdmin):
    """Health records: every opening of a record or its history is logged, and every
    save and deletion goes through the services (which check what the form cannot and name
    the user on the history row)."""

    list_select_related = ["person", "village"]
    history_related = ("person",)  # each version's label names the woman
    autocomplete_fields = ["person"]
    search_fields = ["person__name", "person__id_number"]
    search_help_text = _("Search by name or ID number.")
    delete_service = staticmethod(health_record_delete)

    def save_model(self, request, obj, form, change):
        health_record_save(record=obj, by=request.user)


class RecheckPendingFilter(admin.SimpleListFilter):
    title = _("recheck")
    parameter_name = "recheck"

    def lookups(self, request, model_admin):
        return [("pending", _("abnormal, no recheck outcome yet"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(selectors.recheck_pending_q())
        return queryset


@admin.register(Screening)
class ScreeningAdmin(HealthAdmin):
    import_resource = ScreeningsResource
    list_display = ["person", "village", "date", "kind", "institution", "free_programme", "result", "recheck"]
    list_filter = ["free_programme", "kind", "result", RecheckPendingFilter, VillageFilter]
    date_hierarchy = "date"
    fieldsets = [
        (None, {"fields": ["person", "date", "kind", "institution", "free_programme"]}),
        (_("Consent"), {"fields": ["consent_by", "consent_on"]}),
        (_("Result"), {"fields": ["result", "recheck_date", "recheck_outcome", "notes"]}),
    ]

    @admin.display(description=_("recheck"))
    def recheck(self, obj):
        if obj.recheck_outcome:
            return f"{obj.recheck_date:%Y-%m-%d} {obj.get_recheck_outcome_display()}"
        if obj.result and obj.result != Screening.Result.NORMAL:
            return format_html('<strong class="errornote-inline">{}</strong>', gettext("pending"))
        return "—"


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(HealthAdmin):
    list_display = ["person", "village", "year", "insurer", "product", "premium", "paid_by", "cover_start", "cover_end"]
    list_filter = ["year", "paid_by", VillageFilter]
    fields = ["person", "year", "insurer", "product", "premium", "paid_by", "cover_start", "cover_end"]


class AidDecisionForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), widget=forms.RadioSelect)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount granted (yuan)"), required=False, min_value=0.01, decimal_places=2)
    reason = forms.CharField(label=_("Reason not approved"), required=False, max_length=200)

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        if application.status == CancerAidApplication.Status.SUBMITTED:
            self.fields["step"].choices = [("approve", _("approve")), ("reject", _("do not approve"))]
            self.initial.setdefault("amount", application.amount_requested)
        else:
            self.fields["step"].choices = [("pay", _("paid out"))]
            del self.fields["amount"], self.fields["reason"]
            self.fields["paid_amount"] = forms.DecimalField(
                label=_("Amount paid (yuan)"), min_value=0.01, decimal_places=2, initial=application.amount_granted
            )
            self.fields["paid_method"] = forms.ChoiceField(
                label=_("How it was paid"), choices=CancerAidApplication.PaymentMethod.choices
            )
            self.fields["paid_to"] = forms.CharField(
                label=_("Paid to"), max_length=50, required=False, initial=application.person.name
            )
        self.initial.setdefault("step", self.fields["step"].choices[0][0])
        self.initial.setdefault("day", timezone.localdate())


class CancerAidAttachmentInline(ScopedTabularInline):
    """The application's files (diagnosis certificate, invoices, ID copy…), sent only to staff
    who may see the application; a decided application's are read only."""

    model = CancerAidAttachment
    fields = ["kind", "title", "file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]

    def has_add_permission(self, request, obj=None):
        return not (obj is not None and obj.closed) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and obj.closed) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and obj.closed) and super().has_delete_permission(request, obj)


@admin.register(CancerAidApplication)
class CancerAidApplicationAdmin(ServiceErrorsAsMessagesMixin, ServiceInlinesMixin, HealthAdmin):
    list_display = [
        "person",
        "village",
        "submitted_on",
        "hospital",
        "amount_requested",
        "status",
        "amount_granted",
        "reviewed_on",
        "paid_on",
    ]
    list_filter = ["status", VillageFilter]
    date_hierarchy = "submitted_on"
    readonly_fields = [
        "status",
        "amount_granted",
        "reviewed_on",
        "reviewed_by",
        "reject_reason",
        "paid_on",
        "paid_amount",
        "paid_method",
        "paid_to",
        "paid_by",
        "next_step",
    ]
    fieldsets = [
        (None, {"fields": ["person", "diagnosis", "hospital", "medical_costs", "amount_requested", "submitted_on"]}),
        (
            _("Steps"),
            {
                "fields": [
                    "status",
                    "next_step",
                    "amount_granted",
                    "reviewed_on",
                    "reviewed_by",
                    "reject_reason",
                    "paid_on",
                    "paid_amount",
                    "paid_method",
                    "paid_to",
                    "paid_by",
                ]
            },
        ),
        (_("Notes"), {"fields": ["notes"]}),
    ]
    inlines = [CancerAidAttachmentInline]

    def record_service(self, *, record, by):
        cancer_aid_attachment_save(attachment=record, by=by)

    def record_delete_service(self, *, record, by):
        cancer_aid_attachment_delete(attachment=record, by=by)

    def has_change_permission(self, request, obj=None):
        # Once reviewed, the application is a record of what was decided.
        if obj is not None and obj.status != CancerAidApplication.Status.SUBMITTED:
            return False
        return super().has_change_permission(request, obj)

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("health.review_canceraidapplication")

    @admin.display(description=_("next step"))
    def next_step(self, obj):
        if obj.pk is None or obj.status in (CancerAidApplication.Status.PAID, CancerAidApplication.Status.REJECTED):
            return "—"
        url = reverse("admin:health_canceraidapplication_review", args=[obj.pk])
        label = gettext("Review") if obj.status == CancerAidApplication.Status.SUBMITTED else gettext("Record payment")
        return format_html('<a class="button" href="{}">{}</a>', url, label)

    def get_urls(self):
        review = path(
            "<path:object_id>/review/",
            self.admin_site.admin_view(self.review_view),
            name="health_canceraidapplication_review",
        )
        return [review, *super().get_urls()]

    def review_view(self, request, object_id):
        application = self.get_object_or_404(request, object_id)
        if not self.has_review_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:health_canceraidapplication_change", args=[application.pk])
        if application.status not in (CancerAidApplication.Status.SUBMITTED, CancerAidApplication.Status.APPROVED):
            messages.error(request, gettext("This application has no step left."))
            return HttpResponseRedirect(change_url)
        form = AidDecisionForm(request.POST or None, application=application)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["step"] == "approve":
                    done = cancer_aid_approve(
                        application=application, amount=data["amount"], day=data["day"], by=request.user
                    )
                elif data["step"] == "reject":
                    done = cancer_aid_reject(
                        application=application, reason=data["reason"], day=data["day"], by=request.user
                    )
                else:
                    done = cancer_aid_pay(
                        application=application,
                        day=data["day"],
                        amount=data["paid_amount"],
                        method=data["paid_method"],
                        recipient=data["paid_to"],
                        by=request.user,
                    )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                status = done.get_status_display()
                messages.success(request, gettext("The application is now %(status)s.") % {"status": status})
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Review aid application")
            if application.status == CancerAidApplication.Status.SUBMITTED
            else gettext("Record the payment of aid"),
            "obj": application,
            "summary": " · ".join(
                [
                    application.person.name,
                    application.hospital,
                    gettext("amount requested %(amount)s yuan") % {"amount": application.amount_requested},
                    application.get_status_display(),
                ]
            ),
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/federation/step.html", context)


class HealthInline(ScopedTabularInline):
    fk_name = "person"
    extra = 0

    def get_queryset(self, request):
        # Each row is labelled with its record's name, which names the girl.
        return super().get_queryset(request).select_related("person")


class HPVDoseInline(HealthInline):
    model = HPVDose
    fields = ["dose_number", "date", "vaccine", "site", "consent_by", "consent_on"]


class HPVDeferralInline(HealthInline):
    model = HPVDeferral
    fields = ["reason", "recorded_on", "ask_again_on", "notes"]


class HPVStateFilter(admin.SimpleListFilter):
    title = _("vaccination")
    parameter_name = "hpv"

    def lookups(self, request, model_admin):
        return [
            ("none", _("not vaccinated")),
            ("due", _("second dose due")),
            ("full", _("full course")),
            ("ask", _("to ask again by today")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "none":
            return queryset.filter(vaccinated=False)
        if self.value() == "due":
            return queryset.filter(selectors.second_dose_due_q(today))
        if self.value() == "full":
            return queryset.filter(full_course=True)
        if self.value() == "ask":
            return queryset.filter(selectors.ask_again_q(today))
        return queryset


class HPVReasonFilter(admin.SimpleListFilter):
    title = _("reason not vaccinated")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return [*HPVDeferral.Reason.choices, ("-", _("no reason recorded"))]

    def queryset(self, request, queryset):
        if self.value() == "-":
            return queryset.filter(vaccinated=False, reason__isnull=True)
        if self.value():
            return queryset.filter(vaccinated=False, reason=self.value())
        return queryset


@admin.register(HPVGirl)
class HPVGirlAdmin(ServiceInlinesMixin, HealthAdmin):
    """The HPV roster: each girl aged 9–14 today, her doses and the reasons recorded.
    Its filters are the work lists (not vaccinated, second dose due, to ask again)."""

    list_display = ["name", "village", "birth_date", "age", "doses", "last_dose", "state", "reason", "ask_again"]
    list_filter = [HPVStateFilter, HPVReasonFilter, "village"]
    list_select_related = ["village"]
    search_fields = ["name", "id_number"]
    autocomplete_fields = []
    fields = ["name", "village", "birth_date", "status"]
    readonly_fields = ["name", "village", "birth_date", "status"]
    inlines = [HPVDoseInline, HPVDeferralInline]
    history_related = ()
    record_service = staticmethod(health_record_save)
    record_delete_service = staticmethod(health_record_delete)

    def get_queryset(self, request):
        return selectors.hpv_girls(super().get_queryset(request), timezone.localdate())

    def has_add_permission(self, request):
        return False  # girls come from the people roster

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        eligible, vaccinated = selectors.hpv_totals(scope_for(request.user), timezone.localdate())
        title = gettext(
            "HPV vaccination roster — today %(eligible)d girls aged 9–14, %(vaccinated)d vaccinated (%(percent)s%%)"
        ) % {"eligible": eligible, "vaccinated": vaccinated, "percent": selectors.percent(vaccinated, eligible) or 0}
        return super().changelist_view(request, {**(extra_context or {}), "title": title})

    def save_model(self, request, obj, form, change):
        pass  # the girl's own record is kept on the people roster

    @admin.display(description=_("age"))
    def age(self, obj):
        return obj.age_on(timezone.localdate())

    @admin.display(description=_("doses"), ordering="dose_count")
    def doses(self, obj):
        return obj.dose_count

    @admin.display(description=_("last dose"), ordering="last_dose_date")
    def last_dose(self, obj):
        return obj.last_dose_date or "—"

    @admin.display(description=_("vaccination"))
    def state(self, obj):
        if obj.full_course:
            return gettext("full course")
        if obj.vaccinated:
            due = (timezone.localdate() - obj.first_dose_date).days >= settings.HPV_SECOND_DOSE_DAYS
            return gettext("second dose due") if due else gettext("1 dose")
        return gettext("not vaccinated")

    @admin.display(description=_("ask again on"), ordering="ask_again_on")
    def ask_again(self, obj):
        return "" if obj.vaccinated else obj.ask_again_on or ""

    @admin.display(description=_("reason not vaccinated"))
    def reason(self, obj):
        if obj.vaccinated:
            return ""
        return HPVDeferral.Reason(obj.reason).label if obj.reason else gettext("no reason recorded")


@admin.register(HPVDose)
class HPVDoseAdmin(HealthAdmin):
    import_resource = HPVRosterResource
    list_display = ["person", "village", "dose_number", "date", "vaccine", "site", "consent_by", "consent_on"]
    list_filter = ["dose_number", "vaccine", VillageFilter]
    date_hierarchy = "date"
    fields = ["person", "dose_number", "date", "vaccine", "site", "consent_by", "consent_on"]


def health_reminders(request) -> list[tuple]:
    """The health work waiting today, in the user's villages."""
    user, today = request.user, timezone.localdate()
    items = []
    if user.has_perm("health.view_hpvgirl"):
        # The girls of the villages the home page's chart counts (a superuser's: every village
        # by name, the same girls as her scope), which the page has counted already.
        eligible, vaccinated = selectors.hpv_totals(ReportScope.of_user(user).chosen, today)
        url = reverse("admin:health_hpvgirl_changelist")
        coverage = f"{selectors.percent(vaccinated, eligible) or 0}%（{vaccinated}/{eligible}）"
        items.append((gettext("HPV coverage of girls aged 9–14 today"), coverage, url))
        girls = selectors.hpv_girls(in_scope(HPVGirl.objects.all(), scope_for(user)), today)
        items.append(
            (
                gettext("Second HPV doses due"),
                girls.filter(selectors.second_dose_due_q(today)).count(),
                f"{url}?hpv=due",
            )
        )
        items.append(
            (
                gettext("Girls to ask again about HPV"),
                girls.filter(selectors.ask_again_q(today)).count(),
                f"{url}?hpv=ask",
            )
        )
    if user.has_perm("health.view_screening"):
        pending = in_scope(Screening.objects.filter(selectors.recheck_pending_q()), scope_for(user))
        url = reverse("admin:health_screening_changelist")
        items.append(
            (gettext("Abnormal screenings without a recheck outcome"), pending.count(), f"{url}?recheck=pending")
        )
    if user.has_perm("health.view_canceraidapplication"):
        applications = in_scope(CancerAidApplication.objects.all(), scope_for(user))
        url = reverse("admin:health_canceraidapplication_changelist")
        for status, label in (
            (CancerAidApplication.Status.SUBMITTED, gettext("Aid applications waiting for review")),
            (CancerAidApplication.Status.APPROVED, gettext("Aid applications approved, not yet paid")),
        ):
            items.append((label, applications.filter(status=status).count(), f"{url}?status__exact={status}"))
    return items
