"""The saves of rules, goods and sessions record who made them; every points service goes
through its model's full_clean, Redemption.clean included."""

from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from federation.models import Household
from points.management.commands.points_check import mismatches
from points.models import Goods, PointEntry, PointRule, Redemption, RedemptionEvent, StockLine
from points.services import (
    goods_restock,
    goods_save,
    point_award,
    point_rule_save,
    redemption_create,
    redemption_event_save,
)
from tests.factories import PersonFactory

DAY = date(2024, 5, 1)


def test_a_rule_save_records_who_and_refuses_zero_points(town, town_admin):
    rule = point_rule_save(
        rule=PointRule(town=town, category=PointRule.Category.CUSTOMS, description="婚事新办", points=20), by=town_admin
    )
    assert rule.history.get().history_user == town_admin
    rule.points = 0
    with pytest.raises(ValidationError) as raised:
        point_rule_save(rule=rule, by=town_admin)
    assert raised.value.messages == ["积分细则的分值不能为 0。"]
    assert PointRule.objects.get(pk=rule.pk).points == 20 and rule.history.count() == 1


def test_a_goods_save_records_who_and_refuses_a_price_of_nothing_or_a_second_name(town, town_admin, oil):
    goods = goods_save(goods=Goods(town=town, name="牙膏", unit="支", points_price=15), by=town_admin)
    assert goods.history.get().history_user == town_admin
    refused = [("points_price", 0, "商品的兑换积分至少为 1。"), ("name", "食用油", "已有同名商品。")]
    for name, value, message in refused:
        candidate = Goods.objects.get(pk=goods.pk)
        setattr(candidate, name, value)
        with pytest.raises(ValidationError) as raised:
            goods_save(goods=candidate, by=town_admin)
        assert raised.value.messages == [message]
    assert Goods.objects.filter(name="牙膏", points_price=15).exists() and goods.history.count() == 1


def test_a_goods_save_never_writes_the_stock_it_read(oil, town_admin, clerk):
    read_with_the_form = Goods.objects.get(pk=oil.pk)
    goods_restock(goods=oil, quantity=5, by=clerk)  # while the form was open
    read_with_the_form.points_price = 35
    goods_save(goods=read_with_the_form, by=town_admin)
    oil.refresh_from_db()
    assert (oil.points_price, oil.stock) == (35, 15)
    assert oil.history.latest().history_user == town_admin
    assert mismatches() == []


def test_a_session_save_records_who_and_refuses_a_missing_date(taiba, clerk):
    event = redemption_event_save(event=RedemptionEvent(village=taiba, date=DAY, place="妇女之家"), by=clerk)
    assert event.history.get().history_user == clerk
    event.date = None
    with pytest.raises(ValidationError) as raised:
        redemption_event_save(event=event, by=clerk)
    assert raised.value.message_dict == {"date": ["这个值不能为 null。"]}


def test_a_session_with_redemptions_stays_in_its_village(family, rule, oil, event, fenghe, clerk):
    empty = redemption_event_save(event=RedemptionEvent(village=event.village, date=DAY), by=clerk)
    empty.village = fenghe
    redemption_event_save(event=empty, by=clerk)  # nothing redeemed there yet: it may move
    point_award(household=family, rule=rule, day=DAY, by=None)
    redemption_create(event=event, household=family, person=family.head, items=[(oil, 1)], by=clerk)
    event.village = fenghe
    with pytest.raises(ValidationError) as raised:
        redemption_event_save(event=event, by=clerk)
    assert raised.value.message_dict == {"village": ["本次兑换活动已有兑换记录，不能更改村(社区)。"]}
    assert RedemptionEvent.objects.get(pk=event.pk).village == family.village


def test_redemption_create_reaches_redemption_clean(family, rule, oil, event):
    """If the service stopped calling full_clean, Redemption.clean would be dead code again."""
    point_award(household=family, rule=rule, day=DAY, by=None)

    def planted(redemption):
        raise ValidationError("planted by the test")

    with mock.patch.object(Redemption, "clean", planted), pytest.raises(ValidationError) as raised:
        redemption_create(event=event, household=family, person=family.head, items=[(oil, 1)], by=None)
    assert raised.value.messages == ["planted by the test"]
    assert not Redemption.objects.exists() and PointEntry.objects.count() == 1


def test_a_person_of_another_household_is_refused_by_redemption_clean(family, rule, oil, event, taiba):
    point_award(household=family, rule=rule, day=DAY, by=None)
    stranger = PersonFactory(village=taiba)
    with pytest.raises(ValidationError) as raised:
        redemption_create(event=event, household=family, person=stranger, items=[(oil, 1)], by=None)
    assert raised.value.message_dict == {"person": ["该人员不是本户成员。"]}
    assert Household.objects.get(pk=family.pk).points_balance == 50 and Goods.objects.get(pk=oil.pk).stock == 10


def test_a_redemption_records_who_on_every_line_with_a_fresh_token_each(family, rule, soap, oil, event, clerk):
    point_award(household=family, rule=rule, day=DAY, by=None)
    first = redemption_create(event=event, household=family, person=family.head, items=[(oil, 1)], by=clerk)
    second = redemption_create(event=event, household=family, person=family.head, items=[(soap, 1)], by=clerk)
    assert first.token != second.token
    assert Redemption.objects.get(pk=first.pk).recorded_by == clerk
    assert set(PointEntry.objects.filter(kind="redemption").values_list("recorded_by", flat=True)) == {clerk.pk}
    assert set(StockLine.objects.filter(kind="redemption").values_list("recorded_by", flat=True)) == {clerk.pk}


def test_an_award_and_a_restock_go_through_full_clean(family, rule, oil):
    with pytest.raises(ValidationError) as raised:
        point_award(household=family, rule=rule, day=DAY, by=None, note="长" * 201)
    assert raised.value.message_dict == {"note": ["确保该变量包含不超过 200 字符 (目前字符数 201)。"]}
    with pytest.raises(ValidationError) as raised:
        goods_restock(goods=oil, quantity=1, by=None, note="长" * 201)
    assert raised.value.message_dict == {"note": ["确保该变量包含不超过 200 字符 (目前字符数 201)。"]}
    assert Household.objects.get(pk=family.pk).points_balance == 0 and Goods.objects.get(pk=oil.pk).stock == 10
    assert mismatches() == []
