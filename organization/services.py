"""Every write of the 组织建设 records. The admin, the rosters and the demo call these; each
names `by` as who wrote (on the record and its history row).

Every write of the federations' own organisation. The admin, the demo and the scripts call
these; each names `by` as who wrote (on the record and its history row). A town's record is
seen in the whole town and changed by the town's staff; a village's by those who keep it.
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from federation.core.history import delete_with_history, save_with_history
from federation.core.scoping import in_scope, scope_for
from federation.models import Activity
from organization.models import (
    ActivityVenue,
    Committee,
    CommitteeMember,
    Delegate,
    Meeting,
    MeetingAttachment,
    Venue,
    Volunteer,
    VolunteerHours,
    VolunteerTeam,
)

# --- Committees, their members, meetings and delegates ---------------------------------------


def keeps_federation(by, town_id: int | None, village_id: int | None) -> bool:
    """Whether `by` keeps a federation's records: a village's are kept by those who keep the
    village, the town's own by the town's staff (a village clerk reads them only)."""
    if by is None:
        return True
    scope = scope_for(by)
    return scope.keeps_village(village_id) if village_id else scope.covers_town(town_id)


def _check_keeper(record, by, stored=None) -> None:
    """The federation of a record (and the one it had, when changed) is kept by `by`."""
    if by is None:
        return
    if stored is not None and not keeps_federation(by, stored.town_id, stored.village_id):
        raise ValidationError(_("This record is of a federation you do not keep: only its own staff change it."))
    if not keeps_federation(by, record.town_id, record.village_id):
        if record.village_id:
            raise ValidationError({"village": _("Choose a village you keep.")})
        raise ValidationError({"village": _("Choose your village: the town's federation is kept by the town's staff.")})


def _stamp(record, by) -> None:
    if record.pk is None and by is not None and by.pk:
        record.recorded_by = by


def _federation_of(record) -> None:
    if record.village_id:
        record.town_id = record.village.town_id


@transaction.atomic
def committee_save(*, committee: Committee, by=None) -> Committee:
    """Add or change a federation's executive committee. The next election, left empty, is the
    election day plus the term."""
    _federation_of(committee)
    stored = Committee.objects.filter(pk=committee.pk).first() if committee.pk else None
    _check_keeper(committee, by, stored)
    if not committee.next_election_on:
        committee.next_election_on = committee.due_on()
    _stamp(committee, by)
    return save_with_history(committee, by)


@transaction.atomic
def committee_elect(*, committee: Committee, day: date, term_years: int | None = None, by=None) -> Committee:
    """Record a new 换届: elected on `day` (for `term_years`, or the term it had), the next one
    due by the new term. The members stay as they are: who left is recorded on each."""
    current = Committee.objects.select_for_update().get(pk=committee.pk)
    _check_keeper(current, by, current)
    if day is None:
        raise ValidationError({"elected_on": _("Give the day of the election.")})
    if day <= current.elected_on:
        raise ValidationError(
            {
                "elected_on": _("The committee was elected on %(day)s: a new election is after that day.")
                % {"day": current.elected_on.isoformat()}
            }
        )
    if day > timezone.localdate():
        raise ValidationError({"elected_on": _("The election day is in the future.")})
    current.elected_on = day
    if term_years:
        current.term_years = term_years
    current.next_election_on = current.due_on()
    save_with_history(current, by)
    committee.refresh_from_db()
    return current


def committee_delete(*, committee: Committee, by=None) -> None:
    _check_keeper(committee, by, committee)
    if committee.members.exists():
        raise ValidationError(_("The committee has members on record: it stays."))
    delete_with_history(committee, by)


def _check_seats(member: CommitteeMember, holders: list[CommitteeMember] | None = None) -> None:
    """A member in office takes a seat of her position: never more in office than its seats.
    `holders`: those holding the committee's seats, when the caller has them at hand."""
    if member.left_on is not None or not member.committee_id:
        return
    committee = member.committee
    seats = committee.seats.get(member.position, 0)
    if holders is None:
        holders = list(committee.members.filter(left_on__isnull=True).exclude(pk=member.pk).select_related("person"))
    held = [m for m in holders if m.position == member.position and m.left_on is None]
    if len(held) >= seats:
        raise ValidationError(
            {
                "position": _(
                    "The committee has %(seats)d seats of %(position)s, all held (%(names)s): record who left, "
                    "or give the committee more seats."
                )
                % {
                    "seats": seats,
                    "position": member.get_position_display(),
                    "names": "、".join(m.shown_name for m in held) or "—",
                }
            }
        )


