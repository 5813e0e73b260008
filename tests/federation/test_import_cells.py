"""Cells and files as clerks really write them, and the limits on what is read."""

from datetime import date, datetime

import pytest

from federation.importing import (
    CellError,
    ChoiceWidget,
    ExcelDateWidget,
    ImportFileError,
    PhoneWidget,
    TextWidget,
    normalize_header,
    read_table,
    village_key,
)
from federation.models import Person, Village
from federation.resources import PeopleResource
from tests.data.make_files import WANG


@pytest.mark.parametrize(
    "value",
    [
        date(2024, 3, 1),
        datetime(2024, 3, 1, 0, 0),  # noqa: DTZ001 - Excel cells are naive
        45352,  # the Excel serial of 2024-03-01
        45352.0,
        "2024-03-01",
        "2024/3/1",
        "2024.3.1",
        "2024年3月1日",
        " 2024 年 3 月 1 日 ",
        "20240301",
        20240301,
        "２０２４－０３－０１",
    ],
)
def test_every_date_form_clerks_write(value):
    assert ExcelDateWidget().clean(value) == date(2024, 3, 1)


def test_an_early_serial_and_a_month_only_date():
    assert ExcelDateWidget().clean(59) == date(1900, 2, 28)
    assert ExcelDateWidget().clean(61) == date(1900, 3, 1)
    assert ExcelDateWidget().clean("1985年3月") == date(1985, 3, 1)


@pytest.mark.parametrize(
    ("value", "message"), [("2024-02-30", "不是真实存在的日期"), ("三月一日", "不是日期"), (60, "1900年2月29日")]
)
def test_bad_dates_say_why(value, message):
    with pytest.raises(CellError) as raised:
        ExcelDateWidget().clean(value)
    assert message in str(raised.value)


def test_phones_from_number_cells_lose_their_dot_zero():
    assert PhoneWidget().clean(13812345678.0) == "13812345678"
    assert PhoneWidget().clean("0939－4123456") == "0939-4123456"


def test_text_is_trimmed_of_every_kind_of_space():
    assert TextWidget(squeeze=True).clean("\u3000王\n建 国 ") == "王建国"
    assert TextWidget().clean("太坝村\u30001组\n18号") == "太坝村 1组 18号"
    assert TextWidget().clean(3.0) == "3"


def test_choices_by_label_code_or_synonym():
    widget = ChoiceWidget(Person.Relation.choices, {"妻子": Person.Relation.SPOUSE})
    assert widget.clean("配偶") == widget.clean(" 妻子 ") == widget.clean("spouse") == "spouse"
    with pytest.raises(CellError) as raised:
        widget.clean("邻居")
    assert "“邻居”不是可选值之一" in str(raised.value)


def test_headers_and_villages_are_matched_loosely():
    assert normalize_header(" 公民身份\n号码* ") == "公民身份号码"
    assert normalize_header("所属村（社区）") == "所属村(社区)"
    assert village_key("太坝") == village_key("太坝村") == village_key(" 太坝村 ")
    assert village_key("站儿巷社区") == "站儿巷"


def test_tab_separated_text_is_read():
    table = read_table("姓名\t身份证号\n王建国\t1\n".encode(), "roster.csv")
    assert table.rows == [["姓名", "身份证号"], ["王建国", "1"]]


def test_a_pdf_is_refused():
    with pytest.raises(ImportFileError) as raised:
        read_table(b"%PDF-1.4 ...", "roster.pdf")
    assert str(raised.value) == "只能导入 .xlsx、.xls 或 .csv 文件。"


def test_too_many_rows_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 3
    content = "\n".join(["姓名,身份证号"] + [f"人{i},1" for i in range(20)]).encode()
    report = PeopleResource().import_file(content, "big.csv", dry_run=True)
    assert [str(e) for e in report.errors] == ["文件超过 3 行，请拆分成较小的文件后再导入。"]


def test_a_file_without_a_header_row_names_the_columns_it_needs(taiba):
    report = PeopleResource().import_file(b"a,b\n1,2\n", "x.csv", dry_run=True)
    assert [str(e) for e in report.errors] == [
        "前 10 行中找不到表头。该花名册需要以下列：姓名、公民身份号码、村(社区)。"
    ]


def test_a_header_row_missing_a_required_column(taiba, fenghe):
    report = PeopleResource().import_file("姓名,村\n王建国,太坝\n".encode(), "x.csv", dry_run=True)
    assert [str(e) for e in report.errors] == ["第 1 行是表头，但缺少以下列：公民身份号码。"]


def test_two_columns_meaning_the_same_are_refused(taiba):
    report = PeopleResource().import_file(
        f"姓名,身份证号,身份证,村\n王,{WANG},{WANG},太坝\n".encode(), "x.csv", dry_run=True
    )
    assert [str(e) for e in report.errors] == ["“身份证号”和“身份证”两列都表示公民身份号码，请只保留一列。"]


def test_a_header_only_file(taiba):
    report = PeopleResource().import_file("姓名,身份证号,村\n".encode(), "x.csv", dry_run=True)
    assert [str(e) for e in report.errors] == ["文件只有表头，没有数据行。"]


def test_a_member_cannot_claim_to_be_the_head(taiba):
    content = f"姓名,身份证号,户主身份证号,与户主关系,村\n王建国,{WANG},11010519491231002X,本人,太坝\n".encode()
    report = PeopleResource().import_file(content, "x.csv", dry_run=True)
    assert "与户主关系" in str(report.errors[0])


def test_village_command_option(taiba, fenghe, capsys, tmp_path):
    from django.core.management import call_command

    roster = tmp_path / "no_village.csv"
    roster.write_text(f"姓名,身份证号\n王建国,{WANG}\n", encoding="utf-8")
    call_command("import_data", "people", str(roster), "--village", "冯河")
    assert Person.objects.get(id_number=WANG).village == Village.objects.get(name="冯河村")
