"""The admin's exports: scoped, masked, named in Chinese, logged, and streamed."""

from functools import cache

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.forms import MultipleChoiceField, MultipleHiddenInput
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm
from import_export.signals import post_export

from federation.core.disclosure import DisclosureFields
from federation.core.exporting import ScopedResource
from federation.core.models import ReportLog
from federation.core.streams import FileExportResponse, StreamingExportResponse, csv_chunks, xlsx_file


class ExportForm(DisclosureFields, SelectableFieldsExportForm):
    """The export form, with the columns named as the user knows them, and the questions
    asked before a file of people leaves (its purpose, a password)."""

    def __init__(self, formats, resources, **kwargs):
        self.format_classes = formats
        super().__init__(formats, resources, **kwargs)
        for name in self.DISCLOSURE_FIELDS:  # asked last, under the columns
            if name in self.fields:
                self.fields[name] = self.fields.pop(name)

    def clean(self):
        data = super().clean()
        if data.get("format") not in (None, ""):
            self.clean_disclosure(self.kind())
        return data

    def kind(self) -> str:
        return self.format_classes[int(self.cleaned_data["format"])]().get_extension()

    def _get_field_label(self, resource, field_name):
        try:
            return str(resource._meta.model._meta.get_field(field_name).verbose_name)
        except FieldDoesNotExist:
            return str(resource().fields[field_name].column_name)  # an app's column is added per instance


class ExportAdminMixin:
    """Exports in the user's villages, masked, with Chinese column and file names, logged
    like a report, and streamed: CSV as its rows are read, XLSX from a temporary file.

    Import-export builds the whole table in memory first and, once the queryset
    prefetches anything, reads it 100 rows at a time by OFFSET: 100,000 people took 398 s.
    The columns and their rules stay the resource's (`ScopedResource.export_field`)."""

    export_form_class = ExportForm
    formats = [CSV, XLSX]
    to_encoding = "utf-8-sig"  # so Excel on a Chinese Windows PC reads the CSV as UTF-8
    resource_classes = []
    # The export lists people (names, ID numbers, phones, or what is kept of them): it asks
    # for its purpose first. An admin of records of no one (villages, goods) says False.
    personal_export = True

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

    def export_action(self, request):
        """The export form, then the file: import-export's, with the form that asks the
        purpose (it knows the user), and no export without it."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        formats = self.get_export_formats()
        form = self.get_export_form_class()(
            formats,
            self.get_export_resource_classes(request),
            data=request.POST or None,
            user=request.user,
            personal=self.personal_export,
            kinds=[file_format().get_extension() for file_format in formats],
        )
        if request.POST and "export_items" in request.POST:  # chosen records, as import-export takes them
            form.fields["export_items"] = MultipleChoiceField(
                widget=MultipleHiddenInput,
                required=False,
                choices=[(pk, pk) for pk in self.get_valid_export_item_pks(request)],
            )
        if form.is_valid():
            file_format = formats[int(form.cleaned_data["format"])]()
            queryset = self.get_export_queryset(request)
            if "export_items" in form.changed_data:
                queryset = queryset.filter(pk__in=form.cleaned_data["export_items"])
            return self._do_file_export(file_format, request, queryset, export_form=form)
        context = self.init_request_context_data(request, form)
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.export_template_name], context=context)

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        if not self.has_export_permission(request) or export_form is None:
            raise PermissionDenied
        disclosure = export_form.disclosure(file_format.get_extension())
        resource_class = self.choose_export_resource_class(export_form, request)
        resource = resource_class(**self.get_export_resource_kwargs(request, export_form=export_form))
        selected = self.get_export_resource_fields_from_form(export_form)
        headers = resource.get_export_headers(selected_fields=selected)
        name = self.get_export_filename(request, queryset, file_format)
        # Logged before the first row leaves: a download broken off has shown rows too.
        ReportLog.objects.create(
            user=request.user,
            report=f"export:{self.model._meta.label_lower}",
            filters=dict(request.GET.lists()),
            format=file_format.get_extension(),
            rows=queryset.count(),
            **disclosure.log_fields(),
        )
        if isinstance(file_format, XLSX):
            rows = resource.export_rows(queryset, selected, force_native_type=True)
            title = str(self.model._meta.verbose_name_plural)
            workbook = xlsx_file(headers, rows, title=title, disclosure=disclosure)
            response = FileExportResponse(workbook, content_type=file_format.get_content_type())
        else:
            rows = resource.export_rows(queryset, selected)
            language = translation.get_language()
            chunks = csv_chunks(headers, rows, self.to_encoding or "utf-8", language, disclosure)
            response = StreamingExportResponse(chunks, content_type=file_format.get_content_type())
        # A Chinese file name needs RFC 5987 encoding.
        response["Content-Disposition"] = content_disposition_header(True, name)
        post_export.send(sender=None, model=self.model)
        return response


@cache
def _default_resource(model):
    meta = type("Meta", (), {"model": model, "exclude": ["id"]})
    return type(f"{model.__name__}Resource", (ScopedResource,), {"Meta": meta, "__module__": __name__})
