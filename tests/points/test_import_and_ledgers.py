"""Point entries from a sheet, and the three paper ledgers."""

from datetime import date

from django.core.management import call_command

from federation.models import Household
from points.models import PointEntry
from points.resources import PointEntriesResource
from points.services import point_award, redemption_create
from tests.factories import take_file


def sheet(*lines) -> bytes:
    return ("\n".join(["户主身份证号,户号,村(社区),积分事项,分值,日期,备注", *lines]) + "\n").encode()


def test_point_entries_import_through_the_service(family, rule, deduction, clerk):
    head = family.head.id_number
    content = sheet(f"{head},,,庭院整洁,50,2024-03-01,春季检查", ",TB-100,太坝,乱堆乱放,-20,2024/3/5,")
    report = PointEntriesResource(user=clerk).import_file(content, "积分.csv", dry_run=False)
    assert report.errors == [] and report.new == 2
    assert Household.objects.get(pk=family.pk).points_balance == 30
    lines = list(
        PointEntry.objects.order_by("pk").values_list("kind", "points", "balance_after", "recorded_by", "note")
    )
    assert lines[0] == ("award", 50, 50, clerk.pk, "春季检查")
    assert lines[1][:4] == ("deduction", -20, 30, clerk.pk) and lines[1][4].startswith("导入 #")


def test_a_bad_row_writes_nothing(family, rule, deduction, clerk):
    head = family.head.id_number
    content = sheet(
        f"{head},,,庭院整洁,50,2024-03-01,",
        f"{head},,,不存在的事项,5,2024-03-02,",
        f"{head},,,庭院整洁,40,2024-03-03,",
        f"{head},,,乱堆乱放,-20,2024-03-04,",
        f"{head},,,乱堆乱放,-20,2024-03-04,",
        f"{head},,,乱堆乱放,-20,2024-03-04,",
    )
    report = PointEntriesResource(user=clerk).import_file(content, "积分.csv", dry_run=False)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "积分事项", "“不存在的事项”不是本镇在用的积分细则。"),
        (4, "分值", "该积分细则的分值为 +50 分。"),
        (7, "分值", "积分不足：需要 20 分，余额为 10 分。"),
    ]
    assert not PointEntry.objects.exists() and Household.objects.get(pk=family.pk).points_balance == 0


def test_a_clerk_cannot_import_points_for_another_village(clerk, rule, fenghe):
    from tests.factories import HouseholdFactory, PersonFactory

    household = HouseholdFactory(village=fenghe, number="FH-1")
    head = PersonFactory(village=fenghe, household=household)
    household.head = head
    household.save()
    report = PointEntriesResource(user=clerk).import_file(
        sheet(f"{head.id_number},,,庭院整洁,50,2024-03-01,"), "x.csv", dry_run=False
    )
    assert [e.column for e in report.errors] == ["户主身份证号"]
    assert "冯河" not in str(report.errors[0]) and not PointEntry.objects.exists()


def test_the_three_ledgers_have_the_paper_columns(family, rule, oil, event, capfd):
    point_award(household=family, rule=rule, day=date(2024, 4, 1), by=None)
    redemption_create(event=event, household=family, person=family.head, items=[(oil, 1)], by=None)

    def rows(name):
        call_command("county_report", name, "--year", "2024", "--village", "太坝", "--purpose", "测试核对")
        return [line.split(",") for line in capfd.readouterr().out.lstrip("\ufeff").splitlines()]

    register = rows("points_register")
    assert register[0] == ["日期", "村(社区)", "户号", "户主", "类别", "积分事项", "分值", "变动后余额", "备注"]
    assert register[1] == ["2024-04-01", "太坝村", "TB-100", "王大姐", "环境卫生整治", "庭院整洁", "50", "50", ""]
    redemptions = rows("points_redemptions")
    assert redemptions[0] == ["日期", "村(社区)", "户号", "户主", "兑换人", "商品", "数量", "单价(分)", "积分", "备注"]
    assert redemptions[1] == ["2024-05-01", "太坝村", "TB-100", "王大姐", "王大姐", "食用油", "1", "30", "30", ""]
    sessions = rows("points_sessions")
    assert sessions[0] == ["日期", "村(社区)", "地点", "户数", "人数", "积分", "备注"]
    assert sessions[1] == ["2024-05-01", "太坝村", "太坝村委会", "1", "1", "30", ""]


