"""Every rule of the points services, with its Chinese message, and the constraints."""

import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from federation.models import Household
from points.models import Goods, PointEntry, PointRule, Redemption, StockLine
from points.services import (
    goods_restock,
    point_award,
    point_award_many,
    point_entry_reverse,
    redemption_cancel,
    redemption_create,
)
from tests.factories import HouseholdFactory, PersonFactory

DAY = date(2024, 5, 1)


def balance(household) -> int:
    return Household.objects.values_list("points_balance", flat=True).get(pk=household.pk)


def stock(goods) -> int:
    return Goods.objects.values_list("stock", flat=True).get(pk=goods.pk)


def messages(error: ValidationError) -> list[str]:
    return error.messages


def test_award_and_deduct_write_ledger_lines_with_the_balance_after(family, rule, deduction, clerk):
    entry = point_award(household=family, rule=rule, day=DAY, by=clerk, person=family.head)
    assert (entry.kind, entry.points, entry.balance_after, entry.recorded_by) == ("award", 50, 50, clerk)
    entry = point_award(household=family, rule=deduction, day=DAY, by=clerk)
    assert (entry.kind, entry.points, entry.balance_after) == ("deduction", -20, 30)
    assert balance(family) == 30


def test_a_deduction_never_goes_below_zero(family, deduction):
    with pytest.raises(ValidationError) as raised:
        point_award(household=family, rule=deduction, day=DAY, by=None)
    assert messages(raised.value) == ["积分不足：需要 20 分，余额为 0 分。"]
    assert balance(family) == 0 and not PointEntry.objects.exists()


def test_award_many_is_all_or_nothing(family, taiba, rule, deduction):
    other = HouseholdFactory(village=taiba, number="TB-200")
    point_award_many(households=[family, other], rule=rule, day=DAY, by=None)
    assert (balance(family), balance(other)) == (50, 50)
    poor = HouseholdFactory(village=taiba, number="TB-300")
    with pytest.raises(ValidationError) as raised:
        point_award_many(households=[family, other, poor], rule=deduction, day=DAY, by=None)
    assert messages(raised.value) == ["家庭 TB-300：积分不足：需要 20 分，余额为 0 分。"]
    assert (balance(family), balance(other), balance(poor)) == (50, 50, 0)
    assert PointEntry.objects.count() == 2


def test_a_rule_out_of_use_or_of_another_town_awards_nothing(family, rule):
    from federation.core.models import Town

    rule.active = False
    rule.save()
    with pytest.raises(ValidationError) as raised:
        point_award(household=family, rule=rule, day=DAY, by=None)
    assert messages(raised.value) == ["积分细则“庭院整洁”已停用。"]
    elsewhere = PointRule.objects.create(
        town=Town.objects.create(name="别镇", county="两当县"), category="sanitation", description="x", points=5
    )
    with pytest.raises(ValidationError) as raised:
        point_award(household=family, rule=elsewhere, day=DAY, by=None)
    assert messages(raised.value) == ["该积分细则属于其他镇。"]


def test_the_person_must_be_of_the_household(family, rule, taiba):
    stranger = PersonFactory(village=taiba)
    with pytest.raises(ValidationError) as raised:
        point_award(household=family, rule=rule, day=DAY, by=None, person=stranger)
    assert raised.value.message_dict == {"person": ["该人员不是本户成员。"]}


def test_a_reversal_undoes_a_line_once(family, rule, clerk):
    entry = point_award(household=family, rule=rule, day=DAY, by=clerk)
    reversal = point_entry_reverse(entry=entry, by=clerk, reason="录错了户")
    assert (reversal.kind, reversal.points, reversal.reverses, reversal.balance_after) == ("reversal", -50, entry, 0)
    with pytest.raises(ValidationError) as raised:
        point_entry_reverse(entry=entry, by=clerk, reason="再来一次")
    assert messages(raised.value) == ["该条记录已经冲正过。"]
    with pytest.raises(ValidationError) as raised:
        point_entry_reverse(entry=reversal, by=clerk, reason="x")
    assert messages(raised.value) == ["只能冲正积分登记和扣分记录；兑换请用撤销。"]
    assert balance(family) == 0


