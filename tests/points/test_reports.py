"""The points supermarket's reports."""

from datetime import date

from django.core.management import call_command

from points.services import point_award, redemption_cancel, redemption_create


def rows(capfd, *args):
    call_command("county_report", *args, "--purpose", "测试核对")
    return [line.split(",") for line in capfd.readouterr().out.lstrip("\ufeff").splitlines()]


def test_summary_rows_count_live_redemptions_only(capfd, family, rule, deduction, oil, soap, event, taiba):
    point_award(household=family, rule=rule, day=date(2024, 4, 1), by=None)
    point_award(household=family, rule=rule, day=date(2024, 4, 2), by=None)
    point_award(household=family, rule=deduction, day=date(2024, 4, 3), by=None)
    redemption_create(event=event, household=family, person=family.head, items=[(oil, 1), (soap, 2)], by=None)
    cancelled = redemption_create(event=event, household=family, person=family.head, items=[(soap, 1)], by=None)
    redemption_cancel(redemption=cancelled, by=None, reason="退")
    summary = {row[1]: row[2] for row in rows(capfd, "annual_summary", "--year", "2024")[1:]}
    assert (summary["兑换活动"], summary["兑换积分"], summary["受益群众"]) == ("1", "50", "1")
    table = rows(capfd, "points_villages", "--year", "2024", "--village", "太坝")
    assert table[0] == ["村(社区)", "得分户数", "获得积分", "扣除积分", "兑换积分", "结余积分", "兑换活动", "受益群众"]
    # Outstanding is the balance on 31 December 2024: the cancellation came later.
    assert table[1] == ["太坝村", "1", "100", "20", "50", "20", "1", "1"]
    goods = {row[0]: row[2:] for row in rows(capfd, "points_goods", "--year", "2024")[1:]}
    assert goods == {"洗衣皂": ["2", "3"], "食用油": ["1", "9"]}
