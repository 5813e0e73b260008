"""The 执委名册 roster from real .xlsx files built here: through member_save, all or nothing."""

import io
from datetime import date

import openpyxl
import pytest
from django.utils.translation import gettext as _

from organization.models import CommitteeMember
from organization.resources import CommitteeRosterResource
from tests.factories import PersonFactory
from tests.organization.conftest import make_committee

HEADER = ["村(社区)", "姓名", "身份证号", "职务", "其他职务", "联系电话", "任职日期", "离任日期", "备注"]


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


def xlsx(*rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["太坝村妇联执委名册"])  # a title row above the header, as village files have
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    for cell in sheet["C"][2:]:
        cell.number_format = "@"
    file = io.BytesIO()
    book.save(file)
    return file.getvalue()


def load(user, data, **kwargs):
    return CommitteeRosterResource(user=user).import_file(data, "执委名册.xlsx", **{"dry_run": False, **kwargs})


def errors(report) -> list[tuple]:
    return [(error.row, error.column, error.message) for error in report.errors]


@pytest.fixture
def li(taiba):
    return PersonFactory(village=taiba, name="李秀英")


@pytest.fixture
def wang(taiba):
    return PersonFactory(village=taiba, name="王桂兰")


def good_file(li, wang) -> bytes:
    return xlsx(
        ["太坝", "李秀英", li.id_number, "妇联主席", "村委委员", "13912345678", date(2021, 6, 1), None, ""],
        ["太坝村", "王桂兰", wang.id_number, "兼职副主席", "", "", "2021-06-01", None, ""],
        ["太坝村", "驻村干部刘芳", "", "执委", "乡村振兴工作队", "", "2021年6月1日", None, "驻村单位"],
    )


def test_the_roster_writes_through_the_service_and_again_changes_nothing(committee, li, wang, clerk):
    data = good_file(li, wang)
    preview = load(clerk, data, dry_run=True)
    assert (errors(preview), preview.new) == ([], 3)
    assert not CommitteeMember.objects.exists()  # a preview writes nothing
    report = load(clerk, data)
    assert (errors(report), report.new) == ([], 3)
    members = {member.shown_name: member for member in CommitteeMember.objects.all()}
    assert (members["李秀英"].position, members["李秀英"].phone, members["李秀英"].recorded_by) == (
        "chair",
        "13912345678",
        clerk,
    )
    assert (members["王桂兰"].position, members["驻村干部刘芳"].person) == ("vice_chair", None)
    assert members["驻村干部刘芳"].note == "驻村单位"
    again = load(clerk, data, again=True)
    assert (errors(again), again.new, again.updated, again.unchanged) == ([], 0, 0, 3)


def test_a_member_who_left_is_updated(committee, li, wang, clerk):
    assert load(clerk, good_file(li, wang)).errors == []
    left = xlsx(["太坝村", "王桂兰", wang.id_number, "副主席", "", "", "2021-06-01", "2024-03-01", ""])
    report = load(clerk, left)
    assert (errors(report), report.updated) == ([], 1)
    assert CommitteeMember.objects.get(person=wang).left_on == date(2024, 3, 1)


def test_bad_rows_write_nothing_and_each_is_named(committee, li, wang, clerk, fenghe):
    stranger = PersonFactory(village=fenghe, name="冯外人")
    third = PersonFactory(village=committee.village, name="第二主席")
    data = xlsx(
        ["太坝村", "李秀英", li.id_number, "妇联主席", "", "", "2021-06-01", None, ""],
        ["太坝村", "王桂兰", wang.id_number, "会长", "", "", "2021-06-01", None, ""],
        ["太坝村", "无名氏", "110101199003071234", "执委", "", "", "2021-06-01", None, ""],
        ["太坝村", "冯外人", stranger.id_number, "执委", "", "", "2021-06-01", None, ""],
        ["太坝村", "王桂兰", wang.id_number, "执委", "", "", "2021-13-45", None, ""],
        ["太坝村", "第二主席", third.id_number, "主席", "", "", "2021-06-01", None, ""],
    )
    report = load(clerk, data)
    found = errors(report)
    assert [(row, column) for row, column, _message in found] == [
        (4, "职务"),
        (5, "身份证号"),
        (6, "身份证号"),
        (7, "任职日期"),
        (8, "职务"),
    ]
    assert "会长" in found[0][2]
    assert "冯外人" not in found[2][2] or "冯河村" in found[2][2]
    assert "李秀英" in found[4][2]  # the chair's one seat is hers
    assert not CommitteeMember.objects.exists()


def test_the_village_needs_its_committee(taiba, fenghe, li, town_admin):
    make_committee(taiba.town, taiba)
    data = xlsx(["冯河村", "冯执委", "", "执委", "", "", "2021-06-01", None, ""])
    (error,) = load(town_admin, data).errors
    assert error.column == "村(社区)" and "冯河村" in error.message
    assert not CommitteeMember.objects.exists()


def test_a_blank_village_is_the_towns_committee_for_the_towns_staff(town, taiba, li, town_admin, clerk):
    town_committee = make_committee(town)
    own = make_committee(town, taiba)
    data = xlsx(["", "镇执委刘芳", "", "副主席", "", "", "2021-06-01", None, ""])
    assert errors(load(town_admin, data)) == []
    assert CommitteeMember.objects.get().committee == town_committee
    # A clerk's blank village is her own village.
    data = xlsx(["", "村执委张敏", "", "执委", "", "", "2021-06-01", None, ""])
    assert errors(load(clerk, data)) == []
    assert CommitteeMember.objects.get(name="村执委张敏").committee == own


def test_the_template_has_an_example_row(client_for, clerk, committee):
    response = client_for(clerk).get("/admin/organization/committeemember/import/template/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert {"李秀英", "村(社区)", "姓名*", "身份证号", "职务*", "任职日期*"} <= set(values)
    assert _("Executive committee roster")
