"""The admin's exports: scoped, masked, named in Chinese and logged."""

from functools import cache

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.http import content_disposition_header
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm

from federation.exporting import ScopedResource
from federation.models import ReportLog


class ExportForm(SelectableFieldsExportForm):
    """The export form, with the columns named as the user knows them."""

    def _get_field_label(self, resource, field_name):
        try:
            return str(resource._meta.model._meta.get_field(field_name).verbose_name)
        except FieldDoesNotExist:
            return str(resource().fields[field_name].column_name)  # an app's column is added per instance


class ExportAdminMixin:
    """Exports in the user's villages, masked, with Chinese column and file names, and logged
    like a report."""

    export_form_class = ExportForm
    formats = [CSV, XLSX]
    to_encoding = "utf-8-sig"  # so Excel on a Chinese Windows PC reads the CSV as UTF-8
    resource_classes = []

    def get_resource_classes(self, request):
        if self.resource_classes:
            return self.resource_classes
        return [_default_resource(self.model)]

    def get_valid_export_item_pks(self, request):
        return self.get_queryset(request).values_list("pk", flat=True)

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**kwargs, "user": request.user}

    def get_export_filename(self, request, queryset, file_format):
        stamp = timezone.localdate().strftime("%Y%m%d")
        return f"{self.model._meta.verbose_name_plural}_{stamp}.{file_format.get_extension()}"

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        # A Chinese file name needs RFC 5987 encoding; every export is logged like a report.
        name = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = content_disposition_header(True, name)
        ReportLog.objects.create(
            user=request.user,
            report=f"export:{self.model._meta.label_lower}",
            filters=dict(request.GET.lists()),
            format=file_format.get_extension(),
            rows=queryset.count(),
        )
        return response


@cache
def _default_resource(model):
    meta = type("Meta", (), {"model": model, "exclude": ["id"]})
    return type(f"{model.__name__}Resource", (ScopedResource,), {"Meta": meta, "__module__": __name__})