def _check_outside_name(member: CommitteeMember) -> None:
    if member.person_id or not member.name or member.left_on is not None or not member.committee_id:
        return
    twice = CommitteeMember.objects.filter(
        committee_id=member.committee_id, person__isnull=True, name=member.name, left_on__isnull=True
    ).exclude(pk=member.pk)
    if twice.exists():
        raise ValidationError({"name": _("She holds a seat on this committee already.")})


@transaction.atomic
def member_save(*, member: CommitteeMember, by=None) -> CommitteeMember:
    """Add or change a seat on a committee: a person of the committee's village (or an outside
    member by name), one seat each, and no more members in office than the position has seats."""
    if member.committee_id:
        committee = Committee.objects.select_for_update().get(pk=member.committee_id)  # seats counted one at a time
        member.committee = committee
        stored = CommitteeMember.objects.select_related("committee").filter(pk=member.pk).first() if member.pk else None
        _check_keeper(committee, by, stored.committee if stored else None)
    _check_seats(member)
    _check_outside_name(member)
    _stamp(member, by)
    return save_with_history(member, by)


@transaction.atomic
def committee_seat_new(*, committee: Committee, members: list[CommitteeMember], by=None) -> list[CommitteeMember]:
    """Seat a newly elected committee's members at once (the demo's, a new federation's): the
    rules of `member_save` checked for each, written in one go with their history."""
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    _check_keeper(committee, by, committee)
    holders = list(committee.members.filter(left_on__isnull=True).select_related("person"))
    for member in members:
        if member.pk is not None:
            raise ValidationError(_("This member is on record already."))
        member.committee = committee
        member.full_clean(validate_constraints=False)  # the constraints' queries, one member at a time
        if not member.person_id and not member.name:
            raise ValidationError(_("Choose a person of the registry or write an outside member's name."))
        if member.left_on is not None and member.left_on < member.joined_on:
            raise ValidationError({"left_on": _("She left before she joined.")})
        if member.person_id and any(m.person_id == member.person_id for m in holders):
            raise ValidationError(_("She holds a seat on this committee already."))
        _check_seats(member, holders)
        _check_outside_name(member)
        _stamp(member, by)
        holders.append(member)
    return bulk_create_with_history(members, CommitteeMember, default_user=by if by is not None and by.pk else None)


@transaction.atomic
def member_leave(*, member: CommitteeMember, day: date, by=None) -> CommitteeMember:
    """She leaves the committee on `day`: her seat is free from then on."""
    current = CommitteeMember.objects.select_for_update().select_related("committee").get(pk=member.pk)
    _check_keeper(current.committee, by, current.committee)
    if current.left_on is not None:
        raise ValidationError(
            _("%(name)s left on %(day)s already.") % {"name": current.shown_name, "day": current.left_on.isoformat()}
        )
    current.left_on = day
    save_with_history(current, by)
    member.left_on = day
    return current


def member_delete(*, member: CommitteeMember, by=None) -> None:
    _check_keeper(member.committee, by, member.committee)
    delete_with_history(member, by)


def committee_members_on(town_id: int, village_id: int | None, day: date):
    """The members in office on `day` of a federation's committee (its town's own, when no village)."""
    federation = Q(committee__town_id=town_id) & (
        Q(committee__village_id=village_id) if village_id else Q(committee__village__isnull=True)
    )
    return CommitteeMember.objects.filter(federation, joined_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=day)
    )


