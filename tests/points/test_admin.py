"""The points supermarket in the admin, for each role."""

from datetime import date

import pytest
from django.utils import timezone

from federation.models import Household
from points.models import Goods, PointEntry, Redemption, RedemptionEvent, StockLine
from points.services import point_award
from tests.factories import HouseholdFactory, PersonFactory

DAY = date(2024, 5, 1)


@pytest.fixture
def other_family(fenghe):
    household = HouseholdFactory(village=fenghe, number="FH-100")
    head = PersonFactory(village=fenghe, household=household, name="冯大姐")
    household.head = head
    household.save()
    return household


def test_town_admin_manages_rules_and_restocks_goods(client_for, town_admin, town):
    client = client_for(town_admin)
    response = client.post(
        "/admin/points/pointrule/add/",
        {"town": town.pk, "category": "garbage_sorting", "description": "垃圾分类到位", "points": 5, "active": "on"},
    )
    assert response.status_code == 302
    response = client.post(
        "/admin/points/goods/add/",
        {
            "town": town.pk,
            "name": "牙膏",
            "unit": "支",
            "points_price": 15,
            "low_stock": 5,
            "active": "on",
            "restock": 12,
        },
    )
    assert response.status_code == 302
    goods = Goods.objects.get(name="牙膏")
    assert goods.stock == 12 and StockLine.objects.get(goods=goods).change == 12
    page = client.get("/admin/points/goods/").content.decode()
    assert "牙膏" in page


def test_clerk_records_points_from_the_entry_form(client_for, clerk, family, rule):
    client = client_for(clerk)
    response = client.post(
        "/admin/points/pointentry/add/",
        {"household": family.pk, "rule": rule.pk, "date": "2024-05-01", "person": family.head.pk, "note": "检查"},
    )
    assert response.status_code == 302
    entry = PointEntry.objects.get()
    assert (entry.points, entry.balance_after, entry.recorded_by) == (50, 50, clerk)


def test_a_deduction_below_zero_from_the_form_is_a_form_error_not_a_crash(client_for, clerk, family, deduction):
    response = client_for(clerk).post(
        "/admin/points/pointentry/add/",
        {"household": family.pk, "rule": deduction.pk, "date": "2024-05-01", "note": "卫生检查"},
    )
    # The form again, with the service's answer and what she typed.
    assert response.status_code == 200
    assert "积分不足：需要 20 分，余额为 0 分。" in response.context["adminform"].form.non_field_errors()
    assert "卫生检查" in response.content.decode()
    assert not PointEntry.objects.exists()


def test_clerk_awards_many_households_from_the_household_list(client_for, clerk, family, taiba, rule):
    second = HouseholdFactory(village=taiba, number="TB-200")
    client = client_for(clerk)
    data = {"action": "award_points", "_selected_action": [family.pk, second.pk]}
    form = client.post("/admin/federation/household/", data)
    assert "为所选家庭登记积分" in form.content.decode()
    today = timezone.localdate().isoformat()
    assert f'type="date" name="date" value="{today}"' in form.content.decode()  # today, as a browser reads it
    done = client.post("/admin/federation/household/", {**data, "apply": "1", "rule": rule.pk, "date": "2024-06-01"})
    assert done.status_code == 302
    assert sorted(Household.objects.filter(pk__in=[family.pk, second.pk]).values_list("points_balance", flat=True)) == [
        50,
        50,
    ]


def test_the_household_page_shows_its_balance_and_ledger(client_for, clerk, family, rule):
    point_award(household=family, rule=rule, day=DAY, by=None)
    page = client_for(clerk).get(f"/admin/federation/household/{family.pk}/change/").content.decode()
    assert "积分登记台账" in page and "庭院整洁" in page


