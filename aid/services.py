"""Every write of care and aid: the register, pairings and visits, dispute cases with their
steps and mediation sessions, charity aid and its files. The admin, the imports and the demo
call these."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from aid.models import (
    CareTarget,
    CareVisit,
    CharityAid,
    CharityAidAttachment,
    CharityDrive,
    DisputeCase,
    MediationSession,
    Pairing,
    ProtectionMeasure,
    Referral,
    ReferralFollowUp,
)
from aid.selectors import active_on
from federation.core.history import delete_with_history, save_with_history, status_step
from federation.core.models import Town
from federation.core.reporting import money
from federation.core.scoping import scope_for
from federation.models import Person

Status = DisputeCase.Status


def _age(person: Person, day: date) -> int:
    return person.age_on(day)


@transaction.atomic
def aid_record_save(*, record, by=None):
    """Check and save a care target, pairing, visit or charity aid. A new record names `by`
    as its recorder where it keeps one; every save names `by` on its history row."""
    if record.pk is None and hasattr(record, "recorded_by_id") and by is not None and by.pk:
        record.recorded_by = by
    if isinstance(record, CareVisit):
        _prepare_visit(record, by)
    if isinstance(record, CareVisit | CharityAid):
        _stamp_village(record)
    if isinstance(record, CharityAid) and record.charity_drive_id and record.household_id:
        _check_drive_pays(record)
    return save_with_history(record, by)


def _stamp_village(record: CareVisit | CharityAid) -> None:
    """A visit counts in its person's village, aid in the household's, as they were when it was
    recorded (or when it was moved to another person or household), not where they live now."""
    link = "target_id" if isinstance(record, CareVisit) else "household_id"
    if getattr(record, link) is None:
        return
    stored = None
    if record.pk is not None:
        stored = type(record).objects.filter(pk=record.pk).values_list(link, flat=True).first()
    if record.village_id is None or stored != getattr(record, link):
        if isinstance(record, CareVisit):
            record.village_id = record.target.person.village_id
        else:
            record.village_id = record.household.village_id


def care_visit_visitor(*, pairing: Pairing | None, visitor: str, by=None) -> str:
    """Who visited, as the visit keeps it: a caring mother's visit (a pairing's) needs no name;
    anyone else's is the name given, or the name of the user recording it. (The admin's form
    asks it too, before the database's rule would refuse the visit.)"""
    visitor = visitor.strip()
    if pairing is None and not visitor and by is not None and by.pk:
        visitor = (by.get_full_name() or by.get_username())[:100]
    return visitor


def _prepare_visit(visit: CareVisit, by) -> None:
    """A caring mother's visit is to her child's register entry (the one open on the day, of a
    child's category first); a visit without a pairing names who visited."""
    if visit.target_id is None and visit.pairing_id is not None:
        day = visit.date or visit.pairing.start
        entries = CareTarget.objects.filter(person_id=visit.pairing.child_id)
        visit.target = (
            entries.filter(active_on(day), category__in=CareTarget.CHILD_CATEGORIES).order_by("since", "pk").first()
            or entries.filter(category__in=CareTarget.CHILD_CATEGORIES).order_by("-since", "-pk").first()
            or entries.order_by("-since", "-pk").first()
        )
        if visit.target is None:
            raise ValidationError(
                {"pairing": _("%(name)s is not on the care register.") % {"name": visit.pairing.child.name}}
            )
    visit.visitor = care_visit_visitor(pairing=visit.pairing, visitor=visit.visitor, by=by)
    if visit.pairing_id is None and not visit.visitor:
        raise ValidationError({"visitor": _("Say who visited: without a pairing it was not a caring mother.")})