def _check_attendance(meeting: Meeting, attendees: list, absentees: list) -> None:
    both = {member.pk for member in attendees} & {member.pk for member in absentees}
    if both:
        names = "、".join(member.shown_name for member in attendees if member.pk in both)
        raise ValidationError({"absentees": _("Present and absent at once: %(names)s.") % {"names": names}})
    chosen = {member.pk: member for member in [*attendees, *absentees]}
    if not chosen or meeting.date is None:  # no date: the model's to refuse, on its field
        return
    serving = set(
        committee_members_on(meeting.town_id, meeting.village_id, meeting.date)
        .filter(pk__in=chosen)
        .values_list("pk", flat=True)
    )
    strangers = [member.shown_name for pk, member in chosen.items() if pk not in serving]
    if strangers:
        raise ValidationError(
            {
                "attendees": _("Not a member in office of this federation's committee on %(day)s: %(names)s.")
                % {"day": meeting.date.isoformat(), "names": "、".join(strangers)}
            }
        )


@transaction.atomic
def meeting_save(
    *,
    meeting: Meeting,
    attendees: Iterable[CommitteeMember] | None = None,
    absentees: Iterable[CommitteeMember] | None = None,
    by=None,
) -> Meeting:
    """Add or change a meeting with who of the committee came and who did not (when given:
    each replaces what was recorded). Both are the federation's members in office on the day."""
    _federation_of(meeting)
    stored = Meeting.objects.filter(pk=meeting.pk).first() if meeting.pk else None
    _check_keeper(meeting, by, stored)
    if meeting.date and meeting.date > timezone.localdate():
        raise ValidationError({"date": _("The meeting's date is in the future.")})
    if meeting.pk is not None:
        attendees = list(meeting.attendees.all()) if attendees is None else attendees
        absentees = list(meeting.absentees.all()) if absentees is None else absentees
    attendees, absentees = list(attendees or []), list(absentees or [])
    _stamp(meeting, by)
    save_with_history(meeting, by)  # first: a meeting without its date is refused on its field
    _check_attendance(meeting, attendees, absentees)
    meeting.attendees.set(attendees)
    meeting.absentees.set(absentees)
    return meeting


def meeting_delete(*, meeting: Meeting, by=None) -> None:
    _check_keeper(meeting, by, meeting)
    for attachment in meeting.attachments.all():
        delete_with_history(attachment, by)
    delete_with_history(meeting, by)


def meeting_attachment_save(*, attachment: MeetingAttachment, by=None) -> MeetingAttachment:
    _check_keeper(attachment.meeting, by, attachment.meeting)
    if attachment.pk is None and by is not None and by.pk:
        attachment.uploaded_by = by
    return save_with_history(attachment, by)


def meeting_attachment_delete(*, attachment: MeetingAttachment, by=None) -> None:
    _check_keeper(attachment.meeting, by, attachment.meeting)
    delete_with_history(attachment, by)


def _check_delegate_keeper(delegate: Delegate, by) -> None:
    if by is None or not delegate.person_id:
        return
    if not scope_for(by).keeps_village(delegate.person.village_id):
        raise ValidationError({"person": _("Choose a woman of a village you keep.")})


@transaction.atomic
def delegate_save(*, delegate: Delegate, by=None) -> Delegate:
    """Add or change a woman delegate or member (两代表一委员): a woman of the registry."""
    _check_delegate_keeper(delegate, by)
    _stamp(delegate, by)
    return save_with_history(delegate, by)


def delegate_delete(*, delegate: Delegate, by=None) -> None:
    _check_delegate_keeper(delegate, by)
    delete_with_history(delegate, by)


# --- Venues, volunteer teams, volunteers and their hours (阵地, 巾帼志愿者) ----------------


def _check_keeper(record, by, stored=None) -> None:
    """`by` keeps the federation the record is of (and, when it is changed, the one it was
    of): the town's records are the town's staff's, a village's those of who keep it."""
    if by is None:
        return
    scope = scope_for(by)
    for each in (record, stored):
        if each is None:
            continue
        if each.village_id is None and not scope.covers_town(each.town_id):
            raise ValidationError(
                {"village": _("Choose your village: the town's federation's records are the town's.")}
            )
        if each.village_id is not None and not scope.keeps_village(each.village_id):
            raise ValidationError({"village": _("This is a village you do not keep.")})


