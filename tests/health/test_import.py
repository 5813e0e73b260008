"""The HPV roster and screening lists, through the shared import path."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from federation.core.models import ImportRecord
from federation.resources import PeopleResource
from health.models import HPVDeferral, HPVDose, Screening
from health.resources import HPVRosterResource, ScreeningsResource
from tests.data.make_files import WANG_GIRL

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


@pytest.fixture
def people(taiba, town_admin):
    report = PeopleResource(user=town_admin).import_file(
        (DATA / "people_utf8.csv").read_bytes(), "p.csv", dry_run=False
    )
    assert report.errors == []


def test_hpv_roster_writes_doses_in_order_and_reasons(people, health_clerk):
    data = (DATA / "hpv_roster.xlsx").read_bytes()
    report = HPVRosterResource(user=health_clerk).import_file(data, "hpv_roster.xlsx", dry_run=False)
    assert report.errors == [] and report.new == 3
    doses = list(HPVDose.objects.order_by("dose_number").values_list("person__id_number", "dose_number", "date"))
    assert doses == [(WANG_GIRL, 1, date(2024, 5, 10)), (WANG_GIRL, 2, date(2024, 11, 20))]
    assert HPVDose.objects.filter(recorded_by=health_clerk).count() == 2
    deferral = HPVDeferral.objects.get()
    assert (deferral.reason, deferral.ask_again_on) == ("illness", date(2024, 8, 1))
    # The same file is refused, and imported again all the same it changes nothing.
    refused = HPVRosterResource(user=health_clerk).import_file(data, "hpv_roster.xlsx", dry_run=True)
    assert [error.message[:6] for error in refused.errors] == ["该文件已于2"]
    again = HPVRosterResource(user=health_clerk).import_file(data, "hpv_roster.xlsx", dry_run=False, again=True)
    assert again.errors == [] and (again.new, again.unchanged) == (0, 3)
    assert (HPVDose.objects.count(), HPVDeferral.objects.count()) == (2, 1)


def test_a_dose_before_birth_a_boy_and_no_consent_are_row_errors_and_nothing_is_written(people, health_clerk):
    data = (DATA / "hpv_roster_bad.xlsx").read_bytes()
    report = HPVRosterResource(user=health_clerk).import_file(data, "bad.xlsx", dry_run=False)
    errors = [(e.row, e.column, e.message) for e in report.errors]
    assert errors == [
        # Before she was born, and before the system's first year: the date rule of every roster.
        (4, "接种日期", "2011-05-10 早于 2015 年，请检查年份。"),
        (4, "同意日期", "2011-05-08 早于 2015 年，请检查年份。"),
        (5, "身份证号", "王建国 不是女性。"),
        (6, "监护人", "监护人为必填项。"),
        (6, "同意日期", "同意日期为必填项。"),
    ]
    assert HPVDose.objects.count() == 0 and ImportRecord.objects.get(resource="hpv_roster").applied is False


def test_another_villages_girl_is_not_found(people, fenghe, clerk, health_clerk):
    from federation.models import Person

    Person.objects.filter(id_number=WANG_GIRL).update(village=fenghe)
    report = HPVRosterResource(user=health_clerk).import_file(
        (DATA / "hpv_roster.xlsx").read_bytes(), "x.xlsx", dry_run=True
    )
    assert {(e.row, e.message) for e in report.errors} == {
        (4, "您所管村的人员花名册中没有这个身份证号。"),
        (5, "您所管村的人员花名册中没有这个身份证号。"),
    }


def test_screening_list_from_the_command(people, capsys):
    call_command("import_data", "screenings", str(DATA / "screenings.csv"))
    rows = list(
        Screening.objects.order_by("person__name").values_list("person__name", "kind", "free_programme", "result")
    )
    assert rows == [("李秀英", "both", True, "normal"), ("赵桂兰", "cervical", False, "")]


def test_a_screening_result_without_consent_is_a_row_error(people, health_clerk):
    content = "姓名,身份证号,筛查日期,筛查机构,筛查结果\n李秀英,{},2024-04-18,县妇幼,确诊\n"
    from tests.data.make_files import LI

    report = ScreeningsResource(user=health_clerk).import_file(content.format(LI).encode(), "s.csv", dry_run=False)
    assert [(e.row, e.message) for e in report.errors] == [(2, "请先登记本人知情同意（同意人和日期），再录入结果。")]
    assert Screening.objects.count() == 0


def test_the_import_pages_need_the_health_import_permission(client_for, clerk):
    from django.contrib.auth.models import Group

    from federation.core.roles import HEALTH_RECORDER

    assert client_for(clerk).get("/admin/health/hpvdose/import/").status_code == 403
    clerk.groups.add(Group.objects.get(name=HEALTH_RECORDER))
    client = client_for(clerk)
    assert client.get("/admin/health/hpvdose/import/").status_code == 200
    template = client.get("/admin/health/hpvdose/import/template/")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
