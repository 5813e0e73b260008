"""The import pages of the admin: upload, preview, confirm; the template; permissions."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from federation.core.models import ImportRecord
from federation.models import Person
from tests.data.make_files import HEADER, WANG

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"
    return settings.IMPORT_TMP_DIR


def upload(client, name, content=None, **extra):
    content = content if content is not None else (DATA / name).read_bytes()
    return client.post("/admin/federation/person/import/", {"file": SimpleUploadedFile(name, content), **extra})


def test_clerk_previews_then_confirms_an_import(client_for, clerk, taiba, fenghe, private_uploads):
    client = client_for(clerk)
    assert "导入模板" in client.get("/admin/federation/person/").content.decode()
    preview = upload(client, "people_title_rows.xlsx")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "表头在第 3 行" in page and "序号" in page and "确认导入" in page
    assert preview.context["report"].new == 4 and not Person.objects.exists()
    token = preview.context["token"]
    assert [p.name for p in private_uploads.iterdir()] == [f"{token}.upload"]
    assert oct(next(private_uploads.iterdir()).stat().st_mode & 0o777) == "0o600"

    done = client.post(
        "/admin/federation/person/import/", {"confirm": "1", "token": token, "file_name": "people_title_rows.xlsx"}
    )
    assert done.status_code == 302 and done["Location"] == "/admin/federation/person/"
    assert Person.objects.count() == 4
    assert list(private_uploads.iterdir()) == []  # removed after confirm
    messages = [str(m) for m in client.get("/admin/federation/person/").context["messages"]]
    assert messages == ["导入完成：新增 4，更新 0，未变 0，错误 0。"]
    assert ImportRecord.objects.get().user == clerk

    again = client.post("/admin/federation/person/import/", {"confirm": "1", "token": token})
    assert again.status_code == 302 and Person.objects.count() == 4  # a double click imports once


def test_a_preview_with_errors_offers_no_confirmation_and_keeps_nothing(
    client_for, clerk, taiba, fenghe, private_uploads
):
    preview = upload(client_for(clerk), "people_other_village.csv")
    page = preview.content.decode()
    assert "第 6 行，“村(社区)”列：村(社区)“冯河”不在您负责的范围内。" in page
    assert "确认导入" not in page and "token" not in preview.context
    assert not private_uploads.exists() or list(private_uploads.iterdir()) == []
    assert not Person.objects.exists()


def test_another_users_token_is_refused(client_for, clerk, town_admin, taiba, fenghe):
    token = upload(client_for(clerk), "people_utf8.csv").context["token"]
    response = client_for(town_admin).post("/admin/federation/person/import/", {"confirm": "1", "token": token})
    assert response.status_code == 302 and not Person.objects.exists()


def test_abandoned_uploads_are_purged(client_for, clerk, taiba, fenghe, private_uploads, settings):
    client = client_for(clerk)
    upload(client, "people_utf8.csv")
    settings.IMPORT_TMP_MAX_AGE = -1
    upload(client, "people_utf8.csv")  # the next upload sweeps the older one away
    assert len(list(private_uploads.iterdir())) == 1


def test_a_large_roster_previews_counts_errors_and_a_sample_only(client_for, town_admin, taiba, fenghe):
    rows = [HEADER] + [[f"人{i}", f"{i:018d}", "", "", "", "太坝", "", "", ""] for i in range(1200)]
    content = "\n".join(",".join(row) for row in rows).encode()
    preview = upload(client_for(town_admin), "big.csv", content)
    assert len(preview.context["report"].errors) == 1200
    assert len(preview.context["shown_errors"]) == 500 and preview.context["more_errors"] == 700
    assert preview.context["sample"] == []
    errors = client_for(town_admin).get(f"/admin/federation/person/import/errors/{preview.context['errors_token']}/")
    lines = errors.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "行号,列,问题" and len(lines) == 1201


def test_the_template_has_title_rows_text_id_columns_an_example_and_villages(client_for, clerk, taiba, fenghe):
    response = client_for(clerk).get("/admin/federation/person/import/template/")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "人员花名册（导入模板）"
    headers = [cell.value for cell in sheet[3]]
    assert headers[:2] == ["姓名*", "公民身份号码*"]
    assert sheet["B4"].number_format == "@" and sheet["B500"].number_format == "@"
    assert sheet["A4"].value == "张秀英"
    villages = book["村(社区)"]
    assert [row[0].value for row in villages.iter_rows()] == ["太坝村"]  # her villages only
    assert any("村(社区)" in str(v.formula1) for v in sheet.data_validations.dataValidation)


def test_the_templates_example_row_is_never_data(client_for, clerk, taiba, fenghe):
    client = client_for(clerk)
    template = client.get("/admin/federation/person/import/template/").content
    sheet = openpyxl.load_workbook(io.BytesIO(template)).active
    example = [cell.value for cell in sheet[4]]
    # Chinese as the drop-downs show it, never an internal code, and marked as an example.
    assert example[:3] == ["张秀英", "621228198503150028", "女"]
    assert "本人(户主)" in example and "在册" in example and "self" not in example
    assert example[-1].startswith("示例")
    untouched = upload(client, "模板.xlsx", template).context["report"]
    assert [str(error) for error in untouched.errors] == ["文件中只有示例行或合计行，没有数据行。"]
    assert untouched.ignored_rows == [(4, "示例行")] and not Person.objects.exists()
    # Filled in under the example, the example row is still skipped.
    book = openpyxl.load_workbook(io.BytesIO(template))
    filled = {
        "姓名*": "王建国",
        "公民身份号码*": WANG,
        "村(社区)*": "太坝村",
        "户主身份证号": WANG,
        "与户主关系": "户主",
    }
    for position, cell in enumerate(book.active[3], start=1):
        book.active.cell(row=5, column=position, value=filled.get(cell.value))
    buffer = io.BytesIO()
    book.save(buffer)
    report = upload(client, "模板.xlsx", buffer.getvalue()).context["report"]
    assert (report.errors, report.new, report.header_row, report.ignored_rows) == ([], 1, 3, [(4, "示例行")])


def test_import_needs_its_own_permission(client_for, clerk, county_reader, taiba):
    clerk.groups.first().permissions.remove(Permission.objects.get(codename="import_person"))
    client = client_for(clerk)
    page = client.get("/admin/federation/person/").content.decode()
    assert "导入模板" not in page
    assert client.get("/admin/federation/person/import/").status_code == 403
    assert upload(client, "people_utf8.csv").status_code == 403
    assert client_for(county_reader).get("/admin/federation/person/import/").status_code == 403


def test_export_needs_its_own_permission(client_for, clerk, taiba):
    clerk.groups.first().permissions.remove(Permission.objects.get(codename="export_person"))
    client = client_for(clerk)
    assert client.get("/admin/federation/person/export/").status_code == 403
    assert "导出" not in client.get("/admin/federation/person/").content.decode()


def test_households_import_from_the_household_list(client_for, town_admin, taiba, fenghe):
    client = client_for(town_admin)
    token = upload(client, "people_utf8.csv").context["token"]
    client.post("/admin/federation/person/import/", {"confirm": "1", "token": token, "file_name": "people_utf8.csv"})
    preview = client.post(
        "/admin/federation/household/import/",
        {"file": SimpleUploadedFile("households.xlsx", (DATA / "households.xlsx").read_bytes())},
    )
    assert preview.context["report"].updated == 2
    client.post("/admin/federation/household/import/", {"confirm": "1", "token": preview.context["token"]})
    assert Person.objects.get(id_number=WANG).household.number == "TB-0001"


def test_a_file_over_the_size_limit_is_refused(client_for, town_admin, taiba, settings):
    settings.IMPORT_MAX_BYTES = 2 * 1024 * 1024
    content = (DATA / "people_utf8.csv").read_bytes().ljust(3 * 1024 * 1024, b"\n")
    response = upload(client_for(town_admin), "people_utf8.csv", content)
    # The file's size and the limit differ, so the message shows it names each.
    assert response.context["form"].errors["file"] == ["文件大小为 3.0 MB，上限为 2 MB。"]
    assert not Person.objects.exists()


def test_import_records_are_visible_to_the_town_and_to_their_importer(client_for, clerk, town_admin, taiba, fenghe):
    from federation.resources import PeopleResource

    PeopleResource(user=clerk).import_file((DATA / "people_utf8.csv").read_bytes(), "太坝.csv", dry_run=False)
    PeopleResource(user=town_admin).import_file((DATA / "households.xlsx").read_bytes(), "镇.xlsx", dry_run=True)
    PeopleResource(user=town_admin).import_file(
        (DATA / "people_phone_changed.csv").read_bytes(), "镇.csv", dry_run=False
    )
    town_view = client_for(town_admin).get("/admin/federation/importrecord/")
    assert sorted(r.file_name for r in town_view.context["cl"].result_list) == ["太坝.csv", "镇.csv"]
    clerk_view = client_for(clerk).get("/admin/federation/importrecord/")
    assert [r.file_name for r in clerk_view.context["cl"].result_list] == ["太坝.csv"]
    record = ImportRecord.objects.get(file_name="镇.csv")
    assert client_for(clerk).get(f"/admin/federation/importrecord/{record.pk}/change/").status_code == 404


def test_the_preview_sample_shows_stored_values_masked_for_the_clerk(client_for, clerk, town_admin, taiba, fenghe):
    from federation.core.identity import mask_id_number

    sample = upload(client_for(clerk), "people_title_rows.xlsx").context["sample"]
    first = sample[0]["cells"]
    assert first[:3] == ["王建国", mask_id_number(WANG), "男"]
    assert "1970-05-01" in first  # the Excel serial 25689, shown as the date it is
    assert "138****0001" in first
    sample = upload(client_for(town_admin), "people_title_rows.xlsx").context["sample"]
    assert sample[0]["cells"][1] == WANG


def test_a_file_imported_before_needs_the_import_again_choice(client_for, clerk, taiba, fenghe, private_uploads):
    client = client_for(clerk)
    token = upload(client, "people_utf8.csv").context["token"]
    client.post("/admin/federation/person/import/", {"confirm": "1", "token": token, "file_name": "people_utf8.csv"})
    record = ImportRecord.objects.get()
    form = client.get("/admin/federation/person/import/").content.decode()
    assert 'name="again"' in form and "再次导入" in form
    refused = upload(client, "people_utf8.csv")
    page = refused.content.decode()
    assert f"（导入记录 #{record.pk}）" in page and "确认导入" not in page
    preview = upload(client, "people_utf8.csv", again="on")
    assert preview.context["report"].unchanged == 4 and 'name="again" value="1"' in preview.content.decode()
    done = client.post(
        "/admin/federation/person/import/",
        {"confirm": "1", "token": preview.context["token"], "file_name": "people_utf8.csv", "again": "1"},
    )
    assert done.status_code == 302
    assert list(ImportRecord.objects.values_list("applied", "unchanged")) == [(True, 4), (True, 0)]
