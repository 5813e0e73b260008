"""Health reports: the summary rows, the village tables, who sees them, and their query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from health.models import CancerAidApplication, HPVDeferral, InsurancePolicy, Screening
from health.services import cancer_aid_approve, cancer_aid_submit, health_record_save
from tests.factories import PersonFactory
from tests.health.conftest import dose


def rows(capfd, *args):
    call_command("county_report", *args, "--purpose", "测试核对")
    return [line.split(",") for line in capfd.readouterr().out.lstrip("\ufeff").splitlines()]


def grow(village, n, year=2024):
    """n more women screened (free), insured and applying for aid, and n girls, one of two vaccinated."""
    for index in range(n):
        woman = PersonFactory(village=village, born=date(1975, 1, 1))
        day = date(year, 4, 1)
        health_record_save(
            record=Screening(
                person=woman,
                date=day,
                institution="县妇幼",
                consent_by=woman.name,
                consent_on=day,
                result=Screening.Result.ABNORMAL if index % 2 else Screening.Result.NORMAL,
            ),
            by=None,
        )
        health_record_save(
            record=InsurancePolicy(
                person=woman,
                year=year,
                insurer="人寿",
                product="两癌",
                premium=Decimal("60"),
                paid_by=InsurancePolicy.PaidBy.SUBSIDY,
                cover_start=date(year, 1, 1),
                cover_end=date(year, 12, 31),
            ),
            by=None,
        )
        application = cancer_aid_submit(
            application=CancerAidApplication(
                person=woman,
                diagnosis="x",
                hospital="y",
                medical_costs=Decimal("100"),
                amount_requested=Decimal("50"),
                submitted_on=day,
            ),
            by=None,
        )
        if index % 2:
            cancer_aid_approve(application=application, amount=Decimal("40"), day=day, by=None)
        girl = PersonFactory(village=village, born=date(2012, 1, 1))
        if index % 2:
            dose(girl, 1, day)
        else:
            health_record_save(
                record=HPVDeferral(person=girl, reason=HPVDeferral.Reason.GUARDIAN_REFUSED, recorded_on=day), by=None
            )


def test_summary_and_village_tables(capfd, taiba, fenghe):
    grow(taiba, 3)
    grow(fenghe, 1)
    grow(taiba, 1, year=2023)
    PersonFactory(village=taiba, born=date(2013, 1, 1))  # a girl with no reason recorded
    summary = {row[1]: row[2] for row in rows(capfd, "annual_summary", "--year", "2024")[1:]}
    assert (summary["两癌免费筛查"], summary["两癌保险参保"], summary["两癌救助申报"]) == ("4", "4", "4")
    # Girls: 太坝 5 (1 vaccinated), 冯河 1 (0): 1 of 6 = 17%.
    assert summary["适龄女童HPV疫苗接种率"] == "17"
    hpv = rows(capfd, "hpv_villages", "--year", "2024", "--village", "太坝")
    assert hpv[0][:6] == ["村(社区)", "适龄女童", "已接种", "接种率%", "全程接种", "全程接种率%"]
    assert hpv[0][6:] == [
        "感冒吃药等身体原因",
        "监护人拒绝",
        "已在外地接种",
        "外出/迁出",
        "禁忌症",
        "其他",
        "未登记原因",
    ]
    assert hpv[1] == ["太坝村", "5", "1", "20", "0", "0", "0", "3", "0", "0", "0", "0", "1"]
    screening = rows(capfd, "screening_villages", "--year", "2024")
    assert screening[1:] == [
        ["太坝村", "3", "3", "1", "0", "1", "0"],
        ["冯河村", "1", "1", "0", "0", "0", "0"],
        ["合计", "4", "4", "1", "0", "1", "0"],
    ]
    aid = rows(capfd, "cancer_aid_villages", "--year", "2024", "--village", "太坝")
    assert aid[1] == ["太坝村", "3", "2", "1", "0", "0", "150.00", "40.00", "0.00"]


def test_the_county_reader_sees_the_health_aggregates(client_for, county_reader, taiba):
    grow(taiba, 1)
    client = client_for(county_reader)
    for name in ("hpv_villages", "screening_villages", "insurance_villages", "cancer_aid_villages"):
        response = client.get(f"/admin/reports/?report={name}&year=2024")
        assert response.status_code == 200, name
    assert client.get("/admin/health/screening/").status_code == 403


@pytest.mark.parametrize("name", ["hpv_villages", "screening_villages", "insurance_villages", "cancer_aid_villages"])
def test_query_count_does_not_grow_with_the_records(taiba, fenghe, name):
    from types import SimpleNamespace

    from federation.core.filters import ReportFilterSet
    from federation.core.reporting import discover
    from federation.core.scoping import EVERYTHING

    user = SimpleNamespace(is_authenticated=True, is_active=True, is_superuser=True, _federation_scope=EVERYTHING)
    request = SimpleNamespace(user=user)

    def run():
        filterset = ReportFilterSet({"year": "2024"}, queryset=taiba.town.villages.all(), request=request)
        assert filterset.is_valid()
        with CaptureQueriesContext(connection) as queries:
            discover()[name].function(filterset.report_scope(), filterset.period)
        return len(queries)

    grow(taiba, 1)
    few = run()
    grow(taiba, 3)
    grow(fenghe, 3)
    # The HPV coverage counts eligible, vaccinated, full course and the reasons each in a
    # query of its own (the doses joined, not looked up for each of a county's girls).
    assert run() == few <= (7 if name == "hpv_villages" else 3)
