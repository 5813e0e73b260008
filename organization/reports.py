"""组织建设 ledgers and figures."""

from django.db.models import Count, DecimalField, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.core.reporting import (
    Column,
    DateRange,
    Figures,
    ReportScope,
    Table,
    binder_section,
    field_label,
    report,
    village_table,
)
from federation.models import Person
from organization import selectors
from organization.models import Venue, Volunteer, VolunteerHours

# --- Venues, volunteer teams, volunteers and their hours (阵地, 巾帼志愿者) ----------------


def _hours(value) -> str:
    return f"{value:g}" if value else "0"


def _hours_sum():
    return Coalesce(Sum("hours"), 0, output_field=DecimalField(max_digits=12, decimal_places=1))


@report(
    "volunteer_villages",
    gettext_lazy("Volunteer service by village"),
    gettext_lazy(
        "Volunteer teams and volunteers in service at the period's end, the activities they served at and their "
        "hours in the period. The total counts the town's own team too."
    ),
    permission=("organization.view_volunteerteam", "organization.view_volunteer", "organization.view_volunteerhours"),
)
def volunteer_villages(rs: ReportScope, period: DateRange) -> Table:
    start, end = period.start, period.end
    teams = selectors.teams_on(rs.chosen, end)
    serving = selectors.volunteers_on(rs.chosen, end)
    hours = selectors.hours_in(rs.chosen, start, end)
    women = Count("person", distinct=True)
    activities = Count("activity", distinct=True)
    return village_table(
        rs,
        Figures(teams, [Column(_("Volunteer teams"), Count("pk"), total=teams.count)], path="village"),
        Figures(
            serving,
            [Column(_("Volunteers in service"), women, total=lambda: serving.aggregate(n=women)["n"])],
            path="team__village",
        ),
        Figures(
            hours,
            [
                Column(_("Activities served"), activities, total=lambda: hours.aggregate(n=activities)["n"]),
                Column(_("Volunteer hours"), _hours_sum(), _hours, total=lambda: hours.aggregate(n=_hours_sum())["n"]),
            ],
            path="village",
        ),
    )


@report(
    "volunteer_members",
    gettext_lazy("Register of volunteers"),
    gettext_lazy("Each volunteer on a team in the period, with the activities she served at and her hours."),
    permission=(
        "organization.view_volunteer",
        "organization.view_volunteerhours",
        "federation.view_person",
    ),
    personal=True,
)
def volunteer_members(rs: ReportScope, period: DateRange) -> Table:
    start, end = period.start, period.end
    volunteers = (
        selectors.volunteers_during(rs.chosen, start, end)
        .select_related("person__village", "team__town", "team__village")
        .order_by("team__village__sort_order", "team__name", "person__name", "pk")
    )
    served = {
        row["volunteer_id"]: row
        for row in VolunteerHours.objects.filter(volunteer__in=volunteers.values("pk"), date__range=(start, end))
        .values("volunteer_id")
        .annotate(activities=Count("activity", distinct=True), total=_hours_sum())
        .order_by()
    }
    table = Table(
        header=[
            _("Village (community)"),
            field_label(Volunteer, "team"),
            field_label(Person, "name"),
            _("ID number"),
            field_label(Volunteer, "joined_on"),
            field_label(Volunteer, "left_on"),
            _("Activities served"),
            _("Volunteer hours"),
        ]
    )
    for volunteer in volunteers:
        person, row = volunteer.person, served.get(volunteer.pk, {})
        table.rows.append(
            [
                person.village.name,
                volunteer.team.name,
                person.name,
                rs.id_number(person.id_number),
                volunteer.joined_on.isoformat(),
                volunteer.left_on.isoformat() if volunteer.left_on else "",
                row.get("activities", 0),
                _hours(row.get("total")),
            ]
        )
    return table


@report(
    "organization_venues",
    gettext_lazy("Register of venues"),
    gettext_lazy(
        "Each venue open in the period: where it is, since when, how large, what it holds, whom to call, "
        "and the activities held there in the period."
    ),
    permission=("organization.view_venue", "federation.view_activity"),
)
def organization_venues(rs: ReportScope, period: DateRange) -> Table:
    start, end = period.start, period.end
    venues = (
        selectors.venues_open(rs.chosen, start, end)
        .select_related("town", "village")
        .order_by("town", "village__sort_order", "kind", "name")
    )
    held = dict(
        selectors.venue_activities_in(rs.chosen, start, end)
        .values("venue_id")
        .annotate(n=Count("activity"))
        .values_list("venue_id", "n")
        .order_by()
    )
    table = Table(
        header=[
            _("Federation"),
            field_label(Venue, "kind"),
            field_label(Venue, "name"),
            field_label(Venue, "address"),
            field_label(Venue, "opened_on"),
            field_label(Venue, "area"),
            field_label(Venue, "facilities"),
            field_label(Venue, "contact"),
            _("Activities held"),
        ]
    )
    for venue in venues:
        table.rows.append(
            [
                venue.federation_name,
                venue.get_kind_display(),
                venue.name,
                venue.address,
                venue.opened_on.isoformat(),
                venue.area if venue.area is not None else "",
                venue.facilities,
                venue.contact,
                held.get(venue.pk, 0),
            ]
        )
    return table


binder_section(
    "organization_venues",
    gettext_lazy("Venues and volunteers"),
    category="organization",
    order=20,
    reports=("organization_venues", "volunteer_villages", "volunteer_members"),
)

# --- end of venues and volunteers --------------------------------------------------------
