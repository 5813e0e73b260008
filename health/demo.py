"""The demo town's health work. 2024: 9 women screened in the free programme, insured women,
2 aid applications (one paid, one waiting for review), and the HPV roster of the girls aged
9–14 at the end of 2024 with 69% vaccinated — every reason kind recorded, some girls with no
reason, and some second doses due. The current year up to today: the policies renewed in
January, a few screenings (one abnormal result waiting for its recheck), three aid
applications at each step, and the girls who have come of age vaccinated or asked, with
second doses given and some due. Written through the services, each record as on its day."""

import random
from datetime import date, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from federation.core.demo import current_year, on, seed_day
from federation.core.identity import years_before
from federation.core.models import Town
from federation.core.roles import HEALTH_RECORDER
from federation.core.scoping import Scope
from federation.models import Person
from health import selectors
from health.models import CancerAidApplication, HPVDeferral, HPVDose, InsurancePolicy, Screening
from health.services import cancer_aid_approve, cancer_aid_pay, health_record_save

SEED = 20240069
YEAR_END = date(2024, 12, 31)
COVERAGE, FREE_SCREENED, INSURED = 69, 9, 46
INSTITUTIONS = ["两当县妇幼保健院", "站儿巷镇卫生院"]
SITE = "站儿巷镇卫生院"


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _save(record, day: date, at: time = time(11)):
    with on(day, at):
        return health_record_save(record=record, by=None)


def _guardian(girl: Person) -> str:
    return girl.household.head.name if girl.household and girl.household.head else "监护人"


def _dose(girl: Person, number: int, day: date, vaccine: str) -> None:
    _save(
        HPVDose(
            person=girl,
            dose_number=number,
            date=day,
            vaccine=vaccine,
            site=SITE,
            consent_by=_guardian(girl),
            consent_on=day - timedelta(days=3),
        ),
        day,
    )


def _deferral(girl: Person, reason: str, day: date) -> None:
    ask = day + timedelta(days=60) if reason in (HPVDeferral.Reason.ILLNESS, HPVDeferral.Reason.OTHER) else None
    _save(HPVDeferral(person=girl, reason=reason, recorded_on=day, ask_again_on=ask), day, time(15))


def seed_hpv(town: Town, rng: random.Random) -> None:
    villages = Scope.of_villages(town.villages.values_list("pk", flat=True))
    girls = list(selectors.eligible_girls(villages, YEAR_END).select_related("household__head").order_by("id_number"))
    rng.shuffle(girls)
    # The fewest vaccinated girls whose share rounds (half up) to the demo's 69%.
    vaccinated = next(n for n in range(len(girls) + 1) if selectors.percent(n, len(girls)) == COVERAGE)
    for index, girl in enumerate(girls[:vaccinated]):
        first = _day(rng, min(max(date(2024, 3, 1), girl.birth_date + timedelta(days=9 * 366)), YEAR_END), YEAR_END)
        vaccine = rng.choice(list(HPVDose.Vaccine.values)) if index % 5 else HPVDose.Vaccine.DOMESTIC_BIVALENT
        doses = [first] + ([first + timedelta(days=rng.randrange(180, 200))] if index % 3 else [])
        for number, day in enumerate(doses, start=1):
            _dose(girl, number, day, vaccine)
    reasons = list(HPVDeferral.Reason.values)
    for index, girl in enumerate(girls[vaccinated:]):
        if index % 7 == 6:
            continue  # no reason recorded yet
        _deferral(girl, reasons[index % len(reasons)], _day(rng, date(2024, 4, 1), date(2024, 11, 30)))


