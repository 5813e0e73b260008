"""The demo town's care work: the 三留守一特困 register, caring mothers paired with children
(visited in 2024 and lately, a few overdue, a few children still without a mother), two
disputes found and settled in 2024 (one of them domestic violence), charity aid to six
households, and the two charity drives whose money paid for most of it. Written through the
services."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from aid.models import CareTarget, CareVisit, CharityAid, CharityDrive, DisputeCase, Pairing
from aid.services import (
    aid_record_save,
    charity_aid_save,
    charity_drive_save,
    dispute_resolve,
    dispute_save,
    dispute_start_mediation,
    pairing_save,
)
from federation.identity import years_before
from federation.models import Household, Person, Town
from federation.roles import CARE_RECORDER

SEED = 20240006
PAIRINGS, OVERDUE, UNPAIRED = 24, 3, 6
WORK_PLACES = ["浙江宁波", "江苏苏州", "广东东莞", "陕西西安", "新疆乌鲁木齐", "甘肃兰州"]
VISITS = [
    (CareVisit.Kind.VISIT, "上门走访，了解学习和生活情况", ""),
    (CareVisit.Kind.STUDY_DESK, "周末小课桌：辅导作业、读绘本", "文具一套"),
    (CareVisit.Kind.FESTIVAL, "节日慰问", "月饼、牛奶"),
    (CareVisit.Kind.CALL, "电话问候，提醒假期安全", ""),
    (CareVisit.Kind.COUNSELLING, "心理疏导，聊天谈心", ""),
]


def residents(town: Town, sex: str, born_after: date, born_by: date):
    return list(
        Person.objects.filter(
            village__town=town,
            sex=sex,
            status=Person.Status.RESIDENT,
            birth_date__gt=born_after,
            birth_date__lte=born_by,
        ).order_by("id_number")
    )


def seed_register(town: Town, rng: random.Random) -> list[Person]:
    """The register; return the children on it."""
    end = date(2024, 12, 31)
    children = residents(town, Person.Sex.MALE, years_before(end, 16), years_before(end, 4))
    children += residents(town, Person.Sex.FEMALE, years_before(end, 16), years_before(end, 4))
    rng.shuffle(children)
    children = children[: PAIRINGS + UNPAIRED + 8]
    C = CareTarget.Category
    for index, child in enumerate(children):
        head = child.household.head if child.household_id else None
        aid_record_save(
            record=CareTarget(
                person=child,
                category=C.CHILD_IN_DIFFICULTY if index % 6 == 5 else C.LEFT_BEHIND_CHILD,
                since=date(2023, 9, 1) + timedelta(days=rng.randrange(120)),
                guardian_name=head.name if head and head.pk != child.pk else "祖父母",
                guardian_phone=f"139{rng.randrange(10**8):08d}",
                parents_work_place=rng.choice(WORK_PLACES),
            )
        )
    adults = [
        (C.LEFT_BEHIND_WOMAN, residents(town, Person.Sex.FEMALE, date(1975, 1, 1), date(1995, 1, 1)), 20),
        (C.WOMAN_IN_DIFFICULTY, residents(town, Person.Sex.FEMALE, date(1965, 1, 1), date(1975, 1, 1)), 5),
        (C.LEFT_BEHIND_ELDERLY, residents(town, Person.Sex.MALE, date(1930, 1, 1), date(1955, 1, 1)), 30),
        (C.EXTREMELY_POOR, residents(town, Person.Sex.FEMALE, date(1930, 1, 1), date(1950, 1, 1)), 10),
    ]
    for category, people, count in adults:
        for person in rng.sample(people, count):
            aid_record_save(record=CareTarget(person=person, category=category, since=date(2023, 1, 1)))
    return children


def seed_pairings(town: Town, rng: random.Random, children: list[Person]) -> None:
    today = timezone.localdate()
    mothers = rng.sample(residents(town, Person.Sex.FEMALE, date(1970, 1, 1), date(1994, 1, 1)), 12)
    for index, child in enumerate(children[:PAIRINGS]):
        pairing = pairing_save(
            pairing=Pairing(
                mother=mothers[index % len(mothers)], child=child, start=date(2024, 3, 1) + timedelta(days=index)
            )
        )
        days = sorted({pairing.start + timedelta(days=rng.randrange(7, 270)) for _ in range(rng.randrange(3, 7))})
        if index >= OVERDUE:  # visited lately too; the first few are overdue
            days.append(today - timedelta(days=rng.randrange(0, 25)))
        else:
            days.append(today - timedelta(days=45 + 10 * index))
        for day in days:
            kind, content, gifts = VISITS[rng.randrange(len(VISITS))]
            aid_record_save(record=CareVisit(pairing=pairing, date=day, kind=kind, content=content, gifts=gifts))


def seed_disputes(town: Town) -> None:
    villages = list(town.villages.order_by("sort_order"))
    cases = [
        (
            villages[2],
            DisputeCase.Kind.MARRIAGE,
            DisputeCase.Source.SCREENING,
            date(2024, 4, 12),
            "夫妻因外出务工和子女抚养问题多次争吵。",
            "经执委、调解员多次上门调解，双方达成抚养和生活费约定。",
            date(2024, 5, 20),
        ),
        (
            villages[5],
            DisputeCase.Kind.DOMESTIC_VIOLENCE,
            DisputeCase.Source.POLICE,
            date(2024, 9, 3),
            "派出所转来：丈夫酒后动手，妻子求助。",
            "民警训诫并出具告诫书，妇联跟进回访，妻子安全情况良好。",
            date(2024, 10, 15),
        ),
    ]
    for village, kind, source, found, summary, outcome, closed in cases:
        members = list(Person.objects.filter(village=village, household__isnull=False).order_by("household_id", "pk"))
        first = members[0]
        parties = [p for p in members if p.household_id == first.household_id][:2]
        case = dispute_save(
            case=DisputeCase(
                village=village,
                kind=kind,
                source=source,
                found_on=found,
                summary=summary,
                members="镇妇联执委",
                mediators="村人民调解员",
                police="站儿巷派出所" if kind == DisputeCase.Kind.DOMESTIC_VIOLENCE else "",
            ),
            parties=parties,
        )
        case = dispute_start_mediation(case=case, day=found + timedelta(days=3))
        dispute_resolve(case=case, day=closed, outcome=outcome)


def seed_charity(town: Town, rng: random.Random) -> None:
    households = rng.sample(list(Household.objects.filter(village__town=town).order_by("pk")), 6)
    gifts = [
        ("99公益日", Decimal("2000.00"), "", "因病致困"),
        ("99公益日", Decimal("1500.00"), "", "单亲母亲、子女上学"),
        ("99公益日", Decimal("1000.00"), "米、面、油", "特困供养"),
        ("99公益日", Decimal("800.00"), "", "房屋受灾"),
        ("家家幸福一元捐", Decimal("600.00"), "棉被两床", "留守老人过冬"),
        ("家家幸福一元捐", Decimal("500.00"), "", "残疾人家庭"),
    ]
    for index, (household, (drive, amount, goods, reason)) in enumerate(zip(households, gifts, strict=True)):
        day = date(2024, 9, 9) if drive == "99公益日" else date(2024, 12, 20)
        aid_record_save(
            record=CharityAid(household=household, date=day, drive=drive, amount=amount, goods=goods, reason=reason)
        )
        if index == 0:  # the same family again at the new year: still one household
            aid_record_save(
                record=CharityAid(
                    household=household,
                    date=date(2024, 1, 25),
                    drive="春节慰问",
                    amount=Decimal("300.00"),
                    reason="因病致困",
                )
            )


@transaction.atomic
def seed_year(town: Town) -> None:
    taiba = get_user_model().objects.filter(username="taiba").first()
    if taiba is not None:  # the demo clerk keeps her village's care files too
        taiba.groups.add(Group.objects.get(name=CARE_RECORDER))
    if CareTarget.objects.filter(person__village__town=town).exists():
        return
    rng = random.Random(SEED)
    children = seed_register(town, rng)
    seed_pairings(town, rng, children)
    seed_disputes(town)
    seed_charity(town, rng)


DRIVES = [
    (
        "99公益日",
        CharityDrive.Kind.GIVING_DAY,
        date(2024, 9, 7),
        date(2024, 9, 9),
        "12860.00",
        326,
        "腾讯公益平台线上募捐",
    ),
    ("家家幸福一元捐", CharityDrive.Kind.ONE_YUAN, date(2024, 3, 8), None, "3245.00", 3245, "全镇群众一元一份爱心"),
]


@transaction.atomic
def seed_drives(town: Town) -> None:
    """The two town-wide drives of 2024; the aid given under their names is paid from them (the
    aid itself is unchanged: the year's figures stay the seed article's)."""
    if CharityDrive.objects.filter(town=town).exists():
        return
    for name, kind, start, end, raised, donors, note in DRIVES:
        drive = charity_drive_save(
            drive=CharityDrive(
                town=town, name=name, kind=kind, start=start, end=end, raised=Decimal(raised), donors=donors, note=note
            )
        )
        for aid in CharityAid.objects.filter(household__village__town=town, drive=name, charity_drive__isnull=True):
            aid.charity_drive = drive
            charity_aid_save(aid=aid)


def seed(town: Town) -> None:
    seed_year(town)
    seed_drives(town)  # each part once: a second run adds nothing
