"""The demo town 站儿巷镇: synthetic people and households, activities and honours, and the
town's submissions: the whole of 2024 (the seed article's year) and the current year up to
the day the demo is loaded.

Everything is generated from a fixed seed, so every run produces the same town, and only
what is missing is written: a second run changes nothing. ID numbers carry valid check
characters but belong to no real person. Each record is written as on its own day (`on`),
so that its recorded time and its history are that day's, not the day the demo was loaded.
"""

import random
from datetime import date, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from federation.core.dates import period_of
from federation.core.demo import START, YEAR, current_year, moment, on, seed_day
from federation.core.identity import check_character
from federation.core.models import PeriodSubmission, StaffScope, Town, Village
from federation.core.roles import COUNTY_READER, POINTS_REVIEWER, TOWN_ADMIN, VILLAGE_CLERK
from federation.core.submissions import submission_approve, submission_return, submission_submit
from federation.models import Activity, Honor, Household, Person
from federation.services import activity_save, honor_save, person_save

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
    """Create the town, villages, households and people that are missing: the registry as the
    town entered it at the start of 2024 (a child born later, on her birth)."""
    with on(START):
        town, _ = Town.objects.get_or_create(name=TOWN, county=COUNTY)
        villages = []
        for order, (name, kind) in enumerate(village_names(), start=1):
            village, _ = Village.objects.get_or_create(
                town=town, name=name, defaults={"kind": kind, "sort_order": order}
            )
            villages.append(village)
    entered = moment(START)

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
        default_date=entered,
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
        if person.birth_date > START:
            person._history_date = moment(person.birth_date)
        new_people.append(person)
    bulk_create_with_history(new_people, Person, batch_size=500, default_date=entered)

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
        bulk_update_with_history(headless, Household, ["head"], batch_size=500, default_date=entered)
    return town


def _activity(town, villages, kind, title, day, **figures) -> Activity:
    activity = Activity.objects.filter(town=town, kind=kind, title=title, date=day).first()
    if activity is None:
        activity = Activity(town=town, kind=kind, title=title, date=day, **figures)
        with on(day, time(17)):  # entered at the end of the day it was held
            activity_save(activity=activity, villages=villages, by=None)
    return activity


@transaction.atomic
def seed_activities(town: Town) -> None:
    """2024's activities as the seed article counts them. (Long: it is the year's list, read
    against the article line by line.)"""
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
    today = seed_day()
    last = today.year - 1
    if last > YEAR:  # last year: the January before this one
        _activity(town, [villages[1]], K.THEORY_STUDY, f"{last}年第一期理论学习", date(last, 1, 18), participants=26)
        _activity(town, [villages[2]], K.VOLUNTEER, f"{last}年春节走访慰问", date(last, 1, 25), beneficiaries=30)
    year = current_year(today)
    if year is not None:
        for kind, title, day, names, figures in this_years_activities(year, villages):
            if day <= today:
                _activity(town, [by_name[name] for name in names], kind, title, day, **figures)


