"""The admin's report page (统计报表): pick a report, a period and villages; see and download it."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from federation import reporting
from federation.filters import ReportFilterSet, report_villages

REPORT_PERMISSION = "federation.view_reports"


def report_view(request, admin_site):
    if not request.user.has_perm(REPORT_PERMISSION):
        raise PermissionDenied
    reports = {name: entry for name, entry in reporting.discover().items() if entry.allowed(request.user)}
    name = request.GET.get("report") or "annual_summary"
    entry = reports.get(name)
    if entry is None:
        raise Http404(_("There is no such report."))
    kind = request.GET.get("format", "html")
    if kind not in ("html", *reporting.FORMATS):
        raise Http404(_("There is no such format."))
    data = (
        request.GET if any(key in request.GET for key in ("year", "quarter", "month", "date_from", "date_to")) else None
    )
    filterset = ReportFilterSet(data, queryset=report_villages(request), request=request)
    context = {
        **admin_site.each_context(request),
        "title": _("Reports"),
        "reports": sorted(reports.values(), key=lambda r: r.name != "annual_summary"),
        "current": entry,
        "filterset": filterset,
        "form": filterset.form,
    }
    if data is not None and filterset.is_valid():
        rs = filterset.report_scope()
        period = filterset.period
        table = entry.function(rs, period)
        filters = {key: request.GET.getlist(key) for key in request.GET if key not in ("format", "report")}
        reporting.log(request.user, entry, filters, kind, len(table.rows))
        if kind != "html":
            content_type, _writer = reporting.FORMATS[kind]
            response = HttpResponse(reporting.render(entry, table, kind), content_type=content_type)
            response["Content-Disposition"] = reporting.attachment(reporting.file_name(rs, entry, period, kind))
            return response
        query = request.GET.copy()
        query.pop("format", None)
        context.update(
            table=table,
            rows=[
                [(value, table.links.get((r, c))) for c, value in enumerate(row)] for r, row in enumerate(table.rows)
            ],
            period=period,
            query=query.urlencode(),
        )
    return TemplateResponse(request, "admin/federation/report.html", context)
