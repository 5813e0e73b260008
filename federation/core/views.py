"""The admin's report page (统计报表): pick a report, a period and villages; see and download it."""

from urllib.parse import urlencode

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.core import approved, reporting, second_factor
from federation.core import binder as ledger_binder
from federation.core.dashboard import may_open
from federation.core.disclosure import Disclosure, ask
from federation.core.downloads import file_response, protected_file
from federation.core.filters import ReportFilterSet, report_villages
from federation.core.models import RecordAccess, Town
from federation.core.streams import FileExportResponse

REPORT_PERMISSION = reporting.PAGE_PERMISSION
# A ledger of a county's year has hundreds of thousands of lines: the page shows the first
# ones and says so; the downloads hold them all.
PAGE_ROWS = 200


def report_view(request, admin_site):
    """Only the reports the user may read (`Report.allowed`) are listed; another one by name is
    refused (403), in every format."""
    if not request.user.has_perm(REPORT_PERMISSION):
        raise PermissionDenied
    registered = reporting.discover()
    entry = registered.get(request.GET.get("report") or "annual_summary")
    if entry is None:
        raise Http404(_("There is no such report."))
    if not entry.allowed(request.user):
        raise PermissionDenied
    reports = {key: report for key, report in registered.items() if report.allowed(request.user)}
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
    if data is not None and filterset.is_valid() and entry.too_fine(request.user, filterset.period):
        filterset.form.add_error(None, reporting.too_fine_message())
    if data is not None and filterset.is_valid():
        rs, period = filterset.report_scope(), filterset.period
        disclosure = None
        if kind != "html":
            disclosure = ask(request, admin_site, kind, personal=entry.personal, what=entry.title())
            if not isinstance(disclosure, Disclosure):
                return disclosure  # the questions, first or again
        table, kept = approved.run(entry, rs, period)
        filters = {key: request.GET.getlist(key) for key in request.GET if key not in ("format", "report")}
        reporting.log(request.user, entry, filters, kind, len(table.rows), disclosure)
        if kind != "html":
            return _report_file(entry, table, kept, kind, rs, period, disclosure)
        context.update(_report_page(request, table, kept, rs, period))
    return TemplateResponse(request, "admin/federation/report.html", context)


def _report_file(entry, table, kept, kind, rs, period, disclosure):
    if kept is not None:  # the file says so too, in a last row
        table.rows.append([kept.note()])
    response = reporting.response(entry, table, kind, rs, period, disclosure)
    response["Content-Disposition"] = reporting.attachment(reporting.file_name(rs, entry, period, kind))
    return response


def _report_page(request, table, kept, rs, period) -> dict:
    """The report page's table: its first PAGE_ROWS rows, each figure linked to the list it
    counts where the reader may open that list."""
    query = request.GET.copy()
    query.pop("format", None)
    total = len(table.rows)
    return {
        "kept": kept,
        "approved_only": rs.approved_only
        and Town.objects.filter(county_sees_approved_only=True, villages__in=rs.village_ids).exists(),
        "table": table,
        "rows": [
            [(value, _link(request, table.links.get((r, c)))) for c, value in enumerate(row)]
            for r, row in enumerate(table.rows[:PAGE_ROWS])
        ],
        "shown": min(PAGE_ROWS, total),
        "total": total,
        "period": period,
        "query": query.urlencode(),
    }


def _link(request, url: str | None) -> str | None:
    return url if may_open(request, url) else None