def this_years_activities(year: int, villages: list[Village]) -> list[tuple]:
    """The current year's activities, month by month (the demo writes those held by today):
    (kind, title, day, village names — none for the whole town —, figures). (Long: it is the
    year's list.)"""
    K = Activity.Kind
    names = [village.name for village in villages]
    held = [
        (K.VOLUNTEER, "春节走访慰问困难妇女", (1, 24), ["站儿巷村"], {"participants": 12, "beneficiaries": 30}),
        (
            K.PUBLICITY,
            "“三八”妇女维权周宣传",
            (3, 6),
            [],
            {"participants": 150, "beneficiaries": 40, "materials_distributed": 180, "consultations": 7},
        ),
        (K.FAMILY_CIVILITY, "“最美家庭”推荐评选", (3, 12), [], {"participants": 45}),
        (K.TRAINING, "妇联执委履职能力培训", (4, 16), [], {"participants": 42}),
        (
            K.PUBLICITY,
            "防范电信诈骗宣传进村",
            (5, 14),
            [],
            {"participants": 110, "materials_distributed": 140, "consultations": 5},
        ),
        (K.VOLUNTEER, "“六一”关爱留守儿童", (5, 29), ["太坝村"], {"participants": 14, "beneficiaries": 40}),
        (K.PUBLICITY, "禁毒宣传", (6, 25), [], {"participants": 90, "materials_distributed": 110, "consultations": 3}),
        (K.SEMINAR, "“巾帼心向党”专题研讨", (7, 3), [], {"participants": 28}),
        (
            K.VOLUNTEER,
            "暑期防溺水安全宣传",
            (7, 15),
            ["冯河村"],
            {"participants": 10, "beneficiaries": 36, "materials_distributed": 60},
        ),
        (K.TRAINING, "家庭教育指导员培训", (8, 21), [], {"participants": 38}),
        (K.VOLUNTEER, "中秋走访慰问留守老人", (9, 23), ["崖角村"], {"participants": 12, "beneficiaries": 28}),
        (K.VOLUNTEER, "重阳敬老志愿服务", (10, 27), ["大山村"], {"participants": 11, "beneficiaries": 31}),
        (K.PUBLICITY, "冬季消防安全宣传", (11, 9), [], {"participants": 85, "materials_distributed": 120}),
        (
            K.PUBLICITY,
            "国家宪法日宣传",
            (12, 4),
            [],
            {"participants": 95, "materials_distributed": 130, "consultations": 4},
        ),
    ]
    activities = [(kind, title, date(year, *day), chosen, figures) for kind, title, day, chosen, figures in held]
    for month in range(1, 13):  # a theory study and a legal consultation in a village each month
        study, legal = names[(month - 1) % len(names)], names[(month + 5) % len(names)]
        activities.append(
            (
                K.THEORY_STUDY,
                f"{year}年巾帼大宣讲·理论学习第{month}期",
                date(year, month, 20),
                [study],
                {"participants": 22 + month},
            )
        )
        activities.append(
            (
                K.LEGAL_CONSULTATION,
                f"民事直说日法律咨询进{legal}",
                date(year, month, 10),
                [legal],
                {"participants": 16 + month, "materials_distributed": 20 + month % 4, "consultations": 2 + month % 3},
            )
        )
    return activities


@transaction.atomic
def seed_honors(town: Town) -> None:
    if not Honor.objects.filter(year=2024, person__village__town=town).exists():
        seed_honors_2024(town)
    today = seed_day()
    year = current_year(today)
    womens_day = date(year, 3, 8) if year else None
    if womens_day is None or womens_day > today:
        return
    if Honor.objects.filter(year=year, person__village__town=town).exists():
        return
    # This year's 三八 honours: three women not honoured before.
    honoured = set(Honor.objects.filter(person__isnull=False).values_list("person_id", flat=True))
    women = Person.objects.filter(
        village__town=town, sex=Person.Sex.FEMALE, status=Person.Status.RESIDENT, birth_date__lte=date(1990, 1, 1)
    ).order_by("id_number")
    rng = random.Random(SEED + year)
    A = Honor.Award
    chosen = rng.sample([woman for woman in women if woman.pk not in honoured], 3)
    for award, person in zip((A.BEST_VOLUNTEER, A.GOOD_MOTHER_IN_LAW, A.GOOD_DAUGHTER_IN_LAW), chosen, strict=True):
        with on(womens_day, time(16)):
            honor_save(honor=Honor(award=award, year=year, date=womens_day, person=person), by=None)