def seed_women(town: Town, rng: random.Random) -> None:
    """2024's screenings (and rechecks), insurance policies and aid applications of the town's
    women, to the seed article's figures. (Long: they are drawn from one list of women in one
    pass, so that they agree.)"""
    women = list(
        Person.objects.filter(
            village__town=town,
            sex=Person.Sex.FEMALE,
            status=Person.Status.RESIDENT,
            birth_date__gt=date(1959, 12, 31),
            birth_date__lte=date(1989, 12, 31),
        ).order_by("id_number")
    )
    rng.shuffle(women)
    screened, insured, aided = women[:12], women[12 : 12 + INSURED], women[12 + INSURED : 12 + INSURED + 2]
    results = [Screening.Result.NORMAL] * 9 + [Screening.Result.ABNORMAL] * 2 + [Screening.Result.SUSPECTED]
    for index, woman in enumerate(screened):
        day = _day(rng, date(2024, 4, 1), date(2024, 10, 31))
        screening = _save(
            Screening(
                person=woman,
                date=day,
                kind=Screening.Kind.BOTH,
                institution=INSTITUTIONS[index % 2],
                free_programme=index < FREE_SCREENED,
                consent_by=woman.name,
                consent_on=day,
                result=results[index],
            ),
            day,
        )
        if index == 9:  # one abnormal result rechecked a month later, the other still waiting
            screening.recheck_date = day + timedelta(days=30)
            screening.recheck_outcome = Screening.Result.NORMAL
            _save(screening, screening.recheck_date)
    for index, woman in enumerate(insured):
        policy = InsurancePolicy(
            person=woman,
            year=2024,
            insurer="中国人寿",
            product="女性安康两癌保险",
            premium=Decimal("60.00"),
            paid_by=[InsurancePolicy.PaidBy.SUBSIDY, InsurancePolicy.PaidBy.SELF, InsurancePolicy.PaidBy.CHARITY][
                index % 3
            ],
            cover_start=date(2024, 1, 1),
            cover_end=YEAR_END,
        )
        _save(policy, date(2024, 1, 8) + timedelta(days=index % 15))  # entered in January
    reviewer = get_user_model().objects.filter(username="town").first()
    for index, woman in enumerate(aided):
        submitted = date(2024, 5, 20) if index == 0 else date(2024, 11, 12)
        application = _save(
            CancerAidApplication(
                person=woman,
                diagnosis="宫颈癌" if index == 0 else "乳腺癌",
                hospital="甘肃省妇幼保健院",
                medical_costs=Decimal("38600.00") if index == 0 else Decimal("52300.00"),
                amount_requested=Decimal("10000.00"),
                submitted_on=submitted,
            ),
            submitted,
        )
        if index == 0:
            with on(date(2024, 6, 18), time(15)):
                application = cancer_aid_approve(
                    application=application, amount=Decimal("10000.00"), day=date(2024, 6, 18), by=reviewer
                )
            with on(date(2024, 7, 2), time(15)):
                cancer_aid_pay(application=application, day=date(2024, 7, 2), by=reviewer)


def seed_hpv_this_year(town: Town, rng: random.Random, year: int, today: date) -> None:
    """The girls aged 9–14 today: half of those with no dose have their first this year (and
    a second after six months, mostly), a reason is recorded for half of the rest; most of the
    girls with one dose due get their second. In each village one girl with neither a dose nor
    a reason is left for the clerk to ask (the HPV list's 未登记原因)."""
    villages = Scope.of_villages(town.villages.values_list("pk", flat=True))
    girls = list(selectors.eligible_girls(villages, today).select_related("household__head").order_by("id_number"))
    given = {}  # girl → [(date, vaccine)] of her doses
    for person_id, day, vaccine in HPVDose.objects.filter(person__village__town=town).values_list(
        "person_id", "date", "vaccine"
    ):
        given.setdefault(person_id, []).append((day, vaccine))
    asked = set(HPVDeferral.objects.filter(person__village__town=town).values_list("person_id", flat=True))
    start, wait = date(year, 1, 1), timedelta(days=settings.HPV_SECOND_DOSE_DAYS)
    reasons = list(HPVDeferral.Reason.values)
    to_ask = {}
    for girl in girls:
        if girl.pk not in given and girl.pk not in asked:
            to_ask.setdefault(girl.village_id, girl.pk)
    for girl in girls:
        if girl.pk in to_ask.values():
            continue
        doses = sorted(given.get(girl.pk, []))
        vaccine = doses[0][1] if doses else rng.choice(list(HPVDose.Vaccine.values))
        if len(doses) == 1 and doses[0][0] + wait <= today and rng.random() < 0.75:
            _dose(girl, 2, _day(rng, max(doses[0][0] + wait, start), today), vaccine)
        elif not doses and rng.random() < 0.5:
            ninth_birthday = years_before(girl.birth_date, -selectors.FIRST_AGE)
            first = _day(rng, max(start, ninth_birthday), today)
            _dose(girl, 1, first, vaccine)
            if first + wait + timedelta(days=10) <= today and rng.random() < 0.7:
                _dose(girl, 2, _day(rng, first + wait, today), vaccine)
        elif not doses and girl.pk not in asked and rng.random() < 0.5:
            _deferral(girl, rng.choice(reasons), _day(rng, start, today))


