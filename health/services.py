"""Every write of the health records. The admin, the imports and the demo call these."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from federation.services import status_step
from health.models import CancerAidApplication, HPVDeferral, HPVDose, InsurancePolicy, Screening

Status = CancerAidApplication.Status


@transaction.atomic
def health_record_save(*, record, by) -> object:
    """Check and save a screening, policy, dose, reason or new aid application.

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
    record.full_clean()
    record.save()
    return record


def screening_save(*, screening: Screening, by) -> Screening:
    return health_record_save(record=screening, by=by)


def insurance_policy_save(*, policy: InsurancePolicy, by) -> InsurancePolicy:
    return health_record_save(record=policy, by=by)


def hpv_dose_save(*, dose: HPVDose, by) -> HPVDose:
    return health_record_save(record=dose, by=by)


def hpv_deferral_save(*, deferral: HPVDeferral, by) -> HPVDeferral:
    return health_record_save(record=deferral, by=by)


def aid_application_submit(*, application: CancerAidApplication, by) -> CancerAidApplication:
    if application.pk is None:
        application.status = Status.SUBMITTED
    return health_record_save(record=application, by=by)


def _refused(action: str) -> str:
    return _("The application is %(status)s; it cannot be %(action)s.") % {"status": "%(status)s", "action": action}


def aid_application_approve(
    *, application: CancerAidApplication, amount: Decimal, day: date, by
) -> CancerAidApplication:
    if amount is None or amount <= 0:
        raise ValidationError(_("Give the amount granted."))
    return status_step(
        application,
        allowed=(Status.SUBMITTED,),
        refused=_refused(_("approved")),
        status=Status.APPROVED,
        amount_granted=amount,
        reviewed_on=day,
        reviewed_by=by,
    )


def aid_application_reject(*, application: CancerAidApplication, reason: str, day: date, by) -> CancerAidApplication:
    if not reason.strip():
        raise ValidationError(_("Give the reason the application was not approved."))
    return status_step(
        application,
        allowed=(Status.SUBMITTED,),
        refused=_refused(_("rejected")),
        status=Status.REJECTED,
        reject_reason=reason.strip()[:200],
        reviewed_on=day,
        reviewed_by=by,
    )


def aid_application_pay(*, application: CancerAidApplication, day: date, by) -> CancerAidApplication:
    if application.reviewed_on and day < application.reviewed_on:
        raise ValidationError(_("The payment cannot be dated before the approval."))
    return status_step(
        application,
        allowed=(Status.APPROVED,),
        refused=_refused(_("paid")),
        status=Status.PAID,
        paid_on=day,
        paid_by=by,
    )
