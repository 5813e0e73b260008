from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import FieldDoesNotExist
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from federation.core import dashboard
from federation.core.admin.input import is_key
from federation.core.exporting import can_see_identity
from federation.core.help import help_view
from federation.core.search import search_view
from federation.core.views import binder_view, report_view, second_factor_setup_view, second_factor_verify_view


class MaskedAutocompleteJsonView(AutocompleteJsonView):
    """Autocomplete that tells people apart (a model's `picker_label`) without showing a
    digit its user may not see, and narrows to what the form has chosen already: a picker
    sent `narrow_<field>=<key>` (a redemption's 兑换人 by its 家庭) lists only records whose
    <field> is that key."""

    def get_queryset(self):
        queryset = super().get_queryset()
        model = queryset.model
        queryset = queryset.select_related(*getattr(model, "picker_related", ()))
        for name, value in self.request.GET.items():
            field = name.removeprefix("narrow_")
            if name.startswith("narrow_") and value and is_foreign_key_of(model, field, value):
                queryset = queryset.filter(**{field: value})
        return queryset

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        # A model may say more in a picker than in a form's list (a household: its balance).
        label = getattr(obj, "autocomplete_label", None) or getattr(obj, "picker_label", None)
        if label is not None:
            result["text"] = label(can_see_identity(self.request.user))
        return result


def is_foreign_key_of(model, name: str, value: str) -> bool:
    """Whether `name` is a foreign key of `model` and `value` can be one of its keys."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.many_to_one and is_key(field.target_field, value)


class FederationAdminSite(admin.AdminSite):
    site_header = _("Women's Federation workbench")
    site_title = _("Women's Federation workbench")
    index_title = _("Work overview")
    enable_nav_sidebar = True
    site_url = None  # no 查看站点: the workbench is the whole site ("/" leads back here)

    index_template = "admin/federation/index.html"

    def index(self, request, extra_context=None):
        return super().index(request, {**(extra_context or {}), **dashboard.context(request)})

    def get_urls(self):
        urls = [
            path("search/", self.admin_view(require_GET(lambda request: search_view(request, self))), name="search"),
            path("reports/", self.admin_view(lambda request: report_view(request, self)), name="reports"),
            path("reports/binder/", self.admin_view(lambda request: binder_view(request, self)), name="binder"),
            path("help/", self.admin_view(lambda request: help_view(request, self)), name="help"),
            path(
                "help/<slug:section>/",
                self.admin_view(lambda request, section: help_view(request, self, section)),
                name="help_section",
            ),
            # Open to a session that still owes its code (federation.core.middleware).
            path(
                "second-factor/",
                self.admin_view(second_factor_setup_view),
                name="second_factor_setup",
            ),
            path(
                "second-factor/code/",
                self.admin_view(second_factor_verify_view),
                name="second_factor_verify",
            ),
        ]
        return urls + super().get_urls()

    def autocomplete_view(self, request):
        return MaskedAutocompleteJsonView.as_view(admin_site=self)(request)
