"""Break the glass (临时查阅) from both sides: the 太坝 clerk, who keeps disputes but may not see
domestic violence, asks on her phone to open one such case of her village, with a reason; the
town administrator approves it from her home page; the clerk opens the case from hers, each page
logged under the request; two hours later the case is closed to her again."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.journey import PHONE

pytestmark = pytest.mark.e2e

SUMMARY = "丈夫酒后推搡妻子，妻子深夜到村委会求助"


def today():
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the server's today (TIME_ZONE)


def test_clerk_asks_to_open_a_violence_case_the_town_approves_and_it_closes_by_itself(journeys, server_sql):
    # The town registers a domestic-violence case of 太坝 (the demo town's are elsewhere).
    town = journeys.open("town")
    page = town.page
    town.goto("/admin/aid/disputecase/add/", "case-add")
    page.select_option("#id_village", label="太坝村")
    page.select_option("#id_kind", value="violence")
    page.select_option("#id_source", value="walk_in")
    page.fill("#id_found_on", today().isoformat())
    town.choose("id_parties", "王")
    page.fill("#id_summary", SUMMARY)
    town.click("input[name=_save]", "case-saved")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    number = re.search(r"站儿巷-\d{4}-\d{3}", " ".join(town.messages())).group()

    # The clerk meets it masked in her list, and asks for it there with a reason.
    taiba = journeys.open("taiba", PHONE, "phone")
    clerk = taiba.page
    taiba.goto("/admin/aid/disputecase/?kind__exact=violence", "violence-masked")
    row = clerk.locator("#result_list tbody tr", has_text=number)
    assert SUMMARY not in row.text_content() and "＊＊＊" in row.text_content()  # the phone hides some cells
    case_path = row.locator("th a, td.field-number a").first.get_attribute("href").partition("?")[0]
    taiba.goto(case_path, "case-not-hers", status=404)
    taiba.goto("/admin/aid/disputecase/?kind__exact=violence", "violence-masked-again")
    taiba.click(clerk.locator("#result_list tbody tr", has_text=number).locator("a[href*='glassaccess/add/']"), "ask")
    assert clerk.locator("#id_number").input_value() == number, "the row's number is typed for her"
    clerk.fill("#id_reason", "当事人今晚又来求助，需要查看既往处理情况以便联系派出所")
    taiba.click("input[name=_save]", "asked")
    assert clerk.locator(".errornote, .errorlist").count() == 0, clerk.locator("#content").inner_text()
    assert taiba.messages(), "asking says what happens next"
    request_url = clerk.url

    # The town administrator finds it on her home page and approves it on its page.
    town.goto("/admin/", "home-pending")
    town.click(page.locator("#reminders-module a[href*='glassaccess/?list=pending']"), "pending")
    town.click(page.locator("#result_list tbody tr", has_text=number).locator("a").first, "request")
    assert "当事人今晚又来求助" in page.locator("#content").inner_text()
    page.fill("#id_note", "同意，限查阅本案，用后请告知")
    town.click("button[name=step][value=approve]", "approved")
    assert town.messages(), "approving says so"
    assert page.locator(".field-ends_at").inner_text().strip() != "—"

    # The clerk opens the case from her home page: its page, its history.
    taiba.goto("/admin/", "home-open")
    taiba.click(clerk.locator(f"#reminders-module a[href='{case_path}']"), "case-open")
    assert clerk.locator("#id_summary").input_value() == SUMMARY, "the case's page, to read and to act on"
    taiba.goto(case_path.replace("/change/", "/history/"), "case-history")
    taiba.goto(request_url.removeprefix(taiba.url("")), "her-request")
    pages = clerk.locator(".field-pages").inner_text()
    assert pages.count("#") == 2, pages

    # The town administrator reads the same on the request's page.
    town.goto(request_url.removeprefix(town.url("")), "request-pages")
    assert page.locator(".field-pages").inner_text().count("#") == 2

    # Two hours later (the server's clock is moved by moving the access back) it has closed.
    if server_sql is not None:
        server_sql(
            "UPDATE federation_glassaccess SET opens_at = datetime(opens_at, '-3 hours'), "
            "ends_at = datetime(ends_at, '-3 hours') WHERE status = 'approved'",
            "UPDATE federation_glassaccess SET opens_at = opens_at - interval '3 hours', "
            "ends_at = ends_at - interval '3 hours' WHERE status = 'approved'",
        )
        taiba.goto(case_path, "case-closed-again", status=404)
        taiba.goto("/admin/", "home-after")
        assert clerk.locator(f"#reminders-module a[href='{case_path}']").count() == 0
    journeys.finish()
