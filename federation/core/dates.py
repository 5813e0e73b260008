"""The town's submission periods as dates: a month or a quarter (Town.submission_period)."""

import calendar
from datetime import date

from django.utils.translation import gettext as _

MONTH = "month"
QUARTER = "quarter"
YEAR = "year"


def period_of(kind: str, day: date) -> tuple[date, date]:
    """The first and last day of the month (or quarter, or year) that holds `day`."""
    if kind == YEAR:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    first_month = day.month if kind != QUARTER else (day.month - 1) // 3 * 3 + 1
    last_month = first_month if kind != QUARTER else first_month + 2
    return date(day.year, first_month, 1), date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])


def period_label(start: date, end: date) -> str:
    """2024年3月, or 2024年第1季度."""
    if start.month == end.month:
        return _("%(month)d/%(year)d") % {"year": start.year, "month": start.month}
    return _("Q%(quarter)d %(year)d") % {"year": start.year, "quarter": (start.month - 1) // 3 + 1}