def test_a_reversal_needs_a_reason_and_cannot_overdraw(family, rule, oil, event):
    entry = point_award(household=family, rule=rule, day=DAY, by=None)
    with pytest.raises(ValidationError) as raised:
        point_entry_reverse(entry=entry, by=None, reason=" ")
    assert messages(raised.value) == ["请填写冲正原因。"]
    redemption_create(event=event, household=family, person=family.head, items=[(oil, 1)], by=None)
    with pytest.raises(ValidationError) as raised:
        point_entry_reverse(entry=entry, by=None, reason="录错")
    assert messages(raised.value) == ["积分不足：需要 50 分，余额为 20 分。"]


def test_redeem_takes_points_and_stock_together(family, rule, soap, oil, event, clerk):
    point_award(household=family, rule=rule, day=DAY, by=None)
    point_award(household=family, rule=rule, day=DAY, by=None)
    redemption = redemption_create(
        event=event, household=family, person=family.head, items=[(oil, 2), (soap, 3)], by=clerk
    )
    assert redemption.total_points == 90
    assert balance(family) == 10 and stock(oil) == 8 and stock(soap) == 2
    line = PointEntry.objects.get(redemption=redemption)
    assert (line.kind, line.points, line.balance_after, line.date) == ("redemption", -90, 10, event.date)
    assert sorted(StockLine.objects.filter(redemption=redemption).values_list("change", "stock_after")) == [
        (-3, 2),
        (-2, 8),
    ]
    assert sorted((i.goods.name, i.quantity, i.unit_points) for i in redemption.items.all()) == [
        ("洗衣皂", 3, 10),
        ("食用油", 2, 30),
    ]


def test_redeem_says_what_was_short_and_writes_nothing(family, rule, soap, oil, event):
    point_award(household=family, rule=rule, day=DAY, by=None)
    with pytest.raises(ValidationError) as raised:
        redemption_create(event=event, household=family, person=family.head, items=[(oil, 1), (soap, 6)], by=None)
    assert messages(raised.value) == ["积分不足：需要 90 分，余额为 50 分。", "洗衣皂不足：需要 6 块，库存 5 块。"]
    assert balance(family) == 50 and stock(soap) == 5 and stock(oil) == 10
    assert not Redemption.objects.exists() and PointEntry.objects.count() == 1


def test_the_same_form_twice_records_one_redemption(family, rule, oil, event):
    point_award(household=family, rule=rule, day=DAY, by=None)
    token = uuid.uuid4()
    first = redemption_create(event=event, household=family, person=family.head, items=[(oil, 1)], by=None, token=token)
    again = redemption_create(event=event, household=family, person=family.head, items=[(oil, 1)], by=None, token=token)
    assert first == again and Redemption.objects.count() == 1 and balance(family) == 20


def test_redeem_checks_village_person_quantity_and_goods(family, rule, oil, event, fenghe):
    from points.models import RedemptionEvent

    point_award(household=family, rule=rule, day=DAY, by=None)
    elsewhere = RedemptionEvent.objects.create(village=fenghe, date=DAY)
    cases = [
        (dict(event=elsewhere, items=[(oil, 1)]), {"household": ["该家庭不属于本次兑换活动所在的村(社区)。"]}),
        (dict(event=event, items=[(oil, 0)]), ["数量至少为 1。"]),
        (dict(event=event, items=[]), ["请至少选择一种商品。"]),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ValidationError) as raised:
            redemption_create(household=family, person=family.head, by=None, **kwargs)
        assert (raised.value.message_dict if isinstance(expected, dict) else raised.value.messages) == expected
    oil.active = False
    oil.save()
    with pytest.raises(ValidationError) as raised:
        redemption_create(event=event, household=family, person=family.head, items=[(oil, 1)], by=None)
    assert messages(raised.value) == ["食用油已下架。"]


