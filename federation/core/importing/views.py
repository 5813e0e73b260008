"""The import pages of every roster admin: upload, preview (nothing written), confirm;
the template and the list of every error."""

from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from federation.core.importing.jobs import mark_stopped, report_from_json, sheet_rows, start_job, worker_failed
from federation.core.importing.templates import build_template
from federation.core.importing.uploads import store_errors, store_upload, take_upload
from federation.core.models import ImportJob, Village
from federation.core.scoping import scoped_choices


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_(".xlsx, .xls, .ods or .csv"))
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

    hidden = forms.BooleanField(
        label=_("Import hidden rows and columns"),
        required=False,
        help_text=_(
            "Rows hidden by a filter and hidden columns are left out unless this is ticked; "
            "the preview says which were left out."
        ),
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
    A file of more than settings.IMPORT_BACKGROUND_ROWS rows is previewed and imported by the
    background worker, and the page follows its progress (import/job/<id>/).
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
                "import/job/<uuid:job_id>/",
                self.admin_site.admin_view(self.import_job_view),
                name=f"{prefix}_import_job",
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

    def _import_context(self, request):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Import %(roster)s") % {"roster": self.import_resource.import_title},
            "resource_title": self.import_resource.import_title,
            "columns": [c.column_name + ("*" if c.required else "") for c in self.import_resource().columns()],
        }

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        villages = scoped_choices(Village, request)
        context = self._import_context(request)
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_import(request, villages)
        form = ImportForm(request.POST or None, request.FILES or None, villages=villages)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            village = form.cleaned_data.get("village")
            again, hidden = form.cleaned_data["again"], form.cleaned_data["hidden"]
            resource = self.import_resource_for(request, village)
            if sheet_rows(data, upload.name) > settings.IMPORT_BACKGROUND_ROWS:
                return self._start_job(request, ImportJob.Kind.PREVIEW, data, upload.name, village, again, hidden)
            report = resource.import_file(data, upload.name, dry_run=True, again=again, hidden=hidden)
            context.update(self._preview_context(request, report, village, again, hidden))
            if not report.errors:
                context["token"] = store_upload(data, request.user)
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
        again, hidden = request.POST.get("again") == "1", request.POST.get("hidden") == "1"
        # The preview's count of rows; sent back by the browser, it only chooses where to run.
        rows = request.POST.get("rows", "")
        if rows.isdigit() and int(rows) > settings.IMPORT_BACKGROUND_ROWS:
            return self._start_job(request, ImportJob.Kind.CONFIRM, data, file_name, village, again, hidden)
        report = self.import_resource_for(request, village).import_file(
            data, file_name, dry_run=False, again=again, hidden=hidden
        )
        return self._import_done(request, report, changelist)

    def _import_done(self, request, report, changelist):
        if report.errors:  # the data changed between preview and confirm
            context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": gettext("Preview")}
            context.update(self._report_context(request, report))
            return TemplateResponse(request, "admin/federation/import.html", context)
        messages.success(request, gettext("Import finished: %(summary)s.") % {"summary": report.summary})
        return HttpResponseRedirect(changelist)

    def _preview_context(self, request, report, village, again, hidden):
        context = self._report_context(request, report)
        context.update(
            title=gettext("Preview"),
            default_village=village,
            again=again,
            hidden=hidden,
            rows=report.new + report.updated + report.unchanged,
        )
        return context

    def _start_job(self, request, kind, data, file_name, village, again, hidden):
        job = start_job(
            user=request.user,
            kind=kind,
            resource=self.import_resource,
            data=data,
            file_name=file_name,
            village=village,
            again=again,
            hidden=hidden,
        )
        opts = self.model._meta
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_import_job", job_id=job.pk)

    def import_job_view(self, request, job_id):
        """The progress of a background preview or import, then its result as the page itself
        would show it. Only its uploader (and a superuser) may see it; a list without a roster has none."""
        if self.import_resource is None:
            raise Http404
        job = ImportJob.objects.filter(pk=job_id, resource=self.import_resource.import_name).first()
        if job is None or not (job.user_id == request.user.pk or request.user.is_superuser):
            raise Http404
        if not self.has_import_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        if worker_failed(job):
            mark_stopped(job)
        if job.state == ImportJob.State.DONE:
            report = report_from_json(job.result)
            if job.kind == ImportJob.Kind.CONFIRM:
                return self._import_done(request, report, changelist)
            context = self._import_context(request)
            context.update(self._preview_context(request, report, job.village, job.again, job.hidden))
            if not report.errors and job.user_id == request.user.pk:
                context["token"] = job.token
            return TemplateResponse(request, "admin/federation/import.html", context)
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": gettext("Import %(roster)s") % {"roster": self.import_resource.import_title},
            "job": job,
        }
        return TemplateResponse(request, "admin/federation/import_job.html", context)

    def _report_context(self, request, report):
        context = {
            "report": report,
            "shown_errors": report.errors[: self.shown_errors],
            "more_errors": max(0, len(report.errors) - self.shown_errors),
            "sample": [
                {**item, "cells": [item["cells"].get(header, "") for header in report.headers]}
                for item in report.shown_sample(request.user)
            ],
        }
        if context["more_errors"]:
            context["errors_token"] = store_errors(report.error_lines(), request.user)
        return context

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
