"""The counted sets of 组织建设, in one place: the admin, the reports and the demo's checks use
them. Each takes a scope (a user's, or the villages a report was asked for) and picks
records through `counted_in`."""

from datetime import date

from django.db.models import Q, QuerySet

from federation.core.scoping import Scope, counted_in
from organization.models import ActivityVenue, Venue, Volunteer, VolunteerHours, VolunteerTeam

# --- Venues, volunteer teams, volunteers and their hours (阵地, 巾帼志愿者) ----------------


def _own(queryset: QuerySet, scope: Scope, prefix: str = "", town: str = "town") -> QuerySet:
    """The scope's villages' records and, only where it counts whole towns, their towns' own:
    a report asked for one village leaves the town's federation out (a user sees it, though)."""
    queryset = counted_in(queryset, scope)
    if scope.everything:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}village_id__in": scope.village_ids})
        | Q(**{f"{prefix}village__isnull": True, f"{prefix}{town}_id__in": scope.town_ids})
    )


def venues_open(scope: Scope, start: date, end: date) -> QuerySet:
    """Venues open at some time in the period."""
    return _own(Venue.objects.all(), scope).filter(opened_on__lte=end).exclude(closed_on__lt=start)


def venue_activities_in(scope: Scope, start: date, end: date) -> QuerySet:
    """(activity, venue) links of the activities held at the scope's venues in the period."""
    return _own(ActivityVenue.objects.all(), scope, "venue__").filter(activity__date__range=(start, end))


def teams_on(scope: Scope, day: date) -> QuerySet:
    """Volunteer teams founded by `day`."""
    return _own(VolunteerTeam.objects.all(), scope).filter(founded_on__lte=day)


def in_service_q(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}joined_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": day})
    )


def volunteers_on(scope: Scope, day: date) -> QuerySet:
    """Volunteers on their teams on `day` (a woman on two teams is two entries)."""
    return _own(Volunteer.objects.all(), scope, "team__").filter(in_service_q(day))


def volunteers_during(scope: Scope, start: date, end: date) -> QuerySet:
    """Volunteers on their teams at some time in the period."""
    return _own(Volunteer.objects.all(), scope, "team__").filter(joined_on__lte=end).exclude(left_on__lt=start)


def hours_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Hours served at activities of the period, counted in the team's village (the town's
    federation's: no village) as recorded."""
    return _own(VolunteerHours.objects.all(), scope, town="volunteer__team__town").filter(date__range=(start, end))


# --- end of venues and volunteers --------------------------------------------------------
