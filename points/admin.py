from datetime import timedelta
from uuid import uuid4

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator
from django.db.models import Exists, OuterRef, Sum
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from federation.core.admin.base import (
    ScopedModelAdmin,
    ScopedTabularInline,
    ServiceErrorsAsMessagesMixin,
    ValidKeysAutocompleteSelect,
    add_service_error,
    narrowed_by,
    scoped_choices,
    with_picker_labels,
)
from federation.core.disclosure import Disclosure, DisclosureForm, ask
from federation.core.importing import take_upload, worker_failed
from federation.core.models import ImportJob, ReportLog, Town
from federation.core.reporting import attachment, money, per_row
from federation.core.scoping import scope_for
from federation.models import Household, Person
from points import passbooks, selectors
from points import posting as posting_layout
from points.answers import answer_pdf
from points.models import (
    Donation,
    DonationLine,
    Goods,
    PointAppeal,
    PointClaim,
    PointEntry,
    PointPosting,
    PointRule,
    Redemption,
    RedemptionEvent,
    RedemptionItem,
    StockLine,
    SupermarketSettings,
)
from points.resources import PointEntriesResource
from points.services import (
    donation_cancel,
    donation_record,
    donation_save,
    goods_restock,
    goods_save,
    point_appeal_check,
    point_appeal_decide,
    point_appeal_record,
    point_award,
    point_award_many,
    point_claim_record,
    point_claim_review,
    point_claims_review,
    point_entry_reverse,
    point_posting_create,
    point_rule_save,
    redemption_cancel,
    redemption_create,
    redemption_event_save,
    supermarket_settings_save,
)


def with_reason(model_admin, request, queryset, action, title, service, done_message):
    """An admin action that asks for a reason, then calls the service on each record."""
    if "apply" not in request.POST:
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "queryset": queryset,
            "action": action,
            "title": title,
        }
        return TemplateResponse(request, "admin/points/reason.html", context)
    reason = request.POST.get("reason", "").strip()
    done = 0
    for obj in queryset.order_by("pk"):
        try:
            service(obj, reason)
            done += 1
        except ValidationError as error:
            model_admin.message_user(request, f"#{obj.pk}: {' '.join(error.messages)}", messages.ERROR)
    if done:
        model_admin.message_user(request, done_message % {"count": done})
    return None


