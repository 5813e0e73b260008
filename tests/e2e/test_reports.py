"""The town administrator picks 2024 on the home page's dashboard, opens 统计报表 from it, shows
the 2024 annual summary and downloads it as CSV; the test reads the file's rows (UTF-8 with
BOM, for Excel) and finds the figures the report page and the dashboard show. She then finds
in the logs what she read: the report under 报表日志, a girl's HPV record under 敏感档案查阅记录."""

import csv
import io

import pytest

from tests.factories import pdf_pages

pytestmark = pytest.mark.e2e

YEAR = "2024"  # the demo town's year
TOWN_ADMIN = "镇妇联"  # the logs name a user by her name (federation/demo.py: town's first name)


def test_town_admin_downloads_the_annual_summary_csv(journeys):
    town = journeys.open("town")
    page = town.page
    page.select_option("form select[name=year]", YEAR)
    town.click(page.locator("form:has(select[name=year]) [type=submit]"), "dashboard-2024")
    town.manual_shot("dashboard-year")
    on_dashboard = dict(
        page.locator("#dashboard #figures-module tr:has(td.figure)").evaluate_all(
            "rows => rows.map(row => [row.cells[0].innerText.trim(), row.cells[1].innerText.replace(/\\s/g, '')])"
        )
    )
    show_annual_summary(town)
    shown = town.rows()
    assert town.headers() == ["板块", "指标", "数值", "单位"]
    assert len(shown) >= 15, shown
    town.manual_shot("reports-form")
    town.manual_shot("reports-annual", "#content > h2")

    with page.expect_download() as download_info:
        page.locator("a", has_text="CSV").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    content = download.path().read_bytes()
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so that Excel reads the Chinese"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))

    header = rows.index(["板块", "指标", "数值", "单位"])
    assert rows[header + 1 :] == shown, "the file holds the rows the page shows"
    indicators = {row[1]: row for row in shown}
    assert {"宣传活动", "兑换活动", "适龄女童HPV疫苗接种率"} <= indicators.keys()
    assert all(value.replace(".", "", 1).isdigit() for _section, _indicator, value, _unit in shown), shown
    # The dashboard's figures for the year are the annual summary's.
    assert {indicator: f"{value}{unit}" for _section, indicator, value, unit in shown} == on_dashboard
    journeys.finish()


def show_annual_summary(journey) -> None:
    page = journey.page
    journey.click(page.locator("#content a[href*='/admin/reports/']"), "reports")
    page.select_option("#id_report", label="年度工作汇总")
    page.fill("#id_year", YEAR)
    journey.click("form.report-form input[type=submit]", "annual-summary")


def open_newest_entry(journey, list_link: str, label: str, *expected: str) -> None:
    """From the home page to a log's list: its newest line names what she did; then its page."""
    page = journey.page
    journey.goto("/admin/", f"home-{label}")
    journey.click(page.locator(f"#content-main a[href$='{list_link}']"), label)
    newest = page.locator("#result_list tbody tr").first
    for text in expected:
        assert text in newest.inner_text(), (text, newest.inner_text())
    journey.click(newest.locator("a[href*='/change/']"), f"{label}-entry")


def test_town_admin_finds_what_she_read_in_the_logs(journeys):
    town = journeys.open("town")
    page = town.page
    show_annual_summary(town)
    open_newest_entry(town, "/federation/reportlog/", "report-log", TOWN_ADMIN, "年度工作汇总")

    town.goto("/admin/", "home-hpv")
    town.click(page.locator("#content-main a[href$='/health/hpvgirl/']"), "hpv-roster")
    girl = town.column("姓名")[0]
    town.click(page.locator("#result_list").get_by_role("link", name=girl, exact=True).first, "girl")
    open_newest_entry(town, "/federation/recordaccess/", "record-access", TOWN_ADMIN, girl)
    journeys.finish()


def test_town_admin_prints_the_ledger_binder(journeys):
    """From 统计报表, the year's inspection binder as a PDF: cover, contents, the ledgers."""
    from pypdf import PdfReader

    town = journeys.open("town")
    page = town.page
    show_annual_summary(town)
    # The binder lists people: what it is for is asked first, then it downloads.
    town.click(page.locator("p.binder a", has_text="PDF"), "binder-purpose")
    page.select_option("#id_purpose", label="检查备档")
    with page.expect_download() as download_info:
        page.locator("input[type=submit].default").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    marks = [pdf_page.extract_text() for pdf_page in PdfReader(download.path()).pages]
    assert all("检查备档" in text for text in marks), "each page says who took it and why"
    pages = pdf_pages(download.path().read_bytes())
    assert "站儿巷镇妇联" in pages[0] and "2024年度" in pages[0]
    assert pages[1].startswith("台账目录")
    text = "\n".join(pages)
    for ledger in ("活动记录", "表彰名单", "积分登记台账", "两癌筛查与救助", "关爱对象名册与走访记录"):
        assert ledger in text, ledger
    open_newest_entry(town, "/federation/reportlog/", "binder-log", TOWN_ADMIN, "台账汇编")
    journeys.finish()
