"""The care and aid ledgers of the inspection binder (issue 16), on the demo town: each lists
the period's records as the aid selectors count them, masks ID numbers and phones for a reader
without the full-identity permission, prints a domestic-violence case as its number, village,
kind and status whoever reads it, keeps to the reader's villages, is refused to the county
reader, downloads as CSV from the report page, and reads its rows in a number of queries that
does not grow with them."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction

from aid import selectors
from aid.models import CareTarget, CareVisit, CharityAid, DisputeCase
from federation.core.identity import mask_id_number, mask_phone
from federation.core.models import Town, Village
from federation.core.registry import registry
from federation.core.reporting import DateRange, ReportScope, discover
from federation.core.roles import CARE_RECORDER, VILLAGE_CLERK
from tests.factories import UserFactory, give_scope, take_file

YEAR = DateRange.year(2024)
LEDGERS = {
    "care_targets_ledger": selectors.care_targets_in,
    "care_visits_ledger": selectors.visits_in,
    "disputes_ledger": selectors.disputes_found_in,
    "charity_aid_ledger": selectors.charity_in,
}
# The column of the village in each ledger (the register is by village first).
VILLAGE = {"care_targets_ledger": 0, "care_visits_ledger": 1, "disputes_ledger": 2, "charity_aid_ledger": 1}


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
    """town: the town administrator (full ID numbers, domestic violence); taiba: the 太坝 clerk
    with the care role (masked); county: the county reader; care: a town-wide care recorder
    without the domestic-violence permission."""
    found = {user.username: user for user in get_user_model().objects.filter(username__in=["town", "taiba", "county"])}
    care = UserFactory(username="care-town", role=VILLAGE_CLERK)
    care.groups.add(Group.objects.get(name=CARE_RECORDER))
    give_scope(care, Town.objects.get(), town_wide=True)
    return {**found, "care": care}


def ledger(user, name, period=YEAR):
    rs = ReportScope.of_user(user)
    table = discover()[name].function(rs, period)
    return rs, [str(cell) for cell in table.header], list(table.rows)


def download(client, name) -> list[list[str]]:
    response = take_file(client, "/admin/reports/", {"report": name, "year": 2024, "format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_each_ledger_lists_what_its_selector_counts(users, name):
    rs, header, rows = ledger(users["town"], name)
    assert len(rows) == LEDGERS[name](rs.chosen, YEAR.start, YEAR.end).count() > 0
    assert len({len(row) for row in rows}) == 1 and len(rows[0]) == len(header)


def test_the_care_register_has_the_paper_columns_and_whole_numbers_for_the_town(users):
    _rs, header, rows = ledger(users["town"], "care_targets_ledger")
    assert header == [
        "村(社区)", "姓名", "公民身份号码", "性别", "年龄", "类别", "监护人", "监护人电话", "父母务工地",
        "爱心妈妈", "纳入日期", "退出日期",
    ]  # fmt: skip
    child = (
        CareTarget.objects.filter(person__pairings_as_child__isnull=False)
        .select_related("person__village")
        .order_by("pk")
        .first()
    )
    person = child.person
    row = next(row for row in rows if row[2] == person.id_number and row[5] == child.get_category_display())
    mother = person.pairings_as_child.get().mother
    assert row == [
        person.village.name,
        person.name,
        person.id_number,
        person.get_sex_display(),
        person.age_on(YEAR.end),
        child.get_category_display(),
        child.guardian_name,
        child.guardian_phone,
        child.parents_work_place,
        mother.name,
        child.since.isoformat(),
        "",
    ]
    # Sorted by village, then the day each came onto the register.
    order = dict(Village.objects.values_list("name", "sort_order"))
    keys = [(order[row[0]], row[10]) for row in rows]
    assert keys == sorted(keys)


def test_the_visit_record_and_the_aid_records_are_by_date(users):
    _rs, header, rows = ledger(users["town"], "care_visits_ledger")
    assert header == ["日期", "村(社区)", "关爱对象", "走访人", "类型", "关爱内容", "赠送物品"]
    first = CareVisit.objects.filter(date__year=2024).select_related("pairing__child", "pairing__mother")
    first = first.order_by("date", "pk").first()
    assert rows[0] == [
        first.date.isoformat(),
        first.pairing.child.village.name,
        first.pairing.child.name,
        first.pairing.mother.name,
        first.get_kind_display(),
        first.content,
        first.gifts,
    ]
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)

    _rs, header, rows = ledger(users["town"], "charity_aid_ledger")
    assert header == ["日期", "村(社区)", "户号", "户主", "救助项目", "金额（元）", "商品", "原因"]
    new_year = CharityAid.objects.select_related("household__head", "household__village").get(date=date(2024, 1, 25))
    household = new_year.household
    assert rows[0] == [
        "2024-01-25",
        household.village.name,
        household.number,
        household.head.name,
        "春节慰问",
        Decimal("300.00"),
        "",
        "因病致困",
    ]
    assert [row[0] for row in rows] == ["2024-01-25", *["2024-09-09"] * 4, *["2024-12-20"] * 2]


@pytest.mark.parametrize("reader", ["town", "care"])
def test_a_domestic_violence_case_prints_only_its_number_village_kind_and_status(users, client_for, reader):
    """Whoever reads it, the town administrator who may open the file included: a printed
    ledger leaves the system."""
    _rs, header, rows = ledger(users[reader], "disputes_ledger")
    assert header == [
        "编号", "发现日期", "村(社区)", "类型", "发现途径", "当事人", "纠纷情况", "状态", "结案日期", "处理结果",
    ]  # fmt: skip
    marriage, violence = DisputeCase.objects.filter(found_on__year=2024).select_related("village").order_by("number")
    assert violence.kind == DisputeCase.Kind.DOMESTIC_VIOLENCE and marriage.found_on > date(2024, 1, 1)
    assert rows == [
        [
            marriage.number,
            "2024-04-12",
            marriage.village.name,
            "婚姻",
            "排查",
            "、".join(person.name for person in marriage.parties.all()),
            marriage.summary,
            "已化解",
            "2024-05-20",
            marriage.outcome,
        ],
        [violence.number, "", violence.village.name, "家庭暴力", "", "", "", "已化解", "", ""],
    ]
    cells = {cell for row in download(client_for(users[reader]), "disputes_ledger") for cell in row}
    secrets = {violence.summary, violence.outcome, "2024-09-03", "2024-10-15", "派出所转来"}
    secrets |= {person.name for person in violence.parties.all()}
    assert not secrets & cells and violence.number in cells


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_a_clerk_gets_her_village_only(users, name):
    rs, _header, rows = ledger(users["taiba"], name)
    assert rs.village_ids == [Village.objects.get(name="太坝村").pk]
    assert len(rows) == LEDGERS[name](rs.chosen, YEAR.start, YEAR.end).count()
    assert {row[VILLAGE[name]] for row in rows} <= {"太坝村"}
    everyone = ledger(users["town"], name)[2]
    assert len(rows) == sum(row[VILLAGE[name]] == "太坝村" for row in everyone)


def test_the_clerk_reads_the_register_masked(users):
    _rs, _header, rows = ledger(users["taiba"], "care_targets_ledger")
    whole = [row for row in ledger(users["town"], "care_targets_ledger")[2] if row[0] == "太坝村"]
    assert rows and len(rows) == len(whole)
    assert [(row[2], row[7]) for row in rows] == [(mask_id_number(row[2]), mask_phone(row[7])) for row in whole]
    assert all(row[2].endswith("*" * 12) for row in rows)
    assert any(full[7] for full in whole)
    assert all(row[7] != full[7] for row, full in zip(rows, whole, strict=True) if full[7])


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_the_county_reader_gets_no_ledger_and_the_clerk_downloads_hers(users, client_for, name):
    entry = discover()[name]
    assert entry.personal and not entry.allowed(users["county"])
    assert client_for(users["county"]).get("/admin/reports/", {"report": name, "year": 2024}).status_code == 403
    rows = download(client_for(users["taiba"]), name)
    _rs, header, table = ledger(users["taiba"], name)
    assert rows[0] == header and len(rows) == len(table) + 1


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_a_ledgers_queries_do_not_grow_with_its_rows(users, name, django_assert_max_num_queries):
    rs = ReportScope.of_user(users["town"])
    assert rs.full_identity  # her permissions, read once per reader
    # The rows and their count for the page; the disputes, a list, read their parties instead.
    with django_assert_max_num_queries(2):
        table = discover()[name].function(rs, YEAR)
        assert len(list(iter(table.rows))) == len(table.rows) > 1


def test_the_binder_prints_the_care_and_aid_ledgers():
    sections = registry.binder_sections
    assert sections["care"].reports == ("care_targets_ledger", "care_visits_ledger")
    assert (sections["care"].category, sections["disputes"].category, sections["charity_aid"].category) == (
        "children",
        "rights",
        "rights",
    )
    assert sections["charity_aid"].reports == ("charity_aid_ledger",)


def test_the_demo_violence_case_is_referred_and_has_its_letter_and_order(users):
    """The 2024 domestic-violence case: referred to the police (accepted, closed), a warning
    letter, and a granted protection order ending within 30 days of the demo's today (on the
    town administrator's work list, not on a care recorder's without the permission)."""
    from django.test import RequestFactory

    from aid.admin import care_reminders
    from aid.models import ProtectionMeasure, Referral
    from federation.core.demo import seed_day

    case = DisputeCase.objects.get(kind=DisputeCase.Kind.DOMESTIC_VIOLENCE, found_on__year=2024)
    police = case.referrals.get(agency=Referral.Agency.POLICE)
    assert police.status == Referral.Status.CLOSED and police.answered_on and police.closed_on
    kinds = dict(case.protection_measures.values_list("kind", "decision"))
    assert kinds == {ProtectionMeasure.Kind.WARNING: "", ProtectionMeasure.Kind.ORDER: "granted"}
    order = case.protection_measures.get(kind=ProtectionMeasure.Kind.ORDER)
    assert seed_day() <= order.valid_until <= seed_day() + timedelta(days=30)

    def ending(user):
        request = RequestFactory().get("/admin/")
        request.user = user
        return [count for _label, count, url in care_reminders(request) if url.endswith("list=ending")]

    assert ending(users["town"]) == [1] and ending(users["care"]) == [0]
    today = seed_day()
    if today.year > 2024 and (today - timedelta(days=24)).year == today.year:  # this year's mediated case
        waiting = Referral.objects.filter(selectors.unanswered_q(today))
        assert waiting.filter(agency=Referral.Agency.CIVIL_AFFAIRS).count() == 1
