"""The 太坝 clerk records an anti-fraud publicity activity with its figures, and the home page's
summary of the year counts one more 宣传活动."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e

FIGURE = re.compile(r"(\d+)")


def publicity_this_year(journey, label: str) -> int:
    """The 宣传活动 figure of the home page's summary of this year (the year it opens on)."""
    journey.goto("/admin/", label)
    row = journey.page.locator("#figures-module tr", has=journey.page.locator("td", has_text="宣传活动")).first
    return int(FIGURE.search(row.locator("td.figure").inner_text())[1])


def test_clerk_records_a_publicity_activity_and_the_year_counts_it(journeys):
    taiba = journeys.open("taiba")
    page = taiba.page
    before = publicity_this_year(taiba, "home-before")
    taiba.click(page.locator("#content-main a[href$='/federation/activity/add/']"), "add-activity")
    page.select_option("#id_kind", label="宣传活动")
    page.fill("#id_title", "防范电信网络诈骗宣传进村")
    page.fill("#id_date", datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat())
    town = page.locator("#id_town")
    if town.input_value() == "":
        town.select_option(label="站儿巷镇")
    page.locator("#id_villages label", has_text="太坝村").locator("input").check()
    page.fill("#id_place", "太坝村村委会广场")
    page.fill("#id_participants", "45")
    page.fill("#id_beneficiaries", "120")
    page.fill("#id_materials_distributed", "200")
    page.fill("#id_consultations", "16")
    taiba.snap("activity-filled")
    taiba.manual_shot("activity-add")
    taiba.click("input[name=_save]", "activity-saved")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    assert taiba.messages(), "saving says so"

    assert publicity_this_year(taiba, "home-after") == before + 1
    journeys.finish()
