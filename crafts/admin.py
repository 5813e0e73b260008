from django.contrib import admin
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crafts.models import CraftSale, Craftswoman
from crafts.resources import CraftSalesResource, CraftswomenResource
from crafts.services import (
    craft_sale_delete,
    craft_sale_record,
    craft_sale_update,
    craftswoman_delete,
    craftswoman_register,
    craftswoman_update,
)
from federation.core.admin.base import (
    ScopedModelAdmin,
    ScopedTabularInline,
    ServiceErrorsAsMessagesMixin,
    ServiceInlinesMixin,
    VillageFilter,
)
from federation.core.reporting import money, per_row


def save_sale(*, record, by) -> CraftSale:
    """A sale from a form, an inline row or a roster: recorded when new, else changed."""
    if record.pk is None:
        return craft_sale_record(sale=record, by=by)
    return craft_sale_update(sale=record, by=by)


def delete_sale(*, record, by) -> None:
    craft_sale_delete(sale=record, by=by)


class CraftSaleInline(ScopedTabularInline):
    model = CraftSale
    fields = ["date", "channel", "amount", "quantity", "note"]


@admin.register(Craftswoman)
class CraftswomanAdmin(ServiceErrorsAsMessagesMixin, ServiceInlinesMixin, ScopedModelAdmin):
    import_resource = CraftswomenResource
    list_display = ["person", "village", "craft", "workshop", "joined_on", "trainings_attended", "sales_shown"]
    list_filter = ["craft", VillageFilter]
    list_select_related = ["person__village"]
    search_fields = ["person__name", "person__id_number", "workshop"]
    search_help_text = _("Search by name, ID number or workshop.")
    autocomplete_fields = ["person", "trainings"]
    fieldsets = [
        (None, {"fields": ["person", "craft", "workshop", "joined_on"]}),
        (_("Trainings and notes"), {"fields": ["trainings", "note"]}),
    ]
    inlines = [CraftSaleInline]
    record_service = staticmethod(save_sale)
    record_delete_service = staticmethod(delete_sale)

    def get_queryset(self, request):
        # Counted per row shown, in subqueries: a join of both would multiply them.
        sales = CraftSale.objects.filter(craftswoman=OuterRef("pk")).order_by().values("craftswoman")
        amount = sales.annotate(total=Sum("amount")).values("total")
        return (
            super()
            .get_queryset(request)
            .annotate(
                training_count=per_row(Craftswoman.trainings.through.objects.all(), "craftswoman"),
                sale_count=per_row(CraftSale.objects.all(), "craftswoman"),
                sale_amount=Subquery(amount, output_field=DecimalField(max_digits=14, decimal_places=2)),
            )
        )

    @admin.display(description=_("village"), ordering="person__village__sort_order")
    def village(self, obj):
        return obj.person.village

    @admin.display(description=_("trainings attended"), ordering="training_count")
    def trainings_attended(self, obj):
        return obj.training_count

    @admin.display(description=_("sales"), ordering="sale_amount")
    def sales_shown(self, obj):
        if not obj.sale_count:
            return "—"
        url = reverse("admin:crafts_craftsale_changelist") + f"?craftswoman__id__exact={obj.pk}"
        text = gettext("%(count)d sales, %(amount)s yuan") % {"count": obj.sale_count, "amount": money(obj.sale_amount)}
        return format_html('<a href="{}">{}</a>', url, text)

    def save_model(self, request, obj, form, change):
        # The form's trainings keep those its user cannot see (HiddenLinksFormMixin).
        service = craftswoman_update if change else craftswoman_register
        service(craftswoman=obj, trainings=form.cleaned_data.get("trainings"), by=request.user)

    def save_related(self, request, form, formsets, change):
        # The trainings were saved with the entry: no save_m2m, only the sales.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_service(self, *, record, by):
        craftswoman_delete(craftswoman=record, by=by)


@admin.register(CraftSale)
class CraftSaleAdmin(ServiceErrorsAsMessagesMixin, ScopedModelAdmin):
    import_resource = CraftSalesResource
    list_display = ["date", "craftswoman", "village", "channel", "amount", "quantity", "note"]
    list_filter = ["channel", "craftswoman__craft", VillageFilter]
    list_select_related = ["craftswoman__person", "village"]
    search_fields = ["craftswoman__person__name", "craftswoman__person__id_number", "note"]
    search_help_text = _("Search by the craftswoman's name or ID number.")
    autocomplete_fields = ["craftswoman"]
    date_hierarchy = "date"
    fields = ["craftswoman", "date", "channel", "amount", "quantity", "note"]
    # The link from a craftswoman's row to her sales.
    extra_lookups = ("craftswoman__id__exact",)
    delete_service = staticmethod(delete_sale)

    def save_model(self, request, obj, form, change):
        save_sale(record=obj, by=request.user)
