"""Admin exports stream (issue 15 §2): CSV as its rows are read, XLSX from a temporary file,
with the same header and rows as import-export's own export, masked, formula-safe, scoped,
logged, and in a number of queries that does not grow with the rows."""

import csv
import io

import openpyxl
import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from import_export.admin import ExportMixin
from import_export.forms import SelectableFieldsExportForm

from federation.core.identity import mask_id_number
from federation.core.models import ReportLog
from federation.models import Activity, Person
from tests.factories import PURPOSE, ActivityFactory, HouseholdFactory, PersonFactory

PEOPLE = "/admin/federation/person/export/"


def ticked(model_admin, request, file_format: str, **extra) -> dict:
    """The export form's data with every column ticked, as a user submits it."""
    resource_class = model_admin.get_export_resource_classes(request)[0]
    names = resource_class().get_export_order()
    columns = {SelectableFieldsExportForm.create_boolean_field_name(resource_class, name): "on" for name in names}
    return {"format": file_format, "resource": "0", **columns, **PURPOSE, **extra}


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def table(data: bytes, file_format: str) -> list[list]:
    if file_format == "0":
        return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return [list(row) for row in openpyxl.load_workbook(io.BytesIO(data)).active.values]


def people_export(client, file_format="0"):
    data = ticked(admin.site._registry[Person], _request(None), file_format)
    return client.post(PEOPLE, data)


def _request(user, data=None):
    request = RequestFactory().post("/", data or {})
    request.user = user
    return request


@pytest.fixture
def village_people(taiba, own_household):
    head = own_household.head
    head.phone = "13812345678"
    head.save()
    PersonFactory(
        village=taiba,
        household=own_household,
        name="=1+2",
        relation_to_head=Person.Relation.DAUGHTER,
        phone="13900000001",
    )
    return head