def seed_honors_2024(town: Town) -> None:
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
        with on(date(2024, 3, 8), time(16)):
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
        with on(date(2024, 9, 22), time(16)):
            honor_save(honor=Honor(award=award, year=2024, date=date(2024, 9, 22), household=household), by=None)
    with on(date(2023, 9, 23), time(16)):
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
        # 太坝's chair reviews its points claims (积分审核): a second person beside its clerk.
        ("chair", "太坝村妇联主席", POINTS_REVIEWER, {"town_wide": False}),
        ("county", "县妇联", COUNTY_READER, {"town_wide": True}),
    ]
    for username, first_name, role, scope in users:
        with on(START, time(8, 30)):  # the town's staff, since the start of 2024
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "is_staff": True,
                    "is_superuser": role is None,
                    "date_joined": moment(START, time(8, 30)),
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if role:
                user.groups.add(Group.objects.get(name=role))
            staff_scope, created = StaffScope.objects.get_or_create(user=user, defaults={"town": town, **scope})
            if created and not scope["town_wide"]:
                staff_scope.villages.add(taiba)
            if created and username == "chair":
                # She lives in 太坝: her own household's claims are reviewed by someone else.
                chair = Person.objects.filter(village=taiba, sex="F", relation_to_head=Person.Relation.SELF)
                chair = chair.order_by("-household__number").first()
                if chair is not None:
                    chair.staff_user = user
                    person_save(person=chair, by=None)


def seed() -> Town:
    town = seed_registry()
    seed_activities(town)
    seed_honors(town)
    seed_users(town)
    return town


@transaction.atomic
def seed_submissions(town: Town) -> None:
    """The township's year of 2024 as the town keeps it: every village's January to November
    submitted and approved, December submitted and waiting for the town. Then the current
    year's months that have ended: approved up to the month before last; that month returned
    to 太坝 with the town's comment and approved elsewhere; last month submitted by 站儿巷 and
    waiting for review, the other villages still to submit it. A month is submitted a few
    days after its end and reviewed a few days later."""
    User = get_user_model()
    reviewer = User.objects.filter(username="town").first()
    clerk = User.objects.filter(username="taiba").first()
    villages = list(town.villages.order_by("sort_order"))
    for index, village in enumerate(villages):
        by = clerk if village.name == "太坝村" else None
        for month in range(1, 13):
            start, end = period_of(town.submission_period, date(2024, month, 1))
            if PeriodSubmission.objects.filter(village=village, start=start).exists():
                continue
            note = "按月报送台账" if month < 12 else "12月台账，请审核"
            submitted = end + timedelta(days=2 + (index + month) % 4)
            with on(submitted, time(10)):
                submission = submission_submit(village=village, day=end, note=note, by=by)
            if month < 12:
                with on(submitted + timedelta(days=1 + index % 3), time(15)):
                    submission_approve(submission=submission, by=reviewer)

    today = seed_day()
    year = current_year(today)
    if year is None or PeriodSubmission.objects.filter(village__town=town, start__year=year).exists():
        return
    ended = []
    for month in range(1, 13):
        start, end = period_of(town.submission_period, date(year, month, 1))
        if end < today and (start, end) not in ended:
            ended.append((start, end))
    for position, (start, end) in enumerate(ended):
        waiting, returned = position == len(ended) - 1, position == len(ended) - 2
        for index, village in enumerate(villages):
            if waiting and index != 0:
                continue  # the other villages have yet to submit last month
            by = clerk if village.name == "太坝村" else None
            submitted = min(end + timedelta(days=1 + (index + start.month) % 4), today)
            note = f"{start.month}月台账，请审核" if waiting else "按月报送台账"
            with on(submitted, time(10)):
                submission = submission_submit(village=village, day=end, note=note, by=by)
            if waiting:
                continue
            with on(min(submitted + timedelta(days=1 + index % 3), today), time(15)):
                if returned and village.name == "太坝村":
                    submission_return(
                        submission=submission,
                        comment="慈善救助发放表缺少受助人签字，请补齐后重新报送。",
                        by=reviewer,
                    )
                else:
                    submission_approve(submission=submission, by=reviewer)