@transaction.atomic
def aid_record_delete(*, record, by=None) -> None:
    """Delete a care target, pairing, visit, dispute case or charity aid, its history row
    naming `by`; a case's sessions and aid's files go first, each with its own history row
    naming `by`."""
    parts = []
    if isinstance(record, DisputeCase):
        follow_ups = ReferralFollowUp.objects.filter(referral__case=record)
        parts = [*follow_ups, *record.referrals.all(), *record.protection_measures.all(), *record.sessions.all()]
    elif isinstance(record, CharityAid):
        parts = list(record.attachments.all())
    for part in parts:
        delete_with_history(part, by)
    delete_with_history(record, by)


def care_target_save(*, target: CareTarget, by=None) -> CareTarget:
    return aid_record_save(record=target, by=by)


def care_visit_save(*, visit: CareVisit, by=None) -> CareVisit:
    return aid_record_save(record=visit, by=by)


def charity_aid_save(*, aid: CharityAid, by=None) -> CharityAid:
    """Save charity aid; paid from a drive, it names the drive when its text is left blank
    (and spends no more than the drive raised: aid_record_save)."""
    if aid.charity_drive_id and not aid.drive.strip():
        aid.drive = aid.charity_drive.name[:100]
    return aid_record_save(record=aid, by=by)


def _spent(drive: CharityDrive, *, leaving_out: CharityAid | None = None) -> Decimal:
    """The aid the drive's money has paid for, in yuan."""
    aid = CharityAid.objects.filter(charity_drive=drive)
    if leaving_out is not None and leaving_out.pk:
        aid = aid.exclude(pk=leaving_out.pk)
    return money(aid.aggregate(total=Sum("amount"))["total"])


def _check_drive_pays(aid: CharityAid) -> None:
    """Aid paid from a drive goes to a household the drive raised money for, after it started,
    and never spends more than the drive raised."""
    # The drive's row locked: two aid saved at once cannot both spend its last yuan (PostgreSQL).
    drive = CharityDrive.objects.select_for_update().get(pk=aid.charity_drive_id)
    village = aid.household.village
    if village.town_id != drive.town_id:
        raise ValidationError({"charity_drive": _("The drive is of another town.")})
    if drive.village_id and drive.village_id != village.pk:
        raise ValidationError(
            {
                "charity_drive": _("%(drive)s raised money for %(village)s only.")
                % {"drive": drive.name, "village": drive.village}
            }
        )
    if aid.date and aid.date < drive.start:
        raise ValidationError(
            {"date": _("The aid is dated before the drive started (%(start)s).") % {"start": drive.start.isoformat()}}
        )
    spent = _spent(drive, leaving_out=aid)
    if spent + money(aid.amount) > drive.raised:
        raise ValidationError(
            {
                "amount": _(
                    "%(drive)s raised %(raised)s yuan and has paid %(spent)s yuan of aid: %(left)s yuan is left, "
                    "not enough for %(amount)s yuan."
                )
                % {
                    "drive": drive.name,
                    "raised": money(drive.raised),
                    "spent": spent,
                    "left": money(drive.raised) - spent,
                    "amount": money(aid.amount),
                }
            }
        )


@transaction.atomic
def charity_drive_save(*, drive: CharityDrive, by=None) -> CharityDrive:
    """Add or change a charity drive. A town-wide drive is recorded by staff who keep the whole
    town; the amount raised never falls below the aid already paid from it."""
    if drive.village_id:
        drive.town_id = drive.village.town_id
    if by is not None:
        scope = scope_for(by)
        if drive.village_id is None and drive.town_id and not scope.covers_town(drive.town_id):
            raise ValidationError({"village": _("Choose your village: a town-wide drive is the town's to record.")})
        if drive.village_id and not scope.keeps_village(drive.village_id):
            raise ValidationError({"village": _("The drive is of a village you do not keep.")})
    if drive.pk is not None:
        stored = CharityDrive.objects.select_for_update().get(pk=drive.pk)  # as aid paid from it locks it
        if by is not None and stored.village_id is None and not scope_for(by).covers_town(stored.town_id):
            raise ValidationError(_("A town-wide drive is changed by the town's staff."))
        spent = _spent(stored)
        if drive.raised is not None and money(drive.raised) < spent:
            raise ValidationError(
                {
                    "raised": _("The drive has paid %(spent)s yuan of aid already: it cannot have raised less.")
                    % {"spent": spent}
                }
            )
        if drive.village_id and stored.aid.exclude(village_id=drive.village_id).exists():
            raise ValidationError(
                {"village": _("The drive has paid aid in other villages: it cannot be one village's only.")}
            )
    if drive.pk is None and by is not None and by.pk:
        drive.recorded_by = by
    return save_with_history(drive, by)


