"""The annual summary's .xlsx, and every report's (one writer, federation.core.streams.xlsx_file): a
title row naming the place, the period and the report, merged across the table; below it the
header, bold and frozen, printed on every page; columns as wide as their text, a Chinese
character counted as two. The CSV stays as it was: the header is its first row."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command

from federation.core import reporting, streams
from federation.core.registry import registry
from federation.core.streams import text_width
from tests.factories import ActivityFactory, take_file

REPORTS = "/admin/reports/"


@pytest.fixture
def activities(town, taiba):
    ActivityFactory(town=town, kind="training", title="专题培训：家庭教育", date=date(2024, 3, 5), villages=[taiba])


def workbook(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(body))


def test_the_annual_summary_has_a_title_row_a_bold_frozen_header_and_readable_columns(
    client_for, town_admin, activities
):
    client = client_for(town_admin)
    sheet = workbook(take_file(client, REPORTS, {"report": "annual_summary", "year": 2024, "format": "xlsx"})).active
    assert sheet["A1"].value == "站儿巷镇2024年年度工作汇总"
    assert sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert [str(cells) for cells in sheet.merged_cells.ranges] == ["A1:D1"]
    assert [cell.value for cell in sheet[2]] == ["板块", "指标", "数值", "单位"]
    assert all(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A3"  # the title and the header stay when scrolling
    assert sheet.print_title_rows == "$1:$2"  # and are printed on every page
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert ["思想引领", "专题培训", 1, "场次"] in rows
    for column, letter in enumerate("ABCD"):
        widest = max(text_width(str(row[column])) for row in [[cell.value for cell in sheet[2]], *rows])
        assert sheet.column_dimensions[letter].width == min(max(widest + 2, streams.MIN_WIDTH), streams.MAX_WIDTH)
    # 指标 holds 志愿服务惠及群众 (eight characters): sixteen columns wide, not eight.
    assert sheet.column_dimensions["B"].width >= 18
    # The CSV has no title row: the header first, as a county's tools read it.
    csv = take_file(client, REPORTS, {"report": "annual_summary", "year": 2024, "format": "csv"}).content
    assert csv.startswith(b"\xef\xbb\xbf" + "板块,指标,数值,单位\r\n".encode())


@pytest.mark.parametrize(
    ("period", "title"),
    [
        ({"month": "2024-03"}, "站儿巷镇太坝村2024年3月年度工作汇总"),
        ({"quarter": "2024Q3"}, "站儿巷镇太坝村2024年第3季度年度工作汇总"),
        ({"date_from": "2024-01-01", "date_to": "2024-06-15"}, "站儿巷镇太坝村2024-01-01至2024-06-15年度工作汇总"),
    ],
)
def test_a_clerks_file_names_her_village_and_the_period(client_for, clerk, activities, period, title):
    response = take_file(client_for(clerk), REPORTS, {"report": "annual_summary", "format": "xlsx", **period})
    assert workbook(response).active["A1"].value == title


def test_the_villages_chosen_are_named(client_for, town_admin, taiba, fenghe, activities):
    params = {"report": "population", "year": 2024, "format": "xlsx", "villages": [fenghe.pk]}
    assert workbook(client_for(town_admin).get(REPORTS, params)).active["A1"].value == "站儿巷镇冯河村2024年人口统计"


def test_every_report_is_written_so(client_for, town_admin, taiba, activities):
    client = client_for(town_admin)
    for name, entry in registry.reports.items():
        response = take_file(client, REPORTS, {"report": name, "year": 2024, "format": "xlsx"})
        sheet = workbook(response).active
        assert sheet["A1"].value == f"站儿巷镇2024年{entry.title()}", name
        header = [cell.value for cell in sheet[2] if cell.value is not None]
        assert header and all(cell.font.b for cell in sheet[2] if cell.value is not None), name
        assert sheet.freeze_panes == "A3", name


def test_the_command_writes_the_same_file(town, taiba, activities, tmp_path):
    target = tmp_path / "summary.xlsx"
    call_command("county_report", "annual_summary", "--year", "2024", "--format", "xlsx", "-o", str(target))
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A1"].value == "站儿巷镇2024年年度工作汇总"
    assert [cell.value for cell in sheet[2]] == ["板块", "指标", "数值", "单位"]


def test_a_chinese_character_is_two_columns_wide():
    assert text_width("ab") == 2
    assert text_width("太坝村") == 6
    assert text_width("法律咨询进村(社区)") == 16 + 2
    assert text_width("（一组）") == 8  # full-width brackets too
    assert text_width("第一行\n第二行更长") == 10


def test_widths_come_from_the_header_and_the_first_rows_within_bounds():
    late = "后面才出现的非常非常非常长的文字" * 3
    rows = [["短", 1], *([["中等长度的文字", 2]] * (streams.SAMPLE_ROWS - 1)), [late, 3]]
    with streams.xlsx_file(["名称", "数值"], iter(rows), "表") as file:
        sheet = openpyxl.load_workbook(file).active
    assert sheet.column_dimensions["A"].width == text_width("中等长度的文字") + 2  # the long row came after
    assert sheet.column_dimensions["B"].width == streams.MIN_WIDTH
    assert sheet["A1"].value == "名称" and sheet.freeze_panes == "A2"  # no title row: an export's header first
    assert sheet.max_row == len(rows) + 1
    assert streams.column_widths(["备注"], [["字" * 100]]) == [streams.MAX_WIDTH]


def test_a_one_column_table_has_its_title_unmerged():
    table = reporting.Table(header=["村(社区)"], rows=[["太坝村"]])
    sheet = openpyxl.load_workbook(io.BytesIO(reporting.xlsx_bytes(table, "名单", "站儿巷镇2024年名单"))).active
    assert sheet["A1"].value == "站儿巷镇2024年名单" and not sheet.merged_cells.ranges
    assert sheet["A2"].value == "村(社区)" and sheet["A3"].value == "太坝村"
