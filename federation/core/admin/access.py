"""Opening a sensitive record, or its history, is logged (敏感档案查阅记录)."""

from federation.core.models import RecordAccess


class AccessLoggedAdminMixin:
    """For sensitive records: opening one, or its history, is logged (RecordAccess)."""

    def log_access(self, request, obj, action: str) -> None:
        RecordAccess.objects.create(
            user=request.user, record=self.model._meta.label_lower, object_id=str(obj.pk)[:20], action=action
        )

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
