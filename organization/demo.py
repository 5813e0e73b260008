"""The demo town's organisation building. Every federation — the town's and each village's —
elected its executive committee in 2021 for five years; those whose term ended before today
held their 换届 on the day it was due, one village (南坪村) holds its election within 60 days
of today, and 马庄村 is short of a vice-chair. The members are resident women of the village,
each federation met twice (in 2024 and in the current year), and four women are delegates.
Written through the services, each record as on its day; a second run changes nothing."""

import random
from datetime import date, time, timedelta

from django.db import transaction

from federation.core.demo import YEAR, current_year, on, seed_day
from federation.core.models import Town
from federation.models import Person
from organization.models import Committee, CommitteeMember, Delegate, Meeting
from organization.services import (
    committee_elect,
    committee_members_on,
    committee_save,
    committee_seat_new,
    delegate_save,
    meeting_save,
)

# --- Committees, their members, meetings and delegates ---------------------------------------

SEED = 20240020
FIRST_ELECTION = date(2021, 5, 10)
TERM = 5
DUE_VILLAGE = "南坪村"  # its 换届 comes within 60 days of the day the demo is loaded
SHORT_VILLAGE = "马庄村"  # one vice-chair's seat is vacant
Position = CommitteeMember.Position
# The seats each committee has, all held but SHORT_VILLAGE's.
SEATS = {Position.CHAIR: 1, Position.VICE_CHAIR: 2, Position.MEMBER: 2}
DUTIES = ["村委委员", "网格员", "村医", "妇女小组长", ""]
DELEGATES = [
    # village, body, level, term start, sector
    ("太坝村", Delegate.Body.PEOPLES_CONGRESS, Delegate.Level.TOWN, date(2021, 11, 20), "太坝选区"),
    ("冯河村", Delegate.Body.PEOPLES_CONGRESS, Delegate.Level.COUNTY, date(2021, 12, 10), "农业"),
    ("站儿巷社区", Delegate.Body.PARTY_CONGRESS, Delegate.Level.COUNTY, date(2021, 9, 15), "基层党员"),
    ("崖角村", Delegate.Body.CPPCC, Delegate.Level.COUNTY, date(2022, 1, 8), "妇联界"),
]


def _elected_on(index: int, name: str | None, today: date) -> date:
    if name == DUE_VILLAGE:
        due = today + timedelta(days=30)
        return due.replace(year=due.year - TERM) if not (due.month == 2 and due.day == 29) else due - timedelta(days=1)
    return FIRST_ELECTION + timedelta(days=7 * index)


def seed_committee(town: Town, village, index: int, rng: random.Random, today: date) -> Committee:
    elected = _elected_on(index, village.name if village else None, today)
    seats = dict(SEATS)
    committee = Committee(
        town=town,
        village=village,
        elected_on=elected,
        term_years=TERM,
        chair_seats=seats[Position.CHAIR],
        vice_chair_seats=seats[Position.VICE_CHAIR],
        member_seats=seats[Position.MEMBER],
    )
    with on(elected, time(16)):
        committee_save(committee=committee, by=None)
    if village is not None and village.name == SHORT_VILLAGE:
        seats[Position.VICE_CHAIR] -= 1
    women = Person.objects.filter(sex=Person.Sex.FEMALE, status=Person.Status.RESIDENT)
    women = women.filter(village=village) if village else women.filter(village__town=town)
    women = women.filter(birth_date__range=(date(1966, 1, 1), date(1996, 12, 31))).select_related("village")
    women = women.order_by("id_number")
    chosen = rng.sample(list(women), sum(seats.values()))
    members = [
        CommitteeMember(
            committee=committee,
            person=person,
            position=position,
            duties=rng.choice(DUTIES),
            phone=person.phone,
            joined_on=elected,
        )
        for position, count in seats.items()
        for person in [chosen.pop() for _seat in range(count)]
    ]
    with on(elected, time(17)):
        committee_seat_new(committee=committee, members=members, by=None)
    # A term that ended before today: the 换届 was held on the day it was due, all re-elected.
    if committee.next_election_on <= today:
        with on(committee.next_election_on, time(15)):
            committee = committee_elect(committee=committee, day=committee.next_election_on, by=None)
    return committee


MEETINGS = [
    # month, day, kind, topics, decisions
    (
        3,
        6,
        Meeting.Kind.COMMITTEE,
        "学习全国妇女十三大精神；部署“三八”节系列活动和两癌筛查动员",
        "“三八”节开展巾帼志愿服务和健康讲座；执委分片入户动员适龄妇女参加筛查",
    ),
    (
        9,
        12,
        Meeting.Kind.COMMITTEE,
        "总结上半年妇联工作；研究困境儿童关爱和“最美家庭”推荐",
        "执委每人联系两户困境家庭；推荐两户“最美家庭”报镇妇联",
    ),
]


def seed_meetings(committee: Committee, index: int, today: date) -> None:
    place = f"{committee.village.name}妇女之家" if committee.village_id else "镇妇联会议室"
    years = [YEAR]
    year = current_year(today)
    if year is not None:
        years.append(year)
    for number, year in enumerate(years):
        month, day, kind, topics, decisions = MEETINGS[(index + number) % len(MEETINGS)]
        held = date(year, month, day) + timedelta(days=index % 5)
        if held > today:
            held = date(year, 1, 15) + timedelta(days=index % 5)
            if held > today:
                continue
        if Meeting.objects.filter(town=committee.town, village=committee.village, date=held).exists():
            continue
        serving = list(committee_members_on(committee.town_id, committee.village_id, held).order_by("position", "pk"))
        chair = next((m for m in serving if m.position == Position.CHAIR), None)
        absent = serving[-1:]  # one member was away
        meeting = Meeting(
            town=committee.town,
            village=committee.village,
            kind=kind,
            date=held,
            place=place,
            chaired_by=chair.shown_name if chair else "",
            topics=topics,
            decisions=decisions,
            minutes="会议由主席主持，与会执委逐项讨论，形成以上决定。",
        )
        with on(held, time(15)):
            meeting_save(meeting=meeting, attendees=serving[:-1], absentees=absent, by=None)


def seed_delegates(town: Town, rng: random.Random) -> None:
    for name, body, level, start, sector in DELEGATES:
        village = town.villages.filter(name=name).first()
        if village is None:
            continue
        women = Person.objects.filter(
            village=village,
            sex=Person.Sex.FEMALE,
            status=Person.Status.RESIDENT,
            birth_date__range=(date(1966, 1, 1), date(1990, 12, 31)),
        ).order_by("id_number")
        person = rng.choice(list(women))
        term_end = start.replace(year=start.year + 5) - timedelta(days=1)
        delegate = Delegate(person=person, body=body, level=level, term_start=start, term_end=term_end, sector=sector)
        with on(start, time(11)):
            delegate_save(delegate=delegate, by=None)


@transaction.atomic
def seed(town: Town) -> None:
    if Committee.objects.filter(town=town).exists():
        return
    today = seed_day()
    rng = random.Random(SEED)
    federations = [None, *town.villages.order_by("sort_order", "name")]
    for index, village in enumerate(federations):
        committee = seed_committee(town, village, index, rng, today)
        seed_meetings(committee, index, today)
    seed_delegates(town, rng)