def test_the_county_reader_gets_no_ledgers(client_for, county_reader, clerk, family):
    client = client_for(county_reader)
    assert client.get("/admin/reports/", {"report": "points_register", "year": 2024}).status_code == 403
    assert "points_register" not in client.get("/admin/reports/").content.decode()
    assert client_for(clerk).get("/admin/reports/", {"report": "points_register", "year": 2024}).status_code == 200


def test_the_page_shows_the_first_rows_and_the_download_holds_them_all(client_for, clerk, family, rule, monkeypatch):
    monkeypatch.setattr("federation.core.views.PAGE_ROWS", 2)
    for day in (1, 2, 3):
        point_award(household=family, rule=rule, day=date(2024, 4, day), by=None)
    client = client_for(clerk)
    page = client.get("/admin/reports/", {"report": "points_register", "year": 2024}).content.decode()
    assert "2024-04-02" in page and "2024-04-03" not in page
    assert "本页只显示前 2 行，共 3 行；下载的文件包含全部行。" in page
    download = take_file(client, "/admin/reports/", {"report": "points_register", "year": 2024, "format": "csv"})
    lines = b"".join(download.streaming_content if download.streaming else [download.content]).decode()
    assert "2024-04-03" in lines and len(lines.lstrip("\ufeff").splitlines()) == 4


def test_a_ledger_download_streams_its_rows_in_both_formats(client_for, clerk, family, rule, monkeypatch):
    """The register is written as its rows are read (CSV a few rows at a time, XLSX into a
    temporary file), in a number of queries that does not grow with the rows, and logged."""
    import io

    import openpyxl
    from django.db import connection
    from django.http import FileResponse, StreamingHttpResponse
    from django.test.utils import CaptureQueriesContext

    from federation.core import streams
    from federation.core.models import ReportLog

    monkeypatch.setattr(streams, "CSV_ROWS_PER_WRITE", 2)
    client = client_for(clerk)
    query = {"report": "points_register", "year": 2024}

    def download(kind):
        with CaptureQueriesContext(connection) as captured:
            response = take_file(client, "/admin/reports/", {**query, "format": kind})
            chunks = list(response.streaming_content)
        return response, chunks, len(captured)

    point_award(household=family, rule=rule, day=date(2024, 4, 1), by=None)
    few = [download(kind)[2] for kind in ("csv", "xlsx")]
    for day in range(2, 9):
        point_award(household=family, rule=rule, day=date(2024, 4, day), by=None)
    response, chunks, queries = download("csv")
    assert isinstance(response, StreamingHttpResponse) and len(chunks) > 2
    lines = b"".join(chunks).decode("utf-8-sig").splitlines()
    assert len(lines) == 9 and "2024-04-08" in lines[-1]
    response, chunks, xlsx_queries = download("xlsx")
    assert isinstance(response, FileResponse)
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(chunks))).active
    assert sheet.max_row == 10 and sheet.freeze_panes == "A3"  # a title row, the header, 8 lines
    assert [queries, xlsx_queries] == few
    logged = ReportLog.objects.filter(format__in=["csv", "xlsx"]).order_by("pk")
    assert list(logged.values_list("rows", flat=True)) == [1, 1, 8, 8]


def test_a_roster_into_an_approved_month_is_refused_row_by_row(family, rule, clerk, town_admin):
    """The import writes through the service, whose save the locked period refuses: the
    preview and the import name the row and the period, and nothing is written."""
    from federation.core.submissions import submission_approve, submission_submit

    submission_approve(
        submission=submission_submit(village=family.village, day=date(2024, 3, 1), note="本月无记录", by=clerk),
        by=town_admin,
    )
    head = family.head.id_number
    content = sheet(f"{head},,,庭院整洁,50,2024-03-01,", f"{head},,,庭院整洁,50,2024-04-01,")
    for dry_run in (True, False):
        report = PointEntriesResource(user=clerk).import_file(content, "积分.csv", dry_run=dry_run)
        assert [str(error) for error in report.errors] == [
            "第 2 行，“日期”列：2024年3月（太坝村）已审核锁定："
            "不能新增、修改或删除这一期的记录。如需修改，请镇妇联管理员重新打开。"
        ]
    assert not PointEntry.objects.exists()
