from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from federation.exporting import can_see_identity
from federation.identity import mask_id_number


class MaskedAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete that tells people apart by a masked ID number, never the full one."""

    def get_queryset(self):
        queryset = super().get_queryset()
        # A household is told apart by its head's name and masked ID, not its number alone.
        if any(field.name == "head" for field in queryset.model._meta.concrete_fields):
            queryset = queryset.select_related("head")
        return queryset

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if hasattr(obj, "points_balance"):  # a household: clerks redeem against its balance
            result["text"] = gettext("%(household)s · balance %(points)d") % {
                "household": result["text"],
                "points": obj.points_balance,
            }
        head = getattr(obj, "head", None) if hasattr(type(obj), "head") else None
        number = getattr(obj, "id_number", "") or getattr(head, "id_number", "")
        if number:
            shown = number if can_see_identity(self.request.user) else mask_id_number(number)
            result["text"] = f"{result['text']}（{shown}）"
        return result


class FederationAdminSite(admin.AdminSite):
    site_header = _("Women's Federation workbench")
    site_title = _("Women's Federation workbench")
    index_title = _("Work overview")
    enable_nav_sidebar = True

    index_template = "admin/federation/index.html"

    def index(self, request, extra_context=None):
        from federation import dashboard

        return super().index(request, {**(extra_context or {}), **dashboard.context(request)})

    def get_urls(self):
        from django.urls import path

        from federation.views import binder_view, report_view

        urls = [
            path("reports/", self.admin_view(lambda request: report_view(request, self)), name="reports"),
            path("reports/binder/", self.admin_view(lambda request: binder_view(request, self)), name="binder"),
        ]
        return urls + super().get_urls()

    def autocomplete_view(self, request):
        return MaskedAutocompleteJsonView.as_view(admin_site=self)(request)
