"""Writes of the federation registry that carry rules. Admin, import and demo call these."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federation.models import Activity, ActivityAttachment, Honor, Household, Person, Town, Village
from federation.scoping import scope_for


def save_with_history(record, by):
    """Validate and save a record that keeps history, naming `by` as who changed it: the one
    way every app's services write such a record."""
    record.full_clean()
    if by is not None:
        record._history_user = by
    record.save()
    return record


def delete_with_history(record, by) -> None:
    """Delete a record that keeps history, naming `by` on the history row of the deletion:
    the one way every app's services delete such a record. Records deleted with it by a
    cascade are not named; a service deletes those through their own service first."""
    if by is not None:
        record._history_user = by
    record.delete()


@transaction.atomic
def person_save(*, person: Person, by=None) -> Person:
    """Validate (normalising the ID number, deriving sex and birth date) and save."""
    return save_with_history(person, by)


@transaction.atomic
def household_save(*, household: Household, by=None) -> Household:
    save_with_history(household, by)
    if household.head_id and household.head.relation_to_head != Person.Relation.SELF:
        head = household.head
        head.relation_to_head = Person.Relation.SELF
        person_save(person=head, by=by)
    return household


def status_step(record, *, allowed: tuple, refused: str, **changes):
    """Move a record with a `status` on from one of the `allowed` statuses, under a row lock
    so that two clicks (or two users) cannot both move it; `refused` is the message when it
    stands elsewhere (it may name %(status)s). Return the record as saved."""
    with transaction.atomic():
        current = type(record).objects.select_for_update().get(pk=record.pk)
        if current.status not in allowed:
            raise ValidationError(refused % {"status": current.get_status_display()})
        for name, value in changes.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
    return current


def activity_villages_check(*, town: Town | None, villages: Iterable[Village] | None, by=None) -> None:
    """An activity without villages is town-wide: only staff who see the whole town may record
    one (the admin form asks this too, before saving). `by=None` is the system (the demo)."""
    if by is None or town is None or villages is None or list(villages):
        return
    if not scope_for(by).covers_town(town.pk):
        raise ValidationError({"villages": _("Choose at least one of your villages.")})


@transaction.atomic
def activity_save(*, activity: Activity, villages: Iterable[Village] | None = None, by=None) -> Activity:
    """Validate and save an activity and, when given, its villages (none: town-wide). The
    admin passes the form's villages, which keep those its user cannot see."""
    if villages is not None:
        villages = list(villages)
    activity_villages_check(town=activity.town if activity.town_id else None, villages=villages, by=by)
    save_with_history(activity, by)
    if villages is not None:
        activity.villages.set(villages)  # the history row of the change names `by` too
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, by=None) -> None:
    """Delete an activity with its attachments, each deletion's history row naming `by`."""
    for attachment in activity.attachments.all():
        attachment_delete(attachment=attachment, by=by)
    delete_with_history(activity, by)


@transaction.atomic
def attachment_save(*, attachment: ActivityAttachment, by=None) -> ActivityAttachment:
    """Validate (a photo or a PDF, under the size cap) and save an activity's attachment."""
    return save_with_history(attachment, by)


@transaction.atomic
def attachment_delete(*, attachment: ActivityAttachment, by=None) -> None:
    """Delete an attachment's record. The file stays in storage: the history names it."""
    delete_with_history(attachment, by)


@transaction.atomic
def honor_save(*, honor: Honor, by=None) -> Honor:
    """Validate (a household award to a household, a person's to a person) and save."""
    return save_with_history(honor, by)


@transaction.atomic
def honor_delete(*, honor: Honor, by=None) -> None:
    delete_with_history(honor, by)
