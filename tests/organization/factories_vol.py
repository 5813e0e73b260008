"""Small helpers for the venues' and volunteers' tests: each record written through the services."""

from datetime import date
from decimal import Decimal

from federation.models import Activity
from organization.models import Venue, Volunteer, VolunteerHours, VolunteerTeam
from organization.services import team_save, venue_save, volunteer_hours_save, volunteer_save
from tests.factories import ActivityFactory

DAY = date(2024, 5, 10)


def make_venue(town, village=None, *, by=None, **fields) -> Venue:
    name = fields.pop("name", f"{village.name if village else town.name}妇女之家")
    fields = {"kind": Venue.Kind.WOMEN_HOME, "opened_on": date(2020, 3, 8), **fields}
    return venue_save(venue=Venue(town=town, village=village, name=name, **fields), by=by)


def make_team(town, village=None, *, by=None, **fields) -> VolunteerTeam:
    name = fields.pop("name", f"{village.name if village else town.name}巾帼志愿服务队")
    fields = {"founded_on": date(2021, 3, 8), **fields}
    return team_save(team=VolunteerTeam(town=town, village=village, name=name, **fields), by=by)


def enrol(team, person, *, by=None, joined_on=date(2024, 1, 1), **fields) -> Volunteer:
    return volunteer_save(volunteer=Volunteer(team=team, person=person, joined_on=joined_on, **fields), by=by)


def serve(activity, volunteer, hours="3", *, by=None, **fields) -> VolunteerHours:
    return volunteer_hours_save(
        hours=VolunteerHours(activity=activity, volunteer=volunteer, hours=Decimal(hours), **fields), by=by
    )


def volunteer_activity(town, villages=(), **fields) -> Activity:
    fields = {"kind": Activity.Kind.VOLUNTEER, "date": DAY, "beneficiaries": 20, "participants": 8, **fields}
    return ActivityFactory(town=town, villages=list(villages), **fields)
