"""The demo town's care work: the 三留守一特困 register, caring mothers paired with children
(visited in 2024 and through the current year, a few overdue, a few children still without a
mother), two disputes found and settled in 2024 (one of them domestic violence, referred to the
police, with a warning letter and lately a protection order) and this year's (one settled, one
being mediated and referred, one just registered), charity aid to six households
in 2024 and New Year visits this year, and the two charity drives whose money paid for most
of 2024's aid. Written through the services, each record as on its day."""

import random
from datetime import date, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

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
from aid.services import (
    aid_record_save,
    charity_aid_save,
    charity_drive_save,
    dispute_resolve,
    dispute_save,
    dispute_start_mediation,
    pairing_save,
    protection_measure_save,
    referral_accept,
    referral_close,
    referral_record,
)
from federation.core.demo import current_year, on, seed_day
from federation.core.identity import years_before
from federation.core.models import Town
from federation.core.roles import CARE_RECORDER
from federation.models import Household, Person

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
        target = CareTarget(
            person=child,
            category=C.CHILD_IN_DIFFICULTY if index % 6 == 5 else C.LEFT_BEHIND_CHILD,
            since=date(2023, 9, 1) + timedelta(days=rng.randrange(120)),
            guardian_name=head.name if head and head.pk != child.pk else "祖父母",
            guardian_phone=f"139{rng.randrange(10**8):08d}",
            parents_work_place=rng.choice(WORK_PLACES),
        )
        with on(target.since, time(10)):
            aid_record_save(record=target)
    adults = [
        (C.LEFT_BEHIND_WOMAN, residents(town, Person.Sex.FEMALE, date(1975, 1, 1), date(1995, 1, 1)), 20),
        (C.WOMAN_IN_DIFFICULTY, residents(town, Person.Sex.FEMALE, date(1965, 1, 1), date(1975, 1, 1)), 5),
        (C.LEFT_BEHIND_ELDERLY, residents(town, Person.Sex.MALE, date(1930, 1, 1), date(1955, 1, 1)), 30),
        (C.EXTREMELY_POOR, residents(town, Person.Sex.FEMALE, date(1930, 1, 1), date(1950, 1, 1)), 10),
    ]
    for category, people, count in adults:
        for person in rng.sample(people, count):
            with on(date(2023, 1, 3), time(10)):  # the register as the town first drew it up
                aid_record_save(record=CareTarget(person=person, category=category, since=date(2023, 1, 1)))
    return children


def seed_pairings(town: Town, rng: random.Random, children: list[Person], today: date) -> None:
    """Pairings from March 2024, visited in 2024 and through the current year to lately: a
    visit every month or two, the last within 25 days, but for the first few (overdue)."""
    mothers = rng.sample(residents(town, Person.Sex.FEMALE, date(1970, 1, 1), date(1994, 1, 1)), 12)
    year = current_year(today)
    lately = random.Random(SEED + (year or 0))  # this year's visits: 2024's draws stay as they were
    for index, child in enumerate(children[:PAIRINGS]):
        pairing = Pairing(
            mother=mothers[index % len(mothers)], child=child, start=date(2024, 3, 1) + timedelta(days=index)
        )
        with on(pairing.start, time(10)):
            pairing = pairing_save(pairing=pairing)
        days = sorted({pairing.start + timedelta(days=rng.randrange(7, 270)) for _ in range(rng.randrange(3, 7))})
        if index >= OVERDUE:  # visited lately too; the first few are overdue
            last = today - timedelta(days=rng.randrange(0, 25))
        else:
            last = today - timedelta(days=45 + 10 * index)
        visits = [(day, VISITS[rng.randrange(len(VISITS))]) for day in days]
        if year is not None:
            day = date(year, 1, 1) + timedelta(days=lately.randrange(5, 40))
            while day < last - timedelta(days=20):
                visits.append((day, VISITS[lately.randrange(len(VISITS))]))
                day += timedelta(days=lately.randrange(30, 60))
        visits.append((last, VISITS[rng.randrange(len(VISITS))]))
        for day, (kind, content, gifts) in visits:
            with on(day, time(17)):
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
        violence = kind == DisputeCase.Kind.DOMESTIC_VIOLENCE
        after = _police_referral_and_letter if violence else None
        _dispute(village, kind, source, found, summary, found + timedelta(days=3), closed, outcome, after=after)


