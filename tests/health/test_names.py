"""Health records are named as a clerk says them (issue 26 item 12): the woman or girl, the day
and the kind, "李秀英 2024-05-01 两癌筛查记录", never a result, a reason or a diagnosis; the
pages that print many names load the people at once; the aid application has one name."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from federation.core.reporting import discover
from health.models import CancerAidApplication, HPVDeferral, InsurancePolicy, Screening
from health.services import cancer_aid_submit, health_record_save
from tests.health.conftest import dose

DAY = date(2024, 5, 1)


def test_each_record_is_named_by_whom_when_and_what(woman, girl):
    screening = health_record_save(
        record=Screening(
            person=woman,
            date=DAY,
            institution="县妇幼",
            consent_by="李秀英",
            consent_on=DAY,
            result=Screening.Result.CONFIRMED,
        ),
        by=None,
    )
    policy = health_record_save(
        record=InsurancePolicy(
            person=woman,
            year=2024,
            insurer="人保",
            product="两癌保险",
            premium=Decimal("50"),
            paid_by=InsurancePolicy.PaidBy.SUBSIDY,
            cover_start=DAY,
            cover_end=date(2025, 4, 30),
        ),
        by=None,
    )
    application = cancer_aid_submit(
        application=CancerAidApplication(
            person=woman,
            diagnosis="乳腺癌",
            hospital="省妇幼",
            medical_costs=Decimal("30000"),
            amount_requested=Decimal("10000"),
            submitted_on=DAY,
        ),
        by=None,
    )
    first = dose(girl, 1, DAY)
    reason = health_record_save(
        record=HPVDeferral(person=girl, reason=HPVDeferral.Reason.CONTRAINDICATION, recorded_on=DAY), by=None
    )
    assert [str(record) for record in (screening, policy, application, first, reason)] == [
        "李秀英 2024-05-01 两癌筛查记录",
        "李秀英 2024 两癌保险",
        "李秀英 2024-05-01 两癌救助申报",
        "王小花 2024-05-01 HPV疫苗接种记录 第 1 剂",
        "王小花 2024-05-01 未接种原因",
    ]
    names = " ".join(str(record) for record in (screening, application, reason))
    assert "确诊" not in names and "乳腺癌" not in names and "禁忌" not in names


def test_the_aid_application_has_one_name():
    meta = CancerAidApplication._meta
    assert (str(meta.verbose_name), str(meta.verbose_name_plural)) == ("两癌救助申报", "两癌救助申报")
    reports = discover()
    assert reports["cancer_aid_ledger"].title() == "两癌救助申报台账"
    assert (
        "申报" in reports["cancer_aid_villages"].description()
        and "申请" not in reports["cancer_aid_ledger"].description()
    )


def test_a_history_page_names_its_versions_in_a_flat_number_of_queries(client_for, town_admin, woman):
    screening = health_record_save(
        record=Screening(person=woman, date=DAY, institution="县妇幼", consent_by="李秀英", consent_on=DAY), by=None
    )
    client = client_for(town_admin)
    url = f"/admin/health/screening/{screening.pk}/history/"

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200 and "李秀英 2024-05-01 两癌筛查记录" in response.content.decode()
        return len(captured)

    client.get(url)
    few = count()
    for n in range(5):
        screening.notes = f"第{n}次补记"
        health_record_save(record=screening, by=town_admin)
    assert count() == few


def test_the_hpv_page_names_a_girls_doses_in_a_flat_number_of_queries(client_for, town_admin, girl):
    client = client_for(town_admin)
    url = f"/admin/health/hpvgirl/{girl.pk}/change/"
    dose(girl, 1, date(2024, 3, 1))
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    few = len(captured)
    dose(girl, 2, date(2024, 9, 1))
    dose(girl, 3, date(2025, 3, 1))
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    assert len(captured) == few and "王小花 2025-03-01 HPV疫苗接种记录 第 3 剂" in page
