"""The counted sets of 组织建设, in one place: the admin, the reports and the home page's work
list use them. Each takes a scope (a user's, or the villages a report was asked for).

The counted sets of 组织建设, in one place: the admin, the reports and the demo's checks use
them. Each takes a scope (a user's, or the villages a report was asked for) and picks
records through `counted_in`.
"""

from datetime import date, timedelta

from django.db.models import Q, QuerySet

from federation.core.models import Village
from federation.core.reporting import per_row
from federation.core.scoping import Scope, counted_in, in_scope
from organization.models import (
    ActivityVenue,
    Committee,
    CommitteeMember,
    Delegate,
    Meeting,
    Venue,
    Volunteer,
    VolunteerHours,
    VolunteerTeam,
)

# --- Committees, their members, meetings and delegates ---------------------------------------

# A committee is due for its 换届 when the next election is this near, or past.
DUE_WITHIN = timedelta(days=60)


def federations_in(queryset: QuerySet, scope: Scope, prefix: str = "") -> QuerySet:
    """A federation's records counted in the scope: its villages', and its towns' own (a town's
    records count only where the scope holds the whole town, not in one village's report)."""
    if scope.everything:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}village__isnull": True, f"{prefix}town_id__in": scope.town_ids})
        | Q(**{f"{prefix}village_id__in": scope.village_ids})
    )


def committees(scope: Scope) -> QuerySet:
    return federations_in(Committee.objects.all(), scope)


def committees_due(scope: Scope, today: date) -> QuerySet:
    """The committees whose next 换届 is within 60 days of `today`, or overdue."""
    return committees(scope).filter(next_election_on__lte=today + DUE_WITHIN)


def holding_seats_q(prefix: str = "") -> Q:
    """Members who hold their seat (no day of leaving recorded): what the seats count."""
    return Q(**{f"{prefix}left_on__isnull": True})


def in_office_q(day: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}joined_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": day})
    )


def members(scope: Scope) -> QuerySet:
    return federations_in(CommitteeMember.objects.all(), scope, "committee__")


def members_on(scope: Scope, day: date) -> QuerySet:
    """The members in office on `day`."""
    return members(scope).filter(in_office_q(day))


def with_seats_held(queryset: QuerySet) -> QuerySet:
    """Committees with the seats held of each position (`held_chair`, …), per row shown."""
    holders = CommitteeMember.objects.filter(holding_seats_q())
    return queryset.annotate(
        **{
            f"held_{position.value}": per_row(holders.filter(position=position), "committee")
            for position in CommitteeMember.Position
        }
    )


def vacancies(committee: Committee) -> dict:
    """{position: seats nobody holds} of a committee read `with_seats_held`, those vacant only."""
    found = {}
    for position, seats in committee.seats.items():
        free = seats - getattr(committee, f"held_{position}", 0)
        if free > 0:
            found[position] = free
    return found


def held(committee: Committee) -> int:
    return sum(getattr(committee, f"held_{position.value}", 0) for position in CommitteeMember.Position)


def villages_without_committee(scope: Scope) -> QuerySet:
    """The scope's villages whose federation has no committee on record."""
    villages = Village.objects.all() if scope.everything else Village.objects.filter(pk__in=scope.village_ids)
    return villages.exclude(pk__in=Committee.objects.filter(village__isnull=False).values("village"))


def meetings_in(scope: Scope, start: date, end: date) -> QuerySet:
    return federations_in(Meeting.objects.all(), scope).filter(date__range=(start, end))


def delegates(scope: Scope) -> QuerySet:
    return in_scope(Delegate.objects.all(), scope)


def delegates_on(scope: Scope, day: date) -> QuerySet:
    """Delegates whose term holds `day`."""
    return delegates(scope).filter(Q(term_end__isnull=True) | Q(term_end__gte=day), term_start__lte=day)


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