def binder_view(request, admin_site):
    """The inspection binder of the period and villages chosen on the report page, as PDF or
    .xlsx: the ledgers the user may read, masked as her permissions say."""
    if not request.user.has_perm(REPORT_PERMISSION):
        raise PermissionDenied
    kind = request.GET.get("format", "pdf")
    if kind not in ("pdf", "xlsx"):
        raise Http404(_("There is no such format."))
    filterset = ReportFilterSet(request.GET, queryset=report_villages(request), request=request)
    if not filterset.is_valid():
        # The report page's own form says what is wrong with the period.
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{reverse('admin:reports')}?{query.urlencode()}")
    personal = ledger_binder.lists_people(request.user)
    disclosure = ask(request, admin_site, kind, personal=personal, what=_("The ledger binder"))
    if not isinstance(disclosure, Disclosure):
        return disclosure
    rs = filterset.report_scope()
    binder = ledger_binder.compile_binder(rs, filterset.period, ledger_binder.unit_name(rs))
    if kind == "pdf":
        file, _pages = ledger_binder.pdf_file(binder, disclosure)
        content_type = "application/pdf"
    else:
        file, content_type = ledger_binder.xlsx_file(binder, disclosure), reporting.FORMATS["xlsx"][0]
    filters = {key: request.GET.getlist(key) for key in request.GET if key not in ("format", "report")}
    ledger_binder.log(request.user, filters, kind, binder, disclosure)
    response = FileExportResponse(file, content_type=content_type)
    response["Content-Disposition"] = reporting.attachment(binder.file_name(kind))
    return response


def locked_out(request, response=None, credentials=None):
    """django-axes' answer to a login of a locked username and address: the Chinese page."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "address_limit": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "locked_out.html", context, status=429)


@staff_member_required
def serve_protected(request, path: str):
    """A protected file (a diagnosis, an invoice, an ID copy, a photo) for a user who may see
    its record; each download is logged with the records opened (敏感档案查阅记录)."""
    found = protected_file(request.user, path)
    if found is None:
        raise Http404
    record, stored = found
    RecordAccess.objects.create(
        user=request.user, record=record._meta.label_lower, object_id=str(record.pk)[:20], action="file"
    )
    return file_response(stored)


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("6-digit code"),
        max_length=20,
        validators=[RegexValidator(r"^\d{6}$", gettext_lazy("Type the 6 digits the app shows."))],
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True, "size": 8}
        ),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())  # "123 456", as some apps show it


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return reverse("admin:index")


def _with_next(request, name: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


def second_factor_setup_view(request):
    """Her first login with SECOND_FACTOR on: the QR code of a new device for her phone's
    authenticator app, its key to type by hand, and a code from it to confirm. Only while
    she has no confirmed device: a password alone never replaces her phone (a lost one is
    reset by a superuser)."""
    user = request.user
    if not second_factor.needs_second_factor(user) or user.is_verified():
        return redirect(_next_url(request))
    if second_factor.confirmed_device(user) is not None:
        return redirect(_with_next(request, "admin:second_factor_verify"))
    device = second_factor.second_factor_start(user=user, site=request.get_host(), by=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = second_factor.second_factor_confirm(device=device, token=form.cleaned_data["token"], by=user)
        if confirmed is not None:
            django_otp.login(request, confirmed)
            return redirect(_next_url(request))
        form.add_error("token", _("The code is wrong or has been used. Wait for the next code in the app and type it."))
    context = {
        "title": _("Set up your phone's authenticator"),
        "form": form,
        "next": _next_url(request),
        "qr": mark_safe(second_factor.qr_svg(device.config_url)),  # noqa: S308 - ReportLab's own SVG of our URL
        "key": second_factor.key_text(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return TemplateResponse(request, "admin/federation/second_factor.html", context)


def second_factor_verify_view(request):
    """Each later login: the code her phone shows now. A wrong one counts with the login
    throttle as a wrong password does (per user name and address, and per address); while
    locked, the page is the lockout page and checks no code."""
    user = request.user
    if not second_factor.needs_second_factor(user) or user.is_verified():
        return redirect(_next_url(request))
    device = second_factor.confirmed_device(user)
    if device is None:
        return redirect(_with_next(request, "admin:second_factor_setup"))
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        return locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verified = second_factor.second_factor_verify(device=device, token=form.cleaned_data["token"], by=user)
        if verified is not None:
            django_otp.login(request, verified)
            return redirect(_next_url(request))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        form.add_error("token", _("The code is wrong or has been used. Wait for the next code in the app and type it."))
    context = {
        "title": _("Type the code from your phone"),
        "form": form,
        "next": _next_url(request),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return TemplateResponse(request, "admin/federation/second_factor.html", context)
