"""Care files and disputes in the admin: the confidentiality matrix, the logs, the work lists."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aid.models import CareVisit, DisputeCase, Pairing
from aid.services import aid_record_save, pairing_save
from federation.core.models import RecordAccess
from federation.core.roles import CARE_RECORDER
from tests.aid.conftest import NO_FILES, on_register, register_case
from tests.factories import PURPOSE, PersonFactory

LISTS = ["caretarget", "pairing", "carevisit", "disputecase"]


def export_rows(client, model):
    form = client.get(f"/admin/aid/{model}/export/").context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(f"/admin/aid/{model}/export/", {"format": "0", "resource": "0", **data, **PURPOSE})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def cases(taiba, fenghe):
    violence = register_case(
        taiba, DisputeCase.Kind.DOMESTIC_VIOLENCE, parties=[PersonFactory(village=taiba, name="受害人")]
    )
    marriage = register_case(taiba, parties=[PersonFactory(village=taiba, name="王某")])
    other = register_case(fenghe, parties=[PersonFactory(village=fenghe, name="冯某")])
    return violence, marriage, other


@pytest.mark.parametrize("model", LISTS)
def test_care_files_need_their_own_role(client_for, clerk, county_reader, model):
    for user in (clerk, county_reader):
        assert client_for(user).get(f"/admin/aid/{model}/").status_code == 403


def test_without_the_violence_permission_parties_are_masked_and_the_file_does_not_open(client_for, care_clerk, cases):
    violence, marriage, other = cases
    client = client_for(care_clerk)
    page = client.get("/admin/aid/disputecase/").content.decode()
    assert "王某" in page and "受害人" not in page and "＊＊＊" in page and "冯某" not in page
    for url in ("change", "history", "step", "delete"):
        assert client.get(f"/admin/aid/disputecase/{violence.pk}/{url}/").status_code == 404, url
        assert client.get(f"/admin/aid/disputecase/{other.pk}/{url}/").status_code == 404, url
    rows = export_rows(client, "disputecase")
    by_number = {row["编号"]: row for row in rows}
    assert set(by_number) == {violence.number, marriage.number}
    assert by_number[violence.number]["当事人"] == "＊＊＊" and by_number[violence.number]["纠纷情况"] == "＊＊＊"
    assert by_number[marriage.number]["当事人"] == "王某"
    # The people autocomplete names people, never their cases.
    response = client.get(
        "/admin/autocomplete/", {"app_label": "aid", "model_name": "disputecase", "field_name": "parties", "term": "受"}
    )
    results = response.json()["results"]
    assert [r["text"].split("（")[0] for r in results] == ["受害人"]  # the person, masked ID number
    assert violence.number not in response.content.decode() and "家庭暴力" not in response.content.decode()


def test_with_the_violence_permission_the_file_opens_and_is_logged(client_for, town_admin, cases):
    violence, _marriage, _other = cases
    client = client_for(town_admin)
    assert "受害人" in client.get("/admin/aid/disputecase/").content.decode()
    assert client.get(f"/admin/aid/disputecase/{violence.pk}/change/").status_code == 200
    assert client.get(f"/admin/aid/disputecase/{violence.pk}/history/").status_code == 200
    logged = list(RecordAccess.objects.order_by("pk").values_list("user", "record", "object_id", "action"))
    assert logged == [
        (town_admin.pk, "aid.disputecase", str(violence.pk), "view"),
        (town_admin.pk, "aid.disputecase", str(violence.pk), "history"),
    ]
    by_number = {row["编号"]: row for row in export_rows(client, "disputecase")}
    assert by_number[violence.number]["当事人"] == "受害人" and by_number[violence.number]["纠纷情况"] == "争吵"


def test_register_and_settle_a_case_in_the_admin(client_for, care_clerk, taiba):
    party = PersonFactory(village=taiba, name="李某")
    client = client_for(care_clerk)
    response = client.post(
        "/admin/aid/disputecase/add/",
        {
            "village": taiba.pk,
            "kind": "neighbour",
            "source": "walk_in",
            "found_on": "2024-05-01",
            "parties": [party.pk],
            "summary": "宅基地边界",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = DisputeCase.objects.get()
    assert (case.number, case.recorded_by) == ("站儿巷-2024-001", care_clerk)
    step = f"/admin/aid/disputecase/{case.pk}/step/"
    # The step's date comes up as today, in the one form `<input type="date">` reads.
    today = timezone.localdate().isoformat()
    assert f'type="date" name="day" value="{today}"' in client.get(step).content.decode()
    response = client.post(step, {"step": "resolve", "day": "2024-05-10", "outcome": ""})
    assert "请填写纠纷如何化解。" in response.content.decode()
    assert client.post(step, {"step": "resolve", "day": "2024-05-10", "outcome": "双方签订协议"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved"
    # Closed: the file is read-only and has no next step.
    assert client.post(f"/admin/aid/disputecase/{case.pk}/change/", {"summary": "x"}).status_code == 403
    assert client.get(step).status_code == 403


def test_a_case_without_parties_is_a_form_error(client_for, care_clerk, taiba):
    response = client_for(care_clerk).post(
        "/admin/aid/disputecase/add/",
        {"village": taiba.pk, "kind": "marriage", "source": "visit", "found_on": "2024-05-01", "summary": "x"},
    )
    assert response.status_code == 200 and DisputeCase.objects.count() == 0
    assert response.context["adminform"].form.errors["parties"]


def test_care_files_of_another_village_do_not_open(client_for, care_clerk, fenghe, mother):
    other_child = PersonFactory(village=fenghe, born=date(2015, 1, 1))
    target = on_register(other_child)
    client = client_for(care_clerk)
    assert client.get(f"/admin/aid/caretarget/{target.pk}/change/").status_code == 404
    assert client.get(f"/admin/aid/caretarget/{target.pk}/history/").status_code == 404
    response = client.post(
        "/admin/aid/pairing/add/", {"mother": mother.pk, "child": other_child.pk, "start": "2024-05-01", **EMPTY}
    )
    assert response.status_code == 200 and Pairing.objects.count() == 0


EMPTY = {"visits-TOTAL_FORMS": "0", "visits-INITIAL_FORMS": "0"}


def test_pair_in_the_admin_through_the_service(client_for, care_clerk, mother, child):
    client = client_for(care_clerk)
    response = client.post(
        "/admin/aid/pairing/add/", {"mother": child.pk, "child": child.pk, "start": "2024-05-01", **EMPTY}
    )
    assert response.status_code == 200 and Pairing.objects.count() == 0
    response = client.post(
        "/admin/aid/pairing/add/", {"mother": mother.pk, "child": child.pk, "start": "2024-05-01", **EMPTY}
    )
    assert response.status_code == 302
    pairing = Pairing.objects.get()
    assert pairing.recorded_by == care_clerk


def test_work_lists_and_the_30_day_edge(client_for, care_clerk, taiba, mother, child):
    today = timezone.localdate()
    long_ago = today - timedelta(days=200)
    children = []
    for name in ("刚好三十天", "三十一天", "从未走访", "无人结对"):
        person = PersonFactory(village=taiba, name=name, born=date(2015, 1, 1))
        on_register(person, since=long_ago)
        children.append(person)
    on_time, late, never, alone = children
    for person, visit in ((on_time, 30), (late, 31), (never, None)):
        pairing = pairing_save(
            pairing=Pairing(
                mother=mother if person is not never else PersonFactory(village=taiba, born=date(1980, 1, 1)),
                child=person,
                start=long_ago,
            )
        )
        if visit is not None:
            aid_record_save(
                record=CareVisit(pairing=pairing, date=today - timedelta(days=visit), kind="visit", content="走访")
            )
    client = client_for(care_clerk)

    def names(url):
        response = client.get(url)
        assert response.status_code == 200
        return {
            str(row.child.name if hasattr(row, "child") else row.person.name)
            for row in response.context["cl"].result_list
        }

    assert names("/admin/aid/pairing/?list=overdue") == {"三十一天", "从未走访"}
    assert names("/admin/aid/caretarget/?list=no_mother") == {child.name, alone.name}
    home = client.get("/admin/").content.decode()
    assert "30 天内未走访的结对" in home and "尚无爱心妈妈结对的关爱儿童" in home


def test_a_mothers_pairings_list_her_children(client_for, care_clerk, mother, child, taiba):
    pairing_save(pairing=Pairing(mother=mother, child=child, start=date(2024, 5, 1)))
    page = client_for(care_clerk).get("/admin/aid/pairing/", {"q": mother.name}).content.decode()
    assert child.name in page


@pytest.mark.parametrize("model", LISTS + ["charityaid"])
def test_lists_keep_a_flat_query_count(client_for, town_admin, taiba, model, django_assert_max_num_queries):
    from decimal import Decimal

    from aid.models import CharityAid
    from tests.factories import HouseholdFactory

    client = client_for(town_admin)

    def grow(n):
        for _ in range(n):
            person = PersonFactory(village=taiba, born=date(2015, 1, 1))
            on_register(person)
            pairing = pairing_save(
                pairing=Pairing(mother=PersonFactory(village=taiba), child=person, start=date(2024, 2, 1))
            )
            aid_record_save(record=CareVisit(pairing=pairing, date=date(2024, 3, 1), kind="call", content="电话"))
            register_case(taiba, parties=[person])
            aid_record_save(
                record=CharityAid(
                    household=HouseholdFactory(village=taiba),
                    date=date(2024, 9, 9),
                    drive="99公益日",
                    amount=Decimal("100"),
                    reason="困难",
                )
            )

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/admin/aid/{model}/").status_code == 200
        return len(captured)

    grow(1)
    few = count()
    grow(4)
    with django_assert_max_num_queries(20):
        assert count() == few


def test_charity_aid_is_kept_by_the_village_clerk(client_for, clerk, own_household):
    client = client_for(clerk)
    response = client.post(
        "/admin/aid/charityaid/add/",
        {
            "household": own_household.pk,
            "date": "2024-09-09",
            "drive": "99公益日",
            "amount": "0",
            "goods": "",
            "reason": "x",
            **NO_FILES,
        },
    )
    assert response.status_code == 200 and "请填写救助金额或物品。" in response.content.decode()
    response = client.post(
        "/admin/aid/charityaid/add/",
        {
            "household": own_household.pk,
            "date": "2024-09-09",
            "drive": "99公益日",
            "amount": "500",
            "goods": "",
            "reason": "因病",
            **NO_FILES,
        },
    )
    assert response.status_code == 302


def test_the_care_role_is_granted_apart(clerk):
    assert not clerk.has_perm("aid.view_caretarget")
    clerk.groups.add(Group.objects.get(name=CARE_RECORDER))
    clerk = type(clerk).objects.get(pk=clerk.pk)
    assert clerk.has_perm("aid.view_caretarget") and not clerk.has_perm("aid.view_domestic_violence")


def visit_on(pairing, day, content="走访"):
    return aid_record_save(record=CareVisit(pairing=pairing, date=day, kind="visit", content=content))


def test_deleting_a_visit_row_on_the_pairing_page_goes_through_the_service(
    client_for, town_admin, mother, child, no_history_middleware
):
    pairing = pairing_save(pairing=Pairing(mother=mother, child=child, start=date(2024, 5, 1)))
    wrong, kept = visit_on(pairing, date(2024, 5, 3), "记错了"), visit_on(pairing, date(2024, 5, 10))
    rows = {"visits-TOTAL_FORMS": "2", "visits-INITIAL_FORMS": "2"}
    for index, (visit, extra) in enumerate(((wrong, {"DELETE": "on"}), (kept, {"gifts": "书包"}))):
        values = {"id": visit.pk, "date": visit.date, "kind": visit.kind, "content": visit.content, **extra}
        rows.update({f"visits-{index}-{name}": value for name, value in values.items()})
    response = client_for(town_admin).post(
        f"/admin/aid/pairing/{pairing.pk}/change/",
        {"mother": mother.pk, "child": child.pk, "start": "2024-05-01", **rows},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(pairing.visits.values_list("pk", "gifts")) == [(kept.pk, "书包")]
    assert CareVisit.history.get(id=wrong.pk, history_type="-").history_user == town_admin
    assert kept.history.latest().history_user == town_admin


@pytest.mark.parametrize("how", ["page", "action"])
def test_the_visit_list_deletes_through_the_service(client_for, town_admin, mother, child, how, no_history_middleware):
    pairing = pairing_save(pairing=Pairing(mother=mother, child=child, start=date(2024, 5, 1)))
    visit = visit_on(pairing, date(2024, 5, 3))
    client = client_for(town_admin)
    if how == "page":
        response = client.post(f"/admin/aid/carevisit/{visit.pk}/delete/", {"post": "yes"})
    else:
        action = {"action": "delete_selected", "_selected_action": [visit.pk], "post": "yes"}
        response = client.post("/admin/aid/carevisit/", action)
    assert response.status_code == 302
    assert not CareVisit.objects.exists()
    assert CareVisit.history.get(id=visit.pk, history_type="-").history_user == town_admin


def test_a_settled_case_is_not_deleted_from_its_page_nor_the_list(client_for, town_admin, taiba):
    case = register_case(taiba)
    client = client_for(town_admin)
    step = f"/admin/aid/disputecase/{case.pk}/step/"
    assert client.post(step, {"step": "resolve", "day": "2024-05-10", "outcome": "双方和解"}).status_code == 302
    assert client.get(f"/admin/aid/disputecase/{case.pk}/delete/").status_code == 403
    client.post(
        "/admin/aid/disputecase/",
        {"action": "delete_selected", "_selected_action": [case.pk], "post": "yes"},
    )
    assert DisputeCase.objects.filter(pk=case.pk).exists()


def test_a_one_village_clerk_finds_her_village_chosen_and_no_delete_icon_beside_a_picker(client_for, care_clerk, taiba):
    page = client_for(care_clerk).get("/admin/aid/disputecase/add/").content.decode()
    assert f'<option value="{taiba.pk}" selected>' in page
    assert "delete-related" not in page
