"""Referrals of dispute cases (转介) and the warning letters and protection orders of
domestic-violence cases: their services and steps, the period lock, the admin by role, and a
violence case's referral or order shown to a user who may not see the case as the case is
(its number, village, kind, status): masked in the list and the export, not sorted or
filtered by the rest, its page 404, out of the ledgers and the work lists' counts."""

import csv
import io
import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, override

from aid.admin import care_reminders
from aid.models import MASK, DisputeCase, ProtectionMeasure, Referral
from aid.services import (
    dispute_resolve,
    protection_measure_save,
    referral_accept,
    referral_close,
    referral_decline,
    referral_delete,
    referral_follow_up,
    referral_record,
    referral_update,
)
from federation.core.periods import PeriodLocked
from federation.core.reporting import DateRange, ReportScope, discover
from federation.core.submissions import submission_approve, submission_submit
from tests.aid.conftest import register_case
from tests.factories import PURPOSE

LIST = "/admin/aid/referral/"
MEASURES = "/admin/aid/protectionmeasure/"
DAY = date(2024, 5, 1)
SECRETS = ("城关派出所", "民警李某", "请出警制止殴打", "已出具告诫书并拘留", "县人民法院", "禁止殴打威胁")


def zh(text: str) -> str:
    """A message as the Chinese pages write it (its msgid while the catalog has none)."""
    with override("zh-hans"):
        return gettext(text)


def referral(case, day=date(2024, 5, 3), **extra):
    values = {
        "agency": Referral.Agency.JUDICIAL,
        "agency_name": "站儿巷司法所",
        "contact": "司法所张某",
        "request": "请提供法律咨询",
        **extra,
    }
    return referral_record(referral=Referral(case=case, referred_on=day, **values))


@pytest.fixture
def violence(taiba):
    case = register_case(taiba, kind=DisputeCase.Kind.DOMESTIC_VIOLENCE, found_on=date(2024, 3, 7))
    police = referral(
        case,
        date(2024, 3, 7),
        agency=Referral.Agency.POLICE,
        agency_name="城关派出所",
        contact="民警李某",
        request="请出警制止殴打",
    )
    referral_accept(referral=police, day=date(2024, 3, 8))
    referral_close(referral=police, day=date(2024, 3, 20), result="已出具告诫书并拘留")
    order = protection_measure_save(
        measure=ProtectionMeasure(
            case=case,
            kind=ProtectionMeasure.Kind.ORDER,
            applied_on=date(2024, 3, 9),
            court="县人民法院",
            decision=ProtectionMeasure.Decision.GRANTED,
            decided_on=date(2024, 3, 12),
            valid_until=date(2024, 9, 12),
            note="禁止殴打威胁",
        )
    )
    return case, Referral.objects.get(pk=police.pk), order


@pytest.fixture
def marriage(taiba):
    case = register_case(taiba, found_on=date(2024, 3, 1))
    return case, referral(case, date(2024, 3, 10))


# --- Services ---


def test_a_referral_goes_referred_accepted_closed_naming_who(care_clerk, taiba):
    case = register_case(taiba)
    made = referral(case)
    assert (made.status, made.village, made.recorded_by) == (Referral.Status.REFERRED, taiba, None)
    made = referral_accept(referral=made, day=date(2024, 5, 6), by=care_clerk)
    assert (made.status, made.answered_on) == (Referral.Status.ACCEPTED, date(2024, 5, 6))
    made = referral_close(referral=made, day=date(2024, 5, 20), result="已出具法律意见", by=care_clerk)
    assert (made.status, made.closed_on, made.result) == (Referral.Status.CLOSED, date(2024, 5, 20), "已出具法律意见")
    assert made.history.first().history_user == care_clerk


def test_impossible_steps_are_refused_in_chinese(taiba):
    made = referral(register_case(taiba))
    with pytest.raises(ValidationError) as error:
        referral_close(referral=made, day=date(2024, 5, 9), result="办完")
    message = error.value.messages[0]
    assert str(Referral.Status.REFERRED.label) in message and str(Referral.Status.CLOSED.label) in message
    with pytest.raises(ValidationError, match=re.escape(zh("Write why the agency did not take it up."))):
        referral_decline(referral=made, day=date(2024, 5, 9), reason=" ")
    declined = referral_decline(referral=made, day=date(2024, 5, 9), reason="不属于本所职责")
    assert declined.status == Referral.Status.DECLINED
    with pytest.raises(ValidationError):
        referral_accept(referral=declined, day=date(2024, 5, 10))
    with pytest.raises(ValidationError):
        referral_accept(referral=referral(declined.case), day=date(2024, 5, 2))  # before it was made


