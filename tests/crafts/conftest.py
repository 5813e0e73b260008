from datetime import date
from decimal import Decimal

import pytest

from crafts.models import CraftSale, Craftswoman
from crafts.services import craft_sale_record, craftswoman_register
from federation.models import Activity
from tests.factories import ActivityFactory, PersonFactory

DAY = date(2024, 5, 10)


def register(person, *, trainings=None, by=None, **fields) -> Craftswoman:
    fields = {"craft": Craftswoman.Craft.WEAVING, "joined_on": date(2024, 1, 1), **fields}
    return craftswoman_register(craftswoman=Craftswoman(person=person, **fields), trainings=trainings, by=by)


def sell(craftswoman, *, by=None, **fields) -> CraftSale:
    fields = {"date": DAY, "channel": CraftSale.Channel.LIVESTREAM, "amount": Decimal("100.00"), **fields}
    return craft_sale_record(sale=CraftSale(craftswoman=craftswoman, **fields), by=by)


@pytest.fixture
def woman(taiba):
    return PersonFactory(village=taiba, name="巧手李", born=date(1980, 3, 3))


@pytest.fixture
def craftswoman(woman):
    return register(woman, workshop="太坝编织合作社")


@pytest.fixture
def training(town):
    return ActivityFactory(town=town, kind=Activity.Kind.CRAFT_TRAINING, title="手工编织技能提升培训", date=DAY)
