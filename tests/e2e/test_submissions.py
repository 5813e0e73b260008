"""台账报送: the 太坝 clerk submits a month to the town; the town administrator finds the months
waiting in today's work, approves one (which locks it) and returns hers with a comment, which
the clerk then reads on her home page."""

import pytest

pytestmark = pytest.mark.e2e

# A month of 太坝 that the demo leaves unsubmitted, and a submitted month of a village that no
# other browser test touches (approving it locks its records).
CLERKS_MONTH = ("2025-01-15", "2025年1月")
TO_APPROVE = ("大山村", "2024年12月")
COMMENT = "请补充1月的活动照片后重新报送"


def open_step(journey, village: str, period: str, label: str) -> None:
    """From the list of submissions waiting for review, the 下一步 of a village's period."""
    row = journey.page.locator("#result_list tbody tr", has_text=village).filter(has_text=period).first
    journey.click(row.locator("a.button"), label)


def test_clerk_submits_a_month_and_the_town_reviews_it(journeys):
    taiba = journeys.open("taiba")
    page = taiba.page
    taiba.click(page.locator("#workbench-nav a", has_text="台账报送"), "submissions")
    taiba.click(page.locator(".object-tools a.addlink"), "submit")
    village = page.locator("#id_village")
    if village.input_value() == "":
        village.select_option(label="太坝村")
    page.fill("#id_day", CLERKS_MONTH[0])
    page.fill("#id_note", "本月没有新的活动和积分，各项台账已核对")
    taiba.snap("submit-filled")
    taiba.manual_shot("submit")
    taiba.click("input[name=_save]", "submitted")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    row = page.locator("#result_list tbody tr", has_text=CLERKS_MONTH[1]).first
    assert "已报送" in row.inner_text(), row.inner_text()

    town = journeys.open("town")
    page = town.page
    town.click(page.locator("#reminders-module a[href$='/periodsubmission/?status__exact=submitted']"), "waiting")
    town.manual_shot("submissions")
    open_step(town, *TO_APPROVE, "review")
    page.check("input[name=step][value=approve]")
    page.check("#id_lock")
    page.fill("#id_text", "已核对")
    town.snap("approve-filled")
    town.manual_shot("review")
    town.click("form input[type=submit].default", "approved")
    assert any("已审核" in message for message in town.messages()), town.messages()
    assert "已核对" in page.locator(".field-comment").inner_text()  # her comment is kept with it

    town.click(page.locator("#workbench-nav a", has_text="台账报送"), "submissions-again")
    town.click(page.locator("#changelist-filter a", has_text="已报送"), "waiting-again")
    open_step(town, "太坝村", CLERKS_MONTH[1], "return")
    page.check("input[name=step][value=return]")
    page.fill("#id_text", COMMENT)
    town.click("form input[type=submit].default", "returned")
    assert any("已退回" in message for message in town.messages()), town.messages()

    # The clerk's home page says so, with the town's comment, and leads to submitting again.
    taiba.goto("/admin/", "home-returned")
    reminder = taiba.page.locator("#reminders-module a", has_text=COMMENT)
    assert reminder.count() == 1, taiba.page.locator("#reminders-module").inner_text()
    taiba.manual_shot("submission-returned")
    taiba.click(reminder, "returned-month")
    assert taiba.page.locator("#content a", has_text="重新报送").count() == 1
    journeys.finish()
