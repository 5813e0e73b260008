"""The care rosters, the aid reports and the demo year."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from aid.models import CareTarget, CareVisit, CharityAid, DisputeCase, Pairing
from aid.resources import CareTargetsResource
from aid.services import aid_record_save, dispute_resolve, dispute_start_mediation, pairing_end, pairing_save
from federation.resources import PeopleResource
from tests.aid.conftest import on_register, register_case
from tests.data.make_files import HEADER, LI, PEOPLE, WANG, WANG_GIRL, ZHAO
from tests.factories import PURPOSE, HouseholdFactory, PersonFactory

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


@pytest.fixture
def people(taiba, town_admin):
    report = PeopleResource(user=town_admin).import_file(
        (DATA / "people_utf8.csv").read_bytes(), "p.csv", dry_run=False
    )
    assert report.errors == []


def roster(*lines) -> bytes:
    return ("\n".join(["姓名,身份证号,类别,监护人,监护人电话,父母务工地,纳入日期", *lines]) + "\n").encode()


def test_care_roster_registers_children_once(people, care_clerk):
    content = roster(f"王小花,{WANG_GIRL},留守儿童,王奶奶,13900000001,浙江宁波,2024-03-01")
    report = CareTargetsResource(user=care_clerk).import_file(content, "留守儿童花名册.csv", dry_run=False)
    assert report.errors == [] and report.new == 1
    target = CareTarget.objects.get()
    assert (target.category, target.guardian_phone, target.since) == ("lb_child", "13900000001", date(2024, 3, 1))
    again = CareTargetsResource(user=care_clerk).import_file(content, "again.csv", dry_run=True, again=True)
    assert (again.new, again.unchanged) == (0, 1)


def test_care_roster_errors_write_nothing(people, care_clerk):
    content = roster(
        f"王小花,{WANG_GIRL},留守儿,王奶奶,,,",
        f"王建国,{WANG},留守儿童,,,,",
        "无此人,621228201001010020,留守儿童,,,,",
        f"赵桂兰,{ZHAO},特困人员,,1234,,",
    )
    report = CareTargetsResource(user=care_clerk).import_file(content, "bad.csv", dry_run=False)
    errors = [(e.row, e.column, e.message) for e in report.errors]
    assert errors[0][:2] == (2, "类别") and errors[0][2].startswith("“留守儿”不是可选值之一")
    assert errors[1] == (3, "类别", "王建国 已年满 18 岁，不是儿童。")
    assert errors[2][:2] == (4, "身份证号")
    assert errors[3][:2] == (5, "监护人电话")
    assert CareTarget.objects.count() == 0


def test_the_people_roster_category_column_creates_care_targets(taiba, town_admin, clerk):
    header = [*HEADER, "人员类别"]
    rows = [[*PEOPLE[0], "留守老人"], [*PEOPLE[1], ""], [*PEOPLE[2], "留守儿童"], [*PEOPLE[3], "特困"]]
    content = "\n".join(",".join(row) for row in [header, *rows]).encode()
    report = PeopleResource(user=town_admin).import_file(content, "people.csv", dry_run=False)
    assert report.errors == []
    targets = set(CareTarget.objects.values_list("person__id_number", "category"))
    assert targets == {(WANG, "lb_elderly"), (WANG_GIRL, "lb_child"), (ZHAO, "extremely_poor")}
    # Again: nothing new on the register.
    again = PeopleResource(user=town_admin).import_file(content, "people.csv", dry_run=False, again=True)
    assert again.errors == [] and again.unchanged == 4
    assert CareTarget.objects.count() == 3
    # A clerk without the care role may not put anyone on it; an adult is not a child.
    bad = "\n".join(",".join(row) for row in [header, [*PEOPLE[1], "留守儿童"]]).encode()
    report = PeopleResource(user=clerk).import_file(bad, "people.csv", dry_run=True)
    assert [(e.row, e.column, e.message) for e in report.errors] == [(2, "人员类别", "您没有登记关爱对象的权限。")]
    report = PeopleResource(user=town_admin).import_file(bad, "people.csv", dry_run=True)
    assert [e.message for e in report.errors] == ["成年人不能登记为儿童类别。"]
    assert LI not in {number for number, _category in targets}


def rows(capfd, *args):
    call_command("county_report", *args, "--purpose", "测试核对")
    return [line.split(",") for line in capfd.readouterr().out.lstrip("\ufeff").splitlines()]


def test_summary_and_village_tables(capfd, taiba, fenghe, mother, child):
    pairing = pairing_save(pairing=Pairing(mother=mother, child=child, start=date(2024, 3, 1)))
    aid_record_save(record=CareVisit(pairing=pairing, date=date(2024, 4, 1), kind="study_desk", content="作业"))
    old = PersonFactory(village=taiba, born=date(2014, 1, 1))
    on_register(old, since=date(2022, 1, 1))
    ended = pairing_save(pairing=Pairing(mother=mother, child=old, start=date(2022, 3, 1)))
    pairing_end(pairing=ended, day=date(2023, 6, 1))  # not active in 2024
    case = register_case(taiba, DisputeCase.Kind.DOMESTIC_VIOLENCE)
    dispute_start_mediation(case=case, day=date(2024, 5, 2))
    dispute_resolve(case=case, day=date(2024, 6, 1), outcome="和解")
    register_case(fenghe, found_on=date(2024, 11, 1))
    resolved_late = register_case(taiba, found_on=date(2023, 12, 1))
    dispute_resolve(case=resolved_late, day=date(2024, 1, 5), outcome="和解")
    household = HouseholdFactory(village=taiba)
    for day in (date(2024, 1, 1), date(2024, 9, 9)):
        aid_record_save(
            record=CharityAid(household=household, date=day, drive="99公益日", amount=Decimal("200"), reason="困难")
        )
    summary = {row[1]: row[2] for row in rows(capfd, "annual_summary", "--year", "2024")[1:]}
    assert summary["爱心妈妈结对"] == "1"
    assert summary["救助特困家庭"] == "1"
    assert (summary["婚姻家庭矛盾纠纷排查"], summary["婚姻家庭矛盾纠纷化解"]) == ("2", "2")
    disputes = rows(capfd, "disputes_villages", "--year", "2024")
    assert disputes[0][:7] == ["村(社区)", "排查纠纷", "婚姻", "家庭(代际)", "邻里", "财产", "家庭暴力"]
    assert disputes[1][:7] == ["太坝村", "1", "0", "0", "0", "0", "1"]
    assert disputes[-1][1] == "2"
    pairs = rows(capfd, "pairings_villages", "--year", "2024", "--village", "太坝")
    assert pairs[1][:5] == ["太坝村", "1", "1", "1", "1"]
    charity = rows(capfd, "charity_villages", "--year", "2024", "--village", "太坝")
    assert charity[1] == ["太坝村", "1", "2", "400.00"]
    register = rows(capfd, "care_targets_villages", "--year", "2024", "--village", "太坝")
    assert register[1][:2] == ["太坝村", "2"]


def test_demo_care_figures(db, capfd):
    call_command("seed_demo", verbosity=0)
    capfd.readouterr()
    summary = {row[1]: row[2] for row in rows(capfd, "annual_summary", "--year", "2024")[1:]}
    assert summary["救助特困家庭"] == "6"
    assert (summary["婚姻家庭矛盾纠纷排查"], summary["婚姻家庭矛盾纠纷化解"]) == ("2", "2")
    assert 10 <= int(summary["爱心妈妈结对"]) <= 60
    assert DisputeCase.objects.filter(kind=DisputeCase.Kind.DOMESTIC_VIOLENCE).count() == 1
    from django.utils import timezone

    from aid import selectors

    active = Pairing.objects.filter(end__isnull=True)
    overdue = active.filter(selectors.overdue_q(timezone.localdate()))
    visited = active.filter(visits__isnull=False).distinct()
    assert 0 < overdue.count() < active.count() / 2 and visited.count() >= active.count() * 0.8
    targets = CareTarget.objects.all()
    assert selectors.children_without_mother(targets, timezone.localdate()).exists()

    # The current year up to today: the caring mothers visit all year, a case is being mediated
    # and another just registered, families were visited at the New Year; nothing after today.
    today = timezone.localdate()
    year = today.year
    assert not CareVisit.objects.filter(date__gt=today).exists()
    assert not DisputeCase.objects.filter(found_on__gt=today).exists()
    visits = CareVisit.objects.filter(date__year=year)
    if today >= date(year, 5, 1):
        assert visits.values("pairing").distinct().count() == active.count()
        assert len(set(visits.values_list("date__month", flat=True))) >= today.month - 1
    this_year = {
        row[1]: row[2] for row in rows(capfd, "annual_summary", "--from", f"{year}-01-01", "--to", str(today))[1:]
    }
    if today >= date(year, 2, 1):
        assert int(this_year["婚姻家庭矛盾纠纷排查"]) >= 2
        assert DisputeCase.objects.filter(found_on__year=year, status=DisputeCase.Status.MEDIATING).exists()
        assert DisputeCase.objects.filter(found_on__year=year, status=DisputeCase.Status.REGISTERED).exists()
        assert this_year["救助特困家庭"] == "3"


def test_the_people_export_gives_categories_in_a_flat_number_of_queries(client_for, town_admin, clerk, taiba):
    import csv
    import io

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def export(user):
        client = client_for(user)
        form = client.get("/admin/federation/person/export/").context["form"]
        data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                "/admin/federation/person/export/", {"format": "0", "resource": "0", **data, **PURPOSE}
            )
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        return {row["姓名"]: row["人员类别"] for row in rows}, len(queries)

    def grow(n):
        for _ in range(n):
            on_register(PersonFactory(village=taiba, born=date(2015, 1, 1)))

    grow(1)
    on_register(
        PersonFactory(village=taiba, name="两类", born=date(2014, 1, 1)), CareTarget.Category.CHILD_IN_DIFFICULTY
    )
    on_register(CareTarget.objects.get(person__name="两类").person)
    few_rows, few = export(town_admin)
    assert few_rows["两类"] == "困境儿童、留守儿童"
    grow(5)
    rows, many = export(town_admin)
    assert many == few and len(rows) == len(few_rows) + 5
    # A clerk without the care role sees no categories.
    assert set(export(clerk)[0].values()) == {""}