def _federation_record_save(record, by):
    if record.village_id and not record.town_id:
        record.town_id = record.village.town_id
    stored = None
    if record.pk is not None:
        stored = type(record).objects.select_for_update().filter(pk=record.pk).order_by("pk").first()
    _check_keeper(record, by, stored)
    if record.pk is None and by is not None and by.pk:
        record.recorded_by = by
    return stored


def _sees(model, pk, by) -> bool:
    return by is None or in_scope(model.objects.filter(pk=pk), scope_for(by)).exists()


@transaction.atomic
def venue_save(*, venue: Venue, by=None) -> Venue:
    """Add or change a venue (阵地) of the town's federation or of a village's."""
    _federation_record_save(venue, by)
    return save_with_history(venue, by)


@transaction.atomic
def venue_delete(*, venue: Venue, by=None) -> None:
    """Remove a venue entered by mistake; one that activities name stays (close it instead)."""
    _check_keeper(venue, by)
    if venue.held.exists():
        raise ValidationError(
            _("Activities were held at %(venue)s: it stays (give the day it closed instead).") % {"venue": venue.name}
        )
    delete_with_history(venue, by)


@transaction.atomic
def activity_venue_set(*, activity: Activity, venue: Venue | None, by=None) -> ActivityVenue | None:
    """Name the venue an activity was held in (None: none), a venue of the activity's town
    that the user sees, open on the activity's day."""
    if not _sees(Activity, activity.pk, by):
        raise ValidationError(_("The activity is not one of your villages'."))
    current = ActivityVenue.objects.select_for_update().filter(activity=activity).order_by("pk").first()
    if venue is None:
        if current is not None:
            delete_with_history(current, by)
        return None
    if not _sees(Venue, venue.pk, by):
        raise ValidationError({"venue": _("The venue is not one of your villages'.")})
    if venue.opened_on > activity.date or (venue.closed_on and venue.closed_on < activity.date):
        raise ValidationError(
            {"venue": _("%(venue)s was not open on %(date)s.") % {"venue": venue.name, "date": activity.date}}
        )
    link = current or ActivityVenue(activity=activity)
    if link.venue_id == venue.pk:
        return link
    link.venue = venue
    return save_with_history(link, by)


@transaction.atomic
def team_save(*, team: VolunteerTeam, by=None) -> VolunteerTeam:
    """Add or change a volunteer team (巾帼志愿服务队). Its volunteers are women of its village
    and their hours are counted there: a team with volunteers keeps its federation."""
    stored = _federation_record_save(team, by)
    if stored is not None and stored.village_id != team.village_id and stored.volunteers.exists():
        raise ValidationError({"village": _("The team has volunteers: it stays its federation's.")})
    return save_with_history(team, by)


@transaction.atomic
def team_delete(*, team: VolunteerTeam, by=None) -> None:
    _check_keeper(team, by)
    if team.volunteers.exists():
        raise ValidationError(_("%(team)s has volunteers on record and stays.") % {"team": team.name})
    delete_with_history(team, by)


def _check_volunteer(volunteer: Volunteer) -> None:
    if not volunteer.team_id or not volunteer.person_id:
        return  # full_clean names the field missing
    team, person = volunteer.team, volunteer.person
    if team.village_id and person.village_id != team.village_id:
        raise ValidationError(
            {
                "person": _("%(name)s lives in %(village)s, not in the team's village.")
                % {"name": person.name, "village": person.village.name}
            }
        )
    if not team.village_id and person.village.town_id != team.town_id:
        raise ValidationError({"person": _("%(name)s does not live in the team's town.") % {"name": person.name}})
    if volunteer.pk is None:
        return
    served = VolunteerHours.objects.filter(volunteer=volunteer)
    if volunteer.left_on is not None:
        late = served.filter(date__gt=volunteer.left_on).order_by("date").first()
        if late is not None:
            raise ValidationError(
                {"left_on": _("She served on %(date)s, after that day.") % {"date": late.date.isoformat()}}
            )
    early = served.filter(date__lt=volunteer.joined_on).order_by("date").first() if volunteer.joined_on else None
    if early is not None:
        raise ValidationError(
            {"joined_on": _("She served on %(date)s, before that day.") % {"date": early.date.isoformat()}}
        )


