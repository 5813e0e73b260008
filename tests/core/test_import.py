"""Importing village rosters: real files under tests/data, every bad input the issue names.
Each test asserts the counts, what was stored, and for errors the Excel row and that
nothing was written."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from federation.core.importing import read_table
from federation.core.models import ImportRecord
from federation.models import Household, Person
from federation.resources import HouseholdsResource, PeopleResource
from tests.data.make_files import FENG, LI, WANG, WANG_GIRL, ZHAO

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


def run(name, *, user=None, dry_run=False, resource=PeopleResource, again=False, **kwargs):
    data = (DATA / name).read_bytes()
    return resource(user=user, **kwargs).import_file(data, name, dry_run=dry_run, again=again)


def messages(report):
    return [(error.row, error.column, error.message) for error in report.errors]


def assert_four_people_stored(taiba):
    wang, li, girl, zhao = (Person.objects.get(id_number=n) for n in (WANG, LI, WANG_GIRL, ZHAO))
    assert (wang.name, wang.sex, wang.birth_date, wang.village) == ("王建国", "M", date(1970, 5, 1), taiba)
    assert li.phone == "13800000002" and li.relation_to_head == Person.Relation.SPOUSE
    assert girl.birth_date == date(2012, 3, 1) and girl.relation_to_head == Person.Relation.DAUGHTER
    assert zhao.phone == "0939-4123456"
    assert wang.household == li.household == girl.household
    assert wang.household.head == wang and wang.relation_to_head == Person.Relation.SELF
    assert wang.household.group == "1组" and wang.household.village == taiba
    assert zhao.household.head == zhao and zhao.household != wang.household
    assert Household.objects.count() == 2


@pytest.mark.parametrize(
    "name",
    [
        "people_utf8.csv",
        "people_utf8_bom.csv",
        "people_gbk.csv",
        "people.xls",
        "people_spelling_a.csv",
        "people_spelling_b.csv",
        "people_spelling_c.csv",
        "people_spelling_d.csv",
        "people_spelling_e.csv",
    ],
)
def test_every_format_encoding_and_header_spelling_imports_the_same_people(name, taiba, fenghe):
    report = run(name)
    assert report.errors == []
    assert (report.new, report.updated, report.unchanged) == (4, 0, 0)
    assert_four_people_stored(taiba)


def test_title_rows_merged_cells_blank_rows_serials_and_unknown_columns(taiba, fenghe):
    report = run("people_title_rows.xlsx")
    assert report.errors == []
    assert report.header_row == 3
    assert report.ignored_columns == ["序号", "备注"]
    assert (report.new, report.updated, report.unchanged) == (4, 0, 0)
    assert_four_people_stored(taiba)
    assert [item["row"] for item in report.sample] == [4, 5, 7, 8]  # row 6 is blank


def test_utf8_is_never_read_as_gb18030():
    table = read_table((DATA / "people_utf8.csv").read_bytes(), "people_utf8.csv")
    assert table.rows[1][0] == "王建国"
    table = read_table((DATA / "people_gbk.csv").read_bytes(), "people_gbk.csv")
    assert table.rows[1][0] == "王建国"


def test_a_dry_run_writes_nothing_and_a_reimport_changes_only_what_changed(taiba, fenghe, town_admin):
    report = run("people_utf8.csv", dry_run=True)
    assert (report.new, report.errors) == (4, [])
    assert not Person.objects.exists() and not ImportRecord.objects.exists()
    run("people_utf8.csv", user=town_admin)
    history_before = Person.history.count()
    refused = run("people_utf8.csv", user=town_admin)
    first = ImportRecord.objects.filter(applied=True).get()
    assert [str(error) for error in refused.errors] == [
        f"该文件已于{timezone.localtime(first.created_at):%Y-%m-%d %H:%M}导入（导入记录 #{first.pk}）。"
        "如确需再次导入，请勾选“再次导入”。"
    ]
    again = run("people_utf8.csv", user=town_admin, again=True)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 4)
    assert Person.history.count() == history_before  # unchanged rows cost no write
    changed = run("people_phone_changed.csv", user=town_admin)
    assert (changed.new, changed.updated, changed.unchanged) == (0, 1, 3)
    zhao = Person.objects.get(id_number=ZHAO)
    assert zhao.phone == "13900009999"
    latest = zhao.history.latest()
    record = ImportRecord.objects.latest("created_at")
    assert latest.history_user == town_admin
    assert latest.history_change_reason == f"导入 #{record.pk}（people_phone_changed.csv）"
    assert (record.user, record.updated, record.applied) == (town_admin, 1, True)
    assert record.sha256 == __import__("hashlib").sha256((DATA / "people_phone_changed.csv").read_bytes()).hexdigest()


def test_a_blank_cell_never_erases_stored_data(taiba, fenghe, tmp_path):
    run("people_utf8.csv")
    blank = tmp_path / "blank.csv"
    blank.write_text(f"姓名,身份证号,联系电话,村(社区)\n,{LI},,\n", encoding="utf-8")
    report = PeopleResource().import_file(blank.read_bytes(), "blank.csv", dry_run=False)
    assert (report.errors, report.unchanged) == ([], 1)
    li = Person.objects.get(id_number=LI)
    assert (li.name, li.phone, li.village) == ("李秀英", "13800000002", taiba)


def assert_rejected(report, expected):
    assert messages(report) == expected
    assert not Person.objects.exists() and not Household.objects.exists()


def test_an_id_number_stored_as_a_number_is_an_error(taiba, fenghe):
    report = run("people_id_as_number.xlsx")
    assert_rejected(
        report,
        [(3, "公民身份号码", "身份证号被 Excel 存成了数字，已丢失末尾数字。请把该列设置为“文本”格式后重新输入号码。")],
    )


def test_a_wrong_check_character_is_an_error(taiba, fenghe):
    report = run("people_bad_check.csv")
    [(row, column, message)] = messages(report)
    assert (row, column) == (4, "公民身份号码") and "校验码不正确" in message
    assert not Person.objects.exists()


def test_a_duplicate_id_number_is_an_error_on_the_later_row_naming_the_earlier(taiba, fenghe):
    report = run("people_duplicate_id.csv")
    assert_rejected(report, [(6, "公民身份号码", "该身份证号与第 2 行重复。")])


def test_an_unknown_village_is_an_error(taiba, fenghe):
    report = run("people_unknown_village.csv")
    assert_rejected(report, [(5, "村(社区)", "本镇没有“不存在村”。本镇的村(社区)有：太坝村、冯河村。")])


def test_sex_contradicting_the_id_number_is_an_error(taiba, fenghe):
    report = run("people_sex_contradicts.csv")
    assert_rejected(report, [(3, "性别", "性别与身份证号不符。")])


def test_a_formula_without_a_value_is_an_error_not_a_blank(taiba, fenghe):
    report = run("people_formula_blank.xlsx")
    assert_rejected(report, [(3, "联系电话", "该单元格是公式但没有计算结果，请在 Excel 中重新计算并保存后再导入。")])


def test_a_zip_bomb_is_refused_before_parsing(taiba):
    report = run("zip_bomb.xlsx")
    assert_rejected(report, [(None, "", "该工作簿解压后大小异常，已拒绝导入。")])


def test_a_clerk_importing_a_row_of_another_village_writes_nothing(taiba, fenghe, clerk):
    report = run("people_other_village.csv", user=clerk)
    assert_rejected(report, [(6, "村(社区)", "村(社区)“冯河”不在您负责的范围内。")])
    assert "冯河村" not in str(report.errors)
    record = ImportRecord.objects.get()
    assert (record.user, record.errors, record.applied) == (clerk, 1, False)


def test_a_clerk_cannot_update_a_person_of_another_village(taiba, fenghe, clerk):
    from tests.factories import PersonFactory

    PersonFactory(village=fenghe, id_number=LI, born=date(1972, 8, 9), name="冯河的李秀英")
    report = run("people_utf8.csv", user=clerk)
    assert (3, "公民身份号码") in [(row, column) for row, column, _m in messages(report)]
    assert "冯河" not in str(report.errors)
    assert Person.objects.get(id_number=LI).name == "冯河的李秀英"
    assert Person.objects.count() == 1


def test_a_clerk_with_one_village_needs_no_village_column(taiba, fenghe, clerk, tmp_path):
    roster = tmp_path / "no_village.csv"
    roster.write_text(f"姓名,身份证号,户主身份证号\n王建国,{WANG},{WANG}\n", encoding="utf-8")
    report = PeopleResource(user=clerk).import_file(roster.read_bytes(), "no_village.csv", dry_run=False)
    assert report.errors == [] and report.new == 1
    assert Person.objects.get(id_number=WANG).village == taiba


def test_the_households_roster_numbers_the_households_of_known_heads(taiba, fenghe):
    run("people_utf8.csv")
    report = run("households.xlsx", resource=HouseholdsResource)
    assert report.errors == []
    assert (report.new, report.updated, report.unchanged) == (0, 2, 0)
    wang = Person.objects.get(id_number=WANG)
    assert (wang.household.number, wang.household.address) == ("TB-0001", "太坝村1组18号")
    assert Household.objects.get(head__id_number=ZHAO).number == "TB-0002"


def test_a_household_of_an_unregistered_head_is_an_error(taiba):
    report = run("households.xlsx", resource=HouseholdsResource)
    assert [(row, column) for row, column, _m in messages(report)] == [(2, "户主身份证号"), (3, "户主身份证号")]
    assert not Household.objects.exists()


def test_import_data_command(taiba, fenghe, capsys):
    call_command("import_data", "people", str(DATA / "people_utf8.csv"), "--dry-run")
    assert "新增 4，更新 0，未变 0，错误 0" in capsys.readouterr().out
    assert not Person.objects.exists()
    call_command("import_data", "people", str(DATA / "people_utf8.csv"))
    assert Person.objects.count() == 4
    with pytest.raises(SystemExit) as exited:
        call_command("import_data", "people", str(DATA / "people_duplicate_id.csv"))
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "第 6 行，“公民身份号码”列：该身份证号与第 2 行重复。" in out


def test_import_data_lists_the_rosters(capsys):
    call_command("import_data", "--list")
    out = capsys.readouterr().out
    assert "people" in out and "households" in out


def test_import_data_as_a_clerk_with_a_village(taiba, fenghe, clerk, capsys):
    with pytest.raises(SystemExit):
        call_command("import_data", "people", str(DATA / "people_other_village.csv"), "--user", "taiba")
    assert "不在您负责的范围内" in capsys.readouterr().out
    assert not Person.objects.filter(id_number=FENG).exists()


def test_a_conflicting_write_is_reported_and_rolled_back(taiba, fenghe, town_admin, monkeypatch):
    from django.db import IntegrityError

    import federation.core.importing.writing as writing

    def conflict(*args, **kwargs):
        raise IntegrityError("UNIQUE constraint failed")

    monkeypatch.setattr(writing, "insert_rows", conflict)
    report = run("people_utf8.csv", user=town_admin)
    assert [str(error) for error in report.errors] == ["导入期间数据已被修改，未写入任何数据。请重新导入该文件。"]
    assert not Person.objects.exists() and not Household.objects.exists()
    assert ImportRecord.objects.get().applied is False


def test_rows_of_a_model_without_a_natural_key_are_inserted_too(taiba):
    from federation.core.importing import Row, insert_rows
    from federation.models import Activity

    rows = [Row(kind="publicity", title=f"活动{i}", date=date(2024, 1, i + 1), town_id=taiba.town_id) for i in range(3)]
    insert_rows(Activity, rows)
    assert sorted(row.pk for row in rows) == sorted(Activity.objects.values_list("pk", flat=True))
    assert Activity.objects.get(pk=rows[0].pk).title == "活动0"


def test_a_household_number_taken_meanwhile_is_a_conflict_not_a_fault(taiba, fenghe, town_admin, monkeypatch):
    """Another import numbered a household of the village after this one read the numbers
    taken: the database's unique number refuses the write (PostgreSQL writes it with COPY),
    and the clerk is told to import again, not to call the administrator."""
    from federation.resources import HouseholdNumbers

    monkeypatch.setattr(HouseholdNumbers, "next", lambda self, village_id: "00001")
    Household.objects.create(village=taiba, number="00001")
    Household.objects.create(village=fenghe, number="00001")
    report = run("people_utf8.csv", user=town_admin)
    assert [str(error) for error in report.errors] == ["导入期间数据已被修改，未写入任何数据。请重新导入该文件。"]
    assert not Person.objects.exists() and Household.objects.count() == 2


def test_only_a_write_that_came_second_is_called_a_conflict():
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, OperationalError

    from federation.core.importing.rosters import changed_meanwhile

    class Deadlock(Exception):
        sqlstate = "40P01"

    broken = OperationalError("deadlock detected")
    broken.__cause__ = Deadlock()
    assert changed_meanwhile(IntegrityError()) and changed_meanwhile(ValidationError("x")) and changed_meanwhile(broken)
    assert not changed_meanwhile(OperationalError("server closed the connection")) and not changed_meanwhile(KeyError())
