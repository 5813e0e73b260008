"""County reports: the figures, the periods, the roles, the files, the bad inputs."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from federation.core.models import ReportLog
from federation.core.reporting import DateRange, DateRangeError, Table, csv_bytes, xlsx_bytes
from federation.models import Activity
from tests.factories import ActivityFactory, HonorFactory, HouseholdFactory, PersonFactory

DESIGN_ROWS = [
    ["思想引领", "宣传活动", "4", "场次"],
    ["思想引领", "法律咨询进村(社区)", "13", "个"],
    ["思想引领", "理论学习", "8", "场次"],
    ["思想引领", "专题研讨交流", "2", "场次"],
    ["思想引领", "专题培训", "3", "场次"],
    ["思想引领", "表彰先进", "18", "人"],
    ["思想引领", "志愿服务活动", "6", "场次"],
]
LABELS = [
    "宣传活动", "法律咨询进村(社区)", "理论学习", "专题研讨交流", "专题培训", "表彰先进", "志愿服务活动",
    "志愿服务惠及群众", "兑换活动", "兑换积分", "受益群众", "两癌免费筛查", "两癌保险参保", "两癌救助申报",
    "适龄女童HPV疫苗接种率", "爱心妈妈结对", "救助特困家庭", "发放宣传资料", "接受咨询",
    "婚姻家庭矛盾纠纷排查", "婚姻家庭矛盾纠纷化解",
]  # fmt: skip


def command_csv(capfd, *args) -> list[list[str]]:
    call_command("county_report", *args)
    out = capfd.readouterr().out
    assert out.startswith("\ufeff")
    return list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))


def test_the_demo_towns_annual_summary_for_2024(db, capfd):
    call_command("seed_demo", verbosity=0)
    rows = command_csv(capfd, "annual_summary", "--year", "2024")
    assert rows[0] == ["板块", "指标", "数值", "单位"]
    assert [row[1] for row in rows[1:]] == LABELS
    assert rows[1:8] == DESIGN_ROWS
    figures = {row[1]: int(row[2]) for row in rows[1:]}
    assert (figures["兑换活动"], figures["兑换积分"], figures["受益群众"]) == (142, 18510, 588)
    assert figures["志愿服务惠及群众"] > 200
    assert figures["发放宣传资料"] > 800 and figures["接受咨询"] > 50

    # One village's share: its own activities, not the town-wide ones.
    taiba = command_csv(capfd, "annual_summary", "--year", "2024", "--village", "太坝")
    share = {row[1]: int(row[2]) for row in taiba[1:]}
    assert share["法律咨询进村(社区)"] == 1
    assert share["宣传活动"] == 0  # the four publicity activities were town-wide
    assert share["志愿服务活动"] == 1 and share["理论学习"] == 1
    assert 0 < share["表彰先进"] < 18

    last_year = str(timezone.localdate().year - 1)  # the demo's January of last year
    other_year = {row[1]: int(row[2]) for row in command_csv(capfd, "annual_summary", "--year", last_year)[1:]}
    assert other_year["理论学习"] == 1 and other_year["宣传活动"] == 0


@pytest.fixture
def activities(town, taiba, fenghe):
    ActivityFactory(town=town, kind=Activity.Kind.PUBLICITY, date=date(2024, 2, 10), materials_distributed=100)
    ActivityFactory(town=town, kind=Activity.Kind.TRAINING, date=date(2024, 7, 1), villages=[taiba], consultations=5)
    ActivityFactory(town=town, kind=Activity.Kind.TRAINING, date=date(2024, 7, 20), villages=[fenghe])
    ActivityFactory(town=town, kind=Activity.Kind.TRAINING, date=date(2024, 11, 30), villages=[taiba, fenghe])


@pytest.mark.parametrize(
    ("period", "publicity", "training"),
    [
        (["--year", "2024"], 1, 3),
        (["--quarter", "2024Q3"], 0, 2),
        (["--month", "2024-07"], 0, 2),
        (["--month", "2024-02"], 1, 0),
        (["--from", "2024-07-10", "--to", "2024-11-30"], 0, 2),
    ],
)
def test_each_period_kind(activities, capfd, period, publicity, training):
    figures = {row[1]: int(row[2]) for row in command_csv(capfd, "annual_summary", *period)[1:]}
    assert (figures["宣传活动"], figures["专题培训"]) == (publicity, training)


def test_periods_parse_and_refuse():
    assert DateRange.quarter("2024Q3") == DateRange(date(2024, 7, 1), date(2024, 9, 30), "2024Q3")
    assert DateRange.month("2024-02") == DateRange(date(2024, 2, 1), date(2024, 2, 29), "2024-02")
    with pytest.raises(DateRangeError):
        DateRange.between(date(2024, 6, 30), date(2024, 1, 1))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["annual_summary", "--quarter", "2024Q5"], "“2024Q5”不是季度"),
        (["annual_summary", "--month", "2024-13"], "“2024-13”不是月份"),
        (
            ["annual_summary", "--from", "2024-06-30", "--to", "2024-01-01"],
            "开始日期 2024-06-30 晚于结束日期 2024-01-01",
        ),
        (["annual_summary", "--from", "2024-06-30"], "日期范围需要填写开始日期和结束日期"),
        (["annual_summary", "--year", "2024", "--village", "不存在"], "本镇没有“不存在”"),
        (["annual_summary"], "请选择一个时间段"),
        (["no_such_report", "--year", "2024"], "没有名为 no_such_report 的报表"),
    ],
)
def test_bad_command_input_is_a_chinese_error_with_exit_code_2(town, taiba, args, message):
    with pytest.raises(CommandError) as raised:
        call_command("county_report", *args)
    assert message in str(raised.value)
    assert raised.value.returncode == 2


def test_a_clerk_cannot_report_on_another_village_from_the_shell(clerk, fenghe):
    with pytest.raises(CommandError) as raised:
        call_command("county_report", "population", "--year", "2024", "--village", "冯河", "--user", "taiba")
    assert raised.value.returncode == 2


def test_command_writes_a_file_and_lists_reports(town, taiba, tmp_path, capfd):
    target = tmp_path / "out.xlsx"
    call_command("county_report", "population", "--year", "2024", "--format", "xlsx", "-o", str(target))
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A1"].value == "站儿巷镇2024年人口统计" and sheet["A2"].value == "村(社区)"
    call_command("county_report", "--list")
    assert "annual_summary\t年度工作汇总" in capfd.readouterr().out


def page(client, **params):
    return client.get("/admin/reports/", params)


def test_each_role_sees_the_page_within_its_scope(client_for, town_admin, clerk, county_reader, activities, taiba):
    for user, villages in [
        (town_admin, {"太坝村", "冯河村"}),
        (clerk, {"太坝村"}),
        (county_reader, {"太坝村", "冯河村"}),
    ]:
        response = page(client_for(user), report="population", year=2024)
        assert response.status_code == 200
        names = {row[0] for row in response.context["table"].rows[:-1]}
        assert names == villages
        choices = {str(choice[1]) for choice in response.context["form"].fields["villages"].choices}
        assert choices == villages
    clerk_summary = page(client_for(clerk), report="annual_summary", year=2024).context["table"]
    assert dict((row[1], row[2]) for row in clerk_summary.rows)["专题培训"] == 2  # her village's share


def test_a_clerk_cannot_pick_another_village(client_for, clerk, fenghe, activities):
    response = page(client_for(clerk), report="population", year=2024, villages=fenghe.pk)
    assert "table" not in response.context
    assert response.context["form"].errors["villages"]


def test_bad_page_input_is_shown_not_raised(client_for, town_admin, town):
    response = page(client_for(town_admin), report="annual_summary", quarter="2024Q9")
    assert response.status_code == 200 and "table" not in response.context
    assert "“2024Q9”不是季度" in response.content.decode()
    assert page(client_for(town_admin), report="nope", year=2024).status_code == 404


def test_the_county_reader_gets_no_names_and_no_lists(client_for, county_reader, town, taiba):
    person = PersonFactory(village=taiba, name="秘密姓名")
    HonorFactory(person=person)
    client = client_for(county_reader)
    for name in ("annual_summary", "activities", "honors", "population"):
        for kind in ("html", "csv"):
            response = page(client, report=name, year=2024, format=kind)
            assert response.status_code == 200
            assert "秘密姓名" not in response.content.decode("utf-8-sig")
            assert person.id_number not in response.content.decode("utf-8-sig")
    assert client.get("/admin/federation/person/").status_code == 403


def test_downloads_have_the_bom_the_header_and_a_chinese_file_name(client_for, town_admin, activities):
    client = client_for(town_admin)
    response = page(client, report="annual_summary", year=2024, format="csv")
    assert response.content.startswith(b"\xef\xbb\xbf" + "板块,指标,数值,单位".encode())
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%AB%99%E5%84%BF%E5%B7%B7%E9%95%87_"
        "%E5%B9%B4%E5%BA%A6%E5%B7%A5%E4%BD%9C%E6%B1%87%E6%80%BB_2024.csv"
    )  # 站儿巷镇_年度工作汇总_2024.csv
    xlsx = page(client, report="annual_summary", year=2024, format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "站儿巷镇2024年年度工作汇总"  # the title row (tests/core/test_annual_xlsx.py)
    assert [cell.value for cell in sheet[2]] == ["板块", "指标", "数值", "单位"]
    assert sheet["C3"].value == 1 and isinstance(sheet["C3"].value, int)


def test_formula_looking_text_is_neutralised_in_csv_and_xlsx():
    table = Table(
        header=["名称", "数值"], rows=[["=1+2", 3], ["+SUM(A1)", 4], ["-5", 5], ["@x", 6], ["\tx", 7], ["普通", 8]]
    )
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["'=1+2", "'+SUM(A1)", "'-5", "'@x", "'\tx", "普通"]
    assert rows[1][1] == "3"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table))).active
    assert sheet["A2"].value == "'=1+2" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 3


def test_admin_xlsx_export_has_no_live_formula(client_for, town_admin, taiba):
    from tests.core.test_scoping import export_form_data

    ActivityFactory(town=taiba.town, title='=HYPERLINK("http://x","点我")', villages=[taiba])
    client = client_for(town_admin)
    data = export_form_data(client, "activity")
    data["format"] = "1"  # XLSX
    response = client.post("/admin/federation/activity/export/", data)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert '\'=HYPERLINK("http://x","点我")' in values
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_figures_link_to_the_lists_they_count(client_for, town_admin, activities):
    client = client_for(town_admin)
    table = page(client, report="annual_summary", year=2024).context["table"]
    training_row = next(i for i, row in enumerate(table.rows) if row[1] == "专题培训")
    url = table.links[(training_row, 2)]
    listed = client.get(url)
    assert listed.status_code == 200 and listed.context["cl"].result_count == 3


def test_views_and_downloads_are_logged(client_for, town_admin, clerk, activities):
    page(client_for(clerk), report="population", year=2024)
    page(client_for(clerk), report="population", year=2024, format="csv")
    logs = list(ReportLog.objects.order_by("pk").values_list("user__username", "report", "format", "rows"))
    assert logs == [("taiba", "population", "html", 2), ("taiba", "population", "csv", 2)]
    assert ReportLog.objects.first().filters == {"year": ["2024"]}
    assert client_for(town_admin).get("/admin/federation/reportlog/").context["cl"].result_count == 2
    assert client_for(clerk).get("/admin/federation/reportlog/add/").status_code == 403


def test_the_admin_index_links_to_the_reports(client_for, clerk, county_reader, town_admin, town):
    for user in (clerk, county_reader, town_admin):
        assert "/admin/reports/" in client_for(user).get("/admin/").content.decode()


@pytest.mark.parametrize(
    "name", ["annual_summary", "activities", "honors", "population", "points_villages", "points_goods"]
)
def test_query_count_does_not_grow_with_the_records(town, taiba, fenghe, name):
    from federation.core.filters import ReportFilterSet
    from federation.core.reporting import discover
    from federation.core.scoping import EVERYTHING

    def run():
        request = type(
            "R",
            (),
            {
                "user": type(
                    "U",
                    (),
                    {
                        "is_authenticated": True,
                        "is_active": True,
                        "is_superuser": True,
                        "_federation_scope": EVERYTHING,
                        "has_perm": lambda self, perm: True,  # every row of the summary
                    },
                )()
            },
        )()
        filterset = ReportFilterSet({"year": "2024"}, queryset=taiba.town.villages.all(), request=request)
        assert filterset.is_valid()
        with CaptureQueriesContext(connection) as queries:
            discover()[name].function(filterset.report_scope(), filterset.period)
        return len(queries)

    from points.models import Goods, PointRule, RedemptionEvent
    from points.services import goods_restock, point_award, redemption_create

    rule = PointRule.objects.create(town=town, category="sanitation", description="整洁", points=50)
    goods = Goods.objects.create(town=town, name="皂", points_price=10)
    goods_restock(goods=goods, quantity=100, by=None)

    def grow(n):
        for village in (taiba, fenghe):
            event = RedemptionEvent.objects.create(village=village, date=date(2024, 6, 1))
            for _ in range(n):
                household = HouseholdFactory(village=village)
                head = PersonFactory(village=village, household=household)
                HonorFactory(person=head)
                ActivityFactory(town=village.town, villages=[village], kind=Activity.Kind.TRAINING)
                point_award(household=household, rule=rule, day=date(2024, 5, 1), by=None)
                redemption_create(event=event, household=household, person=head, items=[(goods, 1)], by=None)

    grow(1)
    few = run()
    grow(5)
    assert run() == few <= 16  # the annual summary asks each domain a few grouped questions


def test_admin_exports_have_a_chinese_file_name_and_are_logged(client_for, clerk, own_household):
    from tests.core.test_scoping import export_form_data

    client = client_for(clerk)
    response = client.post("/admin/federation/person/export/", export_form_data(client, "person"))
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''%E4%BA%BA%E5%91%98_")  # 人员_
    log = ReportLog.objects.get()
    assert (log.user, log.report, log.format, log.rows) == (clerk, "export:federation.person", "csv", 1)


def test_staff_without_the_report_permission_cannot_open_reports(client_for, town):
    from tests.factories import UserFactory

    nobody = UserFactory(username="staff-only")
    client = client_for(nobody)
    assert client.get("/admin/reports/", {"year": 2024}).status_code == 403
    assert "/admin/reports/" not in client.get("/admin/").content.decode()
