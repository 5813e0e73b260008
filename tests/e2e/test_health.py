"""The 太坝 clerk records a girl's first HPV dose on her page and sees her village's coverage
rise on the admin home page's dashboard (this year's figures: coverage as of today)."""

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
    taiba.click("input[name=_save]", "dose-saved")
    assert page.locator(".errornote, .errorlist").count() == 0, page.locator("#content").inner_text()
    assert taiba.messages(), "saving says so"

    (percent_after, vaccinated_after, girls_after), bar_after = coverage_on_the_dashboard(taiba, "dashboard-after")
    assert (vaccinated_after, girls_after) == (vaccinated + 1, girls)
    assert percent_after > percent
    assert bar_after == percent_after
    journeys.finish()
