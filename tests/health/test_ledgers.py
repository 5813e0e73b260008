"""The health ledgers of the inspection binder (issue 16), on the demo town: each lists the
period's records as the health selectors count them, masks ID numbers for a reader without
the full-identity permission, keeps to the reader's villages, is refused to the county reader
(it lists women and girls), downloads as CSV from the report page, and reads its rows in a
number of queries that does not grow with them."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from federation.core.identity import mask_id_number
from federation.core.models import Village
from federation.core.registry import registry
from federation.core.reporting import DateRange, ReportScope, discover
from health import selectors
from health.models import CancerAidApplication, HPVDose, Screening
from tests.factories import take_file

YEAR = DateRange.year(2024)
LEDGERS = {
    "screenings_ledger": selectors.screenings_in,
    "cancer_aid_ledger": selectors.applications_in,
    "hpv_doses_ledger": selectors.doses_in,
    "hpv_deferrals_ledger": selectors.deferrals_in,
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo town, seeded once for the module (it takes about 20 s) in a transaction rolled
    back at the module's end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def users(demo, db):
    """town: the town administrator (full ID numbers); taiba: the 太坝 clerk with the health
    role (masked); county: the county reader."""
    return {user.username: user for user in get_user_model().objects.filter(username__in=["town", "taiba", "county"])}


def ledger(user, name, period=YEAR):
    rs = ReportScope.of_user(user)
    table = discover()[name].function(rs, period)
    return rs, table.header, list(table.rows)


def download(client, name) -> list[list[str]]:
    response = take_file(client, "/admin/reports/", {"report": name, "year": 2024, "format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_each_ledger_lists_what_its_selector_counts_in_date_order(users, name):
    rs, header, rows = ledger(users["town"], name)
    counted = LEDGERS[name](rs.chosen, YEAR.start, YEAR.end)
    assert len(rows) == counted.count() > 0
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)
    assert len({len(row) for row in rows}) == 1 and len(rows[0]) == len(header)
    # Another year's ledger is another year's records.
    assert len(ledger(users["town"], name, DateRange.year(2023))[2]) == 0


def test_the_screening_ledger_has_the_paper_columns(users):
    _rs, header, rows = ledger(users["town"], "screenings_ledger")
    assert [str(cell) for cell in header] == [
        "筛查日期", "村(社区)", "姓名", "公民身份号码", "年龄", "免费筛查项目", "筛查项目", "筛查机构",
        "筛查结果", "复查日期", "复查结果", "确诊", "备注",
    ]  # fmt: skip
    rechecked = Screening.objects.select_related("person", "village").get(recheck_date__isnull=False)
    person = rechecked.person
    row = next(row for row in rows if row[3] == person.id_number)
    assert row == [
        rechecked.date.isoformat(),
        rechecked.village.name,
        person.name,
        person.id_number,  # the town administrator sees it whole
        person.age_on(rechecked.date),
        "否",  # the demo's rechecked woman is one of the three outside the free programme
        "宫颈癌和乳腺癌",
        rechecked.institution,
        "异常需复查",
        rechecked.recheck_date.isoformat(),
        "未见异常",
        "",
        "",
    ]
    assert sum(row[5] == "是" for row in rows) == 9  # the summary's 两癌免费筛查


def test_the_aid_ledger_shows_each_application_and_where_it_stands(users):
    _rs, header, rows = ledger(users["town"], "cancer_aid_ledger")
    assert [str(cell) for cell in header] == [
        "申报日期", "村(社区)", "姓名", "公民身份号码", "诊断", "就诊医院", "申请金额（元）", "批准金额（元）",
        "状态", "发放日期",
    ]  # fmt: skip
    paid = CancerAidApplication.objects.select_related("person", "village").get(status="paid", submitted_on__year=2024)
    assert rows[0] == [
        "2024-05-20",
        paid.village.name,
        paid.person.name,
        paid.person.id_number,
        "宫颈癌",
        "甘肃省妇幼保健院",
        Decimal("10000.00"),
        Decimal("10000.00"),
        "已发放",
        "2024-07-02",
    ]
    assert rows[1][0] == "2024-11-12" and rows[1][7:] == ["", "已申报", ""]


def test_the_hpv_ledger_gives_the_girls_age_at_each_dose(users):
    _rs, header, rows = ledger(users["town"], "hpv_doses_ledger")
    assert [str(cell) for cell in header] == [
        "接种日期", "村(社区)", "姓名", "公民身份号码", "接种时年龄", "剂次", "疫苗", "接种单位", "知情同意监护人",
    ]  # fmt: skip
    second = HPVDose.objects.select_related("person", "village").filter(dose_number=2).order_by("date", "pk").first()
    row = next(row for row in rows if row[3] == second.person.id_number and row[5] == "第 2 剂")
    assert row[:3] == [second.date.isoformat(), second.village.name, second.person.name]
    assert row[4] == second.person.age_on(second.date) and 9 <= row[4] <= 15
    assert row[6:] == [second.get_vaccine_display(), "站儿巷镇卫生院", second.consent_by]


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_a_clerk_gets_her_village_only_and_masked_id_numbers(users, name):
    """The 太坝 clerk (health role, no full-identity permission) reads her village's records,
    every ID number masked; the town administrator's ledger has hers too, whole."""
    rs, _header, rows = ledger(users["taiba"], name)
    taiba = Village.objects.get(name="太坝村")
    assert rs.village_ids == [taiba.pk]
    assert len(rows) == LEDGERS[name](rs.chosen, YEAR.start, YEAR.end).count()
    assert {row[1] for row in rows} <= {"太坝村"}
    whole = {row[3] for row in ledger(users["town"], name)[2] if row[1] == "太坝村"}
    assert {row[3] for row in rows} == {mask_id_number(number) for number in whole}
    assert all(number.endswith("*" * 12) for number in (row[3] for row in rows))


def test_the_hpv_ledger_of_taiba_has_rows_to_mask(users):
    assert len(ledger(users["taiba"], "hpv_doses_ledger")[2]) > 5


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_the_county_reader_gets_no_ledger_and_the_clerk_downloads_hers(users, client_for, name):
    entry = discover()[name]
    assert entry.personal and not entry.allowed(users["county"])
    assert client_for(users["county"]).get("/admin/reports/", {"report": name, "year": 2024}).status_code == 403
    rows = download(client_for(users["taiba"]), name)
    _rs, header, table = ledger(users["taiba"], name)
    assert rows[0] == [str(cell) for cell in header] and len(rows) == len(table) + 1
    whole = {row[3] for row in ledger(users["town"], name)[2] if row[1] == "太坝村"}
    assert not whole & {cell for row in rows for cell in row}  # no whole ID number in her file


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_a_ledgers_queries_do_not_grow_with_its_rows(users, name, django_assert_max_num_queries):
    rs = ReportScope.of_user(users["town"])
    assert rs.full_identity  # her permissions, read once per reader
    with django_assert_max_num_queries(2):  # the rows, and their count for the page
        table = discover()[name].function(rs, YEAR)
        assert len(list(iter(table.rows))) == len(table.rows) > 1


def test_the_binder_prints_the_health_ledgers():
    sections = registry.binder_sections
    assert sections["screening"].reports == ("screenings_ledger", "cancer_aid_ledger")
    assert (sections["screening"].category, sections["hpv"].category) == ("rights", "children")
    assert set(sections["hpv"].reports) <= set(discover())