def test_a_referral_is_not_dated_before_its_case(taiba):
    case = register_case(taiba)
    with pytest.raises(ValidationError) as error:
        referral(case, day=date(2024, 4, 30))
    assert "referred_on" in error.value.message_dict


def test_the_database_ties_the_status_to_the_dates(taiba):
    made = referral(register_case(taiba))
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=made.pk).update(status=Referral.Status.CLOSED)


def test_a_follow_up_sets_the_next_one(care_clerk, taiba):
    made = referral(register_case(taiba))
    up = referral_follow_up(
        referral=made, day=date(2024, 5, 8), note="电话询问进展", next_on=date(2024, 5, 15), by=care_clerk
    )
    made.refresh_from_db()
    assert (up.recorded_by, made.follow_up_on, list(made.follow_ups.all())) == (care_clerk, date(2024, 5, 15), [up])
    with pytest.raises(ValidationError):
        referral_follow_up(referral=made, day=date(2024, 5, 2), note="早于转介")


def test_a_closed_cases_referrals_keep_what_was_asked_but_are_still_answered(taiba):
    case = register_case(taiba)
    made = referral(case)
    dispute_resolve(case=case, day=date(2024, 5, 10), outcome="移交司法所")
    message = zh("The case %(number)s is closed: its referrals can no longer be added, changed or deleted.") % {
        "number": case.number
    }
    made.request = "改"
    for attempt in (
        lambda: referral(case),
        lambda: referral_update(referral=made),
        lambda: referral_delete(referral=made),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert error.value.messages == [message]
    assert referral_accept(referral=made, day=date(2024, 5, 12)).status == Referral.Status.ACCEPTED
    referral_follow_up(referral=made, day=date(2024, 5, 13), note="已受理")


def test_a_protection_measure_is_a_violence_cases_and_a_granted_order_has_its_dates(taiba):
    with pytest.raises(ValidationError) as error:
        protection_measure_save(
            measure=ProtectionMeasure(
                case=register_case(taiba), kind=ProtectionMeasure.Kind.WARNING, issued_on=DAY, issued_by="派出所"
            )
        )
    assert "case" in error.value.message_dict
    case = register_case(taiba, kind=DisputeCase.Kind.DOMESTIC_VIOLENCE)
    order = ProtectionMeasure(
        case=case, kind=ProtectionMeasure.Kind.ORDER, applied_on=DAY, court="县法院", decision="granted", decided_on=DAY
    )
    with pytest.raises(ValidationError) as error:
        protection_measure_save(measure=order)
    assert "valid_until" in error.value.message_dict
    order.valid_until = DAY - timedelta(days=1)
    with pytest.raises(ValidationError):
        protection_measure_save(measure=order)
    order.valid_until = DAY + timedelta(days=180)
    order.issued_by = "不属于保护令"
    saved = protection_measure_save(measure=order)
    assert (saved.date, saved.issued_by, saved.village) == (DAY, "", taiba)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProtectionMeasure.objects.filter(pk=saved.pk).update(valid_until=None)


# --- The period lock ---


def test_a_referral_in_an_approved_month_is_refused_and_its_answer_is_todays_work(clerk, town_admin, taiba):
    case = register_case(taiba, found_on=date(2024, 3, 5))
    march = referral(case, date(2024, 3, 20))
    submission_approve(submission=submission_submit(village=taiba, day=date(2024, 3, 5), by=clerk), by=town_admin)
    with pytest.raises(PeriodLocked):
        referral(case, date(2024, 3, 28))
    march.request = "改"
    with pytest.raises(PeriodLocked):
        referral_update(referral=march)
    with pytest.raises(PeriodLocked):
        referral_delete(referral=march)
    with pytest.raises(PeriodLocked):
        referral_follow_up(referral=march, day=date(2024, 3, 25), note="三月的跟进")
    # The answer in April is April's work, as a later step of a case.
    assert referral_accept(referral=march, day=date(2024, 4, 2)).status == Referral.Status.ACCEPTED
    referral_follow_up(referral=march, day=date(2024, 4, 3), note="四月的跟进", next_on=date(2024, 4, 20))


# --- The admin by role ---


def test_the_clerk_records_a_referral_from_the_cases_page(client_for, care_clerk, taiba):
    case = register_case(taiba)
    client = client_for(care_clerk)
    page = client.get(f"/admin/aid/disputecase/{case.pk}/change/").content.decode()
    link = f"{LIST}add/?case={case.pk}"
    assert link in page and zh("Record a referral") in page
    assert zh("Record a warning letter or protection order") not in page  # not a violence case
    form = {
        "case": case.pk,
        "agency": "judicial",
        "agency_name": "站儿巷司法所",
        "referred_on": "2024-05-03",
        "contact": "张某",
        "request": "法律咨询",
    }
    response = client.post(link, form)
    assert response.status_code == 302 and response.url == f"/admin/aid/disputecase/{case.pk}/change/"
    made = Referral.objects.get()
    assert (made.recorded_by, made.village, made.status) == (care_clerk, taiba, Referral.Status.REFERRED)
    assert "站儿巷司法所" in client.get(response.url).content.decode()
    step = f"{LIST}{made.pk}/step/"
    page = client.get(step).content.decode()
    assert timezone.localdate().isoformat() in page
    response = client.post(step, {"step": "accept", "day": "2024-05-06"})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == Referral.Status.ACCEPTED
    response = client.post(step, {"step": "close", "day": "2024-05-07", "text": ""})
    assert response.status_code == 200 and zh("Write the result of the referral.") in response.content.decode()


@pytest.mark.parametrize("role", ["town_admin", "care_clerk"])
def test_the_lists_open_for_the_care_roles(client_for, request, role, marriage, violence):
    client = client_for(request.getfixturevalue(role))
    assert client.get(LIST).status_code == 200
    assert client.get(MEASURES).status_code == 200
    assert client.get(f"{LIST}{marriage[1].pk}/change/").status_code == 200


def test_a_clerk_without_the_care_role_is_refused(client_for, clerk, marriage):
    assert client_for(clerk).get(LIST).status_code == 403
    assert client_for(clerk).get(MEASURES).status_code == 403
    assert client_for(clerk).get(f"{LIST}{marriage[1].pk}/change/").status_code in (403, 404)


def test_another_villages_referral_is_not_there(client_for, care_clerk, fenghe):
    elsewhere = referral(register_case(fenghe))
    client = client_for(care_clerk)
    assert client.get(f"{LIST}{elsewhere.pk}/change/").status_code == 404
    assert client.get(f"{LIST}{elsewhere.pk}/step/").status_code == 404
    assert client.get(f"{LIST}{elsewhere.pk}/history/").status_code == 404


# --- A violence case's referral and order, to a user who may not see the case ---


def rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S):
        cells = dict(re.findall(r'<t[hd] class="field-(\w+)[^"]*"[^>]*>(.*?)</t[hd]>', row, re.S))
        if cells:
            found.append({name: re.sub(r"<[^>]+>", "", text).strip() for name, text in cells.items()})
    return found


