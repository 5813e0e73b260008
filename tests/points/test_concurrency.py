"""Redemptions racing each other on PostgreSQL: no point is spent twice, no stock goes
below zero, and balances and stock equal their ledgers. (SQLite serialises writers, which
would hide the race: these run on PostgreSQL only.)"""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from federation.models import Household
from points.management.commands.points_check import mismatches
from points.models import Goods, PointEntry, PointRule, Redemption, RedemptionEvent
from points.services import goods_restock, point_award, redemption_create
from tests.factories import HouseholdFactory, PersonFactory, TownFactory, VillageFactory

# serialized_rollback: the test leaves the database as the migrations made it (roles included)
# for the transactional tests after it in its worker; a plain flush re-creates the content types
# under new keys, which a later test's restore (tests/aid/test_visit_migration.py) trips on.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
THREADS = 20


def race(work) -> tuple[int, int]:
    """Run work(i) in THREADS threads released together; count successes and refusals."""
    barrier = threading.Barrier(THREADS)
    results = []

    def run(i):
        try:
            barrier.wait()
            work(i)
            results.append(True)
        except ValidationError:
            results.append(False)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results.count(True), results.count(False)


@pytest.fixture
def setup():
    town = TownFactory()
    village = VillageFactory(town=town, name="太坝村")
    event = RedemptionEvent.objects.create(village=village, date=date(2024, 5, 1))
    return town, village, event


def family(village, number):
    household = HouseholdFactory(village=village, number=number)
    head = PersonFactory(village=village, household=household)
    household.head = head
    household.save()
    return household


def test_one_household_whose_balance_covers_seven_of_twenty(setup):
    town, village, event = setup
    household = family(village, "H1")
    rule = PointRule.objects.create(town=town, category="sanitation", description="七次", points=70)
    point_award(household=household, rule=rule, day=event.date, by=None)
    goods = Goods.objects.create(town=town, name="洗衣皂", points_price=10)
    goods_restock(goods=goods, quantity=100, by=None)

    won, refused = race(
        lambda i: redemption_create(
            event=event, household=household, person=household.head, items=[(goods, 1)], by=None
        )
    )
    assert (won, refused) == (7, 13)
    assert Household.objects.get(pk=household.pk).points_balance == 0
    assert Goods.objects.get(pk=goods.pk).stock == 93
    assert Redemption.objects.count() == 7 and PointEntry.objects.filter(kind="redemption").count() == 7
    assert mismatches() == []


def test_twenty_households_competing_for_goods_with_stock_five(setup):
    town, village, event = setup
    rule = PointRule.objects.create(town=town, category="sanitation", description="足够", points=100)
    households = [family(village, f"H{i}") for i in range(THREADS)]
    for household in households:
        point_award(household=household, rule=rule, day=event.date, by=None)
    goods = Goods.objects.create(town=town, name="食用油", points_price=30)
    goods_restock(goods=goods, quantity=5, by=None)

    won, refused = race(
        lambda i: redemption_create(
            event=event, household=households[i], person=households[i].head, items=[(goods, 1)], by=None
        )
    )
    assert (won, refused) == (5, 15)
    assert Goods.objects.get(pk=goods.pk).stock == 0
    assert (
        sorted(h.points_balance for h in Household.objects.filter(pk__in=[h.pk for h in households]))
        == [70] * 5 + [100] * 15
    )
    assert mismatches() == []


def test_twenty_submissions_of_the_same_form_record_one_redemption(setup):
    import uuid

    town, village, event = setup
    household = family(village, "H1")
    rule = PointRule.objects.create(town=town, category="sanitation", description="足够", points=100)
    point_award(household=household, rule=rule, day=event.date, by=None)
    goods = Goods.objects.create(town=town, name="洗衣皂", points_price=10)
    goods_restock(goods=goods, quantity=100, by=None)
    token = uuid.uuid4()
    returned = []

    def submit(i):
        returned.append(
            redemption_create(
                event=event, household=household, person=household.head, items=[(goods, 1)], by=None, token=token
            ).pk
        )

    assert race(submit) == (THREADS, 0)
    assert Redemption.objects.count() == 1 and set(returned) == {Redemption.objects.get().pk}
    assert Household.objects.get(pk=household.pk).points_balance == 90
    assert Goods.objects.get(pk=goods.pk).stock == 99
    assert mismatches() == []