def test_ledger_lines_cannot_be_edited_or_deleted(client_for, town_admin, family, rule):
    entry = point_award(household=family, rule=rule, day=DAY, by=None)
    client = client_for(town_admin)
    assert client.post(f"/admin/points/pointentry/{entry.pk}/change/", {"note": "改"}).status_code == 403
    assert client.post(f"/admin/points/pointentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.note == ""


def test_reverse_from_the_ledger_list(client_for, clerk, family, rule):
    entry = point_award(household=family, rule=rule, day=DAY, by=None)
    client = client_for(clerk)
    data = {"action": "reverse_entries", "_selected_action": [entry.pk]}
    assert "原因" in client.post("/admin/points/pointentry/", data).content.decode()
    client.post("/admin/points/pointentry/", {**data, "apply": "1", "reason": "录错"})
    assert PointEntry.objects.get(reverses=entry).points == -50
    assert Household.objects.get(pk=family.pk).points_balance == 0


def test_clerk_redeems_at_a_session_in_one_step_and_a_double_click_counts_once(
    client_for, clerk, family, rule, oil, event
):
    point_award(household=family, rule=rule, day=DAY, by=None)
    client = client_for(clerk)
    page = client.get(f"/admin/points/redemptionevent/{event.pk}/redeem/")
    token = page.context["form"].initial["token"]
    data = {"token": token, "household": family.pk, "person": family.head.pk, f"goods_{oil.pk}": 1}
    first = client.post(f"/admin/points/redemptionevent/{event.pk}/redeem/", data, follow=True)
    assert "已兑换 30 分，该户余额为 20 分。" in [str(m) for m in first.context["messages"]]
    client.post(f"/admin/points/redemptionevent/{event.pk}/redeem/", data)
    assert Redemption.objects.count() == 1 and Household.objects.get(pk=family.pk).points_balance == 20


def test_a_short_redemption_shows_what_was_short(client_for, clerk, family, oil, event):
    client = client_for(clerk)
    token = client.get(f"/admin/points/redemptionevent/{event.pk}/redeem/").context["form"].initial["token"]
    response = client.post(
        f"/admin/points/redemptionevent/{event.pk}/redeem/",
        {"token": token, "household": family.pk, "person": family.head.pk, f"goods_{oil.pk}": 11},
    )
    page = response.content.decode()
    assert "积分不足：需要 330 分，余额为 0 分。" in page and "食用油不足：需要 11 桶，库存 10 桶。" in page
    assert not Redemption.objects.exists()


def test_a_clerk_cannot_redeem_for_another_villages_household(client_for, clerk, other_family, oil, event, fenghe):
    client = client_for(clerk)
    token = client.get(f"/admin/points/redemptionevent/{event.pk}/redeem/").context["form"].initial["token"]
    response = client.post(
        f"/admin/points/redemptionevent/{event.pk}/redeem/",
        {"token": token, "household": other_family.pk, "person": other_family.head.pk, f"goods_{oil.pk}": 1},
    )
    assert "household" in response.context["form"].errors and not Redemption.objects.exists()
    elsewhere = RedemptionEvent.objects.create(village=fenghe, date=DAY)
    assert client.get(f"/admin/points/redemptionevent/{elsewhere.pk}/redeem/").status_code == 404


def test_cancel_from_the_redemption_list(client_for, town_admin, family, rule, oil, event):
    from points.services import redemption_create

    point_award(household=family, rule=rule, day=DAY, by=None)
    redemption = redemption_create(event=event, household=family, person=family.head, items=[(oil, 1)], by=None)
    client = client_for(town_admin)
    data = {"action": "cancel_redemptions", "_selected_action": [redemption.pk], "apply": "1", "reason": "退货"}
    client.post("/admin/points/redemption/", data)
    client.post("/admin/points/redemption/", data)  # a second time changes nothing
    assert Household.objects.get(pk=family.pk).points_balance == 50
    assert Goods.objects.get(pk=oil.pk).stock == 10


@pytest.mark.parametrize("model", ["pointrule", "goods", "pointentry", "stockline", "redemptionevent", "redemption"])
def test_lists_load_for_each_role(client_for, town_admin, clerk, county_reader, family, rule, oil, event, model):
    point_award(household=family, rule=rule, day=DAY, by=None)
    for user in (town_admin, clerk):
        assert client_for(user).get(f"/admin/points/{model}/").status_code == 200
    assert client_for(county_reader).get(f"/admin/points/{model}/").status_code == 403


def test_a_clerk_sees_no_ledger_of_another_village(client_for, clerk, other_family, family, rule):
    point_award(household=other_family, rule=rule, day=DAY, by=None)
    entry = PointEntry.objects.get()
    client = client_for(clerk)
    assert client.get("/admin/points/pointentry/").context["cl"].result_count == 0
    assert client.get(f"/admin/points/pointentry/{entry.pk}/change/").status_code == 404


def test_a_clerk_sees_the_stock_lines_of_her_villages_redemptions_only(
    client_for, clerk, town_admin, family, rule, oil, event, fenghe
):
    from points.services import redemption_cancel, redemption_create

    other = HouseholdFactory(village=fenghe, number="FH-100")
    other.head = PersonFactory(village=fenghe, household=other, name="冯大姐")
    other.save()
    for household, day_event in ((family, event), (other, RedemptionEvent.objects.create(village=fenghe, date=DAY))):
        point_award(household=household, rule=rule, day=DAY, by=None)
        redemption = redemption_create(
            event=day_event, household=household, person=household.head, items=[(oil, 1)], by=None
        )
    redemption_cancel(redemption=redemption, reason="冯河村退货：家里有人生病", by=None)
    theirs = StockLine.objects.filter(redemption__event__village=fenghe)
    assert theirs.count() == 2
    client = client_for(clerk)
    listed = client.get("/admin/points/stockline/").context["cl"].result_list
    assert {line.kind for line in listed} == {"restock", "redemption"}
    assert not set(listed) & set(theirs)
    assert "生病" not in client.get("/admin/points/stockline/?q=退货").content.decode()
    assert client.get(f"/admin/points/stockline/{theirs.first().pk}/change/").status_code == 404
    assert client_for(town_admin).get("/admin/points/stockline/").context["cl"].result_count == 4


def test_rules_goods_and_sessions_are_saved_through_their_services(client_for, town_admin, town, taiba, oil):
    from unittest import mock

    import points.admin
    from points.models import PointRule

    client = client_for(town_admin)
    posts = [
        (
            "point_rule_save",
            "/admin/points/pointrule/add/",
            {"town": town.pk, "category": "volunteer", "description": "志愿服务", "points": 10, "active": "on"},
        ),
        (
            "goods_save",
            f"/admin/points/goods/{oil.pk}/change/",
            {"town": town.pk, "name": "食用油", "unit": "桶", "points_price": 35, "low_stock": 5, "active": "on"},
        ),
        ("redemption_event_save", "/admin/points/redemptionevent/add/", {"village": taiba.pk, "date": "2024-06-01"}),
    ]
    for service, url, data in posts:
        with mock.patch.object(points.admin, service, wraps=getattr(points.admin, service)) as called:
            assert client.post(url, data).status_code == 302
        assert called.call_args.kwargs["by"] == town_admin
    rule = PointRule.objects.get(description="志愿服务")
    event = RedemptionEvent.objects.get(date="2024-06-01")
    for record in (rule, Goods.objects.get(pk=oil.pk), event):
        assert record.history.latest().history_user == town_admin
    assert Goods.objects.get(pk=oil.pk).stock == 10


def test_a_session_with_redemptions_cannot_move_to_another_village(
    client_for, town_admin, family, rule, oil, event, fenghe
):
    from points.services import redemption_create

    point_award(household=family, rule=rule, day=DAY, by=None)
    redemption_create(event=event, household=family, person=family.head, items=[(oil, 1)], by=None)
    response = client_for(town_admin).post(
        f"/admin/points/redemptionevent/{event.pk}/change/",
        {"village": fenghe.pk, "date": "2024-05-01", "place": "太坝村委会"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"village": ["本次兑换活动已有兑换记录，不能更改村(社区)。"]}
    assert RedemptionEvent.objects.get(pk=event.pk).village == family.village


def test_a_sessions_page_leads_to_its_redemption_form(client_for, clerk, event):
    page = client_for(clerk).get(f"/admin/points/redemptionevent/{event.pk}/change/").content.decode()
    assert f'href="/admin/points/redemptionevent/{event.pk}/redeem/"' in page and "兑换登记" in page
