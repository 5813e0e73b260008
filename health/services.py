"""Every write of the health records. The admin, the imports and the demo call these."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federation.core.history import delete_with_history, save_with_history, status_step
from health.models import CancerAidApplication, CancerAidAttachment, HPVDeferral, HPVDose, InsurancePolicy, Screening

Status = CancerAidApplication.Status


@transaction.atomic
def health_record_save(*, record, by) -> object:
    """Check and save a screening, policy, dose, reason or new aid application. A new
    record names `by` as its recorder; every save names `by` on its history row.

    The model's checks (a woman, consent before a result, doses dated in order and not
    before birth) run here, so a form, an import and the demo get the same answer.
    """
    if isinstance(record, CancerAidApplication) and record.pk is not None:
        current = CancerAidApplication.objects.select_for_update().get(pk=record.pk)
        if current.status != Status.SUBMITTED:
            raise ValidationError(_("An application that has been reviewed can no longer be edited."))
    if record.pk is None and by is not None and by.pk:
        record.recorded_by = by
    if record.person_id:
        record.village_id = record.person.village_id
    return save_with_history(record, by)


@transaction.atomic
def health_record_delete(*, record, by) -> None:
    """Delete a screening, policy, dose, reason or aid application, its history row naming `by`
    (an application's files first, each with its own history row naming `by`)."""
    if isinstance(record, CancerAidApplication):
        for attachment in record.attachments.all():
            delete_with_history(attachment, by)
    delete_with_history(record, by)


def _submitted(application_id: int) -> CancerAidApplication:
    """The application, locked (a file saved as it is decided waits for the decision), while it
    waits for review: a decided one keeps its files as they were when it was decided."""
    application = CancerAidApplication.objects.select_for_update().get(pk=application_id)
    if application.status != Status.SUBMITTED:
        raise ValidationError(
            _("The application is %(status)s: its files can no longer be added, changed or deleted.")
            % {"status": application.get_status_display()}
        )
    return application


@transaction.atomic
def cancer_aid_attachment_save(*, attachment: CancerAidAttachment, by) -> CancerAidAttachment:
    """Validate (a photo or a PDF, under the size cap) and save a file of an application that
    waits for review."""
    if attachment.application_id is None:
        raise ValidationError(_("A file belongs to an aid application."))
    _submitted(attachment.application_id)
    if attachment.pk is None and by is not None and by.pk:
        attachment.uploaded_by = by
    return save_with_history(attachment, by)


@transaction.atomic
def cancer_aid_attachment_delete(*, attachment: CancerAidAttachment, by) -> None:
    """Delete a file's record (while the application waits for review). The file stays in
    storage: the history names it."""
    _submitted(attachment.application_id)
    delete_with_history(attachment, by)


def screening_save(*, screening: Screening, by) -> Screening:
    return health_record_save(record=screening, by=by)


def insurance_policy_save(*, policy: InsurancePolicy, by) -> InsurancePolicy:
    return health_record_save(record=policy, by=by)


def hpv_dose_save(*, dose: HPVDose, by) -> HPVDose:
    return health_record_save(record=dose, by=by)


def hpv_deferral_save(*, deferral: HPVDeferral, by) -> HPVDeferral:
    return health_record_save(record=deferral, by=by)


def hpv_dose_delete(*, dose: HPVDose, by) -> None:
    health_record_delete(record=dose, by=by)


def hpv_deferral_delete(*, deferral: HPVDeferral, by) -> None:
    health_record_delete(record=deferral, by=by)


def cancer_aid_submit(*, application: CancerAidApplication, by) -> CancerAidApplication:
    if application.pk is None:
        application.status = Status.SUBMITTED
    return health_record_save(record=application, by=by)


def _step(application: CancerAidApplication, allowed: tuple, action: str, by, **changes) -> CancerAidApplication:
    """Move the application on (see `status_step`); the history row of the step names `by`."""
    refused = _("The application is %(status)s; it cannot be %(action)s.") % {"status": "%(status)s", "action": action}
    if by is not None:
        # status_step saves the row it locked, not `application`: the actor goes on that row.
        changes["_history_user"] = by
    return status_step(application, allowed=allowed, refused=refused, **changes)


def cancer_aid_approve(*, application: CancerAidApplication, amount: Decimal, day: date, by) -> CancerAidApplication:
    if amount is None or amount <= 0:
        raise ValidationError(_("Give the amount granted."))
    return _step(
        application,
        (Status.SUBMITTED,),
        _("approved"),
        by,
        status=Status.APPROVED,
        amount_granted=amount,
        reviewed_on=day,
        reviewed_by=by,
    )


def cancer_aid_reject(*, application: CancerAidApplication, reason: str, day: date, by) -> CancerAidApplication:
    if not reason.strip():
        raise ValidationError(_("Give the reason the application was not approved."))
    return _step(
        application,
        (Status.SUBMITTED,),
        _("rejected"),
        by,
        status=Status.REJECTED,
        reject_reason=reason.strip()[:200],
        reviewed_on=day,
        reviewed_by=by,
    )


def cancer_aid_pay(
    *,
    application: CancerAidApplication,
    day: date,
    by,
    amount: Decimal | None = None,
    method: str = "",
    recipient: str = "",
) -> CancerAidApplication:
    """Record the payment of approved aid: when, how much (the amount granted unless said), how
    and to whom (the applicant unless said)."""
    if application.reviewed_on and day < application.reviewed_on:
        raise ValidationError(_("The payment cannot be dated before the approval."))
    amount = application.amount_granted if amount is None else amount
    # An application not approved is refused by the step, in its own words; the amount after.
    if application.status == Status.APPROVED:
        if amount is None or amount <= 0:
            raise ValidationError({"paid_amount": _("Give the amount paid.")})
        if amount > application.amount_granted:
            raise ValidationError(
                {"paid_amount": _("More than the %(granted)s yuan granted.") % {"granted": application.amount_granted}}
            )
    return _step(
        application,
        (Status.APPROVED,),
        _("paid"),
        by,
        status=Status.PAID,
        paid_on=day,
        paid_amount=amount,
        paid_method=method,
        paid_to=(recipient.strip() or application.person.name)[:50],
        paid_by=by,
    )
