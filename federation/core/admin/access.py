"""Opening a sensitive record, or its history, is logged (敏感档案查阅记录); a record opened by
breaking the glass (federation.core.glass) is opened, and each of its pages logged, here."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError

from federation.core.glass import glass_grants, glass_open
from federation.core.models import RecordAccess

# What a page of a record opened under a glass access is logged as, by its URL's last part.
PAGE_ACTIONS = {"change": "view", "history": "history", "simple_history": "history"}


def _logged(request) -> set:
    if not hasattr(request, "_records_logged"):
        request._records_logged = set()
    return request._records_logged


def log_access(request, obj, action: str) -> None:
    """Log that the user opened `obj` (once a request), under her glass access if it opens it."""
    key = (obj._meta.label_lower, str(obj.pk))
    if key in _logged(request):
        return
    _logged(request).add(key)
    RecordAccess.objects.create(
        user=request.user, record=key[0], object_id=key[1][:20], action=action, glass=glass_open(request, obj)
    )


def page_action(request) -> str:
    match = getattr(request, "resolver_match", None)
    page = match.url_name.rpartition("_")[2] if match and match.url_name else ""
    return PAGE_ACTIONS.get(page, page[:20] or "view")


class GlassAdminMixin:
    """Of every admin: a record the user opens by a glass access of hers (its file's, for a
    record of a file) answers on its own pages as if she held the permissions the glass stands
    in for, on that record alone; and each page of it she opens (its page, its history, its next
    step) is logged under the access. Lists, exports and every other record are as before."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "GET" and glass_open(request, obj) is not None:
            log_access(request, obj, page_action(request))
        return obj

    def glass_object(self, request, queryset, object_id):
        """The record `object_id` of `queryset` (the admin's records before an app's own narrowing
        of what the user may know) when a glass access of hers opens it, else None."""
        try:
            obj = queryset.filter(pk=self.model._meta.pk.to_python(unquote(object_id))).first()
        except (ValidationError, ValueError):
            return None
        if obj is None or glass_open(request, obj) is None:
            return None
        if request.method == "GET":
            log_access(request, obj, page_action(request))
        return obj

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self.glass_allows(request, obj, "view")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or self.glass_allows(request, obj, "change")

    def glass_allows(self, request, obj, action: str) -> bool:
        if obj is None:
            return False
        opts = self.model._meta
        return glass_grants(request, obj, f"{opts.app_label}.{action}_{opts.model_name}")


class AccessLoggedAdminMixin:
    """For sensitive records: opening one, or its history, is logged (RecordAccess)."""

    def log_access(self, request, obj, action: str) -> None:
        log_access(request, obj, action)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object_or_404(request, object_id)
        if request.method == "GET" and self.has_view_or_change_permission(request, obj):
            self.log_access(request, obj, "view")
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object_or_404(request, object_id)
        if self.has_view_or_change_permission(request, obj):
            self.log_access(request, obj, "history")
        return super().history_view(request, object_id, extra_context)
