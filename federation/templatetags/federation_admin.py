"""The admin's date drill-down without its two whole-table aggregates.

Django's `date_hierarchy` tag asks the list's queryset for the first and last date
(MIN/MAX) and then for every distinct year, month or day (SELECT DISTINCT over every row
in scope): on a county's five million ledger lines that is two full scans on every page.
Here the first and last dates come from the date index (ORDER BY … LIMIT 1, twice), and the
choices are the periods between them — the same page, whatever the size of the table."""

import datetime
from functools import cached_property

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.db.models import DateTimeField
from django.utils import timezone

register = template.Library()


class _DateEnds:
    """Stands in for the list's queryset in Django's tag: the two calls it makes."""

    def __init__(self, queryset, field_name, is_datetime):
        self.queryset = queryset.order_by().filter(**{f"{field_name}__isnull": False})
        self.field_name = field_name
        self.is_datetime = is_datetime

    @cached_property  # the tag asks for both the ends and the periods between them
    def _ends(self):
        values = self.queryset.values_list(self.field_name, flat=True)
        first = values.order_by(self.field_name).first()
        last = values.order_by(f"-{self.field_name}").first()
        if self.is_datetime and first is not None:
            first, last = (timezone.localtime(value) if timezone.is_aware(value) else value for value in (first, last))
        return first, last

    def aggregate(self, **_aggregates):
        first, last = self._ends
        return {"first": first, "last": last}

    def dates(self, field_name, kind, order="ASC"):
        first, last = self._ends
        if first is None:
            return []
        if isinstance(first, datetime.datetime):
            first, last = first.date(), last.date()
        if kind == "year":
            return [datetime.date(year, 1, 1) for year in range(first.year, last.year + 1)]
        if kind == "month":
            months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
            return [datetime.date(month // 12, month % 12 + 1, 1) for month in months]
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]

    datetimes = dates


class _ListWithDateEnds:
    def __init__(self, cl):
        self._cl = cl
        field = cl.model._meta.get_field(cl.date_hierarchy) if "__" not in cl.date_hierarchy else None
        self.queryset = _DateEnds(cl.queryset, cl.date_hierarchy, isinstance(field, DateTimeField))

    def __getattr__(self, name):
        return getattr(self._cl, name)


def quick_date_hierarchy(cl):
    return date_hierarchy(_ListWithDateEnds(cl))


@register.tag(name="quick_date_hierarchy")
def quick_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=quick_date_hierarchy, template_name="date_hierarchy.html", takes_context=False
    )
