"""A list of people leaves on purpose (issue 30): the town administrator exports the people of
the demo town as Excel; the export form asks what it is for, refuses without an answer, and
locks the file with a password it made up and shows once. The test opens the file with that
password, fails without it, and finds the download in 报表日志 with its purpose."""

import io

import msoffcrypto
import openpyxl
import pytest

pytestmark = pytest.mark.e2e

PURPOSE = "县妇联报送"
TOWN_ADMIN = "镇妇联"


def test_town_admin_exports_the_people_as_a_locked_excel_file(journeys):
    town = journeys.open("town")
    page = town.page
    town.goto("/admin/federation/person/", "people")
    town.click(page.locator("a.export_link, a[href$='/export/']").first, "export-form")
    page.select_option("#id_format", label="xlsx")
    town.click(page.locator(".submit-row input[type=submit]"), "no-purpose")
    assert "请选择或写明这次导出的用途" in page.locator("#content").inner_text(), "no purpose, no file"

    page.select_option("#id_format", label="xlsx")
    page.select_option("#id_purpose", label=PURPOSE)
    page.check("#id_encrypt")
    password = page.locator("#id_password").input_value()
    assert len(password) >= 8, "a password is made up and shown"
    town.manual_shot("export-locked", "#content")
    with page.expect_download() as downloaded:
        page.locator(".submit-row input[type=submit]").click()
    data = downloaded.value.path().read_bytes()

    with pytest.raises(Exception):  # noqa: B017 - a locked file is no workbook without its password
        openpyxl.load_workbook(io.BytesIO(data))
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    office.load_key(password="not-the-password")
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        office.decrypt(io.BytesIO())
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    office.load_key(password=password)
    plain = io.BytesIO()
    office.decrypt(plain)
    sheet = openpyxl.load_workbook(plain).active
    assert sheet["A1"].value == "姓名" and sheet.max_row > 100, "the town's people, whole"
    assert PURPOSE in sheet.oddHeader.right.text and "town" in sheet.oddHeader.right.text

    town.goto("/admin/federation/reportlog/", "report-log")
    newest = town.rows()[0]
    assert any(PURPOSE in cell for cell in newest), newest
    assert password not in page.content()
    journeys.finish()
