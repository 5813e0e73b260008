"""积分存折 in a browser: on her phone, the 太坝 clerk opens a household, prints its passbook for
this year on A5 and gets the PDF to hand to the family."""

import pytest
from pypdf import PdfReader

from tests.e2e.journey import PHONE

pytestmark = pytest.mark.e2e


def test_clerk_prints_a_familys_passbook_on_her_phone(journeys):
    taiba = journeys.open("taiba", PHONE, "phone")
    page = taiba.page
    taiba.goto("/admin/federation/household/", "households")
    taiba.click(page.locator("#result_list tbody tr a[href*='/change/']").first, "household")
    number = page.locator(".field-number .readonly, #id_number").first
    number = number.input_value() if number.evaluate("e => e.tagName") == "INPUT" else number.inner_text().strip()
    taiba.click(page.locator("a", has_text="打印积分存折").first, "passbook-form")
    assert page.locator("select, input[name=year]").count(), "the year and the page size are asked"
    page.fill("#id_detail", "交给户主核对积分")  # and what the passbook is printed for
    with page.expect_download() as downloaded:
        page.locator("input[type=submit].default").click()
    path = downloaded.value.path()
    reader = PdfReader(path)
    text = "".join(p.extract_text() for p in reader.pages)
    assert "积分存折" in text and number in text, text[:300]
    journeys.finish()
