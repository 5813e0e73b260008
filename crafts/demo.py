"""The demo town's craftswomen: two craft-skills trainings in 2024 (their own kind of activity,
so the annual summary's 专题培训 stays 3), eight women of four villages on the register, and
their sales through livestreams, e-commerce platforms and markets, in 2024 and in the current
year up to today. Written through the services, each record as on its day."""

import random
from datetime import date, time, timedelta
from decimal import Decimal

from django.db import transaction

from crafts.models import CraftSale, Craftswoman
from crafts.services import craft_sale_record, craftswoman_register
from federation.core.demo import current_year, on, seed_day
from federation.core.models import Town
from federation.models import Activity, Person
from federation.services import activity_save

SEED = 20240010
# Village, how many women, their craft, their workshop.
WOMEN = [
    ("太坝村", 3, Craftswoman.Craft.WEAVING, "太坝巧手编织合作社"),
    ("冯河村", 2, Craftswoman.Craft.EMBROIDERY, "冯河刺绣工坊"),
    ("崖角村", 2, Craftswoman.Craft.BAMBOO, "崖角竹编工坊"),
    ("南坪村", 1, Craftswoman.Craft.WEAVING, ""),
]
TRAININGS = [
    # title, day, villages (none: the whole town), participants
    ("巧手妇女手工编织技能提升培训", date(2024, 5, 22), [], 36),
    ("刺绣竹编技艺与网店运营培训", date(2024, 8, 16), ["太坝村", "冯河村"], 20),
]
SALES = 20


def seed_trainings(town: Town) -> list[Activity]:
    trainings = []
    for title, day, names, participants in TRAININGS:
        activity = Activity.objects.filter(town=town, kind=Activity.Kind.CRAFT_TRAINING, title=title).first()
        if activity is None:
            activity = Activity(
                town=town, kind=Activity.Kind.CRAFT_TRAINING, title=title, date=day, participants=participants
            )
            with on(day, time(17)):
                activity_save(activity=activity, villages=list(town.villages.filter(name__in=names)), by=None)
        trainings.append(activity)
    return trainings


def seed_register(town: Town, rng: random.Random, trainings: list[Activity]) -> list[Craftswoman]:
    women = []
    for name, count, craft, workshop in WOMEN:
        village = town.villages.get(name=name)
        candidates = Person.objects.filter(
            village=village,
            sex=Person.Sex.FEMALE,
            status=Person.Status.RESIDENT,
            birth_date__range=(date(1965, 1, 1), date(1995, 12, 31)),
        ).order_by("id_number")
        for person in rng.sample(list(candidates), count):
            attended = [trainings[0]]
            if name in TRAININGS[1][2]:
                attended.append(trainings[1])
            entry = Craftswoman(
                person=person,
                craft=craft,
                workshop=workshop,
                joined_on=date(2024, 1, 1) + timedelta(days=rng.randrange(120)),
            )
            with on(entry.joined_on, time(10)):
                women.append(craftswoman_register(craftswoman=entry, trainings=attended, by=None))
    return women


def seed_sales(rng: random.Random, women: list[Craftswoman], first: date | None = None, last: date | None = None):
    """SALES sales, each of a woman after she joined: in 2024, or between `first` and `last`."""
    channels = [CraftSale.Channel.LIVESTREAM, CraftSale.Channel.ECOMMERCE, CraftSale.Channel.OFFLINE]
    last = last or date(2024, 12, 31)
    for index in range(SALES):
        woman = women[index % len(women)]
        channel = channels[index % len(channels)]
        quantity = rng.randrange(3, 30)
        since = first or woman.joined_on
        day = since + timedelta(days=rng.randrange(max(1, (last - since).days)))
        sale = CraftSale(
            craftswoman=woman,
            date=day,
            channel=channel,
            amount=Decimal(quantity * rng.choice([25, 30, 40, 58])),
            quantity=quantity,
        )
        with on(day, time(18)):
            craft_sale_record(sale=sale, by=None)


@transaction.atomic
def seed(town: Town) -> None:
    trainings = seed_trainings(town)
    if Craftswoman.objects.filter(person__village__town=town).exists():
        return
    rng = random.Random(SEED)
    women = seed_register(town, rng, trainings)
    seed_sales(rng, women)
    today = seed_day()
    year = current_year(today)
    if year is not None and today > date(year, 1, 1):
        seed_sales(random.Random(SEED + year), women, date(year, 1, 1), today)