def care_visit_delete(*, visit: CareVisit, by=None) -> None:
    aid_record_delete(record=visit, by=by)


def _check_pairing(pairing: Pairing) -> None:
    """The rules of a pairing that the database cannot hold: who may be a caring mother,
    who may be paired, and how many children a mother may have."""
    mother, child, day = pairing.mother, pairing.child, pairing.start
    errors = {}
    if mother.sex != Person.Sex.FEMALE or _age(mother, day) < 18:
        errors["mother"] = _("A caring mother is a woman aged 18 or over.")
    if _age(child, day) >= 18:
        errors["child"] = _("%(name)s is 18 or over on the pairing date.") % {"name": child.name}
    elif (
        not CareTarget.objects.filter(person=child, category__in=CareTarget.CHILD_CATEGORIES, since__lte=day)
        .exclude(until__lt=day)
        .exists()
    ):
        errors["child"] = _("%(name)s is not on the care register as a left-behind child or child in difficulty.") % {
            "name": child.name
        }
    if "mother" not in errors and pairing.end is None:
        # Lock the mother's row: two pairings saved at once cannot both take her last place.
        Person.objects.select_for_update().filter(pk=mother.pk).first()
        active = Pairing.objects.filter(mother=mother, end__isnull=True).exclude(pk=pairing.pk).count()
        if active >= settings.CARING_MOTHER_MAX_PAIRINGS:
            errors["mother"] = _("%(name)s already cares for %(count)d children, the most allowed.") % {
                "name": mother.name,
                "count": active,
            }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pairing_save(*, pairing: Pairing, by=None) -> Pairing:
    """Pair a caring mother with a child (or change a pairing)."""
    if pairing.mother_id and pairing.child_id and pairing.start:
        _check_pairing(pairing)
    return aid_record_save(record=pairing, by=by)


@transaction.atomic
def pairing_end(*, pairing: Pairing, day: date, by=None) -> Pairing:
    if pairing.end is not None:
        raise ValidationError(_("This pairing has already ended."))
    if day < pairing.start:
        raise ValidationError(_("The pairing ends before it starts."))
    pairing.end = day
    pairing.full_clean()
    if by is not None:
        pairing._history_user = by
    pairing.save()
    return pairing


def _next_number(town: Town, year: int) -> str:
    """站儿巷-2024-001: the town's short name, the year, and the next serial of the year."""
    Town.objects.select_for_update().filter(pk=town.pk).first()  # one number at a time per town
    prefix = f"{town.name.removesuffix('镇').removesuffix('乡')}-{year}-"
    taken = DisputeCase.objects.filter(town=town, number__startswith=prefix).values_list("number", flat=True)
    serial = max((int(number.rsplit("-", 1)[1]) for number in taken), default=0) + 1
    return f"{prefix}{serial:03d}"


def dispute_parties_check(parties) -> None:
    """A case has parties (the admin form asks this too, before saving)."""
    if not parties:
        raise ValidationError({"parties": _("Name at least one party.")})


