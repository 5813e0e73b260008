"""The township's year as a workflow: a village submits (报送) its month or quarter, the town
approves (审核), returns (退回) or reopens (重新打开) it; an approved period is locked
(federation.core.periods) and its figures kept (federation.core.approved)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.core import approved
from federation.core.dates import period_label, period_of
from federation.core.history import status_step
from federation.core.models import PeriodEvent, PeriodSubmission, Village
from federation.core.periods import holdings
from federation.core.scoping import scope_for


def _event(submission, action, text: str, by):
    PeriodEvent.objects.create(submission=submission, action=action, text=text, user=by)


@transaction.atomic
def submission_submit(*, village: Village, day, note: str = "", by=None):
    """Submit (报送) the period of the village that holds `day` — the town's month or quarter —
    or submit it again once returned or reopened. Only staff of the village may."""
    Status = PeriodSubmission.Status
    scope = scope_for(by) if by is not None else None
    if scope is not None and not scope.keeps_village(village.pk):
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
