"""Personal data leaves on purpose (issue 30, items 1–3): every download of people asks what it
is for and logs the answer; the file says who took it, when and why; an .xlsx can be locked
with a password (Office's own encryption), which is kept nowhere; the town may require it."""

import csv
import io
import re

import msoffcrypto
import openpyxl
import pytest
from django.core.management import CommandError, call_command

from federation.core.models import ExportPurpose, ReportLog
from tests.factories import DISCLOSURE_PAGE, MARK_LINE, PURPOSE, PersonFactory, pdf_pages, take_file

PEOPLE = "/admin/federation/person/export/"
REPORTS = "/admin/reports/"
BINDER = "/admin/reports/binder/"
PASSWORD = "kqa-7Hm-Tx3-pWe"


@pytest.fixture
def people(taiba, own_household):
    head = own_household.head
    head.phone = "13812345678"
    head.save()
    PersonFactory(village=taiba, name="李秀兰", phone="13900000001")
    return head


def export_data(client, file_format="0", **answers) -> dict:
    form = client.get(PEOPLE).context["form"]
    columns = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    return {"format": file_format, "resource": "0", **columns, **answers}


def used_template(response, name) -> bool:
    return any(template.name == name for template in response.templates or ())


def unlock(data: bytes, password: str) -> openpyxl.Workbook:
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    office.load_key(password=password)
    plain = io.BytesIO()
    office.decrypt(plain)
    return openpyxl.load_workbook(plain)


def test_an_export_of_people_without_a_purpose_is_refused_and_writes_nothing(client_for, town_admin, people):
    client = client_for(town_admin)
    form = client.get(PEOPLE).context["form"]
    assert "purpose" in form.fields and "detail" in form.fields  # asked on the export form itself
    response = client.post(PEOPLE, export_data(client))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors["purpose"] == ["请选择或写明这次导出的用途。"]
    assert not ReportLog.objects.exists()


