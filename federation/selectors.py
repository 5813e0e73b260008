"""The federation's counted sets, in one place: the reports, the admin and the dashboard use them.

Each takes a scope (a user's, or the villages a report was asked for: `ReportScope.chosen`)
and picks records through `counted_in`, so that every model says once how it reaches its village.
"""

from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce

from federation.core.models import Village
from federation.core.scoping import Scope, counted_in
from federation.models import Activity, Honor, Household, Person


def activities_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Activities held in the period in the scope's villages, and its towns' town-wide ones."""
    return counted_in(Activity.objects.all(), scope).filter(date__range=(start, end))


def activity_villages_in(scope: Scope, start: date, end: date) -> QuerySet:
    """(activity, village) links of the period's activities in the scope's villages: an
    activity of several villages counts in each."""
    links = Activity.villages.through.objects.filter(activity__date__range=(start, end))
    return links.filter(village__in=counted_in(Village.objects.all(), scope).values("pk"))


def villages_with_activity(scope: Scope, kind: str, start: date, end: date) -> QuerySet:
    """The scope's villages that held an activity of `kind` in the period (a town-wide one
    is held in none of them)."""
    held = Activity.villages.through.objects.filter(activity__kind=kind, activity__date__range=(start, end)).values(
        "village_id"
    )
    return counted_in(Village.objects.all(), scope).filter(pk__in=held)


def honours_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Honours dated in the period; one without a date counts on the last day of its year."""
    dated = Q(date__range=(start, end))
    undated = Q(date__isnull=True, year__gte=start.year, year__lte=end.year)
    if end != date(end.year, 12, 31):
        undated &= Q(year__lt=end.year)
    return counted_in(Honor.objects.all(), scope).filter(dated | undated)


def people_honoured(honours: QuerySet) -> int:
    """How many people `honours` went to: a household's honour counts its head. Counted on
    the honours themselves (a few thousand a county), not by reading every person."""
    who = honours.annotate(who=Coalesce("person_id", "household__head_id")).order_by()
    return who.aggregate(n=Count("who", distinct=True))["n"]


def people(scope: Scope) -> QuerySet:
    return counted_in(Person.objects.all(), scope)


def households(scope: Scope) -> QuerySet:
    return counted_in(Household.objects.all(), scope)
