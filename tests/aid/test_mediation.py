"""Mediation sessions of a dispute case (调解记录, issue 26 item 9): recorded from the case's
page through the service, listed there, locked by their month in the case's village, read only
once the case is closed, and as hidden as a domestic-violence case from a user who may not see
it: no list, page, picker, history or export of hers shows one."""

import csv
import io
import re
from datetime import date

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError

from aid.models import MASK, DisputeCase, MediationSession
from aid.services import (
    aid_record_delete,
    dispute_resolve,
    dispute_start_mediation,
    mediation_session_delete,
    mediation_session_save,
)
from federation.core.periods import PeriodLocked
from federation.core.submissions import submission_approve, submission_submit
from tests.aid.conftest import register_case
from tests.factories import PURPOSE, PersonFactory

SESSIONS = "/admin/aid/mediationsession/"


def session(case, day=date(2024, 5, 3), **extra):
    values = {
        "place": "村委会调解室",
        "mediators": "调解员孙某",
        "present": "双方",
        "content": "双方各自陈述，约定一周后再谈",
        "result": MediationSession.Result.PARTLY,
        **extra,
    }
    return MediationSession(case=case, date=day, **values)


def session_form(case, **extra):
    return {
        "case": case.pk,
        "date": "2024-05-03",
        "place": "村委会调解室",
        "mediators": "调解员孙某、执委吴某",
        "present": "夫妻双方",
        "content": "达成赡养协议，每月给付300元",
        "result": "agreed",
        **extra,
    }


def test_the_clerk_records_a_session_from_the_cases_page(client_for, care_clerk, taiba):
    case = register_case(taiba)
    client = client_for(care_clerk)
    page = client.get(f"/admin/aid/disputecase/{case.pk}/change/").content.decode()
    link = f"{SESSIONS}add/?case={case.pk}"
    assert "调解记录" in page and "尚无调解记录。" in page and link in page and "记录调解" in page
    assert f'<option value="{case.pk}" selected>{case.number}</option>' in client.get(link).content.decode()
    response = client.post(link, session_form(case))
    # Back to the case, which lists it.
    assert response.status_code == 302 and response.url == f"/admin/aid/disputecase/{case.pk}/change/"
    recorded = MediationSession.objects.get()
    assert (recorded.village, recorded.recorded_by, recorded.history.get().history_user) == (
        taiba,
        care_clerk,
        care_clerk,
    )
    page = client.get(response.url).content.decode()
    assert f"{SESSIONS}{recorded.pk}/change/" in page and "达成赡养协议，每月给付300元" in page and "达成协议" in page
    assert str(recorded) == f"{case.number} 2024-05-03 调解记录"
    # The dispute list counts it; the status steps are as they were.
    response = client.get("/admin/aid/disputecase/")
    assert [row.session_count for row in response.context["cl"].result_list] == [1]
    case.refresh_from_db()
    assert case.status == DisputeCase.Status.REGISTERED


def test_a_session_is_not_dated_before_the_case_was_found(taiba):
    case = register_case(taiba)
    with pytest.raises(ValidationError) as error:
        mediation_session_save(session=session(case, day=date(2024, 4, 30)))
    assert error.value.message_dict == {"date": ["调解日期早于发现纠纷的日期（2024-05-01）。"]}