@transaction.atomic
def dispute_save(*, case: DisputeCase, parties=None, by=None) -> DisputeCase:
    """Register a case (it gets its number) or change an open one."""
    if parties is not None or case.pk is None:
        dispute_parties_check(parties)
    if case.pk is not None:
        current = DisputeCase.objects.select_for_update().get(pk=case.pk)
        if current.closed:
            raise ValidationError(_("A closed case is a record and can no longer be changed."))
        if current.confidential and not case.confidential and current.protection_measures.exists():
            # Its warning letters and orders are a domestic-violence case's, and as hidden.
            raise ValidationError(
                {"kind": _("The case has warning letters or protection orders: it stays a domestic-violence case.")}
            )
    else:
        case.town = case.village.town
        case.number = _next_number(case.town, case.found_on.year)
        case.status = Status.REGISTERED
        if by is not None and by.pk:
            case.recorded_by = by
    case.full_clean()
    if by is not None:
        case._history_user = by  # the parties' history row names them too
    case.save()
    if parties is not None:
        case.parties.set(parties)
    return case


def _step(case: DisputeCase, allowed: tuple, action: str, by, **changes) -> DisputeCase:
    """Move the case on (see `status_step`); the history row of the step names `by`."""
    day = changes.get("closed_on") or changes.get("mediation_started_on")
    if day and day < case.found_on:
        raise ValidationError(_("The date is before the case was found."))
    refused = _("The case is %(status)s; it cannot be %(action)s.") % {"status": "%(status)s", "action": action}
    if by is not None:
        # status_step saves the row it locked, not `case`: the actor goes on that row.
        changes["_history_user"] = by
    return status_step(case, allowed=allowed, refused=refused, **changes)


def dispute_start_mediation(*, case: DisputeCase, day: date, by=None) -> DisputeCase:
    return _step(case, (Status.REGISTERED,), _("being mediated"), by, status=Status.MEDIATING, mediation_started_on=day)


def _require(text: str, message: str) -> str:
    if not text.strip():
        raise ValidationError(message)
    return text.strip()


def dispute_resolve(*, case: DisputeCase, day: date, outcome: str, by=None) -> DisputeCase:
    outcome = _require(outcome, _("Write how the dispute was settled."))
    return _step(
        case,
        (Status.REGISTERED, Status.MEDIATING),
        _("resolved"),
        by,
        status=Status.RESOLVED,
        closed_on=day,
        outcome=outcome,
    )


def dispute_transfer(*, case: DisputeCase, day: date, to: str, outcome: str, by=None) -> DisputeCase:
    to = _require(to, _("Write where the case was transferred."))
    outcome = _require(outcome, _("Write why the case was transferred."))
    return _step(
        case,
        (Status.REGISTERED, Status.MEDIATING),
        _("transferred"),
        by,
        status=Status.TRANSFERRED,
        closed_on=day,
        transferred_to=to[:100],
        outcome=outcome,
    )


def dispute_terminate(*, case: DisputeCase, day: date, outcome: str, by=None) -> DisputeCase:
    outcome = _require(outcome, _("Write why the case was closed."))
    return _step(
        case,
        (Status.REGISTERED, Status.MEDIATING),
        _("terminated"),
        by,
        status=Status.TERMINATED,
        closed_on=day,
        outcome=outcome,
    )


def _open_case(case_id: int) -> DisputeCase:
    """The case, locked (a session saved as the case closes waits for it), if it is open."""
    case = DisputeCase.objects.select_for_update().get(pk=case_id)
    if case.closed:
        raise ValidationError(
            _("The case %(number)s is closed: its mediation sessions can no longer be added, changed or deleted.")
            % {"number": case.number}
        )
    return case


@transaction.atomic
def mediation_session_save(*, session: MediationSession, by=None) -> MediationSession:
    """Record a mediation session of an open case (or change one). It keeps the case's village
    of the day it was recorded: the month it is locked in."""
    if session.case_id is None:
        raise ValidationError(_("A mediation session belongs to a dispute case."))
    case = _open_case(session.case_id)
    if session.pk is not None:
        stored = MediationSession.objects.filter(pk=session.pk).values_list("case_id", flat=True).first()
        if stored is not None and stored != session.case_id:
            raise ValidationError(_("A mediation session stays with its case."))
    if session.village_id is None:
        session.village_id = case.village_id
    if session.pk is None and by is not None and by.pk:
        session.recorded_by = by
    return save_with_history(session, by)


