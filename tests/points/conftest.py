from datetime import date

import pytest

from federation.models import Person
from points.models import Goods, PointRule, RedemptionEvent
from points.services import goods_restock
from tests.factories import HouseholdFactory, PersonFactory


@pytest.fixture
def rule(town):
    return PointRule.objects.create(
        town=town, category=PointRule.Category.SANITATION, description="庭院整洁", points=50
    )


@pytest.fixture
def deduction(town):
    return PointRule.objects.create(
        town=town, category=PointRule.Category.SANITATION, description="乱堆乱放", points=-20
    )


@pytest.fixture
def soap(town):
    goods = Goods.objects.create(town=town, name="洗衣皂", unit="块", points_price=10)
    goods_restock(goods=goods, quantity=5, by=None)
    goods.refresh_from_db()
    return goods


@pytest.fixture
def oil(town):
    goods = Goods.objects.create(town=town, name="食用油", unit="桶", points_price=30)
    goods_restock(goods=goods, quantity=10, by=None)
    goods.refresh_from_db()
    return goods


@pytest.fixture
def event(taiba):
    return RedemptionEvent.objects.create(village=taiba, date=date(2024, 5, 1), place="太坝村委会")


@pytest.fixture
def family(taiba):
    """A 太坝 household with its head and one more member."""
    household = HouseholdFactory(village=taiba, number="TB-100")
    head = PersonFactory(village=taiba, household=household, name="王大姐")
    PersonFactory(village=taiba, household=household, name="王小妹", relation_to_head=Person.Relation.DAUGHTER)
    household.head = head
    household.save()
    return household
