"""The demo town 站儿巷镇: synthetic people and households, 2024 activities and honours.

Everything is generated from a fixed seed, so every run produces the same town, and only
what is missing is written: a second run changes nothing. ID numbers carry valid check
characters but belong to no real person.
"""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from federation.identity import check_character
from federation.models import Activity, Honor, Household, Person, StaffScope, Town, Village
from federation.roles import COUNTY_READER, TOWN_ADMIN, VILLAGE_CLERK
from federation.services import activity_save, honor_save

SEED = 20241231
TOWN = "站儿巷镇"
COUNTY = "两当县"
AREA_CODE = "621228"  # 甘肃省陇南市两当县
VILLAGES = ["站儿巷", "太坝", "冯河", "崖角", "任家河", "大山", "南坪", "三联", "管江河", "银杏", "高坪", "马庄"]
COMMUNITY = "站儿巷社区"
DEMO_PASSWORD = "zhanerxiang-demo"  # noqa: S105 - the documented demo password

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒲柏任"
MALE_CHARS = "建国军伟强明华平志勇斌刚海涛波辉鹏林杰文东磊超亮成永春福贵德忠"
FEMALE_CHARS = "秀英丽娟芳敏静燕霞玲红梅兰琴艳萍娜婷欢雪慧珍凤霞桂莲花月"


def village_names() -> list[tuple[str, str]]:
    return [(f"{name}村", Village.Kind.VILLAGE) for name in VILLAGES] + [(COMMUNITY, Village.Kind.COMMUNITY)]


