"""Cells and files as clerks really write them, and the limits on what is read."""

from datetime import date, datetime

import pytest
from django.utils import translation

from federation.core.importing import (
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
from federation.core.importing.cells import IdNumberWidget, Month, NameWidget
from federation.core.models import Village
from federation.models import Person
from federation.resources import RELATION_SYNONYMS, PeopleResource
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
        "45352",  # a serial kept as text by a CSV saved from the number cell
        "45352.0",
        45352.5,  # noon
    ],
)
def test_every_date_form_clerks_write(value):
    assert ExcelDateWidget().clean(value) == date(2024, 3, 1)
    assert ExcelDateWidget(month=True).clean(value) == date(2024, 3, 1)  # a whole date stays a date


def test_early_serials():
    # Only a birth may be that early; Excel's 1900 is a leap year, which it was not.
    birth = ExcelDateWidget(month=True)
    assert birth.clean(59) == birth.clean("59") == date(1900, 2, 28)
    assert birth.clean(61) == date(1900, 3, 1)
    assert ExcelDateWidget().clean("45292") == date(2024, 1, 1)


@pytest.mark.parametrize(
    ("value", "month"),
    [
        ("1960.01", Month(1960, 1)),
        (1960.01, Month(1960, 1)),  # a number cell
        ("1960年1月", Month(1960, 1)),
        (" 1960 年 1 月 ", Month(1960, 1)),
        ("196001", Month(1960, 1)),
        (196001, Month(1960, 1)),
        ("1960-01", Month(1960, 1)),
        ("1960/1", Month(1960, 1)),
        ("1960.10", Month(1960, 10)),
        (1960.12, Month(1960, 12)),
        (1960.1, Month(1960, 1, or_october=True)),  # January, or October that Excel shortened
        ("1960.1", Month(1960, 1, or_october=True)),  # the same number cell saved as CSV
    ],
)
def test_a_birth_month_column_reads_a_year_and_month(value, month):
    assert ExcelDateWidget(month=True).clean(value) == month


def test_a_month_agrees_with_days_of_that_month_only():
    assert Month(1960, 1).agrees_with(date(1960, 1, 31))
    assert not Month(1960, 1).agrees_with(date(1960, 10, 1))
    assert not Month(1960, 1).agrees_with(date(1961, 1, 1))
    assert Month(1960, 1, or_october=True).agrees_with(date(1960, 10, 1))
    assert Month(1960, 1, or_october=True).agrees_with(date(1960, 1, 5))
    assert not Month(1960, 1, or_october=True).agrees_with(date(1960, 11, 1))
    assert Month(1960, 1).render() == str(Month(1960, 1)) == "1960-01"
    assert ExcelDateWidget(month=True).render(Month(1960, 1)) == "1960-01"
    assert ExcelDateWidget().render(date(1960, 1, 5)) == "1960-01-05"


@pytest.mark.parametrize("value", ["1960.01", 1960.01, "1985年3月", 196001, "2024-03"])
def test_other_date_columns_refuse_a_year_and_month(value):
    with pytest.raises(CellError) as raised, translation.override("en"):
        ExcelDateWidget().clean(value)
    assert str(raised.value) == (
        f"“{value}” gives only a year and a month; this column needs the whole date, like 2024-03-01."
    )


def test_a_month_that_does_not_exist():
    with pytest.raises(CellError) as raised:
        ExcelDateWidget(month=True).clean("1960.13")
    assert "不是真实存在的日期" in str(raised.value)


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
    assert PhoneWidget().clean(2420385104) == "024-20385104"


def test_an_id_number_cell_and_its_csv_text_get_one_message():
    with translation.override("en"):
        found = set()
        for value in (6.2122819800101e17, 621228198001010000, "6.21228E+17", "621228197005010011.0"):
            with pytest.raises(CellError) as raised:
                IdNumberWidget().clean(value)
            found.add(str(raised.value))
    assert found == {
        "The ID number was stored by Excel as a number and has lost its last digits. "
        "Format the column as text and type the numbers again."
    }
    assert IdNumberWidget().clean("\ufeff11010519491231002x\u200b").number == "11010519491231002X"