def seed_women_this_year(town: Town, rng: random.Random, year: int, today: date) -> None:
    """This year's policies (renewed in January), screenings and aid applications. (Long for
    the reason seed_women is.)"""
    start = date(year, 1, 1)
    renewed = InsurancePolicy.objects.filter(year=2024, person__village__town=town, person__status="resident")
    for index, policy in enumerate(renewed.select_related("person").order_by("pk")):
        if index % 10 == 9:
            continue  # not renewed
        policy.pk, policy.id, policy._state.adding = None, None, True
        policy.year, policy.cover_start, policy.cover_end = year, start, date(year, 12, 31)
        _save(policy, min(date(year, 1, 6) + timedelta(days=index % 18), today))
    seen = {
        *Screening.objects.filter(person__village__town=town).values_list("person_id", flat=True),
        *CancerAidApplication.objects.filter(person__village__town=town).values_list("person_id", flat=True),
    }
    women = [
        woman
        for woman in Person.objects.filter(
            village__town=town,
            sex=Person.Sex.FEMALE,
            status=Person.Status.RESIDENT,
            birth_date__gt=date(year - 65, 1, 1),
            birth_date__lte=date(year - 35, 12, 31),
        ).order_by("id_number")
        if woman.pk not in seen
    ]
    chosen = rng.sample(women, 10)
    # Screened through the year; the latest, abnormal, waits for her recheck.
    days = [start + timedelta(days=40 + 45 * index) for index in range(6)] + [max(start, today - timedelta(days=9))]
    for index, (woman, day) in enumerate(zip(chosen[:7], days, strict=True)):
        if day > today:
            continue
        result = Screening.Result.ABNORMAL if index == 6 else Screening.Result.NORMAL
        _save(
            Screening(
                person=woman,
                date=day,
                kind=Screening.Kind.BOTH,
                institution=INSTITUTIONS[index % 2],
                free_programme=index != 3,
                consent_by=woman.name,
                consent_on=day,
                result=result,
            ),
            day,
        )
    # Aid applications: paid, approved and waiting to be paid, submitted and waiting for review.
    reviewer = get_user_model().objects.filter(username="town").first()
    steps = [
        (today - timedelta(days=150), today - timedelta(days=120), today - timedelta(days=100), "宫颈癌"),
        (today - timedelta(days=45), today - timedelta(days=20), None, "乳腺癌"),
        (today - timedelta(days=6), None, None, "宫颈癌"),
    ]
    for woman, (submitted, approved, paid, diagnosis) in zip(chosen[7:], steps, strict=True):
        if submitted < start:
            continue
        application = _save(
            CancerAidApplication(
                person=woman,
                diagnosis=diagnosis,
                hospital="甘肃省妇幼保健院",
                medical_costs=Decimal("41200.00"),
                amount_requested=Decimal("10000.00"),
                submitted_on=submitted,
            ),
            submitted,
        )
        if approved:
            with on(approved, time(15)):
                application = cancer_aid_approve(
                    application=application, amount=Decimal("10000.00"), day=approved, by=reviewer
                )
        if paid:
            with on(paid, time(15)):
                cancer_aid_pay(application=application, day=paid, by=reviewer)


@transaction.atomic
def seed(town: Town) -> None:
    taiba = get_user_model().objects.filter(username="taiba").first()
    if taiba is not None:  # the demo clerk keeps her village's health records too
        taiba.groups.add(Group.objects.get(name=HEALTH_RECORDER))
    if HPVDose.objects.filter(person__village__town=town).exists():
        return
    rng = random.Random(SEED)
    seed_hpv(town, rng)
    seed_women(town, rng)
    today = seed_day()
    year = current_year(today)
    if year is not None:
        rng = random.Random(SEED + year)
        seed_hpv_this_year(town, rng, year, today)
        seed_women_this_year(town, rng, year, today)
