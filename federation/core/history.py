"""How every app's services write a record that keeps history, and move a record's status."""

from django.core.exceptions import ValidationError
from django.db import transaction


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
