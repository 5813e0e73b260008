"""积分公示 in a browser: the 太坝 clerk posts last month's points for her village on her phone,
reads the figures as posted (names masked, never an ID number or a phone), and takes the A4 PDF
for the notice board and the picture for the village's WeChat group."""

import re

import pytest

from tests.e2e.journey import PHONE

pytestmark = pytest.mark.e2e

ID_NUMBER = re.compile(r"\d{17}[\dXx]")
PHONE_NUMBER = re.compile(r"1[3-9]\d{9}")


def test_clerk_posts_last_months_points_and_takes_the_pdf_and_the_picture(journeys):
    taiba = journeys.open("taiba", PHONE, "phone")
    page = taiba.page
    taiba.goto("/admin/points/pointposting/add/", "posting-add")
    village = page.locator("#id_village")
    if village.evaluate("element => element.tagName") == "SELECT":
        village.select_option(label="太坝村")
    assert page.locator("#id_month").input_value(), "the month is filled in (last month)"
    taiba.click("form input[type=submit][name=_save]", "posted")
    assert "/change/" in page.url, page.url
    assert taiba.messages(), "the clerk is told the month was posted"

    table = page.locator(".posting-table")
    assert table.count() == 1, "the posting's page shows its figures as posted"
    text = table.inner_text()
    assert "*" in text, "names are masked (张*红)"
    assert not ID_NUMBER.search(text) and not PHONE_NUMBER.search(text), text[:500]
    taiba.manual_shot("posting-phone", focus=".posting-tools")

    pdf = page.locator(".posting-tools a", has_text="A4").first
    picture = page.locator(".posting-tools a", has_text="图片").first
    links = (
        ("pdf", pdf.get_attribute("href"), "application/pdf"),
        ("picture", picture.get_attribute("href"), "image/png"),
    )
    for name, href, kind in links:
        # The posting names the households: what the file is for is asked first.
        taiba.goto(href, f"posting-{name}-purpose")
        page.select_option("#id_purpose", label="积分公示")
        token = page.locator("#content input[name=csrfmiddlewaretoken]").input_value()
        form = {"csrfmiddlewaretoken": token, "purpose": "积分公示"}
        response = page.request.post(taiba.url(href), form=form, headers={"Referer": taiba.url(href)})
        assert response.status == 200 and response.headers["content-type"].startswith(kind), response.headers
        assert len(response.body()) > 1000
    journeys.finish()
