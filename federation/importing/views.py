"""The import pages of every roster admin: upload, preview (nothing written), confirm;
the template and the list of every error."""

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from federation.exporting import can_see_identity
from federation.importing.templates import build_template
from federation.importing.uploads import store_errors, store_upload, take_upload
from federation.models import Village
from federation.scoping import scoped_choices


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_(".xlsx, .xls or .csv"))
    village = forms.ModelChoiceField(
        label=_("Village for rows without one"),
        queryset=None,
        required=False,
        help_text=_("Used only when the file has no village column or a row leaves it empty."),
    )
    again = forms.BooleanField(
        label=_("Import again"),
        required=False,
        help_text=_("Tick only to import a file that was imported before once more."),
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        if villages.count() <= 1:
            del self.fields["village"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; the limit is %(limit).0f MB."),
                params={"size": upload.size / 1024 / 1024, "limit": settings.IMPORT_MAX_BYTES / 1024 / 1024},
            )
        return upload


class RosterImportMixin:
    """Import of a roster on a changelist: upload, preview (nothing written), confirm.

    Set `import_resource` to a RosterResource. The upload waits between preview and
    confirm in a private folder (settings.IMPORT_TMP_DIR), readable only by its uploader.
    """

    import_resource = None
    shown_errors = 500

    def has_import_permission(self, request) -> bool:
        opts = self.model._meta
        return self.import_resource is not None and request.user.has_perm(f"{opts.app_label}.import_{opts.model_name}")

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        urls = [
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{prefix}_import"),
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{prefix}_import_template",
            ),
            path(
                "import/errors/<str:token>/",
                self.admin_site.admin_view(self.import_errors_view),
                name=f"{prefix}_import_errors",
            ),
        ]
        return urls + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_resource_for(self, request, village=None):
        return self.import_resource(user=request.user, default_village=village)

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        villages = scoped_choices(Village, request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Import %(roster)s") % {"roster": self.import_resource.import_title},
            "resource_title": self.import_resource.import_title,
            "columns": [c.column_name + ("*" if c.required else "") for c in self.import_resource().columns()],
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_import(request, villages)
        form = ImportForm(request.POST or None, request.FILES or None, villages=villages)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            village = form.cleaned_data.get("village")
            again = form.cleaned_data["again"]
            resource = self.import_resource_for(request, village)
            report = resource.import_file(data, upload.name, dry_run=True, again=again)
            context.update(self._report_context(request, report))
            if not report.errors:
                context.update(token=store_upload(data, request.user), default_village=village, again=again)
            context["title"] = gettext("Preview")
            return TemplateResponse(request, "admin/federation/import.html", context)
        context["form"] = form
        return TemplateResponse(request, "admin/federation/import.html", context)

    def _confirm_import(self, request, villages):
        data = take_upload(request.POST.get("token", ""), request.user, remove=True)
        changelist = reverse(f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_changelist")
        if data is None:
            messages.error(request, gettext("The upload has expired or was already imported; upload the file again."))
            return HttpResponseRedirect(request.path)
        village = villages.filter(pk=request.POST.get("village") or None).first()
        file_name = request.POST.get("file_name", "")[:200]
        again = request.POST.get("again") == "1"
        report = self.import_resource_for(request, village).import_file(data, file_name, dry_run=False, again=again)
        if report.errors:  # the data changed between preview and confirm
            context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": gettext("Preview")}
            context.update(self._report_context(request, report))
            return TemplateResponse(request, "admin/federation/import.html", context)
        messages.success(request, gettext("Import finished: %(summary)s.") % {"summary": report.summary})
        return HttpResponseRedirect(changelist)

    def _report_context(self, request, report):
        # The preview masks ID numbers and phones as every list does.
        maskers = {} if can_see_identity(request.user) else report.maskers
        context = {
            "report": report,
            "shown_errors": report.errors[: self.shown_errors],
            "more_errors": max(0, len(report.errors) - self.shown_errors),
            "sample": [
                {
                    "row": item["row"],
                    "status": item["status"],
                    "cells": [self._cell(item["cells"].get(h), maskers.get(h)) for h in report.headers],
                }
                for item in report.sample
            ],
        }
        if context["more_errors"]:
            lines = [[error.row or "", error.column, error.message] for error in report.errors]
            context["errors_token"] = store_errors(lines, request.user)
        return context

    @staticmethod
    def _cell(value, masker=None):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return masker(str(value)) if masker else value

    def import_errors_view(self, request, token):
        if not self.has_import_permission(request):
            raise PermissionDenied
        data = take_upload(token, request.user, remove=False, kind="errors")
        if data is None:
            raise Http404
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="import-errors.csv"'
        return response

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        content = build_template(self.import_resource, scoped_choices(Village, request))
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        file_name = f"{self.import_resource.import_title}导入模板.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file_name)}"
        return response