def test_the_purpose_is_logged_and_the_workbook_says_who_took_it(client_for, town_admin, town, people):
    ExportPurpose.objects.create(town=town, name="入户走访")
    client = client_for(town_admin)
    response = client.post(PEOPLE, export_data(client, "1", purpose="入户走访", detail="太坝村二组"))
    assert response.status_code == 200
    log = ReportLog.objects.get()
    assert (log.purpose, log.encrypted, log.format) == ("入户走访：太坝村二组", False, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = book.active.oddHeader.right.text
    assert town_admin.username in header and "入户走访" in header and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", header)
    assert "入户走访：太坝村二组" in book.properties.description and book.properties.keywords == log.purpose


def test_the_towns_own_purposes_are_offered(client_for, town_admin, town, people):
    ExportPurpose.objects.create(town=town, name="妇女议事会", sort_order=1)
    choices = [value for value, _label in client_for(town_admin).get(PEOPLE).context["form"].fields["purpose"].choices]
    assert choices == ["", "妇女议事会"]
    response = client_for(town_admin).post(PEOPLE, export_data(client_for(town_admin), purpose="不在清单里的用途"))
    assert response.status_code == 200 and not ReportLog.objects.exists()  # only the town's list, or free text


def test_a_locked_export_opens_with_its_password_only(client_for, town_admin, people):
    client = client_for(town_admin)
    response = client.post(PEOPLE, export_data(client, "1", **PURPOSE, encrypt="on", password=PASSWORD))
    data = b"".join(response.streaming_content)
    with pytest.raises(Exception):  # noqa: B017 - not a workbook openpyxl can read
        openpyxl.load_workbook(io.BytesIO(data))
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    assert office.is_encrypted()
    office.load_key(password="wrong-password")
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        office.decrypt(io.BytesIO())
    rows = [[str(cell) for cell in row] for row in unlock(data, PASSWORD).active.iter_rows(values_only=True)]
    assert any("李秀兰" in row for row in rows) and any("13900000001" in row for row in rows)
    log = ReportLog.objects.get()
    assert log.encrypted and PASSWORD not in str(ReportLog.objects.values().get())


def test_a_short_password_or_a_locked_csv_is_refused(client_for, town_admin, people):
    client = client_for(town_admin)
    short = client.post(PEOPLE, export_data(client, "1", **PURPOSE, encrypt="on", password="1234"))
    assert short.context["form"].errors["password"]
    csv_locked = client.post(PEOPLE, export_data(client, "0", **PURPOSE, encrypt="on", password=PASSWORD))
    assert csv_locked.context["form"].errors["encrypt"]
    assert not ReportLog.objects.exists()


def test_the_town_may_require_full_identity_lists_to_be_locked(client_for, town, town_admin, clerk, people):
    town.encrypt_full_identity_exports = True
    town.save()
    client = client_for(town_admin)  # sees whole ID numbers and phones
    assert client.get(PEOPLE).context["form"].fields["encrypt"].initial is True
    plain_csv = client.post(PEOPLE, export_data(client, "0", **PURPOSE))
    assert plain_csv.status_code == 200 and plain_csv.context["form"].non_field_errors()
    unlocked = client.post(PEOPLE, export_data(client, "1", **PURPOSE, password=PASSWORD))
    assert unlocked.context["form"].errors["encrypt"]
    assert not ReportLog.objects.exists()
    locked = client.post(PEOPLE, export_data(client, "1", **PURPOSE, encrypt="on", password=PASSWORD))
    assert msoffcrypto.OfficeFile(io.BytesIO(b"".join(locked.streaming_content))).is_encrypted()
    # The clerk sees masked numbers: her CSV is not a full-identity list.
    clerk_client = client_for(clerk)
    masked = clerk_client.post(PEOPLE, export_data(clerk_client, "0", **PURPOSE))
    assert masked.streaming and "138****5678" in masked.content.decode("utf-8-sig")


def test_a_csv_says_who_took_it_in_its_first_line_only_when_asked(client_for, town_admin, people):
    client = client_for(town_admin)
    plain = client.post(PEOPLE, export_data(client, **PURPOSE)).content.decode("utf-8-sig")
    assert not plain.startswith("#") and next(csv.reader(io.StringIO(plain)))[0] == "姓名"
    noted = client.post(PEOPLE, export_data(client, **PURPOSE, csv_note="on")).content.decode("utf-8-sig")
    first, header = list(csv.reader(io.StringIO(noted)))[:2]
    assert first[0].startswith("# ") and town_admin.username in first[0] and PURPOSE["detail"] in first[0]
    assert "姓名" in header


def test_an_export_of_records_of_no_one_asks_nothing(client_for, town_admin, taiba):
    client = client_for(town_admin)
    form = client.get("/admin/federation/village/export/").context["form"]
    assert "purpose" not in form.fields and "password" not in form.fields
    columns = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post("/admin/federation/village/export/", {"format": "0", "resource": "0", **columns})
    assert response.streaming and "太坝" in response.content.decode("utf-8-sig")
    assert ReportLog.objects.get().purpose == ""


def test_a_report_of_people_asks_first_and_a_report_of_figures_does_not(client_for, town_admin, people):
    client = client_for(town_admin)
    query = {"report": "activities_ledger", "year": 2024, "format": "xlsx"}
    asked = client.get(REPORTS, query)
    assert asked.status_code == 200 and used_template(asked, DISCLOSURE_PAGE)
    assert "password" in asked.context["form"].fields and not ReportLog.objects.exists()
    again = client.post(f"{REPORTS}?report=activities_ledger&year=2024&format=xlsx", {})
    assert used_template(again, DISCLOSURE_PAGE) and again.context["form"].errors["purpose"]
    assert not ReportLog.objects.exists()
    taken = take_file(client, REPORTS, query, encrypt="on", password=PASSWORD)
    book = unlock(b"".join(taken.streaming_content), PASSWORD)
    assert PURPOSE["detail"] in book.active.oddHeader.right.text
    log = ReportLog.objects.get()
    assert (log.report, log.purpose, log.encrypted) == ("activities_ledger", PURPOSE["detail"], True)
    figures = client.get(REPORTS, {"report": "population", "year": 2024, "format": "csv"})
    assert figures.streaming and ReportLog.objects.filter(report="population", purpose="").exists()


def test_every_page_of_the_binder_carries_the_mark(client_for, town_admin, people):
    client = client_for(town_admin)
    asked = client.get(BINDER, {"year": 2024, "format": "pdf"})
    assert used_template(asked, DISCLOSURE_PAGE)
    response = take_file(client, BINDER, {"year": 2024, "format": "pdf"}, detail="检查备档")
    from pypdf import PdfReader

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages]
    mark = re.compile(MARK_LINE, re.M)
    assert len(pages) > 3
    for text in pages:
        found = mark.findall(text)
        assert found and all(town_admin.username in line and "检查备档" in line for line in found)
    assert ReportLog.objects.get(report="ledger_binder").purpose == "检查备档"
    # Marked under the ledgers, which still read as before.
    assert "台账目录" in "".join(pdf_pages(b"".join(take_file(client, BINDER, {"year": 2024, "format": "pdf"}))))


def test_the_binder_command_needs_a_purpose_for_people(db, town_admin, people, tmp_path):
    out = tmp_path / "binder.xlsx"
    with pytest.raises(CommandError, match="--purpose"):
        call_command("ledger_binder", "--year", "2024", "--format", "xlsx", "-o", str(out), stdout=io.StringIO())
    call_command(
        "ledger_binder", "--year", "2024", "--format", "xlsx", "--purpose", "县妇联检查", "-o", str(out),
        stdout=io.StringIO(),
    )  # fmt: skip
    book = openpyxl.load_workbook(out)
    assert all("县妇联检查" in sheet.oddHeader.right.text for sheet in book.worksheets)
    assert ReportLog.objects.get().purpose == "县妇联检查"