def listed(client, url=LIST, **params) -> list[int]:
    response = client.get(url, params)
    assert response.status_code == 200
    return [record.pk for record in response.context["cl"].result_list]


def test_her_lists_show_the_case_number_village_kind_and_status_only(client_for, care_clerk, violence, marriage):
    case, police, order = violence
    client = client_for(care_clerk)
    response = client.get(LIST)
    page = response.content.decode()
    for secret in SECRETS:
        assert secret not in page, secret
    shown = next(row for row in rows(response) if row["case"] == case.number)
    hidden = {name: text for name, text in shown.items() if name not in Referral.CONFIDENTIAL_VISIBLE}
    assert {"agency_name", "referred_on", "days_waiting"} <= set(hidden) and set(hidden.values()) == {MASK}
    ordinary = next(row for row in rows(response) if row["case"] == marriage[0].number)
    assert MASK not in ordinary.values() and ordinary["agency_name"] == "站儿巷司法所"
    response = client.get(MEASURES)
    shown = rows(response)[0]
    assert shown["case"] == case.number and shown["valid_until"] == MASK and shown["court"] == MASK
    assert "县人民法院" not in response.content.decode()


def test_she_cannot_sort_or_filter_them_by_what_is_hidden(client_for, care_clerk, town_admin, violence, marriage):
    police, ordinary = violence[1], marriage[1]
    client = client_for(care_clerk)
    columns = [getattr(c, "__name__", c) for c in client.get(LIST).context["cl"].list_display]
    referred_on = columns.index("referred_on")
    assert listed(client) == listed(client, o=referred_on) == listed(client, o=f"-{referred_on}")
    for params in ({"referred_on__year": "2024"}, {"referred_on__gte": "2024-01-01"}, {"list": "follow_up"}):
        assert police.pk not in listed(client, **params), params
    assert listed(client, referred_on__year="2024") == [ordinary.pk]
    assert police.pk in listed(client, status__exact="closed") and police.pk in listed(client, agency__exact="police")
    assert "referred_on__day=7" not in client.get(LIST).content.decode()
    assert listed(client, MEASURES, date__gte="2024-01-01") == []
    client = client_for(town_admin)  # the same client, logged in as her
    assert set(listed(client, referred_on__year="2024")) == {police.pk, ordinary.pk}
    assert listed(client_for(town_admin), MEASURES, date__gte="2024-01-01") == [violence[2].pk]


