"""The admin's home page: the year's figures, the charts and today's work, each within the
user's scope and permissions. Nothing is counted here: the figures are the annual summary's
(registry.figures), the charts the apps' (registry.charts), the work the apps' work lists."""

from datetime import date
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from federation.core import periods
from federation.core.charts import BarChart
from federation.core.models import PeriodSubmission
from federation.core.registry import registry
from federation.core.reporting import DateRange, ReportScope, one_page, summary_figures


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("year"), coerce=int, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].choices = [(year, year) for year in range(today.year, settings.FIRST_YEAR - 1, -1)]

    def chosen_year(self) -> int:
        if self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return timezone.localdate().year


def year_to_date(year: int) -> DateRange:
    """The year, up to today when it is this year: figures and HPV coverage as of today."""
    today = timezone.localdate()
    return DateRange(date(year, 1, 1), min(date(year, 12, 31), today), str(year))


def may_open(request, url: str | None) -> bool:
    """Whether the user may open the admin list a figure links to: a link that answers 403 is
    a dead end, so the figure is shown without it."""
    if not url:
        return False
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return False
    model_admin = getattr(match.func, "model_admin", None)
    return model_admin is not None and model_admin.has_view_or_change_permission(request)


def summary(request, rs: ReportScope, period: DateRange) -> list[dict]:
    """The annual summary's rows the user may read, board by board, linked where she may follow."""
    boards = []
    for row, value, url in summary_figures(rs, period):
        if not boards or boards[-1]["board"] != str(row.section):
            boards.append({"board": str(row.section), "rows": []})
        link = url if may_open(request, url) else None
        boards[-1]["rows"].append({"indicator": str(row.indicator), "value": value, "unit": str(row.unit), "url": link})
    return boards


def charts(request, rs: ReportScope, period: DateRange) -> list:
    drawn = []
    opens = {}  # a bar's list, by its path: a chart's bars link to one list, a county has 156 villages

    def may_open_list(url):
        path = url.partition("?")[0] if url else None  # a bar's link is a list's path and its lookups
        if path not in opens:
            opens[path] = may_open(request, url)
        return opens[path]

    for chart in registry.ordered_charts():
        if rs.may_read(chart.permissions):
            figure = chart.function(rs, period)
            if isinstance(figure, BarChart):
                figure.rows = [(label, value, url if may_open_list(url) else None) for label, value, url in figure.rows]
            drawn.append(figure)
    return drawn


def context(request) -> dict:
    form = YearForm(request.GET or None)
    year = form.chosen_year()
    period = year_to_date(year)
    # What the page shows twice (HPV coverage in a chart, a summary row and a work list) is counted once.
    with one_page():
        rs = ReportScope.of_user(request.user)
        return {
            "year_form": form,
            "year": year,
            "period": period,
            "boards": summary(request, rs, period),
            "charts": charts(request, rs, period),
            "reminders": [item for function in registry.work_lists.values() for item in function(request)],
            "completion": (
                _completion_html(periods.completion(rs.village_rows(), year))
                if request.user.has_perm("federation.view_periodsubmission")
                else None
            ),
            "period_marks": [(mark, str(label)) for mark, label in _period_legend()],
        }


def _period_legend():
    statuses = dict(PeriodSubmission.Status.choices)
    return [
        *((mark, statuses[status]) for status, mark in periods.MARKS.items()),
        (periods.NOT_SUBMITTED, _("not submitted")),
    ]


def _completion_html(rows) -> list:
    """Each village's twelve cells as HTML made here: a county's grid is two thousand cells,
    which the template language takes a tenth of a second to write one by one."""
    made = {}

    def cell(mark, label):
        if (mark, label) not in made:
            made[(mark, label)] = format_html('<td title="{0}"><span aria-label="{0}">{1}</span></td>', label, mark)
        return made[(mark, label)]

    return [(name, mark_safe("".join(cell(mark, label) for mark, label in cells))) for name, cells in rows]  # noqa: S308 - made of format_html's cells
