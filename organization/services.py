"""Every write of the federations' own organisation. The admin, the demo and the scripts call
these; each names `by` as who wrote (on the record and its history row). A town's record is
seen in the whole town and changed by the town's staff; a village's by those who keep it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federation.core.history import delete_with_history, save_with_history
from federation.core.scoping import in_scope, scope_for
from federation.models import Activity
from organization.models import ActivityVenue, Venue, Volunteer, VolunteerHours, VolunteerTeam

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
        stored = type(record).objects.select_for_update().filter(pk=record.pk).first()
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
    current = ActivityVenue.objects.select_for_update().filter(activity=activity).first()
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
