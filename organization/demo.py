"""The demo town's organisation building. Every federation — the town's and each village's —
elected its executive committee in 2021 for five years; those whose term ended before today
held their 换届 on the day it was due, one village (南坪村) holds its election within 60 days
of today, and 马庄村 is short of a vice-chair. The members are resident women of the village,
each federation met twice (in 2024 and in the current year), and four women are delegates.
Written through the services, each record as on its day; a second run changes nothing.

The demo town's venues and volunteers: a 妇女之家 in every village and the town's 巾帼工作室,
the town's volunteer team and four villages' teams of resident women, the hours a few of them
served at each volunteer activity the federation's demo holds (2024 and the current year), and
the venue each village's volunteer activity and theory study was held at. The annual summary
counts activities, not hours: its figures stay as the seed article has them. Written through
the services, each record as on its day.
"""

import random
from datetime import date, time, timedelta
from decimal import Decimal

from django.db import transaction

from federation.core.demo import START, YEAR, current_year, on, seed_day
from federation.core.models import Town
from federation.models import Activity, Person
from organization.models import (
    Committee,
    CommitteeMember,
    Delegate,
    Meeting,
    Venue,
    Volunteer,
    VolunteerHours,
    VolunteerTeam,
)
from organization.services import (
    activity_venue_set,
    committee_elect,
    committee_members_on,
    committee_save,
    committee_seat_new,
    delegate_save,
    meeting_save,
    team_save,
    venue_save,
    volunteer_hours_save,
    volunteer_save,
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


# --- Venues, volunteer teams, volunteers and their hours (阵地, 巾帼志愿者) ----------------

VOLUNTEER_SEED = 20240020
FACILITIES = [
    "活动室、图书角、宣传栏",
    "活动室、妇女儿童书屋、电脑两台",
    "议事室、手工坊、宣传栏",
    "活动室、心理疏导室",
]
# Village (none: the town's), team, founded, how many volunteers, their services.
TEAMS = [
    (None, "站儿巷镇巾帼志愿服务队", date(2019, 3, 5), 5, "政策宣传、走访慰问"),
    ("太坝村", "太坝村巾帼志愿服务队", date(2020, 3, 8), 4, "关爱留守儿童、邻里互助"),
    ("冯河村", "冯河村巾帼志愿服务队", date(2021, 5, 20), 4, "义剪、环境整治"),
    ("崖角村", "崖角村巾帼志愿服务队", date(2022, 3, 1), 3, "敬老助老"),
    ("大山村", "大山村巾帼志愿服务队", date(2023, 6, 1), 3, "敬老助老、政策宣传"),
]


def _women(town: Town) -> dict[int, list[Person]]:
    """The resident women aged 25 to 60 of each village, in a fixed order (one query)."""
    women = Person.objects.filter(
        village__town=town,
        sex=Person.Sex.FEMALE,
        status=Person.Status.RESIDENT,
        birth_date__range=(date(1964, 1, 1), date(1999, 12, 31)),
    ).order_by("village_id", "id_number")
    found: dict[int, list[Person]] = {}
    for woman in women:
        found.setdefault(woman.village_id, []).append(woman)
    return found


def seed_venues(town: Town, women: dict[int, list[Person]]) -> dict[int, Venue]:
    """A 妇女之家 per village and the town's 巾帼工作室: {village id: its venue}."""
    existing = {venue.village_id: venue for venue in Venue.objects.filter(town=town)}
    villages = list(town.villages.order_by("sort_order"))
    planned = [(None, Venue.Kind.STUDIO, f"{town.name}巾帼工作室", date(2020, 9, 18), 120)]
    for index, village in enumerate(villages):
        opened = date(2018 + index % 6, 1 + (index * 5) % 12, 8 + index)
        planned.append((village, Venue.Kind.WOMEN_HOME, f"{village.name}妇女之家", opened, 40 + 10 * (index % 5)))
    for index, (village, kind, name, opened, area) in enumerate(planned):
        key = village.pk if village else None
        if key in existing:
            continue
        contact = (women.get(key) or [None])[0] if village else None
        venue = Venue(
            town=town,
            village=village,
            kind=kind,
            name=name,
            address=f"{village.name}村委会院内" if village else f"{town.name}人民政府二楼",
            opened_on=opened,
            area=area,
            facilities=FACILITIES[index % len(FACILITIES)],
            contact=contact.name if contact else "镇妇联",
            phone=contact.phone if contact and contact.phone else "",
        )
        with on(max(opened, START), time(10)):  # entered when the town began keeping its books here
            existing[key] = venue_save(venue=venue, by=None)
    return existing


def seed_teams(town: Town, women: dict[int, list[Person]], rng: random.Random) -> dict[int | None, list[Volunteer]]:
    """The teams and their volunteers: {village id (None: the town's team): its volunteers}."""
    villages = {village.name: village for village in town.villages.all()}
    teams: dict[int | None, list[Volunteer]] = {}
    taken: set[int] = set()
    for name, title, founded, count, services in TEAMS:
        village = villages.get(name) if name else None
        if name and village is None:
            continue
        team = VolunteerTeam(town=town, village=village, name=title, founded_on=founded, services=services)
        with on(START, time(10)):
            team_save(team=team, by=None)
        if village is not None:
            pool = women.get(village.pk, [])
        else:  # the town's team: women of the villages that have none of their own
            own = {villages[team_village].pk for team_village, *_rest in TEAMS if team_village in villages}
            pool = [woman for pk, each in women.items() if pk not in own for woman in each[:3]]
        chosen = [woman for woman in rng.sample(pool, min(len(pool), count + 2)) if woman.pk not in taken][:count]
        volunteers = []
        for index, woman in enumerate(chosen):
            taken.add(woman.pk)
            joined = date(2024, 1, 8) + timedelta(days=index * 3)
            with on(joined, time(10)):
                volunteers.append(
                    volunteer_save(volunteer=Volunteer(team=team, person=woman, joined_on=joined), by=None)
                )
            if index == 0 and team.leader == "":
                team.leader = woman.name
                with on(joined, time(11)):
                    team_save(team=team, by=None)
        teams[village.pk if village else None] = volunteers
    return teams


def seed_service(town: Town, venues: dict, teams: dict, rng: random.Random) -> None:
    """Hours at each volunteer activity (the village's team, else the town's), and the venue of
    each one-village volunteer activity and theory study."""
    kinds = (Activity.Kind.VOLUNTEER, Activity.Kind.THEORY_STUDY)
    activities = Activity.objects.filter(town=town, kind__in=kinds, date__gte=date(2024, 1, 1)).prefetch_related(
        "villages"
    )
    for activity in activities.order_by("date", "pk"):
        villages = list(activity.villages.all())
        village_id = villages[0].pk if len(villages) == 1 else None
        if village_id in venues:
            with on(activity.date, time(17, 30)):
                activity_venue_set(activity=activity, venue=venues[village_id], by=None)
        if activity.kind != Activity.Kind.VOLUNTEER:
            continue
        serving = [v for v in teams.get(village_id) or teams.get(None, []) if v.joined_on <= activity.date]
        for volunteer in rng.sample(serving, min(len(serving), 3)):
            hours = VolunteerHours(
                activity=activity, volunteer=volunteer, hours=Decimal(rng.choice(["2", "3", "3.5", "4"]))
            )
            with on(activity.date, time(18)):
                volunteer_hours_save(hours=hours, by=None)


@transaction.atomic
def seed_volunteers(town: Town) -> None:
    if VolunteerTeam.objects.filter(town=town).exists():
        return
    rng = random.Random(VOLUNTEER_SEED)
    women = _women(town)
    venues = seed_venues(town, women)
    teams = seed_teams(town, women, rng)
    seed_service(town, venues, teams, rng)


# --- end of venues and volunteers --------------------------------------------------------
