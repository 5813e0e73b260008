"""Rosters as township offices save them (issue 25): nothing is stored wrong without a word.

The files named lo_* were saved by LibreOffice Calc 7.4 (tests/data/make_lo_files.py); the
others are written by Python. Each silent case of the issue has a test that fails if a wrong
value is stored: numbers in date cells, error values, hidden rows and columns, sheets not
read, 户号 that lose their zeros, masked ID numbers. And files that are fine import: footers,
empty-text formulas, two-level headers, UTF-16 text, date-times, signed points, apostrophes,
.ods."""

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from federation.core.importing import ExcelDateWidget
from federation.core.importing.cells import CellError
from federation.core.importing.reading import ImportFileError, read_tables
from federation.models import Household, Person
from federation.resources import PeopleResource
from health.models import Screening
from health.resources import ScreeningsResource
from points.models import PointEntry
from points.resources import PointEntriesResource, PointsWidget
from tests.data.make_files import HEADER, PEOPLE, WANG, WANG_GIRL
from tests.factories import HouseholdFactory

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


def run(resource, name, *, data=None, user=None, dry_run=False, hidden=False):
    data = data if data is not None else (DATA / name).read_bytes()
    return resource(user=user).import_file(data, name, dry_run=dry_run, hidden=hidden)


def errors(report):
    return [(error.row, error.column, error.message) for error in report.errors]


# 1. Numbers typed in a date cell -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (3.15, "“3.15”是数字，不是日期（按 Excel 日期会读成 1900-01-03）；请按 2024-03-15 的格式填写日期。"),
        ("11.2", "“11.2”是数字，不是日期（按 Excel 日期会读成 1900-01-11）；请按 2024-03-15 的格式填写日期。"),
        (2026, "“2026”只是年份，不是日期；请填写完整的日期，如 2026-03-01。"),
        (260315, "“260315”是数字，不是日期（按 Excel 日期会读成 2612-09-18）；请按 2024-03-15 的格式填写日期。"),
        ("2204-03-01", "2204-03-01 在今天之后，请检查年份。"),
        (date(2010, 3, 1), "2010-03-01 早于 2015 年，请检查年份。"),
    ],
)
def test_a_date_must_be_plausible_for_a_record(value, message):
    with pytest.raises(CellError) as refused:
        ExcelDateWidget().clean(value)
    assert str(refused.value) == message


def test_a_birth_may_be_old_and_a_planned_date_ahead():
    assert ExcelDateWidget(month=True).clean("1925-03-01") == date(1925, 3, 1)
    with pytest.raises(CellError):
        ExcelDateWidget(month=True).clean("1960")  # a year alone, not Excel's day 1960 (1905)
    next_year = timezone.localdate().replace(month=1, day=1).replace(year=timezone.localdate().year + 1)
    assert ExcelDateWidget(ahead=366).clean(next_year) == next_year  # a planned recheck


def test_an_award_dated_3_15_in_a_number_cell_is_a_row_error_and_nothing_is_written(people, yard):
    report = run(PointEntriesResource, "lo_date_numbers.xlsx")
    assert [(row, column) for row, column, _message in errors(report)] == [(2, "日期"), (3, "日期")]
    assert "1900-01-03" in report.errors[0].message
    assert not PointEntry.objects.exists()
    assert Household.objects.get(head__id_number=WANG).points_balance == 0


def test_a_screening_dated_2026_or_260315_is_a_row_error(people):
    report = run(ScreeningsResource, "lo_screening_date_numbers.xlsx")
    dates = [(row, column) for row, column, _message in errors(report) if column == "筛查日期"]
    assert dates == [(2, "筛查日期"), (3, "筛查日期")]  # row 4's date, 2024-05-10, is right
    assert "年份" in report.errors[0].message and "2612" in report.errors[1].message
    assert not Screening.objects.exists()


def test_a_date_before_the_person_was_born_is_a_row_error(people):
    content = "姓名,身份证号,筛查日期,筛查项目,筛查机构,筛查结果\n"
    content += f"王小花,{WANG_GIRL},2011-05-10,宫颈癌,镇卫生院,未见异常\n"
    report = run(ScreeningsResource, "s.csv", data=content.encode())
    assert errors(report) == [(2, "筛查日期", "2011-05-10 早于 2015 年，请检查年份。")]
    content = content.replace("2011-05-10", "2016-05-10").replace(WANG_GIRL, "621228201703010024")
    report = run(ScreeningsResource, "s.csv", data=content.encode())
    assert any("早于本人出生日期（2017-03-01）" in message for _row, _column, message in errors(report))


