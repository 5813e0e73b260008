"""Writes of the federation registry that carry rules. Admin, import and demo call these."""

from django.core.exceptions import ValidationError
from django.db import transaction

from federation.models import Household, Person


def save_with_history(record, by):
    """Validate and save a record that keeps history, naming `by` as who changed it: the one
    way every app's services write such a record."""
    record.full_clean()
    if by is not None:
        record._history_user = by
    record.save()
    return record


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
