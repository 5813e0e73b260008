"""组织建设 figures and ledgers: the committees and their members, the 换届 elections, the
meetings and the women delegates, by village, and the binder's 组织建设 ledgers.

组织建设 ledgers and figures.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from federation.core.reporting import (
    Column,
    DateRange,
    Figures,
    Given,
    ReportScope,
    Table,
    binder_section,
    day_text,
    field_label,
    labels_of,
    report,
    village_table,
)
from federation.models import Person
from organization import selectors
from organization.models import Committee, CommitteeMember, Delegate, Meeting, Venue, Volunteer, VolunteerHours

# --- Committees, their members, meetings and delegates ---------------------------------------

COMMITTEES = ("organization.view_committee", "organization.view_committeemember")


def federation_name(town_name: str, village_name: str | None) -> str:
    return village_name or _("%(town)s (town)") % {"town": town_name}


def _committees(rs: ReportScope):
    return selectors.with_seats_held(selectors.committees(rs.chosen)).select_related("town", "village")


def _vacancy_text(committee) -> str:
    labels = labels_of(CommitteeMember.Position.choices)
    free = selectors.vacancies(committee)
    return "、".join(
        _("%(position)s short of %(count)d") % {"position": labels[p], "count": n} for p, n in free.items()
    )


@report(
    "organization_committees",
    gettext_lazy("Register of executive committee members"),
    gettext_lazy(
        "Each federation's executive committee members in office at the period's end, and those who left in it."
    ),
    permission=(*COMMITTEES, "federation.view_person"),
    personal=True,
)
def organization_committees(rs: ReportScope, period: DateRange) -> Table:
    members = (
        selectors.members(rs.chosen)
        .filter(joined_on__lte=period.end)
        .exclude(left_on__lt=period.start)
        .select_related("person", "committee__town", "committee__village")
        .order_by("committee__town", "committee__village__sort_order", "left_on", "position", "joined_on", "pk")
    )
    positions = labels_of(CommitteeMember.Position.choices)
    table = Table(
        header=[
            _("Federation"),
            field_label(CommitteeMember, "position"),
            field_label(CommitteeMember, "name"),
            _("ID number"),
            field_label(CommitteeMember, "duties"),
            field_label(CommitteeMember, "phone"),
            field_label(CommitteeMember, "joined_on"),
            field_label(CommitteeMember, "left_on"),
        ]
    )
    for member in members:
        committee = member.committee
        table.rows.append(
            [
                federation_name(committee.town.name, committee.village.name if committee.village_id else None),
                positions[member.position],
                member.shown_name,
                rs.id_number(member.person.id_number if member.person_id else ""),
                member.duties,
                rs.phone(member.phone),
                day_text(member.joined_on),
                day_text(member.left_on),
            ]
        )
    return table


@report(
    "organization_elections",
    gettext_lazy("Executive committee elections"),
    gettext_lazy(
        "Each federation's last election, the next one due (overdue ones marked) and its vacancies today; "
        "a village with no committee on record is shown as not set up."
    ),
    permission=COMMITTEES,
)
def organization_elections(rs: ReportScope, period: DateRange) -> Table:
    today = timezone.localdate()  # what is due is today's matter, whatever the period
    table = Table(
        header=[
            _("Federation"),
            field_label(Committee, "elected_on"),
            field_label(Committee, "term_years"),
            field_label(Committee, "next_election_on"),
            _("State"),
            _("Members in office"),
            _("Vacancies"),
        ]
    )
    found = {}
    town_rows = []
    for committee in _committees(rs):
        days = (committee.next_election_on - today).days
        if days < 0:
            state = _("overdue")
        elif days <= selectors.DUE_WITHIN.days:
            state = _("due within 60 days")
        else:
            state = _("in term")
        row = [
            federation_name(committee.town.name, committee.village.name if committee.village_id else None),
            day_text(committee.elected_on),
            committee.term_years,
            day_text(committee.next_election_on),
            state,
            selectors.held(committee),
            _vacancy_text(committee) or "—",
        ]
        if committee.village_id:
            found[committee.village_id] = row
        else:
            town_rows.append(row)
    table.rows.extend(town_rows)
    for pk, name in rs.village_rows():
        table.rows.append(found.get(pk) or [name, "", "", "", _("not set up"), 0, "—"])
    return table


@report(
    "organization_meetings",
    gettext_lazy("Meeting records"),
    gettext_lazy(
        "The federations' meetings held in the period: who came, who did not, what was discussed and decided."
    ),
    permission=("organization.view_meeting", "organization.view_committeemember"),
    personal=True,
)
def organization_meetings(rs: ReportScope, period: DateRange) -> Table:
    meetings = (
        selectors.meetings_in(rs.chosen, period.start, period.end)
        .select_related("town", "village")
        .prefetch_related("attendees__person", "absentees__person")
        .order_by("date", "village__sort_order", "pk")
    )
    kinds = labels_of(Meeting.Kind.choices)
    table = Table(
        header=[
            field_label(Meeting, "date"),
            _("Federation"),
            field_label(Meeting, "kind"),
            field_label(Meeting, "place"),
            field_label(Meeting, "attendees"),
            field_label(Meeting, "absentees"),
            field_label(Meeting, "topics"),
            field_label(Meeting, "decisions"),
        ]
    )
    for meeting in meetings:
        table.rows.append(
            [
                day_text(meeting.date),
                federation_name(meeting.town.name, meeting.village.name if meeting.village_id else None),
                kinds[meeting.kind],
                meeting.place,
                "、".join(member.shown_name for member in meeting.attendees.all()),
                "、".join(member.shown_name for member in meeting.absentees.all()),
                meeting.topics,
                meeting.decisions,
            ]
        )
    return table


@report(
    "organization_delegates",
    gettext_lazy("Register of women delegates and members"),
    gettext_lazy(
        "Women party congress delegates, people's congress deputies and CPPCC members whose term holds in the period."
    ),
    permission=("organization.view_delegate", "federation.view_person"),
    personal=True,
)
def organization_delegates(rs: ReportScope, period: DateRange) -> Table:
    delegates = (
        selectors.delegates(rs.chosen)
        .filter(term_start__lte=period.end)
        .exclude(term_end__lt=period.start)
        .select_related("person__village")
        .order_by("person__village__sort_order", "person__name", "body", "-term_start")
    )
    bodies, levels = labels_of(Delegate.Body.choices), labels_of(Delegate.Level.choices)
    table = Table(
        header=[
            _("Village (community)"),
            field_label(Person, "name"),
            _("ID number"),
            field_label(Delegate, "body"),
            field_label(Delegate, "level"),
            field_label(Delegate, "term_start"),
            field_label(Delegate, "term_end"),
            field_label(Delegate, "sector"),
        ]
    )
    for delegate in delegates:
        person = delegate.person
        table.rows.append(
            [
                person.village.name,
                person.name,
                rs.id_number(person.id_number),
                bodies[delegate.body],
                levels[delegate.level],
                day_text(delegate.term_start),
                day_text(delegate.term_end),
                delegate.sector,
            ]
        )
    return table


@report(
    "organization_villages",
    gettext_lazy("Organisation building by village"),
    gettext_lazy(
        "Executive committee members in office at the period's end and vacant seats today, meetings held in "
        "the period, and women delegates whose term holds at the period's end."
    ),
    permission=(*COMMITTEES, "organization.view_meeting", "organization.view_delegate"),
)
def organization_villages(rs: ReportScope, period: DateRange) -> Table:
    start, end = period.start, period.end
    serving = Figures(
        selectors.members_on(rs.chosen, end), [(_("Members in office"), Count("pk"))], path="committee__village"
    )
    by_village = {}
    for committee in _committees(rs).filter(village__isnull=False):
        by_village[committee.village_id] = sum(selectors.vacancies(committee).values())
    vacant = Given(by_village, [Column(_("Vacant seats today"), lambda count: count)], total=sum(by_village.values()))
    meetings = Figures(
        selectors.meetings_in(rs.chosen, start, end), [(_("Meetings held"), Count("pk"))], path="village"
    )
    delegates = Figures(selectors.delegates_on(rs.chosen, end), [(_("Women delegates"), Count("pk"))])
    return village_table(rs, serving, vacant, meetings, delegates)


binder_section(
    "organization",
    gettext_lazy("Executive committees, elections, meetings and delegates"),
    category="organization",
    order=10,
    reports=(
        "organization_committees",
        "organization_elections",
        "organization_meetings",
        "organization_delegates",
    ),
)


# --- Venues, volunteer teams, volunteers and their hours (阵地, 巾帼志愿者) ----------------


def hours_text(value) -> str:
    """Hours as people write them (3, 5.5): the databases give 3 or 3.0 for the same sum."""
    return format(Decimal(value).normalize(), "f") if value else "0"


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
                Column(
                    _("Volunteer hours"), _hours_sum(), hours_text, total=lambda: hours.aggregate(n=_hours_sum())["n"]
                ),
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
                hours_text(row.get("total")),
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