def test_csv_streams_with_a_bom_and_xlsx_comes_from_a_file(client_for, town_admin, village_people):
    client = client_for(town_admin)
    response = people_export(client)
    assert isinstance(response, StreamingHttpResponse) and not isinstance(response, FileResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert body(response).startswith("\ufeff姓名,".encode())
    response = people_export(client, "1")
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")


@pytest.mark.parametrize("file_format", ["0", "1"])
def test_masked_for_the_clerk_and_whole_for_the_town_admin(client_for, clerk, town_admin, village_people, file_format):
    head = village_people
    for user, number, phone in [
        (clerk, mask_id_number(head.id_number), "138****5678"),
        (town_admin, head.id_number, "13812345678"),
    ]:
        rows = table(body(people_export(client_for(user), file_format)), file_format)
        header, by_name = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
        assert header[:5] == ["姓名", "公民身份号码", "性别", "出生日期", "联系电话"]
        assert header[5:8] == ["村(社区)", "村民小组", "户主身份证号"]
        assert by_name[head.name]["公民身份号码"] == number
        assert by_name[head.name]["联系电话"] == phone
        assert by_name["'=1+2"]["户主身份证号"] == number  # a member's head, masked alike
        assert by_name["'=1+2"]["与户主关系"] == "女"
        assert by_name[head.name]["村民小组"] == "1组"


def test_formulas_stay_text_in_both_formats(client_for, town_admin, taiba, village_people):
    ActivityFactory(town=taiba.town, title='=HYPERLINK("http://x")', notes="@SUM(A1)", villages=[taiba])
    client = client_for(town_admin)
    data = ticked(admin.site._registry[Activity], _request(town_admin), "0")
    text = body(client.post("/admin/federation/activity/export/", data)).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text
    data["format"] = "1"
    sheet = openpyxl.load_workbook(io.BytesIO(body(client.post("/admin/federation/activity/export/", data)))).active
    assert '\'=HYPERLINK("http://x")' in [cell.value for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_another_villages_people_are_not_in_it(client_for, clerk, village_people, other_household):
    names = [row[0] for row in table(body(people_export(client_for(clerk))), "0")[1:]]
    assert village_people.name in names and "冯秘密" not in names


def test_the_export_is_logged_with_its_row_count(client_for, clerk, village_people):
    body(people_export(client_for(clerk), "1"))
    log = ReportLog.objects.get()
    assert (log.user, log.report, log.format, log.rows) == (clerk, "export:federation.person", "xlsx", 2)


def test_the_number_of_queries_does_not_grow_with_the_rows(client_for, town_admin, taiba):
    def queries(file_format):
        with CaptureQueriesContext(connection) as captured:
            body(people_export(client, file_format))  # the rows are read while streaming
        return len(captured)

    client = client_for(town_admin)

    def add(count):
        for _ in range(count):
            household = HouseholdFactory(village=taiba)
            household.head = PersonFactory(village=taiba, household=household)
            household.save()
            PersonFactory(village=taiba, household=household, relation_to_head=Person.Relation.SPOUSE)

    add(2)
    few = [queries("0"), queries("1")]
    add(14)
    assert [queries("0"), queries("1")] == few


def test_the_roster_reads_plain_rows_and_each_village_name_once(
    client_for, town_admin, taiba, fenghe, village_people, other_household, monkeypatch
):
    """The people roster is written from values_list rows, chunk after chunk, with the
    villages' names read in one query however many chunks name them; where the names are
    too many to keep they are read for each chunk, and the rows are the same."""
    from federation.core import exporting

    def no_instances(*args, **kwargs):
        raise AssertionError("the people roster is read as model instances")

    monkeypatch.setattr(exporting.ScopedResource, "_rows_from_instances", no_instances)
    client = client_for(town_admin)
    with CaptureQueriesContext(connection) as captured:
        whole = table(body(people_export(client)), "0")
    village_reads = [q for q in captured if 'FROM "federation_village"' in q["sql"]]
    monkeypatch.setattr(exporting, "EXPORT_CHUNK", 1)
    with CaptureQueriesContext(connection) as captured:
        assert table(body(people_export(client)), "0") == whole
    assert len([q for q in captured if 'FROM "federation_village"' in q["sql"]]) == len(village_reads)
    assert {row[5] for row in whole[1:]} == {"太坝村", "冯河村"}
    monkeypatch.setattr(exporting, "RELATED_NAMES_KEPT", 0)
    assert table(body(people_export(client)), "0") == whole
    assert len(whole) == Person.objects.count() + 1


# -- every exporting admin, on the demo town --


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def exporting_admins():
    return [model_admin for model_admin in admin.site._registry.values() if isinstance(model_admin, ExportMixin)]


def test_every_exporting_admin_streams_what_import_export_wrote(demo, client):
    """For each admin and each demo user who may export it: the export streams, has the
    same header and rows as import-export's own export of the same records, and reads them
    in as many queries for 1 record as for 40."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=["town", "taiba", "admin"]).order_by("username")
    compared = set()
    for model_admin in exporting_admins():
        label = model_admin.model._meta.label
        for user in users:
            request = _request(user)
            if not (model_admin.has_export_permission(request) and model_admin.has_view_permission(request)):
                continue
            pks = list(model_admin.get_queryset(request).order_by("pk").values_list("pk", flat=True)[:40])
            if not pks or (user.is_superuser and label in compared):
                continue
            compared.add(label)
            client.force_login(user)
            url = f"/admin/{model_admin.opts.app_label}/{model_admin.opts.model_name}/export/"
            for file_format in ("0", "1"):
                counts = []
                for items in (pks[:1], pks):
                    data = ticked(model_admin, request, file_format, export_items=items)
                    with CaptureQueriesContext(connection) as captured:
                        response = client.post(url, data)
                        streamed = body(response)
                    counts.append(len(captured))
                assert response.streaming, label
                assert counts[0] == counts[1], (label, user.username, file_format, counts)
                before = import_export_body(model_admin, user, data)
                assert table(streamed, file_format) == table(before, file_format), (label, user.username, file_format)
    assert len(compared) >= 20, compared


def import_export_body(model_admin, user, data) -> bytes:
    """The same export by import-export's own code (the whole table in memory)."""
    request = _request(user, data)
    formats = model_admin.get_export_formats()
    columns = {key: value for key, value in data.items() if key != "export_items"}  # the records: below
    form = model_admin.get_export_form_class()(formats, model_admin.get_export_resource_classes(request), data=columns)
    assert form.is_valid(), form.errors
    queryset = model_admin.get_export_queryset(request).filter(pk__in=data["export_items"])
    file_format = formats[int(data["format"])]()
    return ExportMixin._do_file_export(model_admin, file_format, request, queryset, export_form=form).content
