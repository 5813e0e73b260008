from uuid import uuid4

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
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
from federation.core.models import ReportLog
from federation.core.reporting import money, per_row
from federation.core.scoping import scope_for
from federation.models import Household, Person
from points import selectors
from points.answers import answer_pdf
from points.models import (
    Donation,
    DonationLine,
    Goods,
    PointAppeal,
    PointEntry,
    PointPosting,
    PointRule,
    Redemption,
    RedemptionEvent,
    RedemptionItem,
    StockLine,
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
    point_entry_reverse,
    point_rule_save,
    redemption_cancel,
    redemption_create,
    redemption_event_save,
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
    list_display = ["category", "description", "points", "active"]
    list_filter = ["category", "active"]
    search_fields = ["description"]
    fields = ["town", "category", "description", "points", "active"]

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


@admin.register(PointEntry)
class PointEntryAdmin(ServiceErrorsAsMessagesMixin, ReadOnlyLedgerAdmin):
    form = EntryForm
    import_resource = PointEntriesResource
    list_display = ["date", "household", "person", "rule", "kind", "points", "balance_after", "note", "recorded_by"]
    list_filter = ["kind", ("date", admin.DateFieldListFilter), "rule__category"]
    list_select_related = ["household__head", "person", "rule", "recorded_by"]
    # Not the note: free text has no index, and a county's ledger is millions of lines.
    search_fields = ["household__number", "household__head__name", "person__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["household", "person", "rule"]
    narrow_pickers = {"person": "household"}
    actions = ["reverse_entries"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    def save_model(self, request, obj, form, change):
        obj.pk = point_award(
            household=obj.household, rule=obj.rule, day=obj.date, by=request.user, person=obj.person, note=obj.note
        ).pk

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
            modeladmin.message_user(
                request, gettext("Points recorded for %(count)d households.") % {"count": len(entries)}
            )
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
    """The points supermarket's work waiting today, in the user's towns: goods to restock and
    appeals to check or decide."""
    return [*stock_reminders(request), *appeal_reminders(request)]


def stock_reminders(request) -> list[tuple]:
    if not request.user.has_perm("points.view_goods"):
        return []
    low = selectors.low_in_stock(selectors.goods(scope_for(request.user))).count()
    url = reverse("admin:points_goods_changelist")
    return [(gettext("Goods low in stock"), low, f"{url}?stock=low")]


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
    list_select_related = ["village", "household__head", "entry__rule"]
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
        content = answer_pdf(appeal)
        # Logged as an export of the one appeal (the log of reports and exports names it so).
        ReportLog.objects.create(
            user=request.user,
            report=f"export:{PointAppeal._meta.label_lower}",
            filters={"id": [str(appeal.pk)]},
            format="pdf",
            rows=1,
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