@transaction.atomic
def mediation_session_delete(*, session: MediationSession, by=None) -> None:
    """Delete a session recorded by mistake, while its case is open."""
    _open_case(session.case_id)
    delete_with_history(session, by)


@transaction.atomic
def charity_aid_attachment_save(*, attachment: CharityAidAttachment, by=None) -> CharityAidAttachment:
    """Validate (a photo or a PDF, under the size cap) and save a file of charity aid."""
    if attachment.pk is None and by is not None and by.pk:
        attachment.uploaded_by = by
    return save_with_history(attachment, by)


@transaction.atomic
def charity_aid_attachment_delete(*, attachment: CharityAidAttachment, by=None) -> None:
    """Delete a file's record. The file stays in storage: the history names it."""
    delete_with_history(attachment, by)


# --- Referrals (转介) and protection measures (告诫书, 人身安全保护令) ---

RefStatus = Referral.Status


def _case_for_referral(case_id: int) -> DisputeCase:
    """The case, locked (a referral saved as the case closes waits for it), if it is open."""
    case = DisputeCase.objects.select_for_update().get(pk=case_id)
    if case.closed:
        raise ValidationError(
            _("The case %(number)s is closed: its referrals can no longer be added, changed or deleted.")
            % {"number": case.number}
        )
    return case


@transaction.atomic
def referral_record(*, referral: Referral, by=None) -> Referral:
    """Record a referral of an open case: it starts 已转介 and keeps the case's village of the
    day it was recorded (the month it is locked in)."""
    if referral.case_id is None:
        raise ValidationError(_("A referral belongs to a dispute case."))
    if referral.pk is not None:
        raise ValidationError(_("This referral is recorded already."))
    case = _case_for_referral(referral.case_id)
    referral.village_id = case.village_id
    referral.status = RefStatus.REFERRED
    referral.answered_on = referral.closed_on = None
    referral.result = ""
    if by is not None and by.pk:
        referral.recorded_by = by
    return save_with_history(referral, by)


@transaction.atomic
def referral_update(*, referral: Referral, by=None) -> Referral:
    """Correct what a referral of an open case says (to whom, when, what was asked); its
    status and answer change only by its steps."""
    stored = Referral.objects.select_for_update().get(pk=referral.pk)
    if stored.case_id != referral.case_id:
        raise ValidationError(_("A referral stays with its case."))
    _case_for_referral(referral.case_id)
    for name in ("village_id", "status", "answered_on", "closed_on", "result", "recorded_by_id"):
        setattr(referral, name, getattr(stored, name))
    return save_with_history(referral, by)


def _referral_step(referral: Referral, allowed: tuple, action: str, by, **changes) -> Referral:
    """Move the referral on (see `status_step`); the history row of the step names `by`."""
    refused = _("The referral is %(status)s; it cannot be %(action)s.") % {"status": "%(status)s", "action": action}
    if by is not None:
        changes["_history_user"] = by  # on the row status_step locks and saves
    return status_step(referral, allowed=allowed, refused=refused, **changes)


def _not_before(day: date, earlier: date | None, message: str) -> None:
    if earlier is not None and day < earlier:
        raise ValidationError(message % {"day": earlier.isoformat()})


def referral_accept(*, referral: Referral, day: date, by=None) -> Referral:
    """The agency took the referral up (已受理)."""
    _not_before(day, referral.referred_on, _("The answer is dated before the referral (%(day)s)."))
    return _referral_step(
        referral, (RefStatus.REFERRED,), RefStatus.ACCEPTED.label, by, status=RefStatus.ACCEPTED, answered_on=day
    )