def _referral(case, day, agency, name, request, *, accepted=None, closed=None, result=""):
    """A referral of the case made on `day`, answered and closed on the days given."""
    with on(day, time(11)):
        referral = referral_record(
            referral=Referral(
                case=case, agency=agency, agency_name=name, referred_on=day, contact="值班民警", request=request
            )
        )
    if accepted is not None:
        with on(accepted, time(11)):
            referral = referral_accept(referral=referral, day=accepted)
    if closed is not None:
        with on(closed, time(11)):
            referral = referral_close(referral=referral, day=closed, result=result)
    return referral


def _police_referral_and_letter(case) -> None:
    """The domestic-violence case of 2024: referred to the police the day it was found, who
    took it up, warned the husband with a letter and closed it."""
    found = case.found_on
    _referral(
        case,
        found,
        Referral.Agency.POLICE,
        "站儿巷派出所",
        "请派出所出警处置，依法对施暴人批评教育并出具告诫书。",
        accepted=found + timedelta(days=1),
        closed=found + timedelta(days=17),
        result="已对施暴人出具告诫书，双方签订保证书，民警定期回访。",
    )
    day = found + timedelta(days=1)
    with on(day, time(15)):
        protection_measure_save(
            measure=ProtectionMeasure(
                case=case,
                kind=ProtectionMeasure.Kind.WARNING,
                issued_on=day,
                issued_by="站儿巷派出所",
                note="施暴人酒后殴打妻子，民警当场出具家庭暴力告诫书。",
            )
        )


def _dispute(
    village, kind, source, found, summary, mediated=None, closed=None, outcome="", household=0, after=None
) -> None:
    """A case found on `found` between two members of the village's household of that rank,
    taken as far as the steps dated give (mediation, settlement), each step on its day;
    `after(case)` records what happened before it was settled (its referrals)."""
    members = list(Person.objects.filter(village=village, household__isnull=False).order_by("household_id", "pk"))
    households = list(dict.fromkeys(person.household_id for person in members))
    parties = [p for p in members if p.household_id == households[household]][:2]
    with on(found, time(16)):
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
    if mediated is not None:
        with on(mediated, time(16)):
            case = dispute_start_mediation(case=case, day=mediated)
    if after is not None:
        after(case)
    if closed is not None:
        with on(closed, time(16)):
            dispute_resolve(case=case, day=closed, outcome=outcome)


def seed_disputes_this_year(town: Town, year: int, today: date) -> None:
    """This year's cases: one found in spring and settled, one being mediated, one just found."""
    villages = list(town.villages.order_by("sort_order"))
    K, S = DisputeCase.Kind, DisputeCase.Source
    settled = date(year, 3, 2)
    if settled + timedelta(days=30) <= today:
        _dispute(
            villages[7],
            K.FAMILY,
            S.SCREENING,
            settled,
            "婆媳因赡养老人和家务分工发生矛盾。",
            settled + timedelta(days=2),
            settled + timedelta(days=30),
            "调解员与执委多次上门，双方签订赡养协议，关系缓和。",
            household=1,
        )
    mediating = today - timedelta(days=24)
    if mediating.year == year:
        _dispute(
            villages[1],
            K.MARRIAGE,
            S.VISIT,
            mediating,
            "走访发现：丈夫长期在外务工，夫妻因家庭开支多次争吵，妻子提出离婚。",
            mediating + timedelta(days=4),
            household=2,
            after=lambda case: _referrals_this_year(case, today),
        )
    found = today - timedelta(days=3)
    if found.year == year:
        _dispute(villages[3], K.NEIGHBOUR, S.WALK_IN, found, "两户因宅基地边界和排水沟修建发生争执。", household=3)


