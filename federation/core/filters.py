"""The one filter of every report: a period, and optionally a town and villages in scope."""

import django_filters
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.core.models import Town, Village
from federation.core.reporting import DateRange, DateRangeError, ReportScope, reads_approved_only
from federation.core.scoping import in_scope, scope_for


def report_villages(request):
    return in_scope(Village.objects.select_related("town"), scope_for(request.user))


def report_towns(request):
    return in_scope(Town.objects.all(), scope_for(request.user))


def period_choices() -> tuple[list, list]:
    """The quarters and months to pick from, newest first, up to this one."""
    today = timezone.localdate()
    years = range(today.year, settings.FIRST_YEAR - 1, -1)
    quarters = [
        (f"{year}Q{quarter}", _("%(year)d, quarter %(quarter)d") % {"year": year, "quarter": quarter})
        for year in years
        for quarter in range(4, 0, -1)
        if (year, quarter) <= (today.year, (today.month + 2) // 3)
    ]
    months = [
        (f"{year}-{month:02d}", _("%(year)d-%(month)02d") % {"year": year, "month": month})
        for year in years
        for month in range(12, 0, -1)
        if (year, month) <= (today.year, today.month)
    ]
    return [("", "—"), *quarters], [("", "—"), *months]


class ReportForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Picked, not typed (a typed value in the URL is still read: DateRange parses it).
        quarters, months = period_choices()
        self.fields["quarter"].widget = forms.Select(choices=quarters)
        self.fields["month"].widget = forms.Select(choices=months)

    def clean(self):
        data = super().clean()
        given = [name for name in ("year", "quarter", "month") if data.get(name)]
        ranged = data.get("date_from") or data.get("date_to")
        if len(given) + bool(ranged) != 1:
            raise forms.ValidationError(_("Choose one period: a year, a quarter, a month, or a date range."))
        try:
            if data.get("year"):
                self.period = DateRange.year(int(data["year"]))
            elif data.get("quarter"):
                self.period = DateRange.quarter(data["quarter"])
            elif data.get("month"):
                self.period = DateRange.month(data["month"])
            else:
                if not (data.get("date_from") and data.get("date_to")):
                    raise forms.ValidationError(_("A date range needs both a start and an end date."))
                self.period = DateRange.between(data["date_from"], data["date_to"])
        except DateRangeError as error:
            raise forms.ValidationError(str(error)) from None
        return data


class ReportFilterSet(django_filters.FilterSet):
    """Filters villages (the queryset) to those a report counts; validates the period."""

    year = django_filters.NumberFilter(
        label=gettext_lazy("year"),
        method="keep",
        min_value=1900,
        max_value=2100,
        initial=lambda: timezone.localdate().year,
    )
    quarter = django_filters.CharFilter(label=gettext_lazy("quarter"), method="keep", help_text="2024Q3")
    month = django_filters.CharFilter(label=gettext_lazy("month"), method="keep", help_text="2024-03")
    date_from = django_filters.DateFilter(
        label=gettext_lazy("from"), method="keep", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=gettext_lazy("to"), method="keep", widget=forms.DateInput(attrs={"type": "date"})
    )
    town = django_filters.ModelChoiceFilter(label=gettext_lazy("town"), queryset=report_towns, field_name="town")
    villages = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("villages (communities)"),
        queryset=report_villages,
        field_name="pk",
        to_field_name="pk",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": gettext_lazy("The village %(value)s is not one of yours.")},
    )

    class Meta:
        model = Village
        fields = ["year", "quarter", "month", "date_from", "date_to", "town", "villages"]
        form = ReportForm

    def keep(self, queryset, name, value):
        return queryset  # the period does not filter villages; reports read it from the form

    def report_scope(self) -> ReportScope:
        """The villages and whole towns the report counts, after `is_valid()`."""
        scope = scope_for(self.request.user)
        villages = list(self.qs.select_related("town"))
        chosen = bool(self.form.cleaned_data.get("villages"))
        town = self.form.cleaned_data.get("town")
        town_ids = [] if chosen else [t for t in scope.town_ids if town is None or t == town.pk]
        if scope.everything and not chosen:
            town_ids = sorted({village.town_id for village in villages})
        towns = {village.town.name for village in villages}
        return ReportScope(
            scope=scope,
            village_ids=[village.pk for village in villages],
            town_ids=town_ids,
            town_name=towns.pop() if len(towns) == 1 else "",
            user=self.request.user,
            approved_only=reads_approved_only(self.request.user),
        )

    @property
    def period(self) -> DateRange:
        return self.form.period
