"""The demo town's venues and volunteers: a 妇女之家 in every village and the town's 巾帼工作室,
the town's volunteer team and four villages' teams of resident women, the hours a few of them
served at each volunteer activity the federation's demo holds (2024 and the current year), and
the venue each village's volunteer activity and theory study was held at. The annual summary
counts activities, not hours: its figures stay as the seed article has them. Written through
the services, each record as on its day."""

import random
from datetime import date, time, timedelta
from decimal import Decimal

from django.db import transaction

from federation.core.demo import START, on
from federation.core.models import Town
from federation.models import Activity, Person
from organization.models import Venue, Volunteer, VolunteerHours, VolunteerTeam
from organization.services import activity_venue_set, team_save, venue_save, volunteer_hours_save, volunteer_save

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
