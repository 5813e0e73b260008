"""Health records in the admin: who may see them, what is logged, and the work lists."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from federation.core.models import RecordAccess
from health.models import CancerAidApplication, HPVDeferral, HPVDose, Screening
from health.services import cancer_aid_submit, health_record_save
from tests.factories import PURPOSE, PersonFactory
from tests.health.conftest import NO_FILES, dose

DAY = date(2024, 5, 1)
LISTS = ["screening", "insurancepolicy", "canceraidapplication", "hpvgirl", "hpvdose"]


def screening(person, **extra):
    values = {"consent_by": person.name, "consent_on": DAY, "result": Screening.Result.ABNORMAL, **extra}
    return health_record_save(record=Screening(person=person, date=DAY, institution="县妇幼", **values), by=None)


def application(person):
    return cancer_aid_submit(
        application=CancerAidApplication(
            person=person,
            diagnosis="宫颈癌晚期",
            hospital="省妇幼",
            medical_costs=Decimal("30000"),
            amount_requested=Decimal("10000"),
            submitted_on=DAY,
        ),
        by=None,
    )


def export_rows(client, model):
    form = client.get(f"/admin/health/{model}/export/").context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(f"/admin/health/{model}/export/", {"format": "0", "resource": "0", **data, **PURPOSE})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("model", LISTS)
def test_a_clerk_without_the_health_role_and_the_county_reader_are_refused(client_for, clerk, county_reader, model):
    for user in (clerk, county_reader):
        assert client_for(user).get(f"/admin/health/{model}/").status_code == 403


def test_health_clerk_sees_her_village_only(client_for, health_clerk, woman, other_woman):
    own, other = screening(woman), screening(other_woman)
    client = client_for(health_clerk)
    page = client.get("/admin/health/screening/").content.decode()
    assert woman.name in page and other_woman.name not in page
    for url in (
        f"/admin/health/screening/{other.pk}/change/",
        f"/admin/health/screening/{other.pk}/history/",
        f"/admin/health/screening/{other.pk}/delete/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/admin/health/screening/{own.pk}/change/").status_code == 200
    # She cannot delete, even her own village's records.
    assert client.get(f"/admin/health/screening/{own.pk}/delete/").status_code == 403
    rows = export_rows(client, "screening")
    assert rows[0][0] == "人员" and [row[0] for row in rows[1:]] == [woman.name]


def test_a_clerk_cannot_record_for_another_village(client_for, health_clerk, other_woman):
    response = client_for(health_clerk).post(
        "/admin/health/screening/add/",
        {
            "person": other_woman.pk,
            "date": "2024-05-01",
            "kind": "both",
            "institution": "县妇幼",
            "free_programme": "on",
        },
    )
    assert response.status_code == 200 and Screening.objects.count() == 0
    assert "person" in response.context["adminform"].form.errors


def test_opening_a_record_and_its_history_is_logged(client_for, town_admin, woman):
    record = application(woman)
    client = client_for(town_admin)
    assert client.get(f"/admin/health/canceraidapplication/{record.pk}/change/").status_code == 200
    assert client.get(f"/admin/health/canceraidapplication/{record.pk}/history/").status_code == 200
    logged = list(RecordAccess.objects.order_by("pk").values_list("user", "record", "object_id", "action"))
    assert logged == [
        (town_admin.pk, "health.canceraidapplication", str(record.pk), "view"),
        (town_admin.pk, "health.canceraidapplication", str(record.pk), "history"),
    ]
    assert client.get("/admin/federation/recordaccess/").status_code == 200


def test_a_diagnosis_never_reaches_titles_messages_or_the_admin_log(client_for, town_admin, woman):
    client = client_for(town_admin)
    response = client.post(
        "/admin/health/canceraidapplication/add/",
        {
            "person": woman.pk,
            "diagnosis": "乳腺癌晚期",
            "hospital": "省妇幼",
            "medical_costs": "30000",
            "amount_requested": "10000",
            "submitted_on": "2024-05-01",
            **NO_FILES,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "乳腺癌" not in " ".join(str(m) for m in response.context["messages"])
    record = CancerAidApplication.objects.get()
    assert "乳腺癌" not in str(record) and record.recorded_by == town_admin
    # Exactly the one entry of the addition, then its text: the record's name, no diagnosis.
    entries = list(LogEntry.objects.values_list("user", "action_flag", "content_type__model", "object_id"))
    assert entries == [(town_admin.pk, ADDITION, "canceraidapplication", str(record.pk))]
    entry = LogEntry.objects.get()
    assert entry.object_repr == "李秀英 2024-05-01 两癌救助申报"
    assert "乳腺癌" not in entry.get_change_message()


def test_cancer_aid_review_and_payment(client_for, town_admin, health_clerk, woman):
    record = application(woman)
    clerk = client_for(health_clerk)
    assert clerk.get(f"/admin/health/canceraidapplication/{record.pk}/review/").status_code == 403
    client = client_for(town_admin)
    url = f"/admin/health/canceraidapplication/{record.pk}/review/"
    response = client.post(url, {"step": "reject", "day": "2024-06-01", "reason": ""})
    assert "请填写未通过的原因。" in response.content.decode()
    response = client.post(url, {"step": "approve", "day": "2024-06-01", "amount": "8000"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.amount_granted, record.reviewed_by) == ("approved", Decimal("8000"), town_admin)
    # Approved: the form now offers only the payment, and the record is read-only.
    assert client.post(f"/admin/health/canceraidapplication/{record.pk}/change/", {"notes": "x"}).status_code == 403
    page = client.get(url).content.decode()
    assert "<h1>登记救助发放</h1>" in page and 'name="paid_amount" value="8000.00"' in page
    response = client.post(url, {"step": "pay", "day": "2024-07-01", "paid_amount": "9000", "paid_method": "bank"})
    assert response.context["form"].errors == {"paid_amount": ["超过了批准的 8000.00 元。"]}
    response = client.post(
        url, {"step": "pay", "day": "2024-07-01", "paid_amount": "8000", "paid_method": "bank", "paid_to": "李秀英"}
    )
    record.refresh_from_db()
    assert record.status == "paid" and record.paid_by == town_admin
    assert (record.paid_amount, record.paid_method, record.paid_to) == (Decimal("8000"), "bank", "李秀英")
    page = client.get(f"/admin/health/canceraidapplication/{record.pk}/change/").content.decode()
    assert "发放登记人" in page and "缴费方式" not in page and "银行转账" in page
    response = client.get(url, follow=True)
    assert "该申报已办结，没有后续步骤。" in response.content.decode()


def test_the_hpv_roster_work_lists(client_for, health_clerk, taiba, girl):
    today = timezone.localdate()
    due = PersonFactory(village=taiba, name="应打二针", born=today - timedelta(days=11 * 366))
    dose(due, 1, today - timedelta(days=200))
    full = PersonFactory(village=taiba, name="全程接种", born=today - timedelta(days=12 * 366))
    dose(full, 1, today - timedelta(days=300))
    dose(full, 2, today - timedelta(days=100))
    waiting = PersonFactory(village=taiba, name="感冒未打", born=today - timedelta(days=10 * 366))
    health_record_save(
        record=HPVDeferral(
            person=waiting, reason="illness", recorded_on=today - timedelta(days=30), ask_again_on=today
        ),
        by=None,
    )
    PersonFactory(village=taiba, name="太小", born=today - timedelta(days=8 * 365))
    client = client_for(health_clerk)

    def names(query=""):
        response = client.get(f"/admin/health/hpvgirl/{query}")
        assert response.status_code == 200
        return {row.name for row in response.context["cl"].result_list}

    assert names() == {girl.name, due.name, full.name, waiting.name}
    assert names("?hpv=none") == {girl.name, waiting.name}
    assert names("?hpv=due") == {due.name}
    assert names("?hpv=full") == {full.name}
    assert names("?hpv=ask") == {waiting.name}
    assert names("?reason=illness") == {waiting.name}
    assert names("?reason=-") == {girl.name}
    page = client.get("/admin/health/hpvgirl/").content.decode()
    assert "9–14 岁女童 4 人，已接种 2 人（50%）" in page


def test_doses_are_recorded_on_the_girls_page_through_the_service(client_for, health_clerk, girl):
    client = client_for(health_clerk)
    url = f"/admin/health/hpvgirl/{girl.pk}/change/"
    assert client.get(url).status_code == 200
    prefix_dose, prefix_reason = "hpvdose_set", "hpvdeferral_set"
    data = {
        f"{prefix_dose}-TOTAL_FORMS": "1",
        f"{prefix_dose}-INITIAL_FORMS": "0",
        f"{prefix_dose}-0-dose_number": "1",
        f"{prefix_dose}-0-date": "2024-05-10",
        f"{prefix_dose}-0-vaccine": "bivalent_cn",
        f"{prefix_dose}-0-site": "镇卫生院",
        f"{prefix_dose}-0-consent_by": "王大山",
        f"{prefix_dose}-0-consent_on": "2024-05-12",
        f"{prefix_reason}-TOTAL_FORMS": "0",
        f"{prefix_reason}-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and HPVDose.objects.count() == 0
    assert "同意日期晚于接种日期。" in str(response.context["inline_admin_formsets"][0].formset.errors), (
        response.context["inline_admin_formsets"][0].formset.errors
    )
    data[f"{prefix_dose}-0-consent_on"] = "2024-05-08"
    assert client.post(url, data).status_code == 302
    saved = HPVDose.objects.get()
    assert (saved.person_id, saved.recorded_by) == (girl.pk, health_clerk)


@pytest.mark.parametrize("model", LISTS)
def test_lists_keep_a_flat_query_count(client_for, town_admin, taiba, model, django_assert_max_num_queries):
    client = client_for(town_admin)

    def grow(n):
        for _ in range(n):
            woman = PersonFactory(village=taiba, born=date(1980, 1, 1))
            screening(woman)
            application(woman)
            girl = PersonFactory(village=taiba, born=date(2013, 1, 1))
            dose(girl, 1, DAY)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/admin/health/{model}/").status_code == 200
        return len(captured)

    grow(1)
    few = count()
    grow(4)
    with django_assert_max_num_queries(20):
        assert count() == few


def test_the_home_page_reminds_of_the_health_work(client_for, town_admin, clerk, woman, girl):
    screening(woman)  # abnormal, no recheck yet
    application(woman)
    page = client_for(town_admin).get("/admin/").content.decode()
    assert "目前 9–14 岁女童HPV疫苗接种率" in page and "0%（0/1）" in page
    assert "筛查异常、尚无复查结果" in page and "待审核的两癌救助申报" in page
    # A clerk without the health role sees none of it.
    assert "HPV" not in client_for(clerk).get("/admin/").content.decode()


def test_without_the_health_role_no_record_page_history_or_export_opens(client_for, clerk, county_reader, woman):
    record = screening(woman)  # in the clerk's own village
    for user in (clerk, county_reader):
        client = client_for(user)
        for url in (
            f"/admin/health/screening/{record.pk}/change/",
            f"/admin/health/screening/{record.pk}/history/",
            "/admin/health/screening/export/",
            "/admin/health/hpvdose/import/",
        ):
            assert client.get(url).status_code == 403, (user.username, url)
    assert not RecordAccess.objects.exists()  # nothing was opened


def test_deleting_dose_and_reason_rows_on_the_girls_page_goes_through_the_service(
    client_for, town_admin, girl, no_history_middleware
):
    first, second = dose(girl, 1, date(2024, 5, 10)), dose(girl, 2, date(2024, 11, 10))
    deferral = health_record_save(
        record=HPVDeferral(person=girl, reason=HPVDeferral.Reason.ILLNESS, recorded_on=date(2024, 4, 1)), by=None
    )
    data = {"hpvdose_set-TOTAL_FORMS": "2", "hpvdose_set-INITIAL_FORMS": "2"}
    for index, (record, extra) in enumerate(((first, {}), (second, {"DELETE": "on"}))):
        values = {
            "id": record.pk,
            "dose_number": record.dose_number,
            "date": record.date,
            "vaccine": record.vaccine,
            "site": record.site,
            "consent_by": record.consent_by,
            "consent_on": record.consent_on,
            **extra,
        }
        data.update({f"hpvdose_set-{index}-{name}": value for name, value in values.items()})
    data.update(
        {
            "hpvdeferral_set-TOTAL_FORMS": "1",
            "hpvdeferral_set-INITIAL_FORMS": "1",
            "hpvdeferral_set-0-id": deferral.pk,
            "hpvdeferral_set-0-reason": deferral.reason,
            "hpvdeferral_set-0-recorded_on": deferral.recorded_on,
            "hpvdeferral_set-0-DELETE": "on",
        }
    )
    response = client_for(town_admin).post(f"/admin/health/hpvgirl/{girl.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(HPVDose.objects.values_list("pk", flat=True)) == [first.pk]
    assert not HPVDeferral.objects.exists()
    assert HPVDose.history.get(id=second.pk, history_type="-").history_user == town_admin
    assert HPVDeferral.history.get(id=deferral.pk, history_type="-").history_user == town_admin
    assert first.history.count() == 1  # unchanged, not saved again


@pytest.mark.parametrize("how", ["page", "action"])
def test_the_dose_list_deletes_through_the_service(client_for, town_admin, girl, how, no_history_middleware):
    record = dose(girl, 1, date(2024, 5, 10))
    client = client_for(town_admin)
    if how == "page":
        response = client.post(f"/admin/health/hpvdose/{record.pk}/delete/", {"post": "yes"})
    else:
        action = {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"}
        response = client.post("/admin/health/hpvdose/", action)
    assert response.status_code == 302
    assert not HPVDose.objects.exists()
    assert HPVDose.history.get(id=record.pk, history_type="-").history_user == town_admin
