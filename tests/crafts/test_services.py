"""The rules of the register and the sales, through the services and the ORM directly."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crafts.models import CraftSale, Craftswoman
from crafts.services import craft_sale_update, craftswoman_delete, craftswoman_update
from federation.core.submissions import submission_approve, submission_submit
from federation.models import Activity
from tests.crafts.conftest import register, sell
from tests.factories import ActivityFactory, CraftSaleFactory, PersonFactory


def test_register_a_craftswoman_with_her_trainings(woman, training, town_admin):
    entry = register(woman, trainings=[training], workshop="太坝编织合作社", by=town_admin)
    assert (entry.recorded_by, list(entry.trainings.all())) == (town_admin, [training])
    assert entry.history.latest().history_user == town_admin
    assert str(entry) == "巧手李"  # a name, never an ID number


def test_a_craftswoman_is_a_woman(taiba):
    man = PersonFactory(village=taiba, name="王师傅", female=False)
    with pytest.raises(ValidationError) as error:
        register(man)
    assert error.value.message_dict["person"] == ["王师傅 不是女性。"]


def test_one_register_entry_per_woman(craftswoman, woman):
    with pytest.raises(ValidationError) as error:
        register(woman)
    assert error.value.messages == [_("This woman is already on the register of craftswomen.")]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        Craftswoman.objects.create(person=woman, joined_on=date(2024, 2, 1))


def test_trainings_are_craft_skills_trainings(woman, training, town):
    other = ActivityFactory(town=town, kind=Activity.Kind.TRAINING, title="妇联执委履职培训")
    with pytest.raises(ValidationError) as error:
        register(woman, trainings=[training, other])
    assert error.value.message_dict["trainings"] == [
        _("Not a craft skills training: %(titles)s.") % {"titles": "妇联执委履职培训"}
    ]
    assert not Craftswoman.objects.exists()  # nothing half-written


def test_update_replaces_the_trainings_only_when_given(craftswoman, training, clerk):
    craftswoman_update(craftswoman=craftswoman, trainings=[training], by=clerk)
    craftswoman.workshop = "新工坊"
    craftswoman_update(craftswoman=craftswoman, by=clerk)
    craftswoman.refresh_from_db()
    assert (craftswoman.workshop, list(craftswoman.trainings.all())) == ("新工坊", [training])
    assert craftswoman.history.latest().history_user == clerk


def test_a_sale_counts_in_the_village_it_was_recorded_in(craftswoman, taiba, fenghe, clerk):
    sale = sell(craftswoman, by=clerk, quantity=4)
    assert (sale.village, sale.recorded_by, sale.quantity) == (taiba, clerk, 4)
    person = craftswoman.person
    person.village = fenghe
    person.household = None
    person.save()
    sale.note = "补记"
    craft_sale_update(sale=sale, by=clerk)  # she moved: the sale stays where it was recorded
    sale.refresh_from_db()
    assert (sale.village, sale.history.latest().history_user) == (taiba, clerk)
    later = sell(craftswoman)
    assert later.village == fenghe


def test_an_amount_is_not_negative(craftswoman):
    with pytest.raises(ValidationError) as error:
        sell(craftswoman, amount=Decimal("-1"))
    assert error.value.messages == ["金额不能为负数。"]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        CraftSaleFactory(craftswoman=craftswoman, amount=Decimal("-1"))
    assert not CraftSale.objects.exists()


def test_a_channel_is_required_and_one_of_three(craftswoman):
    with pytest.raises(ValidationError) as error:
        sell(craftswoman, channel="wechat")
    assert list(error.value.message_dict) == ["channel"]


def test_a_woman_with_sales_stays_on_the_register(craftswoman):
    sell(craftswoman)
    with pytest.raises(ValidationError) as error:
        craftswoman_delete(craftswoman=craftswoman, by=None)
    assert error.value.messages == [_("%(name)s has sales on record and stays on the register.") % {"name": "巧手李"}]


def test_an_approved_month_refuses_sales(craftswoman, taiba, clerk, town_admin):
    submission = submission_submit(village=taiba, day=date(2024, 3, 10), note="本月无记录", by=clerk)
    submission_approve(submission=submission, by=town_admin)
    with pytest.raises(ValidationError) as error:
        sell(craftswoman, date=date(2024, 3, 15), by=clerk)
    assert error.value.message_dict["date"][0].startswith("2024年3月（太坝村）已审核锁定")
    sale = sell(craftswoman, date=date(2024, 4, 1), by=clerk)  # April is open
    sale.date = date(2024, 3, 31)  # and a sale cannot be moved into March
    with pytest.raises(ValidationError):
        craft_sale_update(sale=sale, by=clerk)
    with pytest.raises(ValidationError):  # nor written there through the ORM
        CraftSaleFactory(craftswoman=craftswoman, date=date(2024, 3, 2))
    assert list(CraftSale.objects.values_list("date", flat=True)) == [date(2024, 4, 1)]
