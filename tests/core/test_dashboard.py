"""The home page: the year's figures, the charts and today's work, per role and scope, in a
constant number of queries."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from federation.core.registry import registry
from health.models import HPVDose
from tests.factories import ActivityFactory, HouseholdFactory, PersonFactory, VillageFactory
from tests.health.conftest import dose


def figures(page) -> dict[str, tuple]:
    return {row["indicator"]: (row["value"], row["url"]) for board in page.context["boards"] for row in board["rows"]}


def charts(page) -> dict[str, list]:
    return {str(chart.title): getattr(chart, "rows", None) for chart in page.context["charts"]}


def test_the_demo_towns_home_page_for_each_role(client, db):
    call_command("seed_demo", verbosity=0)
    client.force_login(get_user_model().objects.get(username="town"))
    page = client.get("/admin/?year=2024")
    assert page.status_code == 200
    shown = figures(page)
    # The town's 2024 year in review (seed/), as the annual summary report counts it.
    assert {key: value for key, (value, _url) in shown.items()} == {
        "宣传活动": 4,
        "法律咨询进村(社区)": 13,
        "理论学习": 8,
        "专题研讨交流": 2,
        "专题培训": 3,
        "表彰先进": 18,
        "志愿服务活动": 6,
        "志愿服务惠及群众": shown["志愿服务惠及群众"][0],
        "兑换活动": shown["兑换活动"][0],
        "兑换积分": shown["兑换积分"][0],
        "受益群众": shown["受益群众"][0],
        "两癌免费筛查": 9,
        "两癌保险参保": shown["两癌保险参保"][0],
        "两癌救助申报": 2,
        "适龄女童HPV疫苗接种率": 69,
        "爱心妈妈结对": shown["爱心妈妈结对"][0],
        "救助特困家庭": shown["救助特困家庭"][0],
        "发放宣传资料": shown["发放宣传资料"][0],
        "接受咨询": shown["接受咨询"][0],
        "婚姻家庭矛盾纠纷排查": shown["婚姻家庭矛盾纠纷排查"][0],
        "婚姻家庭矛盾纠纷化解": shown["婚姻家庭矛盾纠纷化解"][0],
    }
    report = client.get("/admin/reports/?report=annual_summary&year=2024&format=csv").content.decode("utf-8-sig")
    for line in report.splitlines()[1:]:
        board, indicator, value, unit = line.split(",")
        assert str(shown[indicator][0]) == value  # the same figure as the report, row by row
    # Each figure links to the list it counts, and the list opens.
    assert client.get(shown["宣传活动"][1]).status_code == 200
    drawn = charts(page)
    assert set(drawn) == {
        "各村适龄女童HPV疫苗接种率",
        "各村积分兑换",
        "各村活动场次",
        "各村爱心妈妈走访",
        "逐月积分获得与兑换",
    }
    assert len(drawn["各村活动场次"]) == 13
    assert all(client.get(url).status_code == 200 for _label, _value, url in drawn["各村积分兑换"])
    assert "<svg" in page.content.decode()

    # The 太坝 clerk's page counts 太坝 only.
    client.force_login(get_user_model().objects.get(username="taiba"))
    page = client.get("/admin/?year=2024")
    assert [label for label, _value, _url in charts(page)["各村活动场次"]] == ["太坝村"]
    assert figures(page)["法律咨询进村(社区)"][0] == 1

    # The county reader reads every figure and no list: no link is a dead end, and no
    # "no permission" line sits under the figures.
    client.force_login(get_user_model().objects.get(username="county"))
    page = client.get("/admin/?year=2024")
    shown = figures(page)
    assert shown["宣传活动"] == (4, None) and all(url is None for _value, url in shown.values())
    assert all(url is None for rows in charts(page).values() if rows for _l, _v, url in rows)
    assert "没有查看或编辑的权限" not in page.content.decode()


def grow(town, villages: int, per_village: int) -> None:
    first = town.villages.count()
    for index in range(first, first + villages):
        village = VillageFactory(town=town, name=f"村{index}", sort_order=10 + index)
        for number in range(per_village):
            household = HouseholdFactory(village=village, number=f"{index}-{number}")
            born = date(timezone.localdate().year - 12, 1, 1) if number % 2 else date(1980, 1, 1)
            PersonFactory(village=village, household=household, born=born)
            ActivityFactory(town=town, villages=[village], date=date(timezone.localdate().year, 1, 1))


@pytest.mark.django_db
def test_the_home_page_runs_the_same_queries_for_a_small_and_a_larger_town(client, town, town_admin):
    client.force_login(town_admin)
    grow(town, 2, 2)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/admin/").status_code == 200
    grow(town, 6, 5)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/admin/").status_code == 200
    assert len(small) == len(large)
    # 43: the girls' HPV counts are read once for the chart, the summary row and the work list.
    # 48: and the referrals, the protection orders and the committees due (one count each).
    # 49: and the requests to open a file: waiting, open and to review, in one query.
    assert len(large) <= 49, [query["sql"][:120] for query in large.captured_queries]


def test_a_dose_recorded_today_raises_the_coverage_on_the_home_page(client, taiba, town_admin):
    today = timezone.localdate()
    girl = PersonFactory(village=taiba, name="王小花", born=date(today.year - 12, 3, 10))
    client.force_login(town_admin)
    before = {label: value for label, value, _url in charts(client.get("/admin/"))["各村适龄女童HPV疫苗接种率"]}
    assert before["太坝村"] == 0
    dose(girl, 1, timezone.localdate())
    after = {label: value for label, value, _url in charts(client.get("/admin/"))["各村适龄女童HPV疫苗接种率"]}
    assert after["太坝村"] == 100
    assert HPVDose.objects.count() == 1


def test_the_superusers_page_counts_the_girls_once_for_its_chart_summary_and_work_list(client, taiba, superuser):
    today = timezone.localdate()
    girls = [PersonFactory(village=taiba, born=date(today.year - 12, 3, 10)) for _n in range(4)]
    dose(girls[0], 1, today)
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/admin/")
    assert figures(page)["适龄女童HPV疫苗接种率"][0] == 25
    assert {label: value for label, value, _url in charts(page)["各村适龄女童HPV疫苗接种率"]}["太坝村"] == 25
    assert "25%（1/4）" in page.content.decode()  # today's work
    counts = [
        query["sql"]
        for query in queries.captured_queries
        if 'FROM "federation_person"' in query["sql"] and '"birth_date" >' in query["sql"]
    ]
    # The eligible and the vaccinated girls by village; then those due a second dose, and
    # those to ask again.
    assert len(counts) == 4, counts


def test_a_year_not_offered_shows_this_year_and_says_so(client, town_admin):
    client.force_login(town_admin)
    page = client.get("/admin/?year=1999")
    assert page.context["year"] == timezone.localdate().year
    assert "不在可选范围" in page.content.decode()


def test_every_chart_is_registered_with_the_permissions_of_what_it_counts():
    assert {chart.name: chart.permissions for chart in registry.ordered_charts()} == {
        "hpv_villages": ("health.view_hpvgirl", "health.view_hpvdose", "health.view_hpvdeferral"),
        "points_villages": ("points.view_redemption",),
        "activities_villages": ("federation.view_activity",),
        "care_visits_villages": ("aid.view_carevisit",),
        "points_months": ("points.view_pointentry", "points.view_redemption"),
    }


def test_the_report_page_links_a_figure_only_to_a_list_the_reader_may_open(client_for, county_reader, town_admin):
    ActivityFactory(town=town_admin.staff_scope.town, date=date(2024, 3, 1))
    url = "/admin/reports/?report=activities&year=2024"
    admin_rows = client_for(town_admin).get(url).context["rows"]
    assert any(link for row in admin_rows for _value, link in row)
    county_rows = client_for(county_reader).get(url).context["rows"]
    assert [value for row in county_rows for value, _link in row] == [value for row in admin_rows for value, _l in row]
    assert not any(link for row in county_rows for _value, link in row)


def test_every_page_has_the_main_menu_to_reports_the_summary_and_the_binder(client_for, clerk, county_reader, taiba):
    year = timezone.localdate().year
    for user, url in ((clerk, "/admin/federation/person/"), (county_reader, "/admin/")):
        page = client_for(user).get(url).content.decode()
        assert 'id="workbench-nav"' in page
        assert ">统计报表</a>" in page and f"report=annual_summary&amp;year={year}#binder" in page
    assert "台账报送</a>" in client_for(clerk).get("/admin/").content.decode()
    summary = client_for(clerk).get(f"/admin/reports/?report=annual_summary&year={year}").content.decode()
    assert 'id="binder"' in summary