def test_a_closed_cases_sessions_are_its_record(client_for, care_clerk, taiba):
    case = register_case(taiba)
    kept = mediation_session_save(session=session(case))
    dispute_start_mediation(case=case, day=date(2024, 5, 2))
    case = dispute_resolve(case=case, day=date(2024, 5, 20), outcome="和好")
    message = f"纠纷 {case.number} 已结案，不能再添加、修改或删除其调解记录。"
    for write in (
        lambda: mediation_session_save(session=session(case, day=date(2024, 5, 21))),
        lambda: mediation_session_save(session=MediationSession.objects.get(pk=kept.pk)),
        lambda: mediation_session_delete(session=kept),
    ):
        with pytest.raises(ValidationError) as error:
            write()
        assert error.value.messages == [message]
    client = client_for(care_clerk)
    # The case's page lists it, and offers no new one; its page is read only, not deleted.
    page = client.get(f"/admin/aid/disputecase/{case.pk}/change/").content.decode()
    assert "双方各自陈述" in page and "记录调解" not in page
    assert client.post(f"{SESSIONS}{kept.pk}/change/", session_form(case)).status_code == 403
    assert client.get(f"{SESSIONS}{kept.pk}/delete/").status_code == 403
    client.post(SESSIONS, {"action": "delete_selected", "_selected_action": [kept.pk], "post": "yes"})
    # A closed case is not offered to a new session: the form refuses it.
    response = client.post(f"{SESSIONS}add/", session_form(case, date="2024-05-21"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["case"] == ["只能为您所在村未结案的纠纷记录调解。"]
    assert list(MediationSession.objects.values_list("pk", flat=True)) == [kept.pk]


def test_a_session_is_locked_in_its_month_of_the_cases_village(taiba, clerk, town_admin):
    case = register_case(taiba, found_on=date(2024, 3, 5))
    march = mediation_session_save(session=session(case, day=date(2024, 3, 20)))
    submission_approve(submission=submission_submit(village=taiba, day=date(2024, 3, 5), by=clerk), by=town_admin)
    with pytest.raises(PeriodLocked, match="2024年3月（太坝村）已审核锁定"):
        mediation_session_save(session=session(case, day=date(2024, 3, 28)))
    march.content = "改"
    with pytest.raises(PeriodLocked):
        mediation_session_save(session=march)
    with pytest.raises(PeriodLocked):
        mediation_session_delete(session=march)
    # A session of a later month of the same case is recorded as ever.
    assert mediation_session_save(session=session(case, day=date(2024, 4, 2))).village == taiba


def test_deleting_an_open_case_deletes_its_sessions_naming_who(town_admin, taiba):
    case = register_case(taiba)
    first = mediation_session_save(session=session(case), by=town_admin)
    aid_record_delete(record=case, by=town_admin)
    assert not MediationSession.objects.exists()
    assert MediationSession.history.get(id=first.pk, history_type="-").history_user == town_admin


@pytest.fixture
def violence(taiba):
    case = register_case(
        taiba, DisputeCase.Kind.DOMESTIC_VIOLENCE, parties=[PersonFactory(village=taiba, name="受害人林某")]
    )
    mediation_session_save(session=session(case, place="派出所", content="醉酒后殴打，签署保证书"))
    return case


@pytest.fixture
def marriage(taiba):
    case = register_case(taiba, parties=[PersonFactory(village=taiba, name="当事人冯某")])
    mediation_session_save(session=session(case, place="村委会", content="彩礼争执，约定再谈"))
    return case


SECRETS = ("派出所", "醉酒后殴打", "签署保证书")


def export(client) -> list[list[str]]:
    form = client.get(f"{SESSIONS}export/").context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(f"{SESSIONS}export/", {"format": "0", "resource": "0", **data, **PURPOSE})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_without_the_permission_no_page_shows_a_violence_cases_sessions(client_for, care_clerk, violence, marriage):
    hidden = violence.sessions.get()
    client = client_for(care_clerk)
    # The list, its search and its filters.
    for params, shown in (
        ({}, [marriage.pk]),
        ({"q": violence.number}, []),
        ({"result": "partly"}, [marriage.pk]),
        ({"date__year": "2024"}, [marriage.pk]),
    ):
        response = client.get(SESSIONS, params)
        assert response.status_code == 200
        assert [row.case_id for row in response.context["cl"].result_list] == shown
        assert not any(secret in response.content.decode() for secret in SECRETS)
    # The case's page (which lists its sessions) and the session's own pages.
    assert client.get(f"/admin/aid/disputecase/{violence.pk}/change/").status_code == 404
    for page in ("change", "history", "delete"):
        assert client.get(f"{SESSIONS}{hidden.pk}/{page}/").status_code == 404, page
    # The add form does not offer the case, nor takes it.
    page = client.get(f"{SESSIONS}add/?case={violence.pk}").content.decode()
    assert violence.number not in page
    response = client.post(f"{SESSIONS}add/", session_form(violence))
    assert response.status_code == 200  # as for a closed case: nothing tells it apart
    assert response.context["adminform"].form.errors["case"] == ["只能为您所在村未结案的纠纷记录调解。"]
    # No picker lists sessions, nor cases (their label is their number).
    assert not [
        (model, name)
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.autocomplete_fields
        if model._meta.get_field(name).related_model in (MediationSession, DisputeCase)
    ]
    for term in ("", violence.number):
        picker = {"app_label": "aid", "model_name": "mediationsession", "field_name": "case", "term": term}
        assert client.get("/admin/autocomplete/", picker).json()["results"] == []
    # The export.
    table = export(client)
    content = "\n".join(",".join(row) for row in table)
    assert not any(secret in content for secret in SECRETS) and violence.number not in content
    assert [row[0] for row in table[1:]] == [marriage.number]
    # The dispute list's count of sessions is masked with the rest of the case.
    listed = client.get("/admin/aid/disputecase/").content.decode()
    cells = re.findall(r'<td class="field-sessions[^"]*">(.*?)</td>', listed)
    assert sorted(cells) == sorted(["1", MASK])


def test_with_the_permission_the_sessions_are_seen(client_for, town_admin, violence, marriage):
    client = client_for(town_admin)
    assert {row.case_id for row in client.get(SESSIONS).context["cl"].result_list} == {violence.pk, marriage.pk}
    hidden = violence.sessions.get()
    assert client.get(f"{SESSIONS}{hidden.pk}/change/").status_code == 200
    assert client.get(f"{SESSIONS}{hidden.pk}/history/").status_code == 200
    assert "醉酒后殴打" in client.get(f"/admin/aid/disputecase/{violence.pk}/change/").content.decode()
    assert {row[0] for row in export(client)[1:]} == {violence.number, marriage.number}
    # Its label, in logs and messages, keeps the case's dates to itself.
    assert str(hidden) == f"{violence.number} 调解记录"
