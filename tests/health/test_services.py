"""The rules of health records, through the services and through the ORM directly."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from health.models import CancerAidApplication, HPVDeferral, HPVDose, InsurancePolicy, Screening
from health.services import (
    cancer_aid_approve,
    cancer_aid_pay,
    cancer_aid_reject,
    cancer_aid_submit,
    health_record_delete,
    health_record_save,
    hpv_deferral_delete,
    hpv_dose_delete,
)
from tests.factories import PersonFactory
from tests.health.conftest import dose

DAY = date(2024, 5, 1)


def screening(person, **extra):
    return Screening(person=person, date=DAY, institution="县妇幼保健院", **extra)


def application(person):
    return cancer_aid_submit(
        application=CancerAidApplication(
            person=person,
            diagnosis="宫颈癌",
            hospital="省妇幼",
            medical_costs=Decimal("30000"),
            amount_requested=Decimal("10000"),
            submitted_on=DAY,
        ),
        by=None,
    )


def messages(error: ValidationError) -> list[str]:
    return error.value.messages


def test_records_are_for_women(taiba):
    man = PersonFactory(village=taiba, name="张三", female=False)
    with pytest.raises(ValidationError) as error:
        health_record_save(record=screening(man), by=None)
    assert messages(error) == ["张三 不是女性。"]


def test_a_result_needs_the_womans_consent(woman):
    with pytest.raises(ValidationError) as error:
        health_record_save(record=screening(woman, result=Screening.Result.NORMAL), by=None)
    assert "请先登记本人知情同意（同意人和日期），再录入结果。" in messages(error)
    saved = health_record_save(
        record=screening(woman, result=Screening.Result.NORMAL, consent_by="李秀英", consent_on=DAY), by=None
    )
    assert saved.pk and str(saved) == "李秀英 2024-05-01 两癌筛查记录"  # no result in its name
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        Screening.objects.create(person=woman, date=DAY, institution="x", result=Screening.Result.CONFIRMED)


def test_doses_are_unique_in_order_and_not_before_birth(girl):
    dose(girl, 1, date(2024, 3, 1))
    with pytest.raises(ValidationError) as error:
        dose(girl, 1, date(2024, 4, 1))
    assert "该女童的这一剂次已登记。" in messages(error)
    with pytest.raises(ValidationError) as error:
        dose(girl, 2, date(2024, 2, 1))
    assert messages(error) == ["第 1 剂的接种日期是 2024-03-01：各剂次应按日期先后登记。"]
    with pytest.raises(ValidationError) as error:
        dose(girl, 3, date(2024, 12, 1))
    assert messages(error) == ["请先登记第 2 剂。"]
    young = PersonFactory(village=girl.village, born=date(2015, 6, 1))
    with pytest.raises(ValidationError) as error:
        dose(young, 1, date(2015, 5, 1))
    assert messages(error) == ["接种日期早于女童出生日期（2015-06-01）。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        HPVDose.objects.create(
            person=girl,
            dose_number=1,
            date=date(2024, 5, 1),
            vaccine="nonavalent",
            site="x",
            consent_by="x",
            consent_on=date(2024, 5, 1),
        )


def test_a_dose_needs_the_guardians_consent(girl):
    with pytest.raises(ValidationError) as error:
        dose(girl, 1, date(2024, 3, 1), consent_by="")
    assert "consent_by" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        dose(girl, 1, date(2024, 3, 1), consent_on=date(2024, 3, 2))
    assert "同意日期晚于接种日期。" in messages(error)


def test_one_policy_per_woman_year_and_product(woman):
    values = {
        "person": woman,
        "year": 2024,
        "insurer": "中国人寿",
        "product": "两癌保险",
        "premium": Decimal("60"),
        "paid_by": InsurancePolicy.PaidBy.SUBSIDY,
        "cover_start": date(2024, 1, 1),
        "cover_end": date(2024, 12, 31),
    }
    health_record_save(record=InsurancePolicy(**values), by=None)
    with pytest.raises(ValidationError) as error:
        health_record_save(record=InsurancePolicy(**values), by=None)
    assert "该妇女本年度已参保这一险种。" in messages(error)
    with pytest.raises(ValidationError) as error:
        health_record_save(record=InsurancePolicy(**{**values, "year": 2025, "cover_end": date(2023, 1, 1)}), by=None)
    assert "保障期结束早于开始。" in messages(error)


def test_cancer_aid_steps(woman, town_admin):
    app = application(woman)
    assert app.status == "submitted" and str(app) == "李秀英 2024-05-01 两癌救助申报"  # no diagnosis in its name
    with pytest.raises(ValidationError) as error:
        cancer_aid_pay(application=app, day=DAY, by=town_admin)
    assert messages(error) == ["该申报目前为“已申报”，不能“已发放”。"]
    app = cancer_aid_approve(application=app, amount=Decimal("8000"), day=date(2024, 6, 1), by=town_admin)
    assert (app.status, app.amount_granted, app.reviewed_by) == ("approved", Decimal("8000"), town_admin)
    with pytest.raises(ValidationError) as error:
        cancer_aid_reject(application=app, reason="材料不全", day=DAY, by=town_admin)
    assert messages(error) == ["该申报目前为“审核通过”，不能“未通过”。"]
    with pytest.raises(ValidationError) as error:
        cancer_aid_pay(application=app, day=date(2024, 5, 1), by=town_admin)
    assert messages(error) == ["发放日期不能早于审核日期。"]
    app = cancer_aid_pay(application=app, day=date(2024, 7, 1), by=town_admin)
    assert (app.status, app.paid_on) == ("paid", date(2024, 7, 1))
    # A paid application cannot go back, nor be edited.
    for step in (
        lambda: cancer_aid_approve(application=app, amount=Decimal("1"), day=DAY, by=town_admin),
        lambda: cancer_aid_reject(application=app, reason="x", day=DAY, by=town_admin),
        lambda: cancer_aid_pay(application=app, day=date(2024, 8, 1), by=town_admin),
    ):
        with pytest.raises(ValidationError):
            step()
    app.notes = "改"
    with pytest.raises(ValidationError) as error:
        health_record_save(record=app, by=town_admin)
    assert messages(error) == ["已审核的申报不能再修改。"]
    with pytest.raises(IntegrityError), transaction.atomic():  # nor by the ORM
        CancerAidApplication.objects.filter(pk=app.pk).update(status="submitted")


def test_rejection_needs_a_reason_and_approval_an_amount(woman, town_admin):
    app = application(woman)
    with pytest.raises(ValidationError) as error:
        cancer_aid_reject(application=app, reason=" ", day=DAY, by=town_admin)
    assert messages(error) == ["请填写未通过的原因。"]
    with pytest.raises(ValidationError) as error:
        cancer_aid_approve(application=app, amount=Decimal("0"), day=DAY, by=town_admin)
    assert messages(error) == ["请填写批准金额。"]
    app = cancer_aid_reject(application=app, reason="不符合条件", day=DAY, by=town_admin)
    assert (app.status, app.reject_reason) == ("rejected", "不符合条件")


def history(record) -> list[tuple]:
    """Each history row of `record` as (status, who), oldest first."""
    return [(row.status, row.history_user) for row in record.history.order_by("history_id")]


def test_a_record_names_who_wrote_it_and_who_changed_it(woman, clerk, town_admin):
    record = health_record_save(record=screening(woman), by=clerk)
    record.notes = "复查"
    health_record_save(record=record, by=town_admin)
    record.refresh_from_db()
    assert record.recorded_by == clerk
    assert [row.history_user for row in record.history.order_by("history_id")] == [clerk, town_admin]


def test_cancer_aid_names_who_submitted_reviewed_and_paid(woman, clerk, town_admin):
    values = {"diagnosis": "宫颈癌", "hospital": "省妇幼", "medical_costs": Decimal("30000"), "submitted_on": DAY}
    app = cancer_aid_submit(
        application=CancerAidApplication(person=woman, amount_requested=Decimal("10000"), **values), by=clerk
    )
    app.notes = "补充材料"
    cancer_aid_submit(application=app, by=town_admin)
    app = cancer_aid_approve(application=app, amount=Decimal("8000"), day=date(2024, 6, 1), by=town_admin)
    app = cancer_aid_pay(application=app, day=date(2024, 7, 1), by=clerk)
    app.refresh_from_db()
    assert (app.recorded_by, app.reviewed_by, app.paid_by) == (clerk, town_admin, clerk)
    assert history(app) == [
        ("submitted", clerk),
        ("submitted", town_admin),
        ("approved", town_admin),
        ("paid", clerk),
    ]
    rejected = cancer_aid_submit(
        application=CancerAidApplication(person=woman, amount_requested=Decimal("5000"), **values), by=clerk
    )
    rejected = cancer_aid_reject(application=rejected, reason="不符合条件", day=DAY, by=town_admin)
    assert rejected.reviewed_by == town_admin
    assert history(rejected) == [("submitted", clerk), ("rejected", town_admin)]


def test_the_delete_services_name_who_deleted(woman, girl, clerk, town_admin):
    record = health_record_save(record=screening(woman), by=clerk)
    first = dose(girl, 1, DAY)
    deferral = health_record_save(
        record=HPVDeferral(person=girl, reason=HPVDeferral.Reason.AWAY, recorded_on=DAY), by=clerk
    )
    health_record_delete(record=Screening.objects.get(pk=record.pk), by=town_admin)
    hpv_dose_delete(dose=HPVDose.objects.get(pk=first.pk), by=town_admin)
    hpv_deferral_delete(deferral=HPVDeferral.objects.get(pk=deferral.pk), by=clerk)
    deleted = [
        (model.objects.filter(pk=pk).exists(), model.history.get(id=pk, history_type="-").history_user)
        for model, pk in ((Screening, record.pk), (HPVDose, first.pk), (HPVDeferral, deferral.pk))
    ]
    assert deleted == [(False, town_admin), (False, town_admin), (False, clerk)]
