"""The demo town's 2024 health work: 9 women screened in the free programme, insured women,
2 aid applications (one paid, one waiting for review), and the HPV roster of the girls
aged 9–14 at the end of 2024 with 69% vaccinated — every reason kind recorded, some girls
with no reason, and some second doses due. Written through the services."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from federation.models import Person, Town
from federation.roles import HEALTH_RECORDER
from federation.scoping import Scope
from health import selectors
from health.models import CancerAidApplication, HPVDeferral, HPVDose, InsurancePolicy, Screening
from health.services import cancer_aid_approve, cancer_aid_pay, health_record_save

SEED = 20240069
YEAR_END = date(2024, 12, 31)
COVERAGE, FREE_SCREENED, INSURED = 69, 9, 46
INSTITUTIONS = ["两当县妇幼保健院", "站儿巷镇卫生院"]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def seed_hpv(town: Town, rng: random.Random) -> None:
    villages = Scope.of_villages(town.villages.values_list("pk", flat=True))
    girls = list(selectors.eligible_girls(villages, YEAR_END).select_related("household__head").order_by("id_number"))
    rng.shuffle(girls)
    # The fewest vaccinated girls whose share rounds (half up) to the demo's 69%.
    vaccinated = next(n for n in range(len(girls) + 1) if selectors.percent(n, len(girls)) == COVERAGE)
    for index, girl in enumerate(girls[:vaccinated]):
        guardian = girl.household.head.name if girl.household and girl.household.head else "监护人"
        first = _day(rng, min(max(date(2024, 3, 1), girl.birth_date + timedelta(days=9 * 366)), YEAR_END), YEAR_END)
        vaccine = rng.choice(list(HPVDose.Vaccine.values)) if index % 5 else HPVDose.Vaccine.DOMESTIC_BIVALENT
        doses = [first] + ([first + timedelta(days=rng.randrange(180, 200))] if index % 3 else [])
        for number, day in enumerate(doses, start=1):
            dose = HPVDose(
                person=girl,
                dose_number=number,
                date=day,
                vaccine=vaccine,
                site="站儿巷镇卫生院",
                consent_by=guardian,
                consent_on=day - timedelta(days=3),
            )
            health_record_save(record=dose, by=None)
    reasons = list(HPVDeferral.Reason.values)
    for index, girl in enumerate(girls[vaccinated:]):
        if index % 7 == 6:
            continue  # no reason recorded yet
        day = _day(rng, date(2024, 4, 1), date(2024, 11, 30))
        reason = reasons[index % len(reasons)]
        ask = day + timedelta(days=60) if reason in (HPVDeferral.Reason.ILLNESS, HPVDeferral.Reason.OTHER) else None
        deferral = HPVDeferral(person=girl, reason=reason, recorded_on=day, ask_again_on=ask)
        health_record_save(record=deferral, by=None)


def seed_women(town: Town, rng: random.Random) -> None:
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
        screening = Screening(
            person=woman,
            date=day,
            kind=Screening.Kind.BOTH,
            institution=INSTITUTIONS[index % 2],
            free_programme=index < FREE_SCREENED,
            consent_by=woman.name,
            consent_on=day,
            result=results[index],
        )
        if index == 9:  # one abnormal result rechecked, the other still waiting
            screening.recheck_date = day + timedelta(days=30)
            screening.recheck_outcome = Screening.Result.NORMAL
        health_record_save(record=screening, by=None)
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
        health_record_save(record=policy, by=None)
    reviewer = get_user_model().objects.filter(username="town").first()
    for index, woman in enumerate(aided):
        application = health_record_save(
            record=CancerAidApplication(
                person=woman,
                diagnosis="宫颈癌" if index == 0 else "乳腺癌",
                hospital="甘肃省妇幼保健院",
                medical_costs=Decimal("38600.00") if index == 0 else Decimal("52300.00"),
                amount_requested=Decimal("10000.00"),
                submitted_on=date(2024, 5, 20) if index == 0 else date(2024, 11, 12),
            ),
            by=None,
        )
        if index == 0:
            application = cancer_aid_approve(
                application=application, amount=Decimal("10000.00"), day=date(2024, 6, 18), by=reviewer
            )
            cancer_aid_pay(application=application, day=date(2024, 7, 2), by=reviewer)


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
