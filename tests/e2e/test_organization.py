"""组织建设 and 维权 in a browser: the town administrator finds on her home page the committees
whose 换届 is due and the protection orders about to end, reads every village's committee with
its vacancies, and follows a referral to its end; the 太坝 clerk records her committee's meeting
on her phone, ticking who came."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.journey import PHONE

pytestmark = pytest.mark.e2e


def today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the server's today (TIME_ZONE)


def test_town_admin_sees_elections_due_and_orders_ending_and_follows_a_referral_to_its_end(journeys):
    town = journeys.open("town")
    page = town.page

    # 换届: the work list leads to the committees due; the whole list shows each one's vacancies.
    town.click(page.locator("#reminders-module a[href*='/organization/committee/?list=due']"), "elections-due")
    assert any("南坪" in name for name in town.column("妇联组织")), town.column("妇联组织")
    town.goto("/admin/organization/committee/", "committees")
    assert len(town.column("妇联组织")) == 14, "the town's committee and each village's"
    assert any("缺" in cell for cell in town.column("缺额")), "a vacancy is shown"

    # 人身安全保护令 ending within 30 days.
    town.goto("/admin/", "home")
    town.click(page.locator("#reminders-module a[href*='/aid/protectionmeasure/?list=ending']"), "orders-ending")
    assert "已签发" in page.locator("#result_list").inner_text()

    # A referral waiting for its answer: accepted today, then closed with its result.
    town.goto("/admin/", "home-again")
    town.click(page.locator("#reminders-module a[href*='/aid/referral/?list=waiting']"), "referrals-waiting")
    town.click(page.locator("#result_list tbody tr").first.locator("a[href*='/change/']"), "referral")
    referral_url = page.url
    for step, text in (("accept", ""), ("close", "民政办已将当事人纳入临时救助，发放救助金并安排回访")):
        town.click(page.locator("#content a[href$='/step/']"), f"{step}-step")
        assert page.locator("#id_day").input_value() == today().isoformat(), "the step's date is today's"
        page.check(f"input[name=step][value={step}]")
        if text:
            page.fill("#id_text", text)
        town.click("form input[type=submit].default", f"{step}-saved")
        assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
        assert town.messages(), "the step says so"
        town.goto(referral_url.removeprefix(town.url("")), f"referral-after-{step}")
    assert "已办结" in page.locator(".field-status").inner_text()
    journeys.finish()


def test_clerk_records_her_committees_meeting_on_her_phone(journeys):
    taiba = journeys.open("taiba", PHONE, "phone")
    page = taiba.page
    taiba.goto("/admin/organization/meeting/add/", "meeting-add")
    page.select_option("#id_village", label="太坝村")
    page.select_option("#id_kind", label="执委会议")
    page.fill("#id_date", today().isoformat())
    page.fill("#id_place", "太坝村妇女之家")
    members = page.locator("#id_attendees label")
    assert members.count() >= 3 and members.count() == members.filter(has_text="太坝村").count(), (
        "her committee's members in office are offered to tick, named with their federation"
    )
    members.nth(0).locator("input").check()
    members.nth(1).locator("input").check()
    page.locator("#id_absentees label").nth(2).locator("input").check()
    page.fill("#id_topics", "研究部署“三八”节活动和两癌筛查动员")
    page.fill("#id_decisions", "三月五日开展巾帼志愿服务活动")
    taiba.snap("meeting-filled")
    taiba.click("input[name=_save]", "meeting-saved")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    assert taiba.messages(), "saving says so"
    assert today().strftime("%Y") in page.locator("#result_list").inner_text()
    journeys.finish()
