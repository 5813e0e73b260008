"""The care and aid counted sets, in one place: the admin lists, the home page, the reports
and the tests use them. Those taking a scope pick records through `counted_in`."""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from aid.models import (
    CareTarget,
    CareVisit,
    CharityAid,
    CharityDrive,
    DisputeCase,
    Pairing,
    ProtectionMeasure,
    Referral,
)
from federation.core.scoping import Scope, counted_in


def active_on(day: date) -> Q:
    """Register entries open on `day`."""
    return Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gte=day))


def active_in(start: date, end: date) -> Q:
    """Register entries open at some time in the period."""
    return Q(since__lte=end) & (Q(until__isnull=True) | Q(until__gte=start))


def pairing_active_in(start: date, end: date) -> Q:
    return Q(start__lte=end) & (Q(end__isnull=True) | Q(end__gte=start))


def children_without_mother(targets: QuerySet, day: date) -> QuerySet:
    """Children on the register today without an active pairing."""
    paired = Pairing.objects.filter(child=OuterRef("person"), end__isnull=True)
    return targets.filter(active_on(day), category__in=CareTarget.CHILD_CATEGORIES).exclude(Exists(paired))


def with_last_visit(pairings: QuerySet) -> QuerySet:
    return pairings.annotate(last_visit=Max("visits__date"))


def overdue_q(day: date) -> Q:
    """Active pairings with no visit in the last CARE_VISIT_OVERDUE_DAYS days: a visit exactly
    that many days ago still counts."""
    since = day - timedelta(days=settings.CARE_VISIT_OVERDUE_DAYS)
    recent = CareVisit.objects.filter(pairing=OuterRef("pk"), date__gte=since)
    return Q(end__isnull=True, start__lt=since) & ~Q(Exists(recent))


def child_files_q() -> Q:
    """The care files of children: the ones a clerk without the care role may ask to open."""
    return Q(category__in=CareTarget.CHILD_CATEGORIES)


def open_q() -> Q:
    """Dispute cases not yet resolved or closed."""
    return ~Q(status__in=DisputeCase.CLOSED)


def care_targets_on(scope: Scope, day: date) -> QuerySet:
    """Register entries open on `day` in the scope."""
    return counted_in(CareTarget.objects.all(), scope).filter(active_on(day))


def care_targets_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Register entries open at some time in the period: the register of the period's work."""
    return counted_in(CareTarget.objects.all(), scope).filter(active_in(start, end))


def pairings_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Pairings active at some time in the period."""
    return counted_in(Pairing.objects.all(), scope).filter(pairing_active_in(start, end))


def visits_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Every care visit in the period: caring mothers', staff's and other visitors'."""
    return counted_in(CareVisit.objects.all(), scope).filter(date__range=(start, end))


def mother_visits_in(scope: Scope, start: date, end: date) -> QuerySet:
    """The caring mothers' visits to their children in the period (those of a pairing)."""
    return visits_in(scope, start, end).filter(pairing__isnull=False)


def sessions_seen_by(sessions: QuerySet, user) -> QuerySet:
    """The mediation sessions among `sessions` that `user` may know of: a domestic-violence
    case's only with the permission to see the case (the admin, its export)."""
    if DisputeCase.sees_confidential(user):
        return sessions
    return sessions.exclude(case__kind=DisputeCase.Kind.DOMESTIC_VIOLENCE)


def seen_by(records: QuerySet, user) -> QuerySet:
    """The records among `records` (cases, referrals, measures) that `user` may count whole:
    a domestic-violence case's only with the permission to see it (the work lists)."""
    if records.model.sees_confidential(user):
        return records
    return records.exclude(records.model.confidential_q())


# A referral not answered in this many days is on the home page's work list; a town may set
# settings.REFERRAL_ANSWER_DAYS.
REFERRAL_ANSWER_DAYS = 7
# A granted protection order ending within this many days is on the work list.
ORDER_ENDING_DAYS = 30


def referral_answer_days() -> int:
    return getattr(settings, "REFERRAL_ANSWER_DAYS", REFERRAL_ANSWER_DAYS)


def unanswered_q(day: date) -> Q:
    """Referrals still 已转介 more than referral_answer_days() after they were made."""
    return Q(status=Referral.Status.REFERRED, referred_on__lt=day - timedelta(days=referral_answer_days()))


def orders_ending_q(day: date) -> Q:
    """Granted protection orders valid until a day from `day` to ORDER_ENDING_DAYS later."""
    return Q(
        kind=ProtectionMeasure.Kind.ORDER,
        decision=ProtectionMeasure.Decision.GRANTED,
        valid_until__range=(day, day + timedelta(days=ORDER_ENDING_DAYS)),
    )


def referrals_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Referrals made in the period."""
    return counted_in(Referral.objects.all(), scope).filter(referred_on__range=(start, end))


def measures_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Warning letters issued and protection orders applied for in the period."""
    return counted_in(ProtectionMeasure.objects.all(), scope).filter(date__range=(start, end))


def disputes(scope: Scope) -> QuerySet:
    return counted_in(DisputeCase.objects.all(), scope)


def disputes_found_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Cases found in the period (排查)."""
    return disputes(scope).filter(found_on__range=(start, end))


def charity_in(scope: Scope, start: date, end: date) -> QuerySet:
    return counted_in(CharityAid.objects.all(), scope).filter(date__range=(start, end))


YUAN = DecimalField(max_digits=14, decimal_places=2)


def with_spent(drives: QuerySet) -> QuerySet:
    """Drives with `spent`: the aid their money paid for (every village's), as a subquery per row."""
    aid = CharityAid.objects.filter(charity_drive=OuterRef("pk")).order_by().values("charity_drive")
    total = aid.annotate(total=Sum("amount")).values("total")
    return drives.annotate(spent=Coalesce(Subquery(total, output_field=YUAN), Value(Decimal(0)), output_field=YUAN))


def drives_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Drives that started in the period."""
    return counted_in(CharityDrive.objects.all(), scope).filter(start__range=(start, end))


def charity_paid_from_drives(scope: Scope) -> QuerySet:
    """Aid paid from a recorded drive, in the scope's villages (whenever it was paid)."""
    return counted_in(CharityAid.objects.all(), scope).filter(charity_drive__isnull=False)


# What `manage.py purge` removes of care and aid (federation.retention): `cutoff` is a date,
# `people` the people being removed.
def purgeable_visits(cutoff: date, people: QuerySet) -> QuerySet:
    """The visits of the pairings and register entries that go (a visit keeps both: PROTECT)."""
    return CareVisit.objects.filter(
        Q(pairing__in=purgeable_pairings(cutoff, people)) | Q(target__in=purgeable_care_targets(cutoff, people))
    )


def purgeable_pairings(cutoff: date, people: QuerySet) -> QuerySet:
    """Pairings ended before `cutoff`; a pairing still on keeps both women."""
    return Pairing.objects.filter(end__lt=cutoff)


def purgeable_care_targets(cutoff: date, people: QuerySet) -> QuerySet:
    """Register entries ended before `cutoff`, and every entry of a person removed: hers alone."""
    return CareTarget.objects.filter(Q(until__lt=cutoff) | Q(person__in=people))


def purgeable_disputes(cutoff: date, people: QuerySet) -> QuerySet:
    """Cases closed before `cutoff`; an open case keeps its parties."""
    return DisputeCase.objects.filter(status__in=DisputeCase.CLOSED, closed_on__lt=cutoff)