# 2. Error values -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["lo_error_values.xlsx", "lo_error_values.xls", "lo_error_values.ods"])
def test_an_error_value_is_a_row_error_naming_the_cell_and_its_meaning(taiba, fenghe, name):
    report = run(PeopleResource, name)
    found = {(row, column): message for row, column, message in errors(report)}
    assert found[(4, "户主身份证号")].startswith("单元格显示 #N/A：公式没有查到要找的值")
    assert found[(3, "联系电话")].startswith("单元格显示 #DIV/0!")
    assert found[(5, "村民小组")].startswith("单元格显示 #VALUE!")
    assert found[(6, "联系电话")].startswith("单元格显示 #NAME?")
    assert found[(6, "户主身份证号")].startswith("单元格显示 #REF!")
    assert not Person.objects.exists()


def test_an_error_value_in_a_csv_is_the_same_error(taiba):
    rows = [HEADER, [*PEOPLE[0][:4], "#N/A", *PEOPLE[0][5:]]]
    content = "\n".join(",".join(row) for row in rows).encode()
    report = run(PeopleResource, "p.csv", data=content)
    assert [(row, column) for row, column, _message in errors(report)] == [(2, "联系电话")]
    assert not Person.objects.exists()


# 3. Hidden rows and columns ------------------------------------------------------------


@pytest.mark.parametrize("name", ["lo_hidden_rows.xlsx", "lo_hidden_rows.xls", "lo_hidden_rows.ods"])
def test_rows_hidden_by_a_filter_are_not_imported_and_the_report_says_where(taiba, fenghe, name):
    report = run(PeopleResource, name)
    assert report.errors == [] and report.new == 3
    assert sorted(Person.objects.values_list("household__village__name", flat=True)) == ["太坝村"] * 3
    assert any("有 3 行被隐藏" in notice and "第 3、5、7 行" in notice for notice in report.notices)


def test_hidden_rows_are_imported_when_asked(taiba, fenghe):
    report = run(PeopleResource, "lo_hidden_rows.xlsx", hidden=True)
    assert report.errors == [] and report.new == 6 and report.notices == []


def test_a_hidden_column_is_not_read(taiba, fenghe):
    report = run(PeopleResource, "lo_hidden_column.xlsx")
    assert report.errors == [] and report.new == 4
    assert "联系电话" not in report.headers
    assert report.notices == ["未读取的隐藏列：联系电话。"]
    assert set(Person.objects.values_list("phone", flat=True)) == {""}


# 4. One sheet per village --------------------------------------------------------------


def test_every_sheet_with_the_same_header_is_read_and_the_others_are_named(taiba, fenghe):
    report = run(PeopleResource, "lo_sheets_per_village.xlsx")
    assert report.errors == [] and report.new == 5
    assert Person.objects.filter(household__village=fenghe).count() == 2
    assert report.notices == [
        "从 2 个工作表读取了数据：“太坝村”、“冯河村”。",
        "未读取的工作表：“说明”（没有表头）、“汇总”（缺少 姓名、公民身份号码）。",
    ]


def test_an_error_on_a_later_sheet_names_the_sheet(taiba, fenghe):
    book = openpyxl.Workbook()
    book.active.title = "太坝村"
    book.active.append(HEADER)
    book.active.append(PEOPLE[0])
    second = book.create_sheet("冯河村")
    second.append(HEADER)
    second.append(["冯强", "621228198011110510", "男", "1980-11-11", "", "冯河村", "1组", "", "户主"])
    path = DATA.parent / "tmp-sheets.xlsx"
    book.save(path)
    try:
        report = run(PeopleResource, "sheets.xlsx", data=path.read_bytes())
    finally:
        path.unlink()
    assert [str(error).split("：")[0] for error in report.errors] == ["工作表“冯河村”，第 2 行，“公民身份号码”列"]
    assert not Person.objects.exists()


# 5. 户号 that lose their zeros ---------------------------------------------------------


@pytest.mark.parametrize("name", ["lo_household_numbers.xlsx", "lo_household_numbers.xls", "lo_household_numbers.ods"])
def test_a_household_number_keeps_the_zeros_its_cell_shows(taiba, yard, name):
    households = {number: HouseholdFactory(village=taiba, number=number) for number in ("02901", "02902", "12345")}
    HouseholdFactory(village=taiba, number="2901")  # the number without its zero: never this one
    report = run(PointEntriesResource, name)
    assert report.errors == [] and report.new == 3
    assert sorted(PointEntry.objects.values_list("household__number", flat=True)) == sorted(households)


# 6. A masked export fed back -----------------------------------------------------------


def test_a_masked_list_is_refused_once_at_the_file_level(taiba):
    masked = [
        [row[0], row[1][:6] + "********" + row[1][-4:], *row[2:4], row[4][:3] + "****" + row[4][-4:], *row[5:7], "", ""]
        for row in PEOPLE
    ]
    content = "\n".join(",".join(row) for row in [HEADER, *masked * 30]).encode()
    report = run(PeopleResource, "masked.csv", data=content)
    assert len(report.errors) == 1 and report.errors[0].row is None
    assert str(report.errors[0]).startswith("有 120 行的身份证号或电话是打码的")
    assert not Person.objects.exists()