class PersonFactory:
    """Deterministic synthetic people with unique, valid ID numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def name(self, sex: str, surname: str | None = None) -> str:
        chars = MALE_CHARS if sex == "M" else FEMALE_CHARS
        given = "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2))))
        return (surname or self.rng.choice(SURNAMES)) + given

    def id_number(self, born: date, sex: str) -> str:
        while True:
            sequence = self.rng.randrange(0, 1000)
            if (sequence % 2 == 1) != (sex == "M"):
                sequence = (sequence + 1) % 1000
            first17 = f"{AREA_CODE}{born:%Y%m%d}{sequence:03d}"
            number = first17 + check_character(first17)
            if number not in self.used:
                self.used.add(number)
                return number

    def phone(self) -> str:
        if self.rng.random() < 0.05:
            return f"0939-{self.rng.randrange(4000000, 4999999)}"
        # 13x and 18x only: every such prefix is allocated (phonenumbers refuses 140, 154, 174…).
        return f"1{self.rng.choice('3383883')}{self.rng.randrange(0, 10**9):09d}"

    def birth(self, age_low: int, age_high: int, on: date = date(2024, 12, 31)) -> date:
        return on - timedelta(days=self.rng.randrange(age_low * 365 + 1, age_high * 365 + 300))

    def person(self, village, household_number, sex, born, relation, surname=None, adult=True):
        rng = self.rng
        status = Person.Status.RESIDENT
        roll = rng.random()
        if roll < 0.06:
            status = Person.Status.MOVED_OUT
        elif roll < 0.075 and relation != Person.Relation.SELF:
            status = Person.Status.DECEASED
        return {
            "name": self.name(sex, surname),
            "id_number": self.id_number(born, sex),
            "sex": sex,
            "birth_date": born,
            "phone": self.phone() if adult and rng.random() < 0.8 else "",
            "village": village,
            "household_number": household_number,
            "relation_to_head": relation,
            "status": status,
        }


def _household_people(factory: PersonFactory, village, number: str) -> list[dict]:
    rng = factory.rng
    surname = rng.choice(SURNAMES)
    R = Person.Relation
    head_sex = "M" if rng.random() < 0.82 else "F"
    head_born = factory.birth(30, 78)
    people = [factory.person(village, number, head_sex, head_born, R.SELF, surname)]
    if rng.random() < 0.88:
        spouse_born = head_born + timedelta(days=rng.randrange(-1500, 1500))
        people.append(factory.person(village, number, "F" if head_sex == "M" else "M", spouse_born, R.SPOUSE))
    head_age = 2024 - head_born.year
    for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3))):
        child_sex = rng.choice("MF")
        low, high = max(0, head_age - 45), max(1, head_age - 20)
        child_born = factory.birth(low, high) if high > low else factory.birth(0, 1)
        relation = R.SON if child_sex == "M" else R.DAUGHTER
        child_age = 2024 - child_born.year
        people.append(factory.person(village, number, child_sex, child_born, relation, surname, adult=child_age >= 18))
        if child_sex == "M" and child_age >= 24 and rng.random() < 0.5:
            people.append(
                factory.person(village, number, "F", factory.birth(child_age - 3, child_age + 2), R.DAUGHTER_IN_LAW)
            )
            for _ in range(rng.choice((1, 1, 2))):
                grandchild_sex = rng.choice("MF")
                relation = R.GRANDSON if grandchild_sex == "M" else R.GRANDDAUGHTER
                grandchild_born = factory.birth(0, max(1, min(16, child_age - 20)))
                people.append(
                    factory.person(village, number, grandchild_sex, grandchild_born, relation, surname, adult=False)
                )
    if head_age < 50 and rng.random() < 0.3:
        people.append(
            factory.person(village, number, rng.choice("MF"), factory.birth(head_age + 22, head_age + 30), R.PARENT)
        )
    return people


@transaction.atomic
def seed_registry() -> Town:
    """Create the town, villages, households and people that are missing."""
    town, _ = Town.objects.get_or_create(name=TOWN, county=COUNTY)
    villages = []
    for order, (name, kind) in enumerate(village_names(), start=1):
        village, _ = Village.objects.get_or_create(town=town, name=name, defaults={"kind": kind, "sort_order": order})
        villages.append(village)

    rng = random.Random(SEED)
    factory = PersonFactory(rng)
    planned_households, planned_people = [], []
    for village_index, village in enumerate(villages, start=1):
        for serial in range(1, rng.randrange(88, 112) + 1):
            number = f"{village_index:02d}{serial:03d}"
            planned_households.append((village, number, rng.randrange(1, 9)))
            planned_people.extend(_household_people(factory, village, number))

    existing = set(Household.objects.filter(village__town=town).values_list("village_id", "number"))
    bulk_create_with_history(
        [
            Household(village=village, number=number, group=f"{group}组", address=f"{village.name}{group}组")
            for village, number, group in planned_households
            if (village.pk, number) not in existing
        ],
        Household,
        batch_size=500,
    )
    households = {(h.village_id, h.number): h for h in Household.objects.filter(village__town=town)}

    known = set(Person.objects.values_list("id_number", flat=True))
    new_people = []
    for row in planned_people:
        if row["id_number"] in known:
            continue
        household = households[(row["village"].pk, row.pop("household_number"))]
        person = Person(household=household, **row)
        person.clean()  # the same ID-number rules as every other write
        new_people.append(person)
    bulk_create_with_history(new_people, Person, batch_size=500)

    heads = {
        household_id: person_id
        for person_id, household_id in Person.objects.filter(
            village__town=town, relation_to_head=Person.Relation.SELF
        ).values_list("pk", "household_id")
    }
    headless = [h for h in households.values() if h.head_id is None and h.pk in heads]
    for household in headless:
        household.head_id = heads[household.pk]
    if headless:
        bulk_update_with_history(headless, Household, ["head"], batch_size=500)
    return town


def _activity(town, villages, kind, title, day, **figures) -> Activity:
    activity = Activity.objects.filter(town=town, kind=kind, title=title, date=day).first()
    if activity is None:
        activity = Activity(town=town, kind=kind, title=title, date=day, **figures)
        activity_save(activity=activity, villages=villages, by=None)
    return activity


@transaction.atomic
def seed_activities(town: Town) -> None:
    K = Activity.Kind
    villages = list(town.villages.order_by("sort_order"))
    by_name = {village.name: village for village in villages}
    publicity = [
        ("反家暴法与妇女权益保障法宣传", date(2024, 3, 8), 160, 35, 190, 6),
        ("防范电信诈骗宣传进村", date(2024, 5, 15), 120, 0, 150, 4),
        ("反邪教禁毒宣传", date(2024, 6, 26), 95, 0, 120, 3),
        ("安全生产月宣传", date(2024, 6, 12), 80, 0, 96, 2),
    ]
    for title, day, participants, beneficiaries, materials, consultations in publicity:
        _activity(
            town,
            [],
            K.PUBLICITY,
            title,
            day,
            participants=participants,
            beneficiaries=beneficiaries,
            materials_distributed=materials,
            consultations=consultations,
        )
    for index, village in enumerate(villages):
        _activity(
            town,
            [village],
            K.LEGAL_CONSULTATION,
            f"民事直说日法律咨询进{village.name}",
            date(2024, 4 + index % 8, 10 + index),
            participants=18 + index,
            materials_distributed=20 + index % 4,
            consultations=3 + index % 2,
        )
    for index in range(8):
        _activity(
            town,
            [villages[index]],
            K.THEORY_STUDY,
            f"巾帼大宣讲·理论学习第{index + 1}期",
            date(2024, 1 + index, 20),
            participants=25 + index,
        )
    for index, title in enumerate(["乡村振兴中的妇女作用专题研讨", "家庭家教家风专题研讨"]):
        _activity(town, [], K.SEMINAR, title, date(2024, 7 + index * 3, 5), participants=30)
    for index, title in enumerate(["手工编织技能培训", "电商直播带货培训", "妇联执委履职培训"]):
        _activity(town, [], K.TRAINING, title, date(2024, 4 + index * 2, 18), participants=40 + index * 5)
    volunteer = [
        ("春节走访慰问困难妇女", date(2024, 2, 5), "站儿巷村", 32),
        ("“温情端午 情系儿童”关爱活动", date(2024, 6, 8), "太坝村", 45),
        ("端午义剪志愿服务", date(2024, 6, 9), "冯河村", 38),
        ("中秋走访慰问留守老人", date(2024, 9, 14), "崖角村", 29),
        ("国庆义剪进社区", date(2024, 10, 2), COMMUNITY, 41),
        ("重阳敬老志愿服务", date(2024, 10, 11), "大山村", 33),
    ]
    for title, day, village_name, beneficiaries in volunteer:
        _activity(
            town,
            [by_name[village_name]],
            K.VOLUNTEER,
            title,
            day,
            participants=12,
            beneficiaries=beneficiaries,
        )
    _activity(town, [], K.FAMILY_CIVILITY, "“文明家庭”评选", date(2024, 3, 6), participants=60)
    # Other years, so that a period filter has something to leave out.
    _activity(town, [], K.PUBLICITY, "民法典宣传月", date(2023, 5, 20), participants=90, materials_distributed=140)
    _activity(town, [villages[1]], K.THEORY_STUDY, "2025年第一期理论学习", date(2025, 1, 18), participants=26)
    _activity(town, [villages[2]], K.VOLUNTEER, "2025年春节走访慰问", date(2025, 1, 25), beneficiaries=30)


@transaction.atomic
def seed_honors(town: Town) -> None:
    if Honor.objects.filter(year=2024, person__village__town=town).exists():
        return
    rng = random.Random(SEED + 1)
    A = Honor.Award
    women = list(
        Person.objects.filter(
            village__town=town, sex=Person.Sex.FEMALE, status=Person.Status.RESIDENT, birth_date__lte=date(1990, 1, 1)
        ).order_by("id_number")
    )
    chosen = rng.sample(women, 9)
    for index, person in enumerate(chosen):
        award = (A.BEST_VOLUNTEER, A.GOOD_MOTHER_IN_LAW, A.GOOD_DAUGHTER_IN_LAW)[index % 3]
        honor_save(honor=Honor(award=award, year=2024, date=date(2024, 3, 8), person=person), by=None)
    chosen_households = {person.household_id for person in chosen}
    households = [
        household
        for household in Household.objects.filter(village__town=town, head__isnull=False).order_by(
            "village__sort_order", "number"
        )
        if household.pk not in chosen_households
    ]
    for index, household in enumerate(rng.sample(households, 9)):
        award = (A.BEAUTIFUL_FAMILY, A.BEAUTIFUL_COURTYARD, A.CIVILISED_FAMILY)[index % 3]
        honor_save(honor=Honor(award=award, year=2024, date=date(2024, 9, 22), household=household), by=None)
    honor_save(
        honor=Honor(award=A.CIVILISED_FAMILY, year=2023, date=date(2023, 9, 23), household=households[0]), by=None
    )


def seed_users(town: Town) -> None:
    User = get_user_model()
    taiba = town.villages.get(name="太坝村")
    users = [
        ("admin", "系统管理员", None, {"town_wide": True}),
        ("town", "镇妇联", TOWN_ADMIN, {"town_wide": True}),
        ("taiba", "太坝村妇联", VILLAGE_CLERK, {"town_wide": False}),
        ("county", "县妇联", COUNTY_READER, {"town_wide": True}),
    ]
    for username, first_name, role, scope in users:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "is_staff": True, "is_superuser": role is None},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if role:
            user.groups.add(Group.objects.get(name=role))
        staff_scope, created = StaffScope.objects.get_or_create(user=user, defaults={"town": town, **scope})
        if created and not scope["town_wide"]:
            staff_scope.villages.add(taiba)


def seed() -> Town:
    town = seed_registry()
    seed_activities(town)
    seed_honors(town)
    seed_users(town)
    return town


def seed_submissions(town: Town) -> None:
    """The township's year of 2024 as the town keeps it: every village's January to November
    submitted and approved, December submitted and waiting for the town."""
    from federation import periods
    from federation.models import PeriodSubmission
    from federation.services import submission_approve, submission_submit

    User = get_user_model()
    reviewer = User.objects.filter(username="town").first()
    clerk = User.objects.filter(username="taiba").first()
    for village in town.villages.order_by("sort_order"):
        by = clerk if village.name == "太坝村" else None
        for month in range(1, 13):
            start, end = periods.period_of(town.submission_period, date(2024, month, 1))
            if PeriodSubmission.objects.filter(village=village, start=start).exists():
                continue
            note = "按月报送台账" if month < 12 else "12月台账，请审核"
            submission = submission_submit(village=village, day=end, note=note, by=by)
            if month < 12:
                submission_approve(submission=submission, by=reviewer)
