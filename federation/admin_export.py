"""The admin's exports: scoped, masked, named in Chinese, logged, and streamed."""

import codecs
import csv
import io
import tempfile
from datetime import date, time, timedelta
from decimal import Decimal
from functools import cache

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import SelectableFieldsExportForm
from import_export.signals import post_export
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from federation.exporting import ScopedResource
from federation.models import ReportLog

CSV_ROWS_PER_WRITE = 1000
# What an .xlsx cell holds as itself; anything else is written as its text, as tablib did.
XLSX_TYPES = (str, int, float, Decimal, date, time, timedelta)


class ExportForm(SelectableFieldsExportForm):
    """The export form, with the columns named as the user knows them."""

    def _get_field_label(self, resource, field_name):
        try:
            return str(resource._meta.model._meta.get_field(field_name).verbose_name)
        except FieldDoesNotExist:
            return str(resource().fields[field_name].column_name)  # an app's column is added per instance


class ReadableStreamMixin:
    """A streamed response whose whole body can still be read as `content` (tests do):
    the server only ever iterates `streaming_content`."""

    @property
    def content(self):
        body = b"".join(self.streaming_content)
        self.streaming_content = [body]
        return body


class StreamingExportResponse(ReadableStreamMixin, StreamingHttpResponse):
    pass


class FileExportResponse(ReadableStreamMixin, FileResponse):
    pass


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
        if not self.has_export_permission(request):
            raise PermissionDenied
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
        )
        if isinstance(file_format, XLSX):
            rows = resource.export_rows(queryset, selected, force_native_type=True)
            workbook = xlsx_file(headers, rows, title=str(self.model._meta.verbose_name_plural))
            response = FileExportResponse(workbook, content_type=file_format.get_content_type())
        else:
            rows = resource.export_rows(queryset, selected)
            chunks = csv_chunks(headers, rows, self.to_encoding or "utf-8", translation.get_language())
            response = StreamingExportResponse(chunks, content_type=file_format.get_content_type())
        # A Chinese file name needs RFC 5987 encoding.
        response["Content-Disposition"] = content_disposition_header(True, name)
        post_export.send(sender=None, model=self.model)
        return response


def csv_chunks(headers, rows, encoding: str, language: str | None):
    """Yield the CSV's bytes some rows at a time, as the rows are read."""
    # The rows are read after the view has returned: keep the request's language for the
    # labels and names written then.
    with translation.override(language):
        encoder = codecs.getincrementalencoder(encoding)()  # a BOM once, for utf-8-sig
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for number, row in enumerate(rows, 1):
            writer.writerow(row)
            if number % CSV_ROWS_PER_WRITE == 0:
                yield encoder.encode(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
        yield encoder.encode(buffer.getvalue(), final=True)


def xlsx_file(headers, rows, title: str):
    """Write the rows to an .xlsx in a temporary file (gone once closed) and return it,
    rewound. Write-only: a row is written out as soon as it is read."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for number, header in enumerate(headers, 1):
        # Widths must be set before the first row; Chinese characters are two wide.
        sheet.column_dimensions[get_column_letter(number)].width = max(12, 2 * len(header) + 4)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True)
    file = tempfile.TemporaryFile()
    try:
        sheet.append([_styled(sheet, header, font=bold) for header in headers])
        for row in rows:
            sheet.append([_xlsx_value(sheet, value, wrap) for value in row])
    finally:
        # Saving also deletes openpyxl's own temporary file of the rows (ID numbers and
        # all), which an error would otherwise leave in /tmp until the worker exits.
        workbook.save(file)
    file.seek(0)
    return file


def _xlsx_value(sheet, value, wrap):
    if isinstance(value, str):
        return _styled(sheet, value, alignment=wrap) if "\n" in value else value
    if value is None or isinstance(value, XLSX_TYPES):
        return value
    return str(value)


def _styled(sheet, value, **style):
    cell = WriteOnlyCell(sheet, value=value)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


@cache
def _default_resource(model):
    meta = type("Meta", (), {"model": model, "exclude": ["id"]})
    return type(f"{model.__name__}Resource", (ScopedResource,), {"Meta": meta, "__module__": __name__})