# The one message of the field layer's rule (federation.core.fields), in forms and imports alike.
CONTROL = (
    "Contains an invisible control character (%s), usually copied from another program; "
    "delete it and type the text again."
)


@pytest.mark.parametrize(
    ("widget", "value", "code"),
    [
        (TextWidget(), "王\x00建国", "U+0000"),
        (TextWidget(squeeze=True), "王建国\x1b", "U+001B"),
        (TextWidget(), "备注\x7f", "U+007F"),
        (TextWidget(), "\x85太坝", "U+0085"),  # C1
        (TextWidget(), "1组\x0b18号", "U+000B"),
        (NameWidget(), "王\x00", "U+0000"),
        (PhoneWidget(), "138\x0012345678", "U+0000"),
        (IdNumberWidget(), "11010519491231002X\x00", "U+0000"),
        (ExcelDateWidget(), "2024-03-01\x00", "U+0000"),
        (ChoiceWidget(Person.Relation.choices), "本人\x00", "U+0000"),
    ],
)
def test_control_characters_are_refused_by_every_widget(widget, value, code):
    with pytest.raises(CellError) as raised, translation.override("en"):
        widget.clean(value)
    assert str(raised.value) == CONTROL % code


def test_tab_newline_and_carriage_return_are_whitespace():
    assert TextWidget().clean("太坝村\t1组\r\n18号") == "太坝村 1组 18号"
    assert TextWidget(squeeze=True).clean("王\u200b建国\ufeff") == "王建国"  # zero-width, pasted from WeChat


@pytest.mark.parametrize("name", ["刘?", "？祥", "王\ufffd国"])
def test_a_name_with_characters_the_file_lost_is_refused(name):
    with pytest.raises(CellError) as raised, translation.override("en"):
        NameWidget().clean(name)
    assert str(raised.value) == (
        f"The name “{name}” has characters the file lost (shown as ?): save the file as .xlsx or as "
        "“CSV UTF-8” and type the name again."
    )


def test_a_name_is_text():
    assert NameWidget(squeeze=True).clean(" 王 建国\n") == "王建国"
    assert NameWidget().clean(None) is None


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


R = Person.Relation


@pytest.mark.parametrize(
    ("words", "relation"),
    [
        ("户主 本人 本人(户主)", R.SELF),
        ("丈夫 妻子 夫 妻 配偶", R.SPOUSE),
        ("儿子 长子 次子 三子 子", R.SON),
        ("女儿 长女 次女 三女 女", R.DAUGHTER),
        ("女婿", R.SON_IN_LAW),
        ("儿媳 儿媳妇", R.DAUGHTER_IN_LAW),
        ("孙子", R.GRANDSON),
        ("孙女", R.GRANDDAUGHTER),
        ("外孙 外孙子", R.DAUGHTERS_SON),
        ("外孙女", R.DAUGHTERS_DAUGHTER),
        ("父母", R.PARENT),
        ("父亲 父", R.FATHER),
        ("母亲 母", R.MOTHER),
        ("公公", R.HUSBANDS_FATHER),
        ("婆婆", R.HUSBANDS_MOTHER),
        ("岳父", R.WIFES_FATHER),
        ("岳母", R.WIFES_MOTHER),
        ("爷爷 奶奶 祖父 祖母 外公 外婆 祖父母", R.GRANDPARENT),
        ("哥哥 弟弟 兄弟", R.BROTHER),
        ("姐姐 妹妹 姐妹", R.SISTER),
        ("侄子", R.NEPHEW),
        ("侄女", R.NIECE),
        ("其他 其他亲属 外甥", R.OTHER),
        ("非亲属 保姆", R.NON_RELATIVE),
    ],
)
def test_relations_as_households_write_them(words, relation):
    widget = ChoiceWidget(Person.Relation.choices, RELATION_SYNONYMS)
    assert {word: widget.clean(word) for word in words.split()} == dict.fromkeys(words.split(), relation)


def test_every_relation_has_its_chinese_name_among_the_spellings():
    # A file reads the same whether or not the labels are translated yet.
    assert set(RELATION_SYNONYMS.values()) == set(Person.Relation.values)


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
    assert str(raised.value) == "只能导入 .xlsx、.xls、.ods 或 .csv 文件。"


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