def test_their_pages_and_history_answer_404_to_her(client_for, care_clerk, town_admin, violence):
    case, police, order = violence
    client = client_for(care_clerk)
    for url in (f"{LIST}{police.pk}/", f"{MEASURES}{order.pk}/"):
        for tail in ("change/", "history/", "delete/"):
            assert client.get(url + tail).status_code == 404, url + tail
    assert client.get(f"{LIST}{police.pk}/step/").status_code == 404
    admin = client_for(town_admin)
    assert admin.get(f"{LIST}{police.pk}/change/").status_code == 200
    page = admin.get(f"/admin/aid/disputecase/{case.pk}/change/").content.decode()
    assert "城关派出所" in page and "县人民法院" in page and f"{MEASURES}add/?case={case.pk}" in page


def export(client, url) -> list[list[str]]:
    form = client.get(url + "export/").context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(url + "export/", {"format": "0", "resource": "0", **data, **PURPOSE})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_her_exports_mask_the_rest(client_for, care_clerk, town_admin, violence, marriage):
    case = violence[0]
    client = client_for(care_clerk)
    for url in (LIST, MEASURES):
        table = export(client, url)
        content = "\n".join(",".join(row) for row in table)
        for secret in SECRETS:
            assert secret not in content, secret
        row = next(row for row in table[1:] if row[0] == case.number)
        assert [cell for cell in row if cell != MASK][:2] == [case.number, "太坝村"]
    ordinary = next(row for row in export(client, LIST)[1:] if row[0] == marriage[0].number)
    assert MASK not in ordinary and "站儿巷司法所" in ordinary
    content = "\n".join(",".join(row) for row in export(client_for(town_admin), LIST))
    assert "城关派出所" in content and MASK not in content


@pytest.mark.parametrize("name", ["referrals_ledger", "protection_measures_ledger"])
def test_her_ledgers_print_the_case_as_its_number_village_kind_and_status(care_clerk, town_admin, violence, name):
    case = violence[0]
    report = discover()[name]
    assert report.personal
    table = report.function(ReportScope.of_user(care_clerk), DateRange.year(2024))
    text = "\n".join(",".join(str(cell) for cell in row) for row in table.rows)
    for secret in SECRETS:
        assert secret not in text, secret
    assert case.number in text and "太坝村" in text
    whole = report.function(ReportScope.of_user(town_admin), DateRange.year(2024))
    assert any(secret in "\n".join(",".join(map(str, row)) for row in whole.rows) for secret in SECRETS)


def test_the_village_table_counts_them_and_is_given_her_for_whole_months_only(client_for, care_clerk, violence):
    client = client_for(care_clerk)
    day = {"report": "referrals_villages", "date_from": "2024-03-07", "date_to": "2024-03-07"}
    assert "table" not in client.get("/admin/reports/", day).context
    table = client.get("/admin/reports/", {"report": "referrals_villages", "month": "2024-03"}).context["table"]
    assert table.rows[-1][1] == 1  # the total of referrals: the police one


def test_the_work_lists_count_violence_rows_only_for_who_may_see_them(rf, care_clerk, town_admin, taiba, violence):
    case = violence[0]
    today = date(2024, 3, 20)  # seven days before: the 13th
    referral(case, date(2024, 3, 10), agency=Referral.Agency.SHELTER, agency_name="县救助站", request="临时庇护")
    ordinary = register_case(taiba, found_on=date(2024, 3, 1))
    referral(ordinary, date(2024, 3, 2))
    referral(ordinary, date(2024, 3, 18))  # answered within the days allowed: not yet on the list

    def counts(user, day):
        request = rf.get("/admin/")
        request.user = user
        with mock.patch.object(timezone, "localdate", return_value=day):
            items = care_reminders(request)
        return {url.rsplit("=", 1)[1]: count for _label, count, url in items if url.rsplit("=", 1)[1] in LISTS}

    assert counts(town_admin, today) == {"waiting": 2, "ending": 0}
    assert counts(care_clerk, today) == {"waiting": 1, "ending": 0}
    # The order granted until 12 September ends within 30 days of 20 August.
    assert counts(town_admin, date(2024, 8, 20))["ending"] == 1
    assert counts(care_clerk, date(2024, 8, 20))["ending"] == 0


LISTS = ("waiting", "ending")
