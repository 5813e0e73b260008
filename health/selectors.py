"""HPV coverage, in one place: the reports, the roster's work lists and the admin use it.

Eligible: a female resident aged 9 to 14 on the reference date, in the villages asked for.
Vaccinated: at least one dose on or before the date. Full course: two doses or more (the
schedule for girls who start at 9–14). A girl not vaccinated counts under the latest
reason recorded on or before the date, or under "no reason recorded".
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from federation.core.identity import years_before
from federation.core.reporting import once, per_village
from federation.core.scoping import Scope, counted_in
from federation.models import Person
from health.models import CancerAidApplication, HPVDeferral, HPVDose, InsurancePolicy, Screening

FIRST_AGE, LAST_AGE = 9, 14


def eligible_q(on: date) -> Q:
    """Resident girls aged 9 to 14 on `on`: born after the day 15 years before, and by the
    day 9 years before."""
    return Q(
        sex=Person.Sex.FEMALE,
        status=Person.Status.RESIDENT,
        birth_date__gt=years_before(on, LAST_AGE + 1),
        birth_date__lte=years_before(on, FIRST_AGE),
    )


def eligible_girls(scope: Scope, on: date) -> QuerySet:
    return counted_in(Person.objects.filter(eligible_q(on)), scope)


def annotate_hpv(girls: QuerySet, on: date) -> QuerySet:
    """Add vaccinated, full_course and the latest reason (on or before `on`) to each girl."""
    doses = HPVDose.objects.filter(person=OuterRef("pk"), date__lte=on)
    latest_reason = (
        HPVDeferral.objects.filter(person=OuterRef("pk"), recorded_on__lte=on)
        .order_by("-recorded_on", "-pk")
        .values("reason")[:1]
    )
    return girls.annotate(
        vaccinated=Exists(doses),
        full_course=Exists(doses.filter(dose_number__gte=2)),
        reason=Subquery(latest_reason),
    )


def hpv_girls(people: QuerySet, on: date) -> QuerySet:
    """The eligible girls among `people` with what the HPV list shows and filters: whether
    vaccinated, their doses, the latest reason and when to ask again."""
    doses = HPVDose.objects.filter(person=OuterRef("pk")).order_by()
    latest = HPVDeferral.objects.filter(person=OuterRef("pk")).order_by("-recorded_on", "-pk")
    return annotate_hpv(people.filter(eligible_q(on)), on).annotate(
        dose_count=Coalesce(Subquery(doses.values("person").annotate(n=Count("pk")).values("n")), 0),
        first_dose_date=Subquery(doses.order_by("date").values("date")[:1]),
        last_dose_date=Subquery(doses.order_by("-date").values("date")[:1]),
        ask_again_on=Subquery(latest.values("ask_again_on")[:1]),
    )


def ask_again_q(on: date) -> Q:
    """Girls (from `hpv_girls`) not vaccinated whose family is to be asked again by `on`. (The
    first condition only narrows: the latest reason is looked up for the girls who have one to
    ask again about, not for every girl of a county.)"""
    due = HPVDeferral.objects.filter(person=OuterRef("pk"), ask_again_on__lte=on)
    return Q(Exists(due)) & Q(vaccinated=False, ask_again_on__lte=on)


NOT_NORMAL = [Screening.Result.ABNORMAL, Screening.Result.SUSPECTED, Screening.Result.CONFIRMED]


def recheck_pending_q() -> Q:
    """Screenings with a result that is not normal and no recheck outcome yet."""
    return Q(result__in=NOT_NORMAL, recheck_outcome="")


def confirmed_q() -> Q:
    """Screenings that found cancer: at the screening or at the recheck."""
    return Q(result=Screening.Result.CONFIRMED) | Q(recheck_outcome=Screening.Result.CONFIRMED)


def percent(part: int, whole: int) -> int | None:
    """A whole percent, rounded half up (137.5 of 200 → 69); None when there is no whole."""
    if not whole:
        return None
    return (part * 200 + whole) // (whole * 2)


@dataclass
class Coverage:
    eligible: int = 0
    vaccinated: int = 0
    full_course: int = 0
    reasons: dict = field(default_factory=dict)  # reason (or "" for none recorded) → girls not vaccinated

    @property
    def not_vaccinated(self) -> int:
        return self.eligible - self.vaccinated

    @property
    def percent(self) -> int | None:
        return percent(self.vaccinated, self.eligible)

    @property
    def full_course_percent(self) -> int | None:
        return percent(self.full_course, self.eligible)


def _per_village(girls: QuerySet) -> dict[int, int]:
    # COUNT(*), not of the ids: a town's girls are then counted in the demography index alone.
    return {village: row["n"] for village, row in per_village(girls, n=Count("*")).items()}


def _eligible_and_vaccinated(scope: Scope, on: date) -> dict[int, tuple[int, int]]:
    """(eligible, vaccinated) girls by village, counted once in a page (`once`): the home page
    shows them in its chart, its summary row and its work list."""

    def count():
        girls = eligible_girls(scope, on)
        doses = HPVDose.objects.filter(person=OuterRef("pk"), date__lte=on)
        vaccinated = _per_village(girls.filter(Exists(doses)))
        return {village: (n, vaccinated.get(village, 0)) for village, n in _per_village(girls).items()}

    return once(("hpv girls", scope, on), count)


def hpv_coverage(scope: Scope, on: date, *, details: bool = True) -> dict[int, Coverage]:
    """Coverage by village (each of the scope's villages) on a date, with the full courses and
    the reasons of the others unless `details` is off. Each count is a query of
    its own in which the doses are a join (semi- or anti-), not a lookup for every girl: a
    county has a hundred thousand girls of the age."""
    girls = eligible_girls(scope, on)
    doses = HPVDose.objects.filter(person=OuterRef("pk"), date__lte=on)
    deferrals = HPVDeferral.objects.filter(person=OuterRef("pk"), recorded_on__lte=on)
    latest_reason = deferrals.order_by("-recorded_on", "-pk").values("reason")[:1]
    coverage = {pk: Coverage() for pk in scope.village_ids}
    for village, (eligible, vaccinated) in _eligible_and_vaccinated(scope, on).items():
        item = coverage.setdefault(village, Coverage())
        item.eligible, item.vaccinated = eligible, vaccinated
    if not details:  # coverage only (the home page's chart): no full courses, no reasons
        return coverage
    for village, n in _per_village(girls.filter(Exists(doses.filter(dose_number__gte=2)))).items():
        coverage[village].full_course = n
    # Without a reason recorded (most girls): an anti-join; the latest reason is looked up for
    # the others only.
    for village, n in _per_village(girls.filter(~Exists(doses), ~Exists(deferrals))).items():
        coverage[village].reasons[""] = n
    unvaccinated = (
        girls.filter(~Exists(doses), Exists(deferrals))
        .annotate(reason=Subquery(latest_reason))
        .values("village_id", "reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in unvaccinated:
        reasons = coverage[row["village_id"]].reasons
        reasons[row["reason"] or ""] = reasons.get(row["reason"] or "", 0) + row["n"]
    return coverage


def hpv_totals(scope: Scope, on: date) -> tuple[int, int]:
    """Eligible and vaccinated girls in all the villages together: the summary's figure,
    without the per-girl details of `hpv_coverage`, added up from its villages' counts (which
    the home page's chart has counted already)."""
    counts = _eligible_and_vaccinated(scope, on).values()
    return sum(eligible for eligible, _v in counts), sum(vaccinated for _e, vaccinated in counts)


def total(coverage: dict[int, Coverage]) -> Coverage:
    whole = Coverage()
    for item in coverage.values():
        whole.eligible += item.eligible
        whole.vaccinated += item.vaccinated
        whole.full_course += item.full_course
        for reason, n in item.reasons.items():
            whole.reasons[reason] = whole.reasons.get(reason, 0) + n
    return whole


def second_dose_due_q(on: date) -> Q:
    """Girls with one dose given at least HPV_SECOND_DOSE_DAYS before `on` and no second. (The
    first doses without a second are one set, which a county's girls join in one hash join;
    the second dose looked up apart was an index lookup for each girl with a first.)"""
    due_by = on - timedelta(days=settings.HPV_SECOND_DOSE_DAYS)
    second = HPVDose.objects.filter(person=OuterRef("person"), dose_number__gte=2)
    first = HPVDose.objects.filter(person=OuterRef("pk"), dose_number=1, date__lte=due_by)
    return Q(Exists(first.filter(~Exists(second))))


def screenings_in(scope: Scope, start: date, end: date) -> QuerySet:
    return counted_in(Screening.objects.all(), scope).filter(date__range=(start, end))


def policies_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Policies whose cover overlaps the period."""
    return counted_in(InsurancePolicy.objects.all(), scope).filter(cover_start__lte=end, cover_end__gte=start)


def applications_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Two-cancer aid applications submitted in the period."""
    return counted_in(CancerAidApplication.objects.all(), scope).filter(submitted_on__range=(start, end))


def doses_in(scope: Scope, start: date, end: date) -> QuerySet:
    """HPV doses given in the period."""
    return counted_in(HPVDose.objects.all(), scope).filter(date__range=(start, end))


def deferrals_in(scope: Scope, start: date, end: date) -> QuerySet:
    """Reasons a girl was not vaccinated, recorded in the period."""
    return counted_in(HPVDeferral.objects.all(), scope).filter(recorded_on__range=(start, end))


# What `manage.py purge` removes of health records (federation.retention): `cutoff` is a
# date, `people` the people being removed. A health record is the woman's alone: it goes
# with her.
def purgeable_records(model) -> Callable:
    def select(cutoff: date, people: QuerySet) -> QuerySet:
        return model.objects.filter(person__in=people)

    return select


def purgeable_aid_applications(cutoff: date, people: QuerySet) -> QuerySet:
    """Applications paid or refused before `cutoff` (a closed case), and those of the people removed."""
    Status = CancerAidApplication.Status
    closed = Q(status=Status.PAID, paid_on__lt=cutoff) | Q(status=Status.REJECTED, reviewed_on__lt=cutoff)
    return CancerAidApplication.objects.filter(closed | Q(person__in=people))


PURGES = {
    **{
        model._meta.label_lower: purgeable_records(model)
        for model in (Screening, InsurancePolicy, HPVDose, HPVDeferral)
    },
    CancerAidApplication._meta.label_lower: purgeable_aid_applications,
}