class ReadOnlyLedgerAdmin(ScopedModelAdmin):
    """Ledger lines are never edited or deleted; corrections are new lines."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointRule)
class PointRuleAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    personal_export = False  # records of no one
    list_display = ["category", "description", "points", "review", "evidence_required", "cap_shown", "active"]
    list_filter = ["category", "review", "evidence_required", "active"]
    search_fields = ["description"]
    fields = ["town", "category", "description", "points", "review", "evidence_required", "cap", "cap_period", "active"]

    @admin.display(description=_("cap per household"), ordering="cap")
    def cap_shown(self, obj):
        if obj.cap is None:
            return "—"
        return f"{obj.cap}/{obj.get_cap_period_display()}"

    def save_model(self, request, obj, form, change):
        point_rule_save(rule=obj, by=request.user)


class GoodsForm(forms.ModelForm):
    restock = forms.IntegerField(
        label=_("Add to stock"),
        required=False,
        min_value=1,
        help_text=_("Goods received now; recorded as a stock line."),
    )

    class Meta:
        model = Goods
        fields = ["town", "name", "unit", "points_price", "low_stock", "active"]


class LowStockFilter(admin.SimpleListFilter):
    title = _("stock")
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return [("low", _("low in stock"))]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return selectors.low_in_stock(queryset)
        return queryset


@admin.register(Goods)
class GoodsAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    personal_export = False  # records of no one
    form = GoodsForm
    list_display = ["name", "unit", "points_price", "stock_display", "active"]
    list_filter = ["active", LowStockFilter]
    search_fields = ["name"]
    readonly_fields = ["stock"]
    fields = ["town", "name", "unit", "points_price", "low_stock", "active", "stock", "restock"]

    @admin.display(description=_("stock"), ordering="stock")
    def stock_display(self, obj):
        if obj.stock <= obj.low_stock:
            return format_html('<strong style="color: var(--error-fg)">{} ⚠</strong>', obj.stock)
        return obj.stock

    def save_model(self, request, obj, form, change):
        goods_save(goods=obj, by=request.user)
        if form.cleaned_data.get("restock"):
            goods_restock(goods=obj, quantity=form.cleaned_data["restock"], by=request.user, note=gettext("Received"))


class EntryForm(forms.ModelForm):
    class Meta:
        model = PointEntry
        fields = ["household", "rule", "date", "person", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A recorded line is read-only: its page has no fields to set.
        if "rule" in self.fields:
            self.fields["rule"].required = True
            self.fields["date"].initial = timezone.localdate


def recorded_message(request, done: list) -> None:
    """Say what an award of one or many households did: lines in the ledger, claims waiting."""
    waiting = sum(isinstance(item, PointClaim) and item.status == PointClaim.Status.PENDING for item in done)
    if waiting:
        messages.success(
            request,
            gettext("%(count)d claims recorded; they count once reviewed (积分待审核).") % {"count": waiting},
        )
    if len(done) - waiting:
        messages.success(request, gettext("Points recorded for %(count)d households.") % {"count": len(done) - waiting})


@admin.register(PointEntry)
class PointEntryAdmin(ServiceErrorsAsMessagesMixin, ReadOnlyLedgerAdmin):
    form = EntryForm
    import_resource = PointEntriesResource
    list_display = [
        "date",
        "household",
        "person",
        "rule",
        "kind",
        "points",
        "balance_after",
        "note",
        "recorded_by",
        "reviewers",
    ]
    list_filter = ["kind", ("date", admin.DateFieldListFilter), "rule__category"]
    list_select_related = [
        "household__head",
        "person",
        "rule",
        "recorded_by",
        "claim__reviewed_by",
        "claim__second_reviewed_by",
    ]
    # Not the note: free text has no index, and a county's ledger is millions of lines.
    search_fields = ["household__number", "household__head__name", "person__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["household", "person", "rule"]
    narrow_pickers = {"person": "household"}
    actions = ["reverse_entries"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description=_("reviewed by"))
    def reviewers(self, obj):
        claim = obj.claim
        if claim is None:
            return "—"
        return "、".join(str(user) for user in (claim.reviewed_by, claim.second_reviewed_by) if user) or "—"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("passbook/<path:household_id>/", view(self.passbook_view), name="points_passbook"),
            path("passbooks/<uuid:job_id>/", view(self.passbook_job_view), name="points_passbook_job"),
            path("passbooks/<uuid:job_id>/file/", view(self.passbook_file_view), name="points_passbook_file"),
        ] + super().get_urls()

    def passbook_view(self, request, household_id):
        """A household's passbook: the year and page size, then its PDF."""
        # Through the households' own admin: another village's household is a 404, as its page is.
        household = self.admin_site.get_model_admin(Household).get_object_or_404(request, household_id)
        if not request.user.has_perm("points.view_pointentry"):
            raise PermissionDenied
        form = PassbookForm(request.POST if request.method == "POST" else None, user=request.user)
        if form.is_bound and form.is_valid():
            return passbook_response(request, [household], form, household=household.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": Household._meta,
            "title": gettext("Print points passbook"),
            "household": household,
            "form": form,
        }
        return TemplateResponse(request, "admin/points/passbook.html", context)

    def _passbook_job(self, request, job_id) -> ImportJob:
        """The print job, for the user who started it (or a superuser) only."""
        job = ImportJob.objects.filter(pk=job_id, resource=passbooks.JOB_NAME).first()
        if job is None or not (job.user_id == request.user.pk or request.user.is_superuser):
            raise Http404
        if not request.user.has_perm("points.view_pointentry"):
            raise PermissionDenied
        return job

    def passbook_job_view(self, request, job_id):
        """The progress of passbooks printed in the background, then the link to the file."""
        job = self._passbook_job(request, job_id)
        if worker_failed(job):
            job.state, job.result = ImportJob.State.FAILED, {"message": gettext("The background worker stopped.")}
            ImportJob.objects.filter(pk=job.pk).exclude(state=ImportJob.State.DONE).update(
                state=job.state, result=job.result
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": Household._meta,
            "title": gettext("Print points passbook"),
            "job": job,
        }
        return TemplateResponse(request, "admin/points/passbook_job.html", context)

    def passbook_file_view(self, request, job_id):
        job = self._passbook_job(request, job_id)
        data = take_upload(job.token, request.user, remove=False, kind="pdf") if job.state == "done" else None
        if data is None:
            raise Http404(gettext("The file has expired; print the passbooks again."))
        result = job.result
        purpose = result.get("purpose", "")
        passbooks.log(
            request.user, year=result["year"], size=result["size"], households=job.rows_total, purpose=purpose
        )
        return pdf_response(data, job.file_name)

    def save_model(self, request, obj, form, change):
        done = point_award(
            household=obj.household, rule=obj.rule, day=obj.date, by=request.user, person=obj.person, note=obj.note
        )
        if isinstance(done, PointClaim):
            request.claim_recorded = done
            if done.entry_or_none() is not None:
                obj.pk = done.entry.pk
        else:
            obj.pk = done.pk

    def response_add(self, request, obj, post_url_continue=None):
        claim = getattr(request, "claim_recorded", None)
        if claim is None or claim.status != PointClaim.Status.PENDING:
            return super().response_add(request, obj, post_url_continue)
        recorded_message(request, [claim])
        return HttpResponseRedirect(reverse("admin:points_pointclaim_change", args=[claim.pk]))

    @admin.action(description=_("Reverse the selected lines"), permissions=["add"])
    def reverse_entries(self, request, queryset):
        return with_reason(
            self,
            request,
            queryset,
            "reverse_entries",
            gettext("Reverse the selected lines"),
            lambda entry, reason: point_entry_reverse(entry=entry, by=request.user, reason=reason),
            gettext("%(count)d lines reversed."),
        )


@admin.register(StockLine)
class StockLineAdmin(ReadOnlyLedgerAdmin):
    personal_export = False  # records of no one
    list_display = [
        "recorded_at",
        "goods",
        "kind",
        "change",
        "stock_after",
        "redemption",
        "donation",
        "note",
        "recorded_by",
    ]
    list_filter = ["kind", "goods"]
    list_select_related = ["goods", "redemption", "donation", "recorded_by"]
    search_fields = ["goods__name", "note"]

    def has_add_permission(self, request):
        return False