def test_cancel_gives_points_and_goods_back_once(family, rule, oil, event, clerk):
    point_award(household=family, rule=rule, day=DAY, by=None)
    redemption = redemption_create(event=event, household=family, person=family.head, items=[(oil, 1)], by=None)
    redemption_cancel(redemption=redemption, by=clerk, reason="拿错了")
    assert balance(family) == 50 and stock(oil) == 10
    redemption.refresh_from_db()
    assert redemption.cancelled_by == clerk and redemption.cancel_reason == "拿错了"
    with pytest.raises(ValidationError) as raised:
        redemption_cancel(redemption=redemption, by=clerk, reason="再撤")
    assert messages(raised.value) == ["该兑换已经撤销过。"]
    assert balance(family) == 50 and stock(oil) == 10


def test_restock_and_corrections(oil, clerk):
    goods_restock(goods=oil, quantity=5, by=clerk, note="进货")
    assert stock(oil) == 15
    with pytest.raises(ValidationError) as raised:
        goods_restock(goods=oil, quantity=-1, by=clerk)
    assert messages(raised.value) == ["数量至少为 1。"]
    with pytest.raises(ValidationError) as raised:
        goods_restock(goods=oil, quantity=-20, by=clerk, kind=StockLine.Kind.CORRECTION)
    assert messages(raised.value) == ["食用油不足：需要 20 桶，库存 15 桶。"]
    goods_restock(goods=oil, quantity=-2, by=clerk, kind=StockLine.Kind.CORRECTION, note="盘点少2桶")
    assert stock(oil) == 13


@pytest.mark.parametrize(
    "write",
    [
        lambda f, g: Household.objects.filter(pk=f.pk).update(points_balance=-1),
        lambda f, g: Goods.objects.filter(pk=g.pk).update(stock=-1),
        lambda f, g: PointEntry.objects.create(
            household=f, village=f.village, kind="award", points=0, balance_after=0, date=DAY
        ),
        lambda f, g: PointEntry.objects.create(
            household=f, village=f.village, kind="award", points=5, balance_after=-5, date=DAY
        ),
        lambda f, g: PointEntry.objects.create(
            household=f, village=f.village, kind="reversal", points=5, balance_after=5, date=DAY
        ),
        lambda f, g: StockLine.objects.create(goods=g, kind="restock", change=0, stock_after=1),
        lambda f, g: Goods.objects.filter(pk=g.pk).update(points_price=0),
        lambda f, g: PointRule.objects.create(town=g.town, category="sanitation", description="零", points=0),
    ],
)
def test_the_database_refuses_what_the_rules_forbid(family, oil, write):
    with pytest.raises(IntegrityError), transaction.atomic():
        write(family, oil)


def test_a_line_is_reversed_at_most_once_in_the_database(family, rule):
    entry = point_award(household=family, rule=rule, day=DAY, by=None)
    PointEntry.objects.create(
        household=family, village=family.village, kind="reversal", points=-50, balance_after=0, date=DAY, reverses=entry
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PointEntry.objects.create(
            household=family, kind="reversal", points=-50, balance_after=0, date=DAY, reverses=entry
        )


def test_points_check_finds_a_planted_mismatch(family, rule, oil, capsys):
    point_award(household=family, rule=rule, day=DAY, by=None)
    call_command("points_check")
    assert "全部积分余额和库存都与台账一致。" in capsys.readouterr().out
    Household.objects.filter(pk=family.pk).update(points_balance=70)
    Goods.objects.filter(pk=oil.pk).update(stock=3)
    with pytest.raises(SystemExit) as exited:
        call_command("points_check")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "家庭 太坝村 TB-100：余额 70，台账合计 50。" in out
    assert "商品 食用油：库存 3，库存记录合计 10。" in out
