"""Writes of the federation registry that carry rules. Admin, import and demo call these."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federation import approved
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


# --- The township's year: submissions of a village's period (federation.periods) ---


def _event(submission, action, text: str, by):
    from federation.models import PeriodEvent

    PeriodEvent.objects.create(submission=submission, action=action, text=text, user=by)


@transaction.atomic
def submission_submit(*, village: Village, day, note: str = "", by=None):
    """Submit (报送) the period of the village that holds `day` — the town's month or quarter —
    or submit it again once returned or reopened. Only staff of the village may."""
    from django.utils import timezone

    from federation.models import PeriodSubmission
    from federation.periods import holdings, period_label, period_of

    Status = PeriodSubmission.Status
    scope = scope_for(by) if by is not None else None
    if scope is not None and not scope.everything and village.pk not in scope.village_ids:
        raise ValidationError(_("%(village)s is not one of your villages.") % {"village": village})
    start, end = period_of(village.town.submission_period, day)
    if end >= timezone.localdate():
        raise ValidationError(
            _("%(period)s has not ended yet: it can be submitted from its last day on.")
            % {"period": period_label(start, end)}
        )
    submission = PeriodSubmission.objects.select_for_update().filter(village=village, start=start).first()
    if submission is not None and submission.status not in (Status.RETURNED, Status.REOPENED):
        raise ValidationError(
            _("%(period)s of %(village)s is %(status)s already.")
            % {"period": period_label(start, end), "village": village, "status": submission.get_status_display()}
        )
    # An empty month may be true (nothing was done) or a month whose records were never typed
    # in: the clerk says which, so that the reviewer does not approve a gap unknowingly.
    if not note.strip() and not any(count for _title, count in holdings([village.pk], start, end)):
        raise ValidationError(
            {
                "note": _(
                    "%(period)s holds no records of %(village)s. If nothing was done, say so in the "
                    "note; otherwise enter the records first."
                )
                % {"period": period_label(start, end), "village": village}
            }
        )
    submission = submission or PeriodSubmission(village=village, start=start, end=end)
    submission.status, submission.note = Status.SUBMITTED, note
    submission.submitted_by, submission.submitted_at = by, timezone.now()
    submission.full_clean()
    submission.save()
    _event(submission, Status.SUBMITTED, note, by)
    return submission


def _review(submission, *, allowed, status, text: str, by, refused: str):
    from django.utils import timezone

    if by is not None and not (
        by.has_perm("federation.review_periodsubmission") and scope_for(by).covers_town(submission.village.town_id)
    ):
        raise ValidationError(_("Only the town's administrator may review its villages' submissions."))
    changes = {"status": status, "reviewed_by": by, "reviewed_at": timezone.now()}
    if status in (submission.Status.RETURNED, submission.Status.APPROVED):
        changes["comment"] = text  # the reviewer's word on the month, which its clerk reads
    submission = status_step(submission, allowed=allowed, refused=refused, **changes)
    _event(submission, status, text, by)
    return submission


@transaction.atomic
def submission_approve(*, submission, comment: str = "", by=None):
    """Approve (审核) a submitted period, with the reviewer's comment if she writes one: from
    now on its records are locked."""
    Status = type(submission).Status
    submission = _review(
        submission,
        allowed=(Status.SUBMITTED,),
        status=Status.APPROVED,
        text=comment.strip(),
        by=by,
        refused=_("Only a submitted period can be approved; this one is %(status)s."),
    )
    approved.keep(submission)  # the figures as approved, kept with it
    return submission


@transaction.atomic
def submission_return(*, submission, comment: str, by=None):
    """Return (退回) a submitted period to the village with a comment, which its clerk sees."""
    Status = type(submission).Status
    if not comment.strip():
        raise ValidationError(_("Say why the period is returned: the village clerk reads it on her home page."))
    return _review(
        submission,
        allowed=(Status.SUBMITTED,),
        status=Status.RETURNED,
        text=comment.strip(),
        by=by,
        refused=_("Only a submitted period can be returned; this one is %(status)s."),
    )


@transaction.atomic
def submission_reopen(*, submission, reason: str, by=None):
    """Reopen (重新打开) an approved period, with a reason, so that its records can be
    mended; the village submits it again afterwards."""
    Status = type(submission).Status
    if not reason.strip():
        raise ValidationError(_("Say why the period is reopened: the reason is kept with the submission."))
    submission = _review(
        submission,
        allowed=(Status.APPROVED,),
        status=Status.REOPENED,
        text=reason.strip(),
        by=by,
        refused=_("Only an approved period can be reopened; this one is %(status)s."),
    )
    approved.forget(submission)
    return submission