def _referrals_this_year(case, today: date) -> None:
    """The case being mediated: legal aid asked of the judicial office, which took it up, and
    the wife's hardship referred to civil affairs, unanswered for more than the days allowed."""
    found = case.found_on
    _referral(
        case,
        found + timedelta(days=5),
        Referral.Agency.JUDICIAL,
        "站儿巷司法所",
        "妻子提出离婚，请司法所提供法律咨询和法律援助。",
        accepted=found + timedelta(days=7),
    )
    _referral(
        case,
        today - timedelta(days=12),
        Referral.Agency.CIVIL_AFFAIRS,
        "镇民政办",
        "妻子独自抚养两个孩子，生活困难，请核查是否符合临时救助条件。",
    )


@transaction.atomic
def seed_protection_order(town: Town, today: date) -> None:
    """The domestic-violence case of 2024: the husband came back and threatened his wife; she
    applied for a personal safety protection order lately, and the court granted it until a
    day within the month, so the home page's work list shows it ending."""
    case = DisputeCase.objects.filter(town=town, kind=DisputeCase.Kind.DOMESTIC_VIOLENCE).order_by("number").first()
    if case is None or case.protection_measures.filter(kind=ProtectionMeasure.Kind.ORDER).exists():
        return
    applied, decided = today - timedelta(days=12), today - timedelta(days=8)
    with on(applied, time(10)):
        order = protection_measure_save(
            measure=ProtectionMeasure(
                case=case,
                kind=ProtectionMeasure.Kind.ORDER,
                applied_on=applied,
                court="县人民法院",
                decision=ProtectionMeasure.Decision.PENDING,
                note="丈夫回家后多次威胁妻子，妇联协助妻子向法院申请人身安全保护令。",
            )
        )
    with on(decided, time(10)):
        order.decision = ProtectionMeasure.Decision.GRANTED
        order.decided_on = decided
        order.valid_until = today + timedelta(days=20)
        protection_measure_save(measure=order)


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
        with on(day, time(15)):
            aid_record_save(
                record=CharityAid(household=household, date=day, drive=drive, amount=amount, goods=goods, reason=reason)
            )
        if index == 0:  # the same family again at the new year: still one household
            with on(date(2024, 1, 25), time(15)):
                aid_record_save(
                    record=CharityAid(
                        household=household,
                        date=date(2024, 1, 25),
                        drive="春节慰问",
                        amount=Decimal("300.00"),
                        reason="因病致困",
                    )
                )


def seed_charity_this_year(town: Town, rng: random.Random, year: int, today: date) -> None:
    """The New Year visits of this year: three families in difficulty."""
    day = date(year, 1, 28)
    if day > today:
        return
    households = rng.sample(list(Household.objects.filter(village__town=town).order_by("pk")), 3)
    for household, (amount, goods, reason) in zip(
        households,
        [("500.00", "米、面、油", "因病致困"), ("400.00", "", "单亲母亲"), ("300.00", "棉被一床", "留守老人")],
        strict=True,
    ):
        with on(day, time(15)):
            aid_record_save(
                record=CharityAid(
                    household=household, date=day, drive="春节慰问", amount=Decimal(amount), goods=goods, reason=reason
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
    today = seed_day()
    children = seed_register(town, rng)
    seed_pairings(town, rng, children, today)
    seed_disputes(town)
    seed_charity(town, rng)
    year = current_year(today)
    if year is not None:
        seed_disputes_this_year(town, year, today)
        seed_charity_this_year(town, random.Random(SEED + year), year, today)


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
        with on(end or start, time(17)):
            drive = charity_drive_save(
                drive=CharityDrive(
                    town=town,
                    name=name,
                    kind=kind,
                    start=start,
                    end=end,
                    raised=Decimal(raised),
                    donors=donors,
                    note=note,
                )
            )
        aids = CharityAid.objects.filter(
            household__village__town=town, drive=name, date__year=start.year, charity_drive__isnull=True
        )
        for aid in aids:
            aid.charity_drive = drive
            with on(aid.date, time(15, 30)):  # paid from the drive the day it was given
                charity_aid_save(aid=aid)


def seed(town: Town) -> None:
    seed_year(town)
    seed_drives(town)  # each part once: a second run adds nothing
    seed_protection_order(town, seed_day())
