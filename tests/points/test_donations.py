"""The donation ledger (捐赠台账, issue 16): sponsor units' goods enter the town's stock through
stock lines that name the donation; cancelling takes them out again, never below zero."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext

from federation.core.periods import PeriodLocked
from federation.core.registry import registry
from federation.core.reporting import DateRange, ReportScope
from federation.core.roles import VILLAGE_CLERK
from federation.core.submissions import submission_approve, submission_submit
from points.management.commands.points_check import mismatches
from points.models import Donation, DonationLine, Goods, PointEntry, StockLine
from points.services import donation_cancel, donation_record, donation_save, point_award, redemption_create
from tests.factories import TownFactory, UserFactory, give_scope

MARCH = date(2024, 3, 8)


def zh(msgid: str, **params) -> str:
    """A message as the user reads it (the zh_Hans catalog)."""
    with translation.override("zh-hans"):
        text = gettext(msgid)
    return text % params if params else text


def record(village, *lines, sponsor="县农商银行", day=MARCH, by=None, town=None):
    donation = Donation(town=town or village.town, village=village, sponsor=sponsor, date=day)
    return donation_record(
        donation=donation,
        lines=[
            DonationLine(goods=goods, quantity=quantity, unit_value=Decimal(value)) for goods, quantity, value in lines
        ],
        by=by,
    )


@pytest.fixture
def fenghe_clerk(town, fenghe):
    user = UserFactory(username="fenghe", role=VILLAGE_CLERK)
    give_scope(user, town, villages=[fenghe])
    return user


def stock(goods) -> int:
    goods.refresh_from_db()
    return goods.stock


def test_a_donation_puts_each_line_into_stock_through_a_stock_line_naming_it(taiba, soap, oil, clerk):
    donation = record(taiba, (soap, 20, "3.50"), (oil, 4, "60"), by=clerk)
    assert (stock(soap), stock(oil)) == (25, 14)
    lines = StockLine.objects.filter(donation=donation).order_by("goods__name")
    assert [(line.goods.name, line.kind, line.change, line.stock_after) for line in lines] == [
        ("洗衣皂", "donation", 20, 25),
        ("食用油", "donation", 4, 14),
    ]
    assert {line.recorded_by for line in lines} == {clerk}
    assert donation.recorded_by == clerk and donation.history.get().history_user == clerk
    assert sorted(line.value for line in donation.lines.all()) == [Decimal("70.00"), Decimal("240.00")]
    assert mismatches() == []  # every stock is still the sum of its lines
    assert not PointEntry.objects.exists()  # goods, not points


def test_a_bad_donation_is_refused_in_chinese_and_writes_nothing(town, taiba, fenghe, soap, clerk):
    with pytest.raises(ValidationError) as error:
        record(taiba, by=clerk)
    assert error.value.messages == [zh("Add at least one line of donated goods.")]
    with pytest.raises(ValidationError) as error:
        record(taiba, (soap, 0, "3"), by=clerk)
    assert "数量至少为 1。" in error.value.messages
    with pytest.raises(ValidationError) as error:
        record(taiba, (soap, 2, "-1"), by=clerk)
    assert zh("The unit value cannot be negative.") in error.value.messages
    elsewhere = Goods.objects.create(town=TownFactory(name="云屏镇"), name="香皂", points_price=5)
    with pytest.raises(ValidationError) as error:
        record(taiba, (elsewhere, 2, "3"), by=clerk)
    assert error.value.messages == ["香皂属于其他镇。"]
    with pytest.raises(ValidationError) as error:  # a village clerk gives nothing to the whole town
        record(None, (soap, 2, "3"), by=clerk, town=town)
    assert error.value.messages == [zh("Choose your village: a town-wide donation is the town's to record.")]
    with pytest.raises(ValidationError) as error:
        record(fenghe, (soap, 2, "3"), by=clerk)
    assert error.value.messages == [zh("The donation is of a village you do not keep.")]
    assert not Donation.objects.exists() and stock(soap) == 5


def test_the_database_keeps_lines_positive_and_values_not_negative(taiba, soap):
    donation = record(taiba, (soap, 1, "1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        DonationLine.objects.filter(donation=donation).update(quantity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        DonationLine.objects.filter(donation=donation).update(unit_value=Decimal("-0.01"))


def test_cancelling_takes_the_goods_back_out_once(taiba, soap, oil, clerk):
    donation = record(taiba, (soap, 20, "3.50"), (oil, 4, "60"), by=clerk)
    with pytest.raises(ValidationError) as error:
        donation_cancel(donation=donation, by=clerk, reason=" ")
    assert error.value.messages == ["请填写撤销原因。"]
    donation = donation_cancel(donation=donation, by=clerk, reason="记错单位")
    assert (stock(soap), stock(oil)) == (5, 10)
    assert donation.cancelled_by == clerk and donation.cancel_reason == "记错单位"
    kinds = StockLine.objects.filter(donation=donation).values_list("kind", "change").order_by("kind", "change")
    assert list(kinds) == [("donation", 4), ("donation", 20), ("donation_cancelled", -20), ("donation_cancelled", -4)]
    with pytest.raises(ValidationError) as error:
        donation_cancel(donation=donation, by=clerk, reason="再撤")
    assert error.value.messages == [zh("This donation has already been cancelled.")]
    with pytest.raises(ValidationError) as error:
        donation_save(donation=donation, by=clerk)
    assert error.value.messages == [zh("A cancelled donation is a record and can no longer be changed.")]
    assert mismatches() == []


def test_cancelling_is_refused_once_the_goods_were_redeemed(taiba, soap, clerk, family, rule, event):
    donation = record(taiba, (soap, 3, "3.50"), by=clerk)
    point_award(household=family, rule=rule, day=date(2024, 4, 1), by=clerk)
    point_award(household=family, rule=rule, day=date(2024, 4, 2), by=clerk)
    redemption_create(event=event, household=family, person=family.head, items=[(soap, 7)], by=clerk)
    assert stock(soap) == 1
    with pytest.raises(ValidationError) as error:
        donation_cancel(donation=donation, by=clerk, reason="退回")
    assert error.value.messages == [
        zh(
            "%(goods)s of this donation have been redeemed already: %(have)d %(unit)s left in stock, "
            "%(need)d to take back. The donation cannot be cancelled.",
            goods="洗衣皂",
            have=1,
            unit="块",
            need=3,
        )
    ]
    donation.refresh_from_db()
    assert donation.cancelled_at is None and stock(soap) == 1  # nothing of it was written


def test_a_locked_period_refuses_recording_changing_and_cancelling(taiba, soap, clerk, town_admin):
    donation = record(taiba, (soap, 2, "3"), by=clerk)
    submission_approve(
        submission=submission_submit(village=taiba, day=MARCH, note="本月无记录", by=clerk), by=town_admin
    )
    locked = "2024年3月（太坝村）已审核锁定"
    with pytest.raises(PeriodLocked, match=locked):
        record(taiba, (soap, 2, "3"), by=clerk)
    with pytest.raises(PeriodLocked, match=locked):
        donation_cancel(donation=donation, by=town_admin, reason="记错")
    donation.note = "补记"
    with pytest.raises(PeriodLocked, match=locked):
        donation_save(donation=donation, by=town_admin)
    assert stock(soap) == 7 and Donation.objects.get().cancelled_at is None
    record(taiba, (soap, 2, "3"), by=clerk, day=date(2024, 4, 1))  # April is open
    assert stock(soap) == 9


def line_rows(*lines):
    data = {
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, (goods, quantity, value) in enumerate(lines):
        data |= {
            f"lines-{index}-goods": goods.pk,
            f"lines-{index}-quantity": quantity,
            f"lines-{index}-unit_value": value,
        }
    return data


def test_the_admin_records_a_donation_with_its_lines_through_the_service(client_for, town, town_admin, soap, oil):
    client = client_for(town_admin)
    assert client.get("/admin/points/donation/add/").status_code == 200
    form = {"town": town.pk, "village": "", "sponsor": "镇卫生院", "date": "2024-05-20", "note": ""}
    response = client.post("/admin/points/donation/add/", form | line_rows((soap, 10, "8.00"), (oil, 2, "65")))
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert (donation.village, donation.recorded_by, stock(soap), stock(oil)) == (None, town_admin, 15, 12)
    listing = client.get("/admin/points/donation/").content.decode()
    assert "镇卫生院" in listing and "210.00" in listing and "全镇" in listing
    page = client.get(f"/admin/points/donation/{donation.pk}/change/")
    assert page.status_code == 200 and "洗衣皂" in page.content.decode()
    stock_lines = client.get("/admin/points/stockline/").content.decode()
    assert str(donation) in stock_lines
    response = client.post("/admin/points/donation/add/", form | line_rows())
    assert Donation.objects.count() == 1  # no goods, no donation
    assert response.status_code == 200  # the form again, with what was typed
    assert response.context["adminform"].form.non_field_errors() == [zh("Add at least one line of donated goods.")]
    assert 'value="镇卫生院"' in response.content.decode()


def test_a_clerk_keeps_her_villages_donations_and_sees_no_other_villages(
    client_for, taiba, fenghe, soap, clerk, fenghe_clerk, town
):
    client = client_for(clerk)
    form = {"town": town.pk, "village": taiba.pk, "sponsor": "镇卫生院", "date": "2024-05-20", "note": ""}
    response = client.post("/admin/points/donation/add/", form | line_rows((soap, 10, "8.00")))
    assert response.status_code == 302
    donation = Donation.objects.get()
    assert client.get(f"/admin/points/donation/{donation.pk}/change/").status_code == 200
    client = client_for(fenghe_clerk)
    for page in ("change", "history"):
        assert client.get(f"/admin/points/donation/{donation.pk}/{page}/").status_code == 404
    assert donation not in client.get("/admin/points/donation/").context["cl"].queryset
    with pytest.raises(ValidationError):
        donation_cancel(donation=donation, by=fenghe_clerk, reason="不是我们村的")


def test_the_demo_towns_donation_ledger_and_its_unchanged_figures(db):
    call_command("seed_demo", verbosity=0)
    rs = ReportScope.of_user(UserFactory(username="root", is_superuser=True))
    table = registry.reports["points_donations"].function(rs, DateRange.year(2024))
    rows, total = table.rows[:-1], table.rows[-1]
    assert [row[:5] for row in rows[:3]] == [
        ["2024-03-08", "全镇", "县农商银行", "洗衣粉", 100],
        ["2024-03-08", "全镇", "县农商银行", "食用油", 50],
        ["2024-05-20", "太坝村", "镇卫生院", "毛巾", 60],
    ]
    assert rows[0][5:7] == [Decimal("12.50"), Decimal("1250.00")]
    assert total[4] == 560 and total[6] == Decimal("11200.00") and len(rows) == 8
    # Donations add stock and no points: the year's redemption figures stay the seed article's.
    summary = {row[1]: row[2] for row in registry.reports["annual_summary"].function(rs, DateRange.year(2024)).rows}
    assert (summary["兑换活动"], summary["兑换积分"], summary["受益群众"]) == (142, 18510, 588)
    assert mismatches() == []
    assert StockLine.objects.filter(kind="donation").count() == 8