def referral_decline(*, referral: Referral, day: date, reason: str, by=None) -> Referral:
    """The agency did not take the referral up (未受理), and why."""
    reason = _require(reason, _("Write why the agency did not take it up."))
    _not_before(day, referral.referred_on, _("The answer is dated before the referral (%(day)s)."))
    return _referral_step(
        referral,
        (RefStatus.REFERRED,),
        RefStatus.DECLINED.label,
        by,
        status=RefStatus.DECLINED,
        answered_on=day,
        result=reason,
        follow_up_on=None,
    )


def referral_close(*, referral: Referral, day: date, result: str, by=None) -> Referral:
    """The agency finished what it took up (已办结), with its result."""
    result = _require(result, _("Write the result of the referral."))
    _not_before(day, referral.answered_on, _("The referral is closed before it was accepted (%(day)s)."))
    return _referral_step(
        referral,
        (RefStatus.ACCEPTED,),
        RefStatus.CLOSED.label,
        by,
        status=RefStatus.CLOSED,
        closed_on=day,
        result=result,
        follow_up_on=None,
    )


@transaction.atomic
def referral_follow_up(*, referral: Referral, day: date, note: str, next_on: date | None = None, by=None):
    """Record a follow-up of a referral, and the day of the next one (none: no follow-up is
    due). Followed up after its case closed too: the agency's work goes on."""
    note = _require(note, _("Write what the follow-up learned."))
    current = Referral.objects.select_for_update().get(pk=referral.pk)
    if next_on is not None and next_on < day:
        raise ValidationError(_("The next follow-up is before this one."))
    follow_up = ReferralFollowUp(referral=current, date=day, note=note)
    if by is not None and by.pk:
        follow_up.recorded_by = by
    save_with_history(follow_up, by)
    if current.follow_up_on != next_on:
        current.follow_up_on = next_on
        save_with_history(current, by)
    return follow_up


@transaction.atomic
def referral_delete(*, referral: Referral, by=None) -> None:
    """Delete a referral recorded by mistake, while its case is open (its follow-ups first,
    each with its own history row)."""
    _case_for_referral(referral.case_id)
    for follow_up in referral.follow_ups.all():
        delete_with_history(follow_up, by)
    delete_with_history(referral, by)


def _measure_fields(measure: ProtectionMeasure) -> None:
    """A warning letter keeps a letter's dates, an order an order's: the other kind's are
    cleared (a form shows both); the first of its dates is the one it is locked by."""
    if measure.kind == ProtectionMeasure.Kind.WARNING:
        measure.applied_on = measure.decided_on = measure.valid_until = None
        measure.court = measure.decision = ""
        measure.date = measure.issued_on
    else:
        measure.issued_on = None
        measure.issued_by = ""
        measure.decision = measure.decision or ProtectionMeasure.Decision.PENDING
        if measure.decision == ProtectionMeasure.Decision.PENDING:
            measure.decided_on = measure.valid_until = None
        measure.date = measure.applied_on


@transaction.atomic
def protection_measure_save(*, measure: ProtectionMeasure, by=None) -> ProtectionMeasure:
    """Record or change a warning letter or protection order of a domestic-violence case (its
    case may be closed: an order is often applied for after the mediation ended). It keeps the
    case's village of the day it was recorded."""
    if measure.case_id is None:
        raise ValidationError(_("A warning letter or protection order belongs to a dispute case."))
    case = DisputeCase.objects.select_for_update().get(pk=measure.case_id)
    if measure.pk is not None:
        stored = ProtectionMeasure.objects.filter(pk=measure.pk).values_list("case_id", "village_id").first()
        if stored is not None and stored[0] != measure.case_id:
            raise ValidationError(_("A warning letter or protection order stays with its case."))
        measure.village_id = stored[1] if stored else case.village_id
    else:
        measure.village_id = case.village_id
        if by is not None and by.pk:
            measure.recorded_by = by
    _measure_fields(measure)
    return save_with_history(measure, by)


@transaction.atomic
def protection_measure_delete(*, measure: ProtectionMeasure, by=None) -> None:
    delete_with_history(measure, by)