class DonationLineInline(ScopedTabularInline):
    """The donated goods: entered with the donation, then a record (they are in stock)."""

    model = DonationLine
    fields = ["goods", "quantity", "unit_value", "value"]
    readonly_fields = ["value"]
    extra = 3

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None else self.extra

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else self.readonly_fields

    # The lines follow their donation's permissions: written with it, never changed.
    def has_add_permission(self, request, obj=None):
        return obj is None and request.user.has_perm("points.add_donation")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("points.view_donation")

    @admin.display(description=_("value (yuan)"))
    def value(self, obj):
        return obj.value if obj.pk else "—"


@admin.register(Donation)
class DonationAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    list_display = ["date", "sponsor", "village_shown", "goods_shown", "value_total", "recorded_by", "cancelled_at"]
    list_filter = [("date", admin.DateFieldListFilter), "village", ("cancelled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["village", "recorded_by"]
    search_fields = ["sponsor", "note"]
    date_hierarchy = "date"
    inlines = [DonationLineInline]
    actions = ["cancel_donations"]
    fields = ["town", "village", "sponsor", "date", "note", "recorded_by", "cancelled_at", "cancel_reason"]
    readonly_fields = ["recorded_by", "cancelled_at", "cancel_reason"]

    def get_queryset(self, request):
        return selectors.with_donated_value(super().get_queryset(request)).prefetch_related("lines__goods")

    def get_readonly_fields(self, request, obj=None):
        # Its goods are in the town's stock: the town stays.
        return [*super().get_readonly_fields(request, obj), *(["town"] if obj is not None else [])]

    def has_delete_permission(self, request, obj=None):
        return False  # its goods went into stock: it is cancelled, which the stock lines show

    def has_cancel_permission(self, request):
        return request.user.has_perm("points.change_donation")

    @admin.display(description=_("village"), ordering="village__sort_order")
    def village_shown(self, obj):
        return obj.village or gettext("whole town")

    @admin.display(description=_("goods"))
    def goods_shown(self, obj):
        return "、".join(f"{line.goods.name}×{line.quantity}" for line in obj.lines.all())

    @admin.display(description=_("value (yuan)"), ordering="value_total")
    def value_total(self, obj):
        return money(obj.value_total)

    def save_model(self, request, obj, form, change):
        if change:
            donation_save(donation=obj, by=request.user)
        # A new donation is recorded with its lines, in save_related.

    def save_related(self, request, form, formsets, change):
        if change:
            return  # the lines are a record
        lines = [line for formset in formsets for line in formset.save(commit=False)]
        donation_record(donation=form.instance, lines=lines, by=request.user)

    @admin.action(description=_("Cancel the selected donations"), permissions=["cancel"])
    def cancel_donations(self, request, queryset):
        return with_reason(
            self,
            request,
            queryset,
            "cancel_donations",
            gettext("Cancel the selected donations"),
            lambda donation, reason: donation_cancel(donation=donation, by=request.user, reason=reason),
            gettext("%(count)d donations cancelled."),
        )


class RedemptionItemInline(ScopedTabularInline):
    model = RedemptionItem
    fields = ["goods", "quantity", "unit_points"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RedeemForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    household = forms.ModelChoiceField(label=_("household"), queryset=Household.objects.none())
    person = forms.ModelChoiceField(label=_("person who came"), queryset=Person.objects.none())

    def __init__(self, *args, request, event, goods, **kwargs):
        super().__init__(*args, **kwargs)
        site = admin.site
        # The widget first: setting the queryset gives the widget its choices.
        self.fields["household"].widget = ValidKeysAutocompleteSelect(Redemption._meta.get_field("household"), site)
        self.fields["household"].queryset = (
            scoped_choices(Household, request).filter(village=event.village).select_related("head")
        )
        self.fields["person"].widget = ValidKeysAutocompleteSelect(Redemption._meta.get_field("person"), site)
        self.fields["person"].queryset = scoped_choices(Person, request).filter(village=event.village)
        narrowed_by(self.fields["person"], "household")  # who came is a member of the household chosen
        for name in ("household", "person"):
            with_picker_labels(self.fields[name], request.user)
        self.goods = list(goods)
        for item in self.goods:
            self.fields[f"goods_{item.pk}"] = forms.IntegerField(
                label=f"{item.name}（{item.points_price} 分/{item.unit}，库存 {item.stock}）",
                min_value=0,
                required=False,
            )

    def items(self):
        return [
            (item, self.cleaned_data.get(f"goods_{item.pk}") or 0)
            for item in self.goods
            if self.cleaned_data.get(f"goods_{item.pk}")
        ]


@admin.register(RedemptionEvent)
class RedemptionEventAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    personal_export = False  # records of no one
    list_display = ["date", "village", "place", "redemption_count", "points_total"]
    list_filter = ["village", ("date", admin.DateFieldListFilter)]
    change_form_template = "admin/points/redemptionevent/change_form.html"
    list_select_related = ["village"]
    search_fields = ["place", "notes"]
    date_hierarchy = "date"
    fields = ["village", "date", "place", "notes"]

    def save_model(self, request, obj, form, change):
        redemption_event_save(event=obj, by=request.user)

    def get_queryset(self, request):
        live = Redemption.objects.filter(cancelled_at__isnull=True)
        return (
            super()
            .get_queryset(request)
            .annotate(
                redemption_count=per_row(live, "event"),
                points_total=per_row(live, "event", Sum("total_points")),
            )
            .order_by("-date", "village__sort_order")
        )

    @admin.display(description=_("redemptions"), ordering="redemption_count")
    def redemption_count(self, obj):
        return obj.redemption_count

    @admin.display(description=_("points"), ordering="points_total")
    def points_total(self, obj):
        return obj.points_total or 0

    def get_urls(self):
        return [
            path(
                "<path:object_id>/redeem/",
                self.admin_site.admin_view(self.redeem_view),
                name="points_redemptionevent_redeem",
            )
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "redeem_url": reverse("admin:points_redemptionevent_redeem", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def redeem_view(self, request, object_id):
        """Record a redemption at this session: household, who came, goods; one step."""
        event = self.get_object_or_404(request, object_id)
        if not request.user.has_perm("points.add_redemption"):
            raise PermissionDenied
        goods = Goods.objects.filter(town=event.village.town, active=True).order_by("name")
        data = request.POST if request.method == "POST" else None
        form = RedeemForm(data, request=request, event=event, goods=goods, initial={"token": uuid4()})
        if data is not None and form.is_valid():
            try:
                redemption = redemption_create(
                    event=event,
                    household=form.cleaned_data["household"],
                    person=form.cleaned_data["person"],
                    items=form.items(),
                    by=request.user,
                    token=form.cleaned_data["token"],
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                balance = Household.objects.values_list("points_balance", flat=True).get(pk=redemption.household_id)
                self.message_user(
                    request,
                    gettext("Redeemed %(points)d points; the household's balance is now %(balance)d.")
                    % {"points": redemption.total_points, "balance": balance},
                )
                return HttpResponseRedirect(reverse("admin:points_redemptionevent_redeem", args=[event.pk]))
        recent = Redemption.objects.filter(event=event).select_related("household", "person").order_by("-pk")[:20]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Redemption at %(event)s") % {"event": f"{event.village} {event}"},
            "event": event,
            "form": form,
            "media": self.media + form.media,
            "recent": recent,
        }
        return TemplateResponse(request, "admin/points/redeem.html", context)


@admin.register(Redemption)
class RedemptionAdmin(ReadOnlyLedgerAdmin):
    list_display = ["recorded_at", "event", "household", "person", "total_points", "cancelled_at"]
    list_filter = [("recorded_at", admin.DateFieldListFilter), ("cancelled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["event__village", "household", "person"]
    search_fields = ["household__number", "person__name"]
    inlines = [RedemptionItemInline]
    actions = ["cancel_redemptions"]
    fields = [
        "event",
        "household",
        "person",
        "total_points",
        "recorded_by",
        "recorded_at",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # redemptions are recorded on their session's page

    def has_cancel_permission(self, request):
        return request.user.has_perm("points.add_redemption")

    @admin.action(description=_("Cancel the selected redemptions"), permissions=["cancel"])
    def cancel_redemptions(self, request, queryset):
        return with_reason(
            self,
            request,
            queryset,
            "cancel_redemptions",
            gettext("Cancel the selected redemptions"),
            lambda redemption, reason: redemption_cancel(redemption=redemption, by=request.user, reason=reason),
            gettext("%(count)d redemptions cancelled."),
        )


class AwardForm(forms.Form):
    rule = forms.ModelChoiceField(label=_("rule"), queryset=PointRule.objects.none())
    date = forms.DateField(label=_("date"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("note"), required=False, max_length=200)


def award_points(modeladmin, request, queryset):
    """登记积分 for the households ticked in the household list: all of them, or none."""
    if not request.user.has_perm("points.add_pointentry"):
        raise PermissionDenied
    form = AwardForm(request.POST if "apply" in request.POST else None)
    form.fields["rule"].queryset = scoped_choices(PointRule, request).filter(active=True)
    if form.is_bound and form.is_valid():
        try:
            entries = point_award_many(
                households=list(queryset.select_related("village")),
                rule=form.cleaned_data["rule"],
                day=form.cleaned_data["date"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            recorded_message(request, entries)
        return None
    return TemplateResponse(
        request,
        "admin/points/award.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "queryset": queryset,
            "form": form,
            "title": gettext("Record points for the selected households"),
        },
    )


award_points.short_description = _("Record points for the selected households")


class PassbookForm(DisclosureForm):
    """The year and the page size, and what the passbooks are printed for (a family's points)."""

    year = forms.IntegerField(label=_("year"), min_value=2000)
    size = forms.ChoiceField(
        label=_("page size"), choices=[(name, name) for name in passbooks.SIZES], widget=forms.RadioSelect
    )
    field_order = ["year", "size"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, kind="pdf", **kwargs)
        this_year = timezone.localdate().year
        # Set after the field is made, max_value alone would not check: its validator is added here.
        self.fields["year"].max_value = this_year
        self.fields["year"].validators.append(MaxValueValidator(this_year))
        self.fields["year"].widget.attrs["max"] = this_year
        self.fields["year"].initial = this_year
        self.fields["size"].initial = "A5"


def pdf_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = attachment(name)
    response["Cache-Control"] = "private, no-store"  # a family's points: never kept by a shared browser
    return response


def passbook_response(request, households, form: "PassbookForm", household=None) -> HttpResponse:
    """The passbooks' PDF, printed now, marked and logged with the purpose given."""
    year, size = form.cleaned_data["year"], form.cleaned_data["size"]
    disclosure = form.disclosure("pdf")
    data, _pages = passbooks.pdf_bytes([h.pk for h in households], year, size, disclosure=disclosure)
    passbooks.log(
        request.user,
        year=year,
        size=size,
        households=len(households),
        household=household,
        purpose=disclosure.purpose,
    )
    return pdf_response(data, passbooks.file_name(year, households))


def print_passbooks(modeladmin, request, queryset):
    """打印积分存折 for the households ticked in the household list: one page each (more
    than passbooks.BACKGROUND_FROM are printed by the background worker)."""
    if not request.user.has_perm("points.view_pointentry"):
        raise PermissionDenied
    form = PassbookForm(request.POST if "apply" in request.POST else None, user=request.user)
    if form.is_bound and form.is_valid():
        year, size = form.cleaned_data["year"], form.cleaned_data["size"]
        households = passbooks.in_order(queryset)
        if len(households) <= passbooks.BACKGROUND_FROM:
            return passbook_response(request, households, form)
        purpose = form.disclosure("pdf").purpose
        job = passbooks.start_print(user=request.user, households=households, year=year, size=size, purpose=purpose)
        return HttpResponseRedirect(reverse("admin:points_passbook_job", args=[job.pk]))
    return TemplateResponse(
        request,
        "admin/points/passbooks.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "count": queryset.count(),
            "selected": request.POST.getlist("_selected_action"),
            "select_across": request.POST.get("select_across", "0"),
            "form": form,
            "title": gettext("Print points passbooks of the selected households"),
        },
    )


print_passbooks.short_description = _("Print points passbooks")


def passbook_link(request, household) -> tuple[str, str] | None:
    """打印积分存折 atop a household's page."""
    if not request.user.has_perm("points.view_pointentry"):
        return None
    return reverse("admin:points_passbook", args=[household.pk]), gettext("Print points passbook")


class LedgerInline(ScopedTabularInline):
    model = PointEntry
    fk_name = "household"
    fields = ["date", "kind", "rule", "points", "balance_after", "note"]
    readonly_fields = fields
    can_delete = False
    max_num = 0
    ordering = ["-date", "-pk"]
    verbose_name_plural = _("points ledger")
    rows_follow_parent = True  # lines written before the household moved here too

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rule")


def points_reminders(request) -> list[tuple]:
    """The points supermarket's work waiting today, in the user's towns: claims to review,
    goods to restock, appeals to check or decide."""
    work = appeal_reminders(request)
    if request.user.has_perm("points.review_pointclaim"):
        waiting = selectors.claims_to_review(request.user).count()
        url = reverse("admin:points_pointclaim_changelist")
        work.append((gettext("Points claims waiting for your review"), waiting, f"{url}?review=mine"))
    if request.user.has_perm("points.view_goods"):
        low = selectors.low_in_stock(selectors.goods(scope_for(request.user))).count()
        url = reverse("admin:points_goods_changelist")
        work.append((gettext("Goods low in stock"), low, f"{url}?stock=low"))
    return work


class ClaimForm(forms.ModelForm):
    class Meta:
        model = PointClaim
        fields = ["household", "person", "rule", "date", "note", "evidence"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "date" in self.fields:
            self.fields["date"].initial = timezone.localdate
            self.fields["evidence"].widget.attrs["accept"] = "image/jpeg,image/png"
            self.fields["evidence"].widget.attrs["capture"] = "environment"  # the phone's camera


class ToReviewFilter(admin.SimpleListFilter):
    """待我审核: the claims the user may review now (not hers, not her household's, not
    reviewed by her already)."""

    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("mine", _("waiting for my review"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(pk__in=selectors.claims_to_review(request.user).values("pk"))
        return queryset


class ClaimsFilter(admin.SimpleListFilter):
    """The claims a row of the signal report names (points_claim_signals): shown only when
    followed from the report, so that the list says it is narrowed and 全部 undoes it."""

    title = _("claims")
    parameter_name = "ids"

    def lookups(self, request, model_admin):
        return [(self.value(), _("the claims the report names"))] if self.value() else []

    def queryset(self, request, queryset):
        if self.value():
            ids = [int(part) for part in self.value().split(",") if part.strip().isdigit()]
            return queryset.filter(pk__in=ids[:1000])
        return queryset


@admin.register(PointClaim)
class PointClaimAdmin(ServiceErrorsAsMessagesMixin, ReadOnlyLedgerAdmin):
    form = ClaimForm
    list_display = [
        "household",
        "date",
        "village",
        "rule",
        "points",
        "status",
        "reviews",
        "photo",
        "recorded_by",
    ]
    # On the reviewer's phone: whose claim, for what, how much.
    mobile_columns = ["household", "rule", "points", "status"]
    list_filter = [ToReviewFilter, "status", "village", ("date", admin.DateFieldListFilter), "rule", ClaimsFilter]
    list_select_related = ["village", "household__head", "rule", "recorded_by", "reviewed_by", "second_reviewed_by"]
    search_fields = ["household__number", "household__head__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["household", "person", "rule"]
    narrow_pickers = {"person": "household"}
    actions = ["approve_claims", "return_claims"]
    readonly_fields = [
        "village",
        "points",
        "status",
        "reviews_needed",
        "recorded_by",
        "recorded_at",
        "reviewed_by",
        "reviewed_at",
        "second_reviewed_by",
        "second_reviewed_at",
        "returned_by",
        "returned_at",
        "return_reason",
        "ledger_line",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ClaimForm.Meta.fields
        return [*ClaimForm.Meta.fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [*ClaimForm.Meta.fields, *self.readonly_fields] if obj is not None else []

    def has_review_permission(self, request):
        return request.user.has_perm("points.review_pointclaim")

    @admin.display(description=_("reviews"))
    def reviews(self, obj):
        return f"{obj.reviews_done}/{obj.reviews_needed}" if obj.reviews_needed else "—"

    @admin.display(description=_("photo"), boolean=True)
    def photo(self, obj):
        return bool(obj.evidence)

    @admin.display(description=_("ledger line"))
    def ledger_line(self, obj):
        entry = obj.entry_or_none()
        if entry is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:points_pointentry_change", args=[entry.pk]), str(entry)
        )

    def save_model(self, request, obj, form, change):
        claim = point_claim_record(
            household=obj.household,
            rule=obj.rule,
            day=obj.date,
            by=request.user,
            person=obj.person,
            note=obj.note,
            evidence=form.cleaned_data.get("evidence"),
        )
        obj.pk = claim.pk
        recorded_message(request, [claim])

    def response_add(self, request, obj, post_url_continue=None):
        # The message was said by save_model, in the claim's own words.
        if "_addanother" in request.POST:
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(reverse("admin:points_pointclaim_changelist"))

    @admin.action(description=_("Approve the selected claims"), permissions=["review"])
    def approve_claims(self, request, queryset):
        done, refused = point_claims_review(claims=list(queryset), by=request.user, approve=True)
        for message in refused:
            self.message_user(request, message, messages.ERROR)
        if done:
            self.message_user(request, gettext("%(count)d claims approved.") % {"count": done})

    @admin.action(description=_("Return the selected claims"), permissions=["review"])
    def return_claims(self, request, queryset):
        return with_reason(
            self,
            request,
            queryset,
            "return_claims",
            gettext("Return the selected claims"),
            lambda claim, reason: point_claim_review(claim=claim, by=request.user, approve=False, reason=reason),
            gettext("%(count)d claims returned."),
        )


# --- The month's posting (积分公示) and the town's settings --------------------------------


class PostingForm(forms.ModelForm):
    month = forms.DateField(
        label=_("month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    class Meta:
        model = PointPosting
        fields = ["village", "month"]

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)


POSTING_LOG_NAME = "points_posting"  # each posting printed or downloaded is logged under this name


@admin.register(PointPosting)
class PointPostingAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    """A posting is a record: made once from the ledger, then only read, printed and sent."""

    form = PostingForm
    list_display = ["month_shown", "village", "current", "posted_by", "posted_at", "appeal_until", "names"]
    list_filter = ["village", "names"]
    list_select_related = ["village", "posted_by"]
    date_hierarchy = "month"
    change_form_template = "admin/points/pointposting/change_form.html"
    record_fields = ["village", "month", "posted_by", "posted_at", "appeal_from", "appeal_until", "names", "contact"]

    def get_queryset(self, request):
        later = PointPosting.objects.filter(
            village=OuterRef("village"), month=OuterRef("month"), posted_at__gt=OuterRef("posted_at")
        )
        queryset = super().get_queryset(request).annotate(superseded=Exists(later))
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            # A list page shows no figures: a village's rows are hundreds of kilobytes each.
            queryset = queryset.defer("rows")
        return queryset

    def get_fields(self, request, obj=None):
        return ["village", "month"] if obj is None else self.record_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.record_fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        # Most often the month just ended is posted.
        last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
        return {"month": last_month.replace(day=1), **super().get_changeform_initial_data(request)}

    @admin.display(description=_("month"), ordering="month")
    def month_shown(self, obj):
        return f"{obj.month:%Y-%m}"

    @admin.display(description=_("current posting"), boolean=True)
    def current(self, obj):
        return not obj.superseded

    def save_model(self, request, obj, form, change):
        posting = point_posting_create(village=obj.village, month=obj.month, by=request.user)
        obj.pk, obj.posted_at = posting.pk, posting.posted_at

    def response_add(self, request, obj, post_url_continue=None):
        # On to the posting's page, where it is printed and sent.
        super().response_add(request, obj, post_url_continue)  # its message
        return HttpResponseRedirect(reverse("admin:points_pointposting_change", args=[obj.pk]))

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "title": gettext("Post a month's points")}
        return super().add_view(request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        posting = self.get_object_or_404(request, object_id)
        pictures = posting_layout.picture_count(posting)
        extra_context = {
            **(extra_context or {}),
            "posting": posting,
            "can_download": request.user.has_perm("points.export_pointposting"),
            "pdf_urls": [
                (reverse("admin:points_pointposting_pdf", args=[posting.pk, size]), label)
                for size, label in (("a4", gettext("Print A4")), ("a3", gettext("Print A3")))
            ],
            "picture_urls": [
                (
                    reverse("admin:points_pointposting_picture", args=[posting.pk, part]),
                    gettext("Download picture %(part)s of %(parts)s") % {"part": part, "parts": pictures}
                    if pictures > 1
                    else gettext("Download picture"),
                )
                for part in range(1, pictures + 1)
            ],
            "header": posting_layout.header(),
            "preview": [
                [
                    row["household"],
                    row["earned"],
                    row["deducted"],
                    row["redeemed"],
                    row["balance"],
                    [posting_layout.line_text(line) for line in row["lines"]],
                ]
                for row in posting.rows
            ],  # fmt: skip
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/pdf/<str:size>/", view(self.pdf_view), name="points_pointposting_pdf"),
            path("<path:object_id>/picture/<int:part>/", view(self.picture_view), name="points_pointposting_picture"),
        ] + super().get_urls()

    def _download(self, request, object_id, kind: str, render, content_type: str, extension: str):
        """A posting's file, after its purpose is asked (a posting names the households)."""
        posting = self.get_object_or_404(request, object_id)
        if not request.user.has_perm("points.export_pointposting"):
            raise PermissionDenied
        disclosure = ask(request, self.admin_site, extension.rpartition(".")[2], personal=True, what=str(posting))
        if not isinstance(disclosure, Disclosure):
            return disclosure
        content = render(posting, disclosure)
        ReportLog.objects.create(
            user=request.user,
            report=POSTING_LOG_NAME,
            filters={"posting": posting.pk, "village": posting.village_id, "month": f"{posting.month:%Y-%m}"},
            format=kind,
            rows=len(posting.rows),
            **disclosure.log_fields(),
        )
        response = HttpResponse(content, content_type=content_type)
        # Opened in the browser: printed from there, or long-pressed on a phone to send to WeChat.
        name = posting_layout.file_name(posting, extension)
        response["Content-Disposition"] = content_disposition_header(False, name)
        return response

    def pdf_view(self, request, object_id, size):
        if size not in posting_layout.SIZES:
            raise Http404
        return self._download(
            request,
            object_id,
            f"pdf-{size}",
            lambda p, d: posting_layout.pdf_bytes(p, size, d),
            "application/pdf",
            "pdf",
        )

    def picture_view(self, request, object_id, part):
        posting = self.get_object_or_404(request, object_id)
        if not 1 <= part <= posting_layout.picture_count(posting):
            raise Http404
        return self._download(
            request,
            object_id,
            "png",
            lambda p, d: posting_layout.picture_bytes(p, part, d),
            "image/png",
            f"{part}.png",
        )


@admin.register(SupermarketSettings)
class SupermarketSettingsAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    personal_export = False  # records of no one
    list_display = ["town", "posting_names", "appeal_days", "contact"]
    list_select_related = ["town"]
    fields = ["town", "posting_names", "appeal_days", "contact"]

    def has_add_permission(self, request):
        # Settings are changed, not added: a town that has none yet sets them the first time.
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["town"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "town":
            # Only the towns she keeps whole: a village clerk sees her town's settings, never sets them.
            scope = scope_for(request.user)
            towns = Town.objects.all() if scope.everything else Town.objects.filter(pk__in=scope.town_ids)
            kwargs["queryset"] = towns.exclude(pk__in=SupermarketSettings.objects.values("town_id"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        supermarket_settings_save(settings=obj, by=request.user)


class OpenAppealFilter(admin.SimpleListFilter):
    title = _("open or decided")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", pgettext_lazy("appeal", "open")), ("no", pgettext_lazy("appeal", "decided"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=selectors.OPEN_APPEAL)
        if self.value() == "no":
            return queryset.exclude(status__in=selectors.OPEN_APPEAL)
        return queryset


class AppealStepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Outcome and reasons"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    rule = forms.ModelChoiceField(
        label=_("rule"),
        required=False,
        queryset=PointRule.objects.none(),
        help_text=_("For a correction: the rule of the award that was missing."),
    )
    points = forms.IntegerField(
        label=_("points"),
        required=False,
        help_text=_(
            "For a correction: the points to add (negative to take away). Empty: the line appealed undone, "
            "or the rule's points."
        ),
    )

    def __init__(self, *args, appeal, **kwargs):
        super().__init__(*args, **kwargs)
        Status = PointAppeal.Status
        if appeal.status == Status.RECEIVED:
            self.fields["step"].choices = [(Status.CHECKING, Status.CHECKING.label)]
            for name in ("reason", "rule", "points"):
                del self.fields[name]
        else:
            self.fields["step"].choices = [(status, status.label) for status in selectors.DECIDED_APPEAL]
            self.fields["rule"].queryset = PointRule.objects.filter(town_id=appeal.village.town_id, active=True)


@admin.register(PointAppeal)
class PointAppealAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    """Appeals, recorded on the add page and moved on by steps (受理 → 核实中 → 维持/更正/驳回) from
    their page; a recorded appeal is never edited, and a decided one prints its answer."""

    list_display = ["received_on", "village", "household", "entry_shown", "status", "decided_on"]
    list_filter = [OpenAppealFilter, "status", "village"]
    list_select_related = ["village", "household__head", "entry__rule", "posting__village", "recorded_by", "decided_by"]
    search_fields = ["household__number", "household__head__name"]
    date_hierarchy = "received_on"
    autocomplete_fields = ["household", "entry"]
    narrow_pickers = {"entry": "household"}  # the lines of the household chosen
    readonly_fields = ["entry_shown", "correction", "next_step"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["household", "posting", "entry", "statement"]})]
        return [
            (None, {"fields": ["village", "household", "posting", "entry_shown", "received_on", "statement"]}),
            (
                _("Steps"),
                {"fields": ["status", "next_step", "outcome", "correction", "recorded_by", "decided_by", "decided_on"]},
            ),
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "posting":
            # The postings that may be appealed today, in her villages.
            today = timezone.localdate()
            postings = scoped_choices(PointPosting, request).filter(appeal_from__lte=today, appeal_until__gte=today)
            kwargs["queryset"] = postings.select_related("village")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)  # moved on by its steps only

    def has_delete_permission(self, request, obj=None):
        return False  # a record of what a household said and what it was told

    @admin.display(description=_("line appealed"), ordering="entry__date")
    def entry_shown(self, obj):
        return obj.entry.picker_label() if obj.entry_id else gettext("an award the household says is missing")

    @admin.display(description=_("correcting line"))
    def correction(self, obj):
        lines = [line.picker_label() for line in obj.entries.select_related("rule")]
        return "；".join(lines) or "—"

    @admin.display(description=_("next step"))
    def next_step(self, obj):
        if obj.open:
            url = reverse("admin:points_pointappeal_step", args=[obj.pk])
            return format_html('<a class="button" href="{}">{}</a>', url, gettext("Record the next step"))
        url = reverse("admin:points_pointappeal_answer", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, gettext("Print the answer to the villager"))

    def save_model(self, request, obj, form, change):
        point_appeal_record(appeal=obj, by=request.user)

    def get_urls(self):
        return [
            path("<path:object_id>/step/", self.admin_site.admin_view(self.step_view), name="points_pointappeal_step"),
            path(
                "<path:object_id>/answer/",
                self.admin_site.admin_view(self.answer_view),
                name="points_pointappeal_answer",
            ),
            *super().get_urls(),
        ]

    def step_view(self, request, object_id):
        appeal = self.get_object_or_404(request, object_id)
        if not request.user.has_perm("points.change_pointappeal"):
            raise PermissionDenied
        change_url = reverse("admin:points_pointappeal_change", args=[appeal.pk])
        if not appeal.open:
            return HttpResponseRedirect(change_url)
        form = AppealStepForm(request.POST or None, appeal=appeal)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["step"] == PointAppeal.Status.CHECKING:
                    point_appeal_check(appeal=appeal, by=request.user)
                else:
                    point_appeal_decide(
                        appeal=appeal,
                        outcome=data["step"],
                        reason=data["reason"],
                        rule=data["rule"],
                        points=data["points"],
                        by=request.user,
                    )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, gettext("%(appeal)s is updated.") % {"appeal": appeal})
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Next step of %(appeal)s") % {"appeal": appeal},
            "obj": appeal,
            "summary": " · ".join(
                [str(appeal.village), str(appeal.household), self.entry_shown(appeal), appeal.get_status_display()]
            ),
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/federation/step.html", context)

    def answer_view(self, request, object_id):
        """The answer to the villager as a PDF, logged as every download is."""
        appeal = self.get_object_or_404(request, object_id)
        if not self.has_view_permission(request, appeal):
            raise PermissionDenied
        if appeal.open:
            raise Http404(gettext("The appeal is not decided yet."))
        disclosure = ask(request, self.admin_site, "pdf", personal=True, what=str(appeal))
        if not isinstance(disclosure, Disclosure):
            return disclosure
        content = answer_pdf(appeal, disclosure)
        # Logged as an export of the one appeal (the log of reports and exports names it so).
        ReportLog.objects.create(
            user=request.user,
            report=f"export:{PointAppeal._meta.label_lower}",
            filters={"id": [str(appeal.pk)]},
            format="pdf",
            rows=1,
            **disclosure.log_fields(),
        )
        response = HttpResponse(content, content_type="application/pdf")
        name = gettext("points appeal answer %(number)s-%(id)s.pdf") % {
            "number": appeal.household.number,
            "id": appeal.pk,
        }
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response


def appeal_reminders(request) -> list[tuple]:
    """Appeals waiting to be checked or decided, in the user's villages."""
    if not request.user.has_perm("points.change_pointappeal"):
        return []
    count = selectors.open_appeals(scope_for(request.user)).count()
    url = reverse("admin:points_pointappeal_changelist")
    return [(gettext("Points appeals open"), count, f"{url}?open=yes")]
