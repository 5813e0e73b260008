"""The demo town's points supermarket in 2024: rules, goods, awards, and 142 redemption
sessions in which 588 people redeemed 18,510 points, and the goods sponsor units donated.
Written through the services, so balances, stock and ledgers agree (points_check is clean)."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from federation.models import Household, Person, Town
from points.models import Donation, DonationLine, Goods, PointEntry, PointRule, RedemptionEvent
from points.services import (
    donation_record,
    goods_restock,
    goods_save,
    point_award,
    point_rule_save,
    redemption_create,
    redemption_event_save,
)

SEED = 20240142
SESSIONS, POINTS, PEOPLE = 142, 18510, 588
REDEMPTIONS = 700  # 588 people, some of whom came twice
RULES = [
    (PointRule.Category.SANITATION, "庭院干净整洁", 10),
    (PointRule.Category.SANITATION, "门前三包落实到位", 5),
    (PointRule.Category.GARBAGE_SORTING, "垃圾分类投放准确", 5),
    (PointRule.Category.CUSTOMS, "婚事新办、丧事简办", 20),
    (PointRule.Category.GOVERNANCE, "参加村民议事会", 5),
    (PointRule.Category.FAMILY, "评为“最美家庭”", 20),
    (PointRule.Category.VOLUNTEER, "参加志愿服务", 10),
    (PointRule.Category.SANITATION, "乱堆乱放", -5),
    (PointRule.Category.GARBAGE_SORTING, "垃圾乱扔", -5),
]
GOODS = [
    ("食盐", "袋", 5),
    ("洗衣皂", "块", 10),
    ("牙膏", "支", 15),
    ("洗洁精", "瓶", 20),
    ("毛巾", "条", 15),
    ("洗衣粉", "袋", 25),
    ("挂面", "把", 10),
    ("食用油", "桶", 50),
    ("大米", "袋", 40),
    ("暖水瓶", "个", 30),
]


@transaction.atomic
def seed_year(town: Town) -> None:
    if PointEntry.objects.filter(household__village__town=town).exists():
        return
    rng = random.Random(SEED)
    rules = [
        point_rule_save(rule=PointRule(town=town, category=c, description=d, points=p), by=None) for c, d, p in RULES
    ]
    goods = [
        goods_save(goods=Goods(town=town, name=n, unit=u, points_price=p, low_stock=10), by=None) for n, u, p in GOODS
    ]
    for item in goods:
        goods_restock(goods=item, quantity=2000, by=None, note="年初入库")
    salt = goods[0]

    villages = list(town.villages.order_by("sort_order"))
    events = []
    for index in range(SESSIONS):
        village = villages[index % len(villages)]
        day = date(2024, 1, 15) + timedelta(days=index * 340 // SESSIONS)
        event = RedemptionEvent(village=village, date=day, place=f"{village.name}妇女之家")
        events.append(redemption_event_save(event=event, by=None))

    # Who redeems: 588 resident adult women (one per household), a few of them twice.
    people = list(
        Person.objects.filter(
            village__town=town, sex="F", status="resident", birth_date__lte=date(2000, 1, 1), household__isnull=False
        ).order_by("id_number")
    )
    rng.shuffle(people)
    chosen, households_seen = [], set()
    for person in people:
        if person.household_id not in households_seen:
            chosen.append(person)
            households_seen.add(person.household_id)
        if len(chosen) == PEOPLE:
            break
    visits = chosen + rng.sample(chosen, REDEMPTIONS - PEOPLE)
    by_village = {}
    for person in visits:
        by_village.setdefault(person.village_id, []).append(person)

    # Baskets first, so each household can earn its points before it spends them.
    plan = []  # (event, person, [(goods, quantity)])
    spent = 0
    for event in events:
        queue = by_village.get(event.village_id) or []
        take = max(1, len(queue) * 1 // max(1, sum(1 for e in events if e.village_id == event.village_id)))
        for _ in range(take if queue else 0):
            person = queue.pop()
            basket = [(item, rng.choice((1, 1, 2))) for item in rng.sample(goods[1:], rng.choice((1, 1, 2)))]
            spent += sum(item.points_price * quantity for item, quantity in basket)
            plan.append((event, person, basket))
    for event in events:  # anyone still waiting redeems at the village's last session
        for person in by_village.get(event.village_id, []):
            basket = [(rng.choice(goods[1:]), 1)]
            spent += basket[0][0].points_price
            plan.append((event, person, basket))
        by_village[event.village_id] = []
    # Trim or top up with salt (5 points) until the year's total is exact.
    while spent > POINTS:
        event, person, basket = next(p for p in reversed(plan) if sum(g.points_price * q for g, q in p[2]) > 10)
        item, quantity = basket.pop()
        spent -= item.points_price * quantity
        if not basket:
            basket.append((salt, 1))
            spent += salt.points_price
    index = 0
    while spent < POINTS:
        plan[index % len(plan)][2].append((salt, 1))
        spent += salt.points_price
        index += 1

    need = {}
    for _event, person, basket in plan:
        need[person.household_id] = need.get(person.household_id, 0) + sum(g.points_price * q for g, q in basket)
    households = Household.objects.in_bulk(list(need)).values()
    earning = [rule for rule in rules if rule.points > 0]
    for household in sorted(households, key=lambda h: h.pk):
        balance, day = 0, date(2024, 1, 2)
        deducted = rng.random() < 0.1
        while balance < need[household.pk] + rng.choice((0, 5, 10, 20)) + (5 if deducted else 0):
            rule = rng.choice(earning)
            point_award(household=household, rule=rule, day=day, by=None)
            balance += rule.points
        if deducted:
            point_award(household=household, rule=rules[-1], day=day + timedelta(days=3), by=None)
    by_pk = {household.pk: household for household in households}
    for event, person, basket in sorted(plan, key=lambda p: (p[0].date, p[0].pk)):
        merged = {}
        for item, quantity in basket:
            merged[item] = merged.get(item, 0) + quantity
        redemption_create(
            event=event, household=by_pk[person.household_id], person=person, items=list(merged.items()), by=None
        )
    # December is submitted, not yet approved: 太坝 holds its year-end session then, the one
    # open for redeeming (the months before are approved and locked).
    taiba = town.villages.get(name="太坝村")
    redemption_event_save(
        event=RedemptionEvent(village=taiba, date=date(2024, 12, 20), place="太坝村妇女之家"), by=None
    )


# (date, sponsor unit, village or None for the whole town, [(goods, quantity, unit value)], note)
DONATIONS = [
    (date(2024, 3, 8), "县农商银行", None, [("洗衣粉", 100, "12.50"), ("食用油", 50, "65.00")], "三八节捐赠"),
    (date(2024, 5, 20), "镇卫生院", "太坝村", [("毛巾", 60, "8.00"), ("牙膏", 60, "6.50")], ""),
    (date(2024, 6, 12), "两当县狼牙蜜专业合作社", "冯河村", [("挂面", 80, "5.00")], ""),
    (date(2024, 9, 10), "站儿巷镇鑫源商贸有限公司", None, [("大米", 80, "45.00"), ("洗洁精", 100, "9.90")], ""),
    (date(2024, 12, 16), "县农商银行", "太坝村", [("暖水瓶", 30, "28.00")], "年终慰问"),
]


@transaction.atomic
def seed_donations(town: Town) -> None:
    """Sponsor units' donations of 2024: they add stock and no points, so that the year's
    redemption figures stay the seed article's."""
    if Donation.objects.filter(town=town).exists():
        return
    goods = {item.name: item for item in Goods.objects.filter(town=town)}
    villages = {village.name: village for village in town.villages.all()}
    for day, sponsor, village, lines, note in DONATIONS:
        donation_record(
            donation=Donation(town=town, village=villages.get(village), sponsor=sponsor, date=day, note=note),
            lines=[
                DonationLine(goods=goods[name], quantity=quantity, unit_value=Decimal(value))
                for name, quantity, value in lines
            ],
            by=None,
        )


def seed(town: Town) -> None:
    seed_year(town)
    seed_donations(town)  # each part once: a second run adds nothing