# 7–9. Footers, empty-text formulas, two-level headers ------------------------------------


def test_footers_and_rows_of_a_serial_number_only_are_skipped_and_listed(taiba):
    report = run(PeopleResource, "lo_footer.xlsx")
    assert report.errors == [] and report.new == 4
    assert report.ignored_rows == [
        *((row, "只有序号") for row in range(6, 12)),
        (12, "表尾"),
        (13, "表尾"),
        (15, "表尾"),
        (16, "表尾"),
    ]


def test_a_tables_total_row_is_skipped(taiba):
    report = run(PeopleResource, "lo_table_total_row.xlsx")
    assert report.errors == [] and report.new == 4 and report.ignored_rows == [(6, "合计行")]


@pytest.mark.parametrize("name", ["lo_empty_text_formulas.xlsx", "lo_empty_text_formulas.xls"])
def test_formulas_that_return_empty_text_are_empty_cells(taiba, name):
    report = run(PeopleResource, name)
    assert report.errors == [] and report.new == 4


def test_a_two_level_header_names_columns_in_either_row(taiba):
    report = run(PeopleResource, "lo_two_level_header.xlsx")
    assert report.errors == [] and report.new == 4
    assert {"序号", "姓名", "公民身份号码", "村(社区)"} - set(report.headers) == {"序号"}


# 10. Formats clerks meet ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "new"), [("unicode_text.txt", 4), ("people_apostrophe.csv", 4), ("lo_hidden_rows.ods", 3)]
)
def test_utf16_text_apostrophes_and_ods_import(taiba, fenghe, name, new):
    report = run(PeopleResource, name)
    assert report.errors == [] and report.new == new
    assert Person.objects.filter(id_number=WANG, household__head__id_number=WANG).exists()


def test_date_times_and_points_as_clerks_write_them(people, yard):
    # ＋５, －５ and 扣5分 are read as numbers, and the rule (10 points) refuses them as it refuses 5.
    report = run(PointEntriesResource, "datetimes_and_signs.csv")
    assert errors(report) == [(row, "分值", "该积分细则的分值为 +10 分。") for row in (2, 3, 5)]
    content = (DATA / "datetimes_and_signs.csv").read_text()
    for written in ("＋５", "－５", "扣5分"):
        content = content.replace(written, "10")
    report = run(PointEntriesResource, "signs.csv", data=content.encode())
    assert report.errors == [] and report.new == 5
    assert list(PointEntry.objects.order_by("date").values_list("date", "points")) == [
        (date(2024, 3, day), 10) for day in (11, 12, 13, 14, 15)
    ]


@pytest.mark.parametrize(("text", "points"), [("＋５", 5), ("－５", -5), ("10分", 10), ("扣5分", -5), ("１０", 10)])
def test_points_widget(text, points):
    assert PointsWidget().clean(text) == points


def test_points_that_are_not_a_whole_number_are_refused():
    with pytest.raises(CellError):
        PointsWidget().clean("5.5")


# The admin's preview and the command say it too ----------------------------------------


def test_the_preview_names_hidden_rows_and_the_choice_imports_them(client_for, town_admin, taiba, fenghe):
    client = client_for(town_admin)
    content = (DATA / "lo_hidden_rows.xlsx").read_bytes()
    page = client.post("/admin/federation/person/import/", {"file": SimpleUploadedFile("r.xlsx", content)})
    assert "有 3 行被隐藏" in page.content.decode() and page.context["report"].new == 3
    asked = client.post(
        "/admin/federation/person/import/", {"file": SimpleUploadedFile("r.xlsx", content), "hidden": "on"}
    )
    assert asked.context["report"].new == 6
    done = client.post(
        "/admin/federation/person/import/",
        {"confirm": "1", "token": asked.context["token"], "file_name": "r.xlsx", "hidden": "1"},
    )
    assert done.status_code == 302 and Person.objects.count() == 6


def test_the_command_prints_the_notices_and_takes_hidden(taiba, fenghe, capsys):
    call_command("import_data", "people", str(DATA / "lo_hidden_rows.ods"), "--dry-run")
    assert "有 3 行被隐藏" in capsys.readouterr().out
    call_command("import_data", "people", str(DATA / "lo_hidden_rows.ods"), "--hidden")
    assert Person.objects.count() == 6
    assert Person.objects.filter(household__village=fenghe).count() == 3  # the rows the filter hid


def test_an_ods_whose_rows_repeat_a_million_times_is_refused_before_it_is_read():
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="花名册"><table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell office:value-type="string"><text:p>王</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
    with pytest.raises(ImportFileError, match="A1000000"):
        read_tables(buffer.getvalue(), "bomb.ods")
