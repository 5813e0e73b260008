"""The demo town's points supermarket: rules, goods, households earning points month by month,
and redemption sessions — in 2024 the seed article's 142 sessions, in which 588 people
redeemed 18,510 points, and in the current year a few sessions in each village up to today.
The goods are bought in at the start of each month for the month's sessions (a village shelf
holds tens of each, not thousands), and sponsor units donated some in 2024.

Everything is planned first, then written day by day in date order, each day as on that day
(federation.core.demo.on): stock bought in, donations, awards, redemptions, deductions. So every
ledger line's balance and every stock line's stock follow the dates, and balances, stock and
ledgers agree (points_check is clean). Sessions, redemptions, restocks and donations go
through the services; awards, thousands of them, are written in bulk as point_award writes
them, the balances moved by one conditional UPDATE per day and amount."""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from io import BytesIO

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from PIL import Image

from federation.core.demo import START, YEAR, current_year, on, seed_day
from federation.core.models import Town
from federation.models import Household, Person
from points.models import (
    Donation,
    DonationLine,
    Goods,
    PointAppeal,
    PointEntry,
    PointRule,
    RedemptionEvent,
    SupermarketSettings,
)
from points.services import (
    donation_record,
    goods_restock,
    goods_save,
    point_appeal_check,
    point_appeal_decide,
    point_appeal_record,
    point_claim_record,
    point_claim_review,
    point_posting_create,
    point_rule_save,
    redemption_create,
    redemption_event_save,
    supermarket_settings_save,
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
# Name, unit, points, and how many the town keeps beyond a month's redemptions when it buys
# in: the dear goods run low (the home page's "low in stock", at 10 or fewer).
GOODS = [
    ("食盐", "袋", 5, 20),
    ("洗衣皂", "块", 10, 15),
    ("牙膏", "支", 15, 15),
    ("洗洁精", "瓶", 20, 15),
    ("毛巾", "条", 15, 15),
    ("洗衣粉", "袋", 25, 15),
    ("挂面", "把", 10, 15),
    ("食用油", "桶", 50, 5),
    ("大米", "袋", 40, 8),
    ("暖水瓶", "个", 30, 2),
]
# (date, sponsor unit, village or None for the whole town, [(goods, quantity, unit value)], note)
DONATIONS = [
    (date(2024, 3, 8), "县农商银行", None, [("洗衣粉", 100, "12.50"), ("食用油", 50, "65.00")], "三八节捐赠"),
    (date(2024, 5, 20), "镇卫生院", "太坝村", [("毛巾", 60, "8.00"), ("牙膏", 60, "6.50")], ""),
    (date(2024, 6, 12), "两当县狼牙蜜专业合作社", "冯河村", [("挂面", 80, "5.00")], ""),
    (date(2024, 9, 10), "站儿巷镇鑫源商贸有限公司", None, [("大米", 80, "45.00"), ("洗洁精", 100, "9.90")], ""),
    (date(2024, 12, 16), "县农商银行", "太坝村", [("暖水瓶", 30, "28.00")], "年终慰问"),
]


@dataclass
class Day:
    """What the demo writes on one day, in this order."""

    restocks: list = field(default_factory=list)  # (goods, quantity, note)
    donations: list = field(default_factory=list)  # DONATIONS rows
    awards: list = field(default_factory=list)  # (household, rule)
    redemptions: list = field(default_factory=list)  # (event, household, person, [(goods, quantity)])
    deductions: list = field(default_factory=list)  # (household, rule)


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _months_back(since: date, until: date) -> list[tuple[date, date]]:
    """The months from `until` back to `since`, each cut to the days between them."""
    months, end = [], until
    while end >= since:
        months.append((max(since, end.replace(day=1)), end))
        end = end.replace(day=1) - timedelta(days=1)
    return months


def _plan_2024(town, rng, rules, goods, days: defaultdict) -> None:
    """2024 as the seed article counts it: 142 sessions, 588 people, 18,510 points. Each
    household earns its points over the months before it spends them. (Long: the year's
    sessions, awards and redemptions are planned together, so that the figures add up.)"""
    salt = goods[0]
    villages = list(town.villages.order_by("sort_order"))
    events = []
    for index in range(SESSIONS):
        village = villages[index % len(villages)]
        day = date(2024, 1, 15) + timedelta(days=index * 340 // SESSIONS)
        with on(day, time(8)):
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

    # Baskets first, so each household can earn its points before it spends them. Each
    # session of a village takes its share of those still to come.
    plan = []  # (event, person, [(goods, quantity)])
    spent = 0
    sessions_left = Counter(event.village_id for event in events)
    for event in events:
        queue = by_village.get(event.village_id) or []
        take = -(-len(queue) // sessions_left[event.village_id])
        sessions_left[event.village_id] -= 1
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
    # Trim (a goods from each basket of more than 10 points in turn, in an order that runs
    # through the year) or top up with salt (5 points) until the year's total is exact.
    order = list(range(len(plan)))
    rng.shuffle(order)
    index = 0
    while spent > POINTS:
        event, person, basket = plan[order[index % len(order)]]
        index += 1
        if sum(g.points_price * q for g, q in basket) <= 10:
            continue
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

    spends = defaultdict(list)  # household → [(day, points)]
    for event, person, basket in plan:
        spends[person.household_id].append((event.date, sum(g.points_price * q for g, q in basket)))
    households = Household.objects.in_bulk(list(spends))
    for event, person, basket in plan:
        days[event.date].redemptions.append((event, households[person.household_id], person, basket))
    earning = [rule for rule in rules if rule.points > 0]
    year_end = date(2024, 12, 31)
    for pk in sorted(households):
        household, spending = households[pk], sorted(spends[pk], key=lambda spend: spend[0])
        deducted = rng.random() < 0.1
        spare = rng.choice((0, 5, 10, 20)) + (5 if deducted else 0)
        # The awards that cover a redemption fall in the months before it (since the one
        # before), one a month going back as far as there are months; what is left over after
        # the last one, in the months to the year's end.
        earned, owed, since, last = 0, 0, START, START
        for day, points in [*spending, (year_end, spare)]:
            owed += points
            months = _months_back(since, day)
            count = 0 if day < year_end else rng.randrange(len(months))  # the spare: any month
            while earned < owed:
                rule = rng.choice(earning)
                award_day = _day_between(rng, *months[count % len(months)])
                days[award_day].awards.append((household, rule))
                earned, count, last = earned + rule.points, count + 1, max(last, award_day)
            since = day
        if deducted:
            days[_day_between(rng, max(last, spending[-1][0]), year_end)].deductions.append((household, rules[-1]))
    # December is submitted, not yet approved: 太坝 holds its year-end session then, the one
    # open for redeeming (the months before are approved and locked).
    taiba = town.villages.get(name="太坝村")
    with on(date(2024, 12, 20), time(8)):
        redemption_event_save(
            event=RedemptionEvent(village=taiba, date=date(2024, 12, 20), place="太坝村妇女之家"), by=None
        )
    for row in DONATIONS:
        days[row[0]].donations.append(row)


def _redeemer(members: list[Person]) -> Person | None:
    """Who comes to the session for a household: a resident woman, else its head."""
    women = [p for p in members if p.sex == "F" and p.status == "resident" and p.birth_date <= date(2000, 1, 1)]
    if women:
        return women[0]
    heads = [p for p in members if p.relation_to_head == Person.Relation.SELF and p.status == "resident"]
    return heads[0] if heads else None


def _plan_this_year(town, rng, rules, goods, days: defaultdict, balances: Counter, year: int, today: date) -> None:
    """The current year up to today: every village inspects its households each month (one in
    eight earns points, a few lose some), and each village holds a session every three months,
    where households with points redeem; 太坝 holds one today. (Long for the reason
    _plan_2024 is.)"""
    villages = list(town.villages.order_by("sort_order"))
    households = defaultdict(list)
    for household in Household.objects.filter(village__town=town).order_by("pk"):
        households[household.village_id].append(household)
    members = defaultdict(list)
    for person in Person.objects.filter(village__town=town, household__isnull=False).order_by("id_number"):
        members[person.household_id].append(person)
    earning = [rule for rule in rules if rule.points > 0]
    weights = [4 if rule.category == PointRule.Category.SANITATION else 2 for rule in earning]
    taking = [rule for rule in rules if rule.points < 0]
    # The sessions, planned before the awards so that the awards of a session's day come first.
    sessions = []
    for index, village in enumerate(villages):
        for month in range(1, 13):
            day = date(year, month, min(8 + index, 28))
            if (month + index) % 3 == 0 and day < today:
                sessions.append((day, village))
        if village.name == "太坝村":
            sessions.append((today, village))
    sessions.sort(key=lambda session: (session[0], session[1].sort_order))
    inspections = []
    for month in range(1, today.month + 1):
        for index, village in enumerate(villages):
            day = date(year, month, 3 + 2 * index)
            if day <= today:
                inspections.append((day, village))

    # Both in date order, inspections first on a day: the balances decide who can redeem.
    steps = [(day, 0, village) for day, village in inspections] + [(day, 1, village) for day, village in sessions]
    for day, kind, village in sorted(steps, key=lambda step: (step[0], step[1], step[2].sort_order)):
        if kind == 0:
            for household in households[village.pk]:
                roll = rng.random()
                if roll < 0.12:
                    rule = rng.choices(earning, weights)[0]
                    days[day].awards.append((household, rule))
                    balances[household.pk] += rule.points
                elif roll < 0.13 and balances[household.pk] >= 5:
                    days[day].deductions.append((household, rng.choice(taking)))
                    balances[household.pk] -= 5
            continue
        with on(day, time(8)):
            event = redemption_event_save(
                event=RedemptionEvent(village=village, date=day, place=f"{village.name}妇女之家"), by=None
            )
        able = [household for household in households[village.pk] if balances[household.pk] >= 30]
        for household in rng.sample(able, min(len(able), rng.randint(3, 6))):
            person = _redeemer(members[household.pk])
            if person is None:
                continue
            budget, basket = min(balances[household.pk], rng.choice((30, 40, 50, 60, 80))), Counter()
            for item in rng.sample(goods[1:], 4):
                if item.points_price <= budget:
                    quantity = rng.randint(1, max(1, min(2, budget // item.points_price)))
                    basket[item] += quantity
                    budget -= item.points_price * quantity
            if not basket:
                continue
            days[day].redemptions.append((event, household, person, list(basket.items())))
            balances[household.pk] -= sum(item.points_price * quantity for item, quantity in basket.items())


def _plan_stock(goods, days: defaultdict) -> None:
    """Buy in at the start of each month what the month's sessions take, with the goods' spare
    (January 2024: at the year's start); donations add to it. Stock never goes below zero."""
    needs = defaultdict(Counter)  # (year, month) → goods → quantity
    donated = defaultdict(Counter)
    for day, planned in days.items():
        for _event, _household, _person, basket in planned.redemptions:
            for item, quantity in basket:
                needs[(day.year, day.month)][item] += quantity
        for _day, _sponsor, _village, lines, _note in planned.donations:
            for name, quantity, _value in lines:
                donated[(day.year, day.month)][name] += quantity
    spare = {name: extra for name, _unit, _points, extra in GOODS}
    stock = Counter()
    for year, month in sorted(needs.keys() | donated.keys()):
        day = START if (year, month) == (YEAR, 1) else date(year, month, 1)
        for item in goods:
            want = needs[(year, month)][item] + spare[item.name]
            if stock[item] < want:
                quantity = -(-(want - stock[item]) // 10) * 10  # whole cartons of ten
                days[day].restocks.append((item, quantity, "年初入库" if day == START else "月初采购入库"))
                stock[item] += quantity
            stock[item] += donated[(year, month)][item.name] - needs[(year, month)][item]


def _write_awards(day: date, lines: list, balances: Counter) -> None:
    """The day's awards or deductions as point_award writes them: a ledger line each, with the
    balance after it, and each balance moved by one conditional UPDATE per amount."""
    entries, moves = [], Counter()
    for household, rule in lines:
        balances[household.pk] += rule.points
        moves[household.pk] += rule.points
        entries.append(
            PointEntry(
                household=household,
                village_id=household.village_id,
                rule=rule,
                kind=PointEntry.Kind.AWARD if rule.points > 0 else PointEntry.Kind.DEDUCTION,
                points=rule.points,
                balance_after=balances[household.pk],
                date=day,
            )
        )
    PointEntry.objects.bulk_create(entries)
    by_amount = defaultdict(list)
    for pk, points in moves.items():
        by_amount[points].append(pk)
    for points, pks in by_amount.items():
        moved = Household.objects.filter(pk__in=pks, points_balance__gte=-points).update(
            points_balance=F("points_balance") + points
        )
        if moved != len(pks):
            raise RuntimeError("The demo's plan took a balance below zero.")


def _write(town, days: dict, balances: Counter) -> None:
    goods = {item.name: item for item in Goods.objects.filter(town=town)}
    villages = {village.name: village for village in town.villages.all()}
    for day in sorted(days):
        planned = days[day]
        with on(day, time(8, 30)):  # bought in before the day's sessions
            for item, quantity, note in planned.restocks:
                goods_restock(goods=item, quantity=quantity, by=None, note=note)
        for when, sponsor, village, lines, note in planned.donations:
            with on(when, time(8, 45)):
                donation_record(
                    donation=Donation(town=town, village=villages.get(village), sponsor=sponsor, date=when, note=note),
                    lines=[
                        DonationLine(goods=goods[name], quantity=quantity, unit_value=Decimal(value))
                        for name, quantity, value in lines
                    ],
                    by=None,
                )
        if planned.awards:
            with on(day, time(9)):
                _write_awards(day, planned.awards, balances)
        with on(day, time(10)):
            for event, household, person, basket in planned.redemptions:
                merged = Counter()
                for item, quantity in basket:
                    merged[item] += quantity
                redemption = redemption_create(
                    event=event, household=household, person=person, items=list(merged.items()), by=None
                )
                balances[household.pk] -= redemption.total_points
        if planned.deductions:
            with on(day, time(16)):
                _write_awards(day, planned.deductions, balances)


@transaction.atomic
def seed(town: Town) -> None:
    if PointEntry.objects.filter(household__village__town=town).exists():
        return  # each part once: a second run adds nothing
    rng = random.Random(SEED)
    with on(START, time(8)):
        rules = [
            point_rule_save(rule=PointRule(town=town, category=c, description=d, points=p), by=None)
            for c, d, p in RULES
        ]
        goods = [
            goods_save(goods=Goods(town=town, name=n, unit=u, points_price=p, low_stock=10), by=None)
            for n, u, p, _spare in GOODS
        ]
    days = defaultdict(Day)
    _plan_2024(town, rng, rules, goods, days)
    today = seed_day()
    year = current_year(today)
    if year is not None:
        # What each household has left at the end of 2024, which this year's plan spends from.
        balances = Counter()
        for planned in days.values():
            for household, rule in planned.awards + planned.deductions:
                balances[household.pk] += rule.points
            for _event, household, _person, basket in planned.redemptions:
                balances[household.pk] -= sum(item.points_price * quantity for item, quantity in basket)
        _plan_this_year(town, random.Random(SEED + year), rules, goods, days, balances, year, today)
    _plan_stock(goods, days)
    _write(town, days, Counter())
    _seed_review(town, rules)
    if year is not None:
        _seed_claims(town, today)
        _seed_posting(town, today)


# How the town runs each rule in the open (the plan above writes the ledger as it was): the
# honours and the care of the elderly need review, volunteering a photo, the assembly a cap.
REVIEWED = {
    "评为“最美家庭”": {"review": PointRule.Review.TWO},
    "参加志愿服务": {"review": PointRule.Review.ONE, "evidence_required": True},
    "婚事新办、丧事简办": {"review": PointRule.Review.ONE},
    "参加村民议事会": {"cap": 10, "cap_period": PointRule.CapPeriod.MONTH},
    "乱堆乱放": {"review": PointRule.Review.ONE},
}


def _seed_review(town: Town, rules: list[PointRule]) -> None:
    with on(START, time(8)):
        for rule in rules:
            for name, value in REVIEWED.get(rule.description, {}).items():
                setattr(rule, name, value)
            if rule.description in REVIEWED:
                point_rule_save(rule=rule, by=None)
        point_rule_save(
            rule=PointRule(
                town=town,
                category=PointRule.Category.FAMILY,
                description="照顾孤寡老人",
                points=15,
                review=PointRule.Review.TWO,
                evidence_required=True,
                cap=30,
            ),
            by=None,
        )


def _photo(name: str) -> ContentFile:
    """A stand-in for a clerk's photo: a plain picture, as a phone's JPEG."""
    buffer = BytesIO()
    Image.new("RGB", (640, 480), (196, 214, 160)).save(buffer, "JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name=name)


def _seed_claims(town: Town, today: date) -> None:
    """Today's claims in 太坝: recorded by its clerk in the morning, some
    approved by the town, one returned with the reason, the rest waiting — the reviewer's work
    list on the home page. A volunteer claim carries its photo."""
    User = get_user_model()
    clerk, chair, town_admin = (User.objects.filter(username=name).first() for name in ("taiba", "chair", "town"))
    taiba = town.villages.get(name="太坝村")
    rules = {rule.description: rule for rule in PointRule.objects.filter(town=town)}
    households = list(Household.objects.filter(village=taiba).select_related("village").order_by("number")[:8])
    claims = [
        ("评为“最美家庭”", "村民推荐，入户查看属实", "approve"),
        ("参加志愿服务", "参加清洁家园志愿活动", "approve"),
        ("婚事新办、丧事简办", "喜事新办，未大操大办", "return"),
        ("照顾孤寡老人", "每周帮邻居五保老人挑水", "wait"),
        ("参加志愿服务", "参加防溺水宣传", "wait"),
        ("评为“最美家庭”", "", "wait"),
        ("婚事新办、丧事简办", "丧事简办", "wait"),
        ("乱堆乱放", "柴草堆放路边", "wait"),
    ]
    for index, (household, (rule, note, outcome)) in enumerate(zip(households, claims, strict=True)):
        # Today's, recorded after the plan's lines: an approved claim's line, dated as the claim,
        # comes last in its household's ledger, so that every balance follows the one before.
        day = today
        rule = rules[rule]
        evidence = _photo(f"claim-{index + 1}.jpg") if rule.evidence_required else None
        with on(day, time(10, 15 + index)):
            claim = point_claim_record(household=household, rule=rule, day=day, by=clerk, note=note, evidence=evidence)
        with on(day, time(16, index)):
            if outcome == "approve":
                for reviewer in (chair, town_admin)[: claim.reviews_needed]:
                    point_claim_review(claim=claim, by=reviewer, approve=True)
            elif outcome == "return":
                point_claim_review(claim=claim, by=chair, approve=False, reason="未见相关证明，请补充后重新申报")


def _seed_posting(town: Town, today: date) -> None:
    """太坝 posts last month this morning (this month, on a day when last month holds no
    lines); two households come to appeal: one line is checked and upheld, one missing award of
    the village assembly is corrected by a line citing the appeal. The answers are printable."""
    User = get_user_model()
    clerk = User.objects.filter(username="taiba").first()
    taiba = town.villages.get(name="太坝村")
    with on(START, time(8)):
        supermarket_settings_save(
            settings=SupermarketSettings(town=town, appeal_days=7, contact="太坝村妇联主席；镇妇联办公室 0939-7212345"),
            by=None,
        )
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    awards = PointEntry.objects.filter(village=taiba, kind=PointEntry.Kind.AWARD, claim__isnull=True)
    month = last_month if awards.filter(date__gte=last_month, date__lt=today.replace(day=1)).exists() else today
    month = month.replace(day=1)
    with on(today, time(8, 45)):
        posting = point_posting_create(village=taiba, month=month, by=clerk)
    lines = awards.filter(date__gte=month, date__lte=today).select_related("household").order_by("date", "pk")
    appealed = lines.first()
    if appealed is None:  # the first of January: nothing posted has a line yet
        return
    missing = Household.objects.filter(village=taiba).exclude(pk=appealed.household_id).order_by("number").last()
    assembly = PointRule.objects.get(town=town, description="参加村民议事会")
    with on(today, time(9, 30)):
        upheld = point_appeal_record(
            appeal=PointAppeal(
                household=appealed.household,
                village=taiba,
                entry=appealed,
                statement="家里院子一直打扫得很干净，认为这次加分少了。",
            ),
            by=clerk,
        )
        corrected = point_appeal_record(
            appeal=PointAppeal(
                household=missing, village=taiba, posting=posting, statement="上月参加了村民议事会，公示上没有记分。"
            ),
            by=clerk,
        )
    with on(today, time(11)):
        for appeal in (upheld, corrected):
            point_appeal_check(appeal=appeal, by=clerk)
    with on(today, time(15)):
        point_appeal_decide(
            appeal=upheld,
            outcome=PointAppeal.Status.UPHELD,
            reason="核对评比记录，这次按细则加分无误，维持原积分。",
            by=clerk,
        )
        point_appeal_decide(
            appeal=corrected,
            outcome=PointAppeal.Status.CORRECTED,
            reason="核对议事会签到表，该户确有参加，补记积分。",
            by=clerk,
            rule=assembly,
        )
