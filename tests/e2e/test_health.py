"""The 太坝 clerk records a girl's first HPV dose on her page and sees her village's coverage
rise on the admin home page's dashboard (this year's figures: coverage as of today); records why
another girl is not vaccinated and when to ask again, and finds her in today's work that day.
She records a two-cancer screening and an application for aid, which the town approves."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e

COVERAGE = re.compile(r"(\d+)\s*%\s*（(\d+)/(\d+)）")
CHART_VALUE = re.compile(r"太坝村：(\d+)\s*%")


def coverage_on_the_dashboard(journey, label: str) -> tuple[tuple[int, int, int], int]:
    """太坝's HPV coverage as the dashboard shows it: the work list's 'N%（vaccinated/girls）'
    and the bar of the per-village chart (inline SVG)."""
    page = journey.page
    journey.goto("/admin/", label)
    dashboard = page.locator("#dashboard")
    assert dashboard.count() == 1, "the home page has a dashboard"
    row = dashboard.locator("tr", has_text="HPV").filter(has_text=COVERAGE).first
    percent, vaccinated, girls = (int(value) for value in COVERAGE.search(row.inner_text()).groups())
    chart = dashboard.locator("svg[aria-label*='HPV']").first
    bar = CHART_VALUE.search(" ".join(chart.locator("title").all_text_contents()))
    assert bar, "the chart has a bar for 太坝村"
    return (percent, vaccinated, girls), int(bar[1])


def test_clerk_records_an_hpv_dose_and_the_dashboard_coverage_rises(journeys):
    taiba = journeys.open("taiba")
    page = taiba.page
    (percent, vaccinated, girls), bar = coverage_on_the_dashboard(taiba, "dashboard-before")
    assert vaccinated < girls, "some girl of 太坝 is not vaccinated yet"
    assert bar == percent

    # The work list: girls not vaccinated, and among them one without a reason recorded.
    taiba.click(page.locator("#dashboard a[href$='/health/hpvgirl/']"), "hpv-roster")
    taiba.click(page.locator("#changelist-filter a[href*='hpv=none']"), "not-vaccinated")
    taiba.manual_shot("hpv-roster")
    reasons = taiba.column("未接种原因")
    girl = taiba.column("姓名")[reasons.index("未登记原因")]
    taiba.click(page.locator("#result_list").get_by_role("link", name=girl, exact=True).first, "girl")

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the server's today (TIME_ZONE)
    taiba.page.locator("#hpvdose_set-group .add-row a").click()
    page.select_option("#id_hpvdose_set-0-dose_number", "1")
    page.fill("#id_hpvdose_set-0-date", today.isoformat())
    page.select_option("#id_hpvdose_set-0-vaccine", index=1)
    page.fill("#id_hpvdose_set-0-site", "两当县疾控中心接种门诊")
    page.fill("#id_hpvdose_set-0-consent_by", "监护人")
    page.fill("#id_hpvdose_set-0-consent_on", today.isoformat())
    taiba.snap("dose-filled")
    taiba.manual_shot("hpv-dose", "#hpvdose_set-group")
    taiba.click("input[name=_save]", "dose-saved")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    assert taiba.messages(), "saving says so"

    (percent_after, vaccinated_after, girls_after), bar_after = coverage_on_the_dashboard(taiba, "dashboard-after")
    assert (vaccinated_after, girls_after) == (vaccinated + 1, girls)
    assert percent_after > percent
    assert bar_after == percent_after
    journeys.finish()


def todays_work(journey, label: str) -> dict[str, str]:
    """The home page's 今日待办: each line's figure by the address of its list."""
    journey.goto("/admin/", label)
    return dict(
        journey.page.locator("#reminders-module tr:has(a)").evaluate_all(
            "rows => rows.map(row => [row.querySelector('a').getAttribute('href'), row.cells[1].innerText.trim()])"
        )
    )


ASK_AGAIN = "/admin/health/hpvgirl/?hpv=ask"  # 已到再次询问日期的未接种女童


def test_clerk_records_why_a_girl_is_not_vaccinated_and_when_to_ask_again(journeys):
    taiba = journeys.open("taiba")
    page = taiba.page
    before = int(todays_work(taiba, "work-before")[ASK_AGAIN])
    taiba.click(page.locator("#content-main a[href$='/health/hpvgirl/']"), "hpv-roster")
    taiba.click(page.locator("#changelist-filter a[href*='hpv=none']"), "not-vaccinated")
    reasons = taiba.column("未接种原因")
    # The last girl without a reason (the dose test takes the first).
    girl = taiba.column("姓名")[len(reasons) - 1 - reasons[::-1].index("未登记原因")]
    taiba.click(page.locator("#result_list").get_by_role("link", name=girl, exact=True).first, "girl")

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    page.locator("#hpvdeferral_set-group .add-row a").click()
    page.select_option("#id_hpvdeferral_set-0-reason", label="感冒吃药等身体原因")
    page.fill("#id_hpvdeferral_set-0-recorded_on", today.isoformat())
    # Ask again today: in a fortnight in life; today, so that the test sees it come due.
    page.fill("#id_hpvdeferral_set-0-ask_again_on", today.isoformat())
    page.fill("#id_hpvdeferral_set-0-notes", "感冒发烧，正在吃药，病好后再问家长")
    taiba.snap("reason-filled")
    taiba.manual_shot("hpv-deferral", "#hpvdeferral_set-group")
    taiba.click("input[name=_save]", "reason-saved")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()

    # Today's work counts her among the girls to ask again, and its line lists her.
    assert int(todays_work(taiba, "work-after")[ASK_AGAIN]) == before + 1
    taiba.click(page.locator(f"#reminders-module a[href='{ASK_AGAIN}']"), "to-ask-again")
    assert girl in taiba.column("姓名")
    journeys.finish()


def test_clerk_records_a_screening_and_an_aid_application_that_the_town_approves(journeys):
    taiba = journeys.open("taiba")
    page = taiba.page
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    taiba.click(page.locator("#content-main a[href$='/health/screening/']"), "screenings")
    woman = taiba.column("人员")[0]  # a woman of 太坝 screened before
    taiba.click(page.locator(".object-tools a.addlink"), "add-screening")
    taiba.choose("id_person", woman)
    page.fill("#id_date", today)
    page.select_option("#id_kind", "both")
    page.fill("#id_institution", "两当县妇幼保健院")
    page.check("#id_free_programme")
    page.fill("#id_consent_by", woman)
    page.fill("#id_consent_on", today)
    page.select_option("#id_result", label="确诊")
    page.fill("#id_notes", "乳腺癌，已转县医院治疗")
    taiba.snap("screening-filled")
    taiba.manual_shot("screening-add")
    taiba.click("input[name=_save]", "screening-saved")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    taiba.search(woman, "screenings-of-her")
    assert "确诊" in taiba.column("筛查结果")

    taiba.goto("/admin/health/canceraidapplication/add/", "add-application")
    taiba.choose("id_person", woman)
    page.fill("#id_diagnosis", "乳腺癌")
    page.fill("#id_hospital", "两当县人民医院")
    page.fill("#id_medical_costs", "28000")
    page.fill("#id_amount_requested", "10000")
    page.fill("#id_submitted_on", today)
    taiba.snap("application-filled")
    taiba.manual_shot("cancer-aid-add")
    taiba.click("input[name=_save]", "application-saved")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    taiba.search(woman, "applications-of-her")
    assert "已申报" in taiba.column("状态"), taiba.rows()

    # The town's reviewer finds it in today's work and approves it.
    town = journeys.open("town")
    page = town.page
    waiting = "#reminders-module a[href$='/health/canceraidapplication/?status__exact=submitted']"
    town.click(page.locator(waiting), "applications-to-review")
    row = page.locator("#result_list tbody tr", has_text=woman).first
    town.click(row.locator("a[href*='/change/']"), "application")
    town.click(page.locator("#content a[href$='/review/']"), "review")
    page.check("input[name=step][value=approve]")
    page.fill("#id_amount", "8000")
    town.snap("review-filled")
    town.manual_shot("cancer-aid-review")
    town.click("form input[type=submit].default", "approved")
    assert any("审核通过" in message for message in town.messages()), town.messages()
    journeys.finish()