@transaction.atomic
def volunteer_save(*, volunteer: Volunteer, by=None) -> Volunteer:
    """Put a woman of the team's village (a town team's: of the town) on a volunteer team,
    once, or change her entry; the hours she served stay within her days on the team."""
    if volunteer.team_id:
        _check_keeper(volunteer.team, by)
    if volunteer.pk is not None:
        stored = Volunteer.objects.select_for_update().select_related("team").get(pk=volunteer.pk)
        _check_keeper(stored.team, by)
        moved = (stored.team_id, stored.person_id) != (volunteer.team_id, volunteer.person_id)
        if moved and stored.hours.exists():
            raise ValidationError(_("She has hours on record with this team: record a new entry instead."))
    elif by is not None and by.pk:
        volunteer.recorded_by = by
    _check_volunteer(volunteer)
    return save_with_history(volunteer, by)


@transaction.atomic
def volunteer_leave(*, volunteer: Volunteer, day: date, by=None) -> Volunteer:
    """She left the team on `day`."""
    volunteer.left_on = day
    return volunteer_save(volunteer=volunteer, by=by)


@transaction.atomic
def volunteer_delete(*, volunteer: Volunteer, by=None) -> None:
    """Take an entry made by mistake off the team; one with hours stays (give the day she left)."""
    _check_keeper(volunteer.team, by)
    if volunteer.hours.exists():
        raise ValidationError(
            _("%(name)s has hours on record and stays (give the day she left instead).") % {"name": volunteer}
        )
    delete_with_history(volunteer, by)


@transaction.atomic
def volunteer_hours_save(*, hours: VolunteerHours, by=None) -> VolunteerHours:
    """Record (or change) the hours a volunteer served at an activity the user sees. The record
    keeps the activity's day and the team's village: the month and village it is counted and
    locked in (federation.core.periods)."""
    if hours.hours is None or not 0 < hours.hours <= 24:
        raise ValidationError({"hours": _("Hours are more than 0 and at most 24.")})
    if not hours.activity_id or not hours.volunteer_id:
        hours.full_clean()  # names the field missing
    activity, volunteer = hours.activity, hours.volunteer
    if not _sees(Activity, activity.pk, by):
        raise ValidationError({"activity": _("The activity is not one of your villages'.")})
    if not _sees(Volunteer, volunteer.pk, by):
        raise ValidationError({"volunteer": _("The volunteer is not of a team you see.")})
    day = activity.date
    if volunteer.joined_on > day or (volunteer.left_on and volunteer.left_on < day):
        raise ValidationError(
            {
                "volunteer": _("%(name)s was not on %(team)s on %(date)s.")
                % {"name": volunteer, "team": volunteer.team.name, "date": day.isoformat()}
            }
        )
    hours.date = day
    hours.village_id = volunteer.team.village_id
    if hours.pk is None and by is not None and by.pk:
        hours.recorded_by = by
    return save_with_history(hours, by)


@transaction.atomic
def volunteer_hours_delete(*, hours: VolunteerHours, by=None) -> None:
    delete_with_history(hours, by)


def hours_follow_activity(sender, instance: Activity, raw: bool = False, **kwargs) -> None:
    """An activity saved (a post_save receiver, apps.py): its hours keep its day, moved with it
    (an approved period refuses it, and with it the activity's save)."""
    if raw:
        return
    for hours in VolunteerHours.objects.filter(activity=instance).exclude(date=instance.date):
        hours.activity = instance
        volunteer_hours_save(hours=hours, by=None)


# --- end of venues and volunteers --------------------------------------------------------
