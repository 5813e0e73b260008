"""The village leak matrix: a 太坝 clerk against records of 冯河. She sees nothing of them
and writes nothing to them, on every path the admin offers."""

import csv
import io
import json

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from federation.core.admin.base import ScopedRawIdWidget, scoped_choices
from federation.core.exporting import ScopedResource
from federation.core.models import Village
from federation.core.scoping import scope_for
from federation.models import Activity, Honor, Household, Person
from tests.factories import ACTIVITY_INLINES, PURPOSE, ActivityFactory, HonorFactory

SECRET = "冯秘密"


@pytest.fixture
def other(other_household):
    """Everything of 冯河 a clerk of 太坝 could try to reach."""
    person = other_household.head
    return {
        "person": person,
        "household": other_household,
        "activity": ActivityFactory(
            town=other_household.village.town, title="冯河秘密活动", villages=[other_household.village]
        ),
        "honor": HonorFactory(person=person, title="冯河秘密表彰"),
    }


@pytest.fixture
def taiba_client(client_for, clerk, own_household):
    return client_for(clerk)


def _counts():
    return (Person.objects.count(), Household.objects.count(), Activity.objects.count(), Honor.objects.count())


def test_lists_show_only_her_village(taiba_client, other, own_household):
    for model in ("person", "household", "activity", "honor"):
        response = taiba_client.get(f"/admin/federation/{model}/")
        assert response.status_code == 200
        page = response.content.decode()
        assert SECRET not in page and "冯河" not in page, model
    assert own_household.head.name in taiba_client.get("/admin/federation/person/").content.decode()


def test_search_finds_nothing_of_another_village(taiba_client, other):
    person = other["person"]
    for term in (SECRET, person.id_number, person.phone, other["household"].number):
        response = taiba_client.get("/admin/federation/person/", {"q": term})
        assert response.context["cl"].result_count == 0
        assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("model", ["person", "household", "activity", "honor"])
@pytest.mark.parametrize("page", ["change/", "delete/", "history/"])
def test_pages_of_another_villages_record_answer_404(taiba_client, other, model, page):
    response = taiba_client.get(f"/admin/federation/{model}/{other[model].pk}/{page}")
    assert response.status_code == 404
    assert SECRET not in response.content.decode()


def test_history_detail_of_another_villages_record_answers_404(taiba_client, other):
    person = other["person"]
    history_id = person.history.latest().history_id
    response = taiba_client.get(f"/admin/federation/person/{person.pk}/history/{history_id}/")
    assert response.status_code == 404


def test_posting_a_change_to_another_villages_record_writes_nothing(taiba_client, other):
    person = other["person"]
    response = taiba_client.post(
        f"/admin/federation/person/{person.pk}/change/",
        {"name": "改掉", "id_number": person.id_number, "village": person.village_id, "status": "resident"},
    )
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.name == SECRET


def test_add_form_offers_only_her_villages(taiba_client, other, taiba, fenghe):
    page = taiba_client.get("/admin/federation/person/add/").content.decode()
    assert f'value="{taiba.pk}"' in page
    assert f'value="{fenghe.pk}"' not in page and "冯河" not in page
    page = taiba_client.get("/admin/federation/activity/add/").content.decode()
    assert "太坝村" in page and "冯河" not in page


def test_posting_another_villages_household_is_a_form_error(taiba_client, other, taiba):
    before = _counts()
    response = taiba_client.post(
        "/admin/federation/person/add/",
        {
            "name": "新人",
            "id_number": "11010519491231002X",
            "village": taiba.pk,
            "household": other["household"].pk,
            "status": "resident",
        },
    )
    assert response.status_code == 200
    assert "household" in response.context["adminform"].form.errors
    assert _counts() == before


def test_posting_another_village_is_a_form_error(taiba_client, other, fenghe):
    before = _counts()
    response = taiba_client.post(
        "/admin/federation/person/add/",
        {"name": "新人", "id_number": "11010519491231002X", "village": fenghe.pk, "status": "resident"},
    )
    assert "village" in response.context["adminform"].form.errors
    response = taiba_client.post(
        "/admin/federation/activity/add/",
        {
            "kind": "publicity",
            "title": "偷偷加到冯河",
            "date": "2024-05-01",
            "town": fenghe.town_id,
            "villages": [fenghe.pk],
            "attachments-TOTAL_FORMS": 0,
            "attachments-INITIAL_FORMS": 0,
            **ACTIVITY_INLINES,
        },
    )
    assert "villages" in response.context["adminform"].form.errors
    assert _counts() == before


def test_prefilled_other_household_shows_no_label(taiba_client, other):
    page = taiba_client.get(f"/admin/federation/person/add/?household={other['household'].pk}").content.decode()
    assert other["household"].number not in page and SECRET not in page


def test_raw_id_widget_label_is_scoped(clerk, other, own_household):
    request = RequestFactory().get("/")
    request.user = clerk
    field = Person._meta.get_field("household")
    widget = ScopedRawIdWidget(field.remote_field, site, scoped_choices(Household, request))
    assert widget.label_and_url_for_value(other["household"].pk) == ("", "")
    label, url = widget.label_and_url_for_value(own_household.pk)
    assert label == own_household.number and url.endswith(f"/{own_household.pk}/change/")


def test_autocomplete_offers_nothing_of_another_village(taiba_client, other, own_household):
    for model, field, term in [("person", "household", ""), ("household", "head", ""), ("honor", "person", "冯")]:
        response = taiba_client.get(
            "/admin/autocomplete/",
            {"app_label": "federation", "model_name": model, "field_name": field, "term": term},
        )
        assert response.status_code == 200
        body = json.loads(response.content)
        texts = " ".join(result["text"] for result in body["results"])
        assert SECRET not in texts and other["household"].number not in texts


def export_form_data(client, model, **extra):
    """The export form's data with every column ticked, as a user submits it."""
    form = client.get(f"/admin/federation/{model}/export/").context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    return {"format": "0", "resource": "0", **data, **PURPOSE, **extra}


def test_export_contains_only_her_village(taiba_client, other, own_household):
    response = taiba_client.post("/admin/federation/person/export/", export_form_data(taiba_client, "person"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "姓名"
    names = [row[0] for row in rows[1:]]
    assert names == [own_household.head.name]


def test_export_of_selected_items_of_another_village_is_empty(taiba_client, other):
    response = taiba_client.post(
        "/admin/federation/person/export/",
        export_form_data(taiba_client, "person", export_items=[other["person"].pk]),
    )
    assert response.status_code == 200
    assert SECRET not in response.content.decode("utf-8-sig")


def test_a_resource_without_a_user_exports_nothing(other):
    resource = type("R", (ScopedResource,), {"Meta": type("Meta", (), {"model": Person})})()
    assert resource.export().height == 0


def test_village_filter_offers_only_her_villages(taiba_client, other):
    page = taiba_client.get("/admin/federation/household/").content.decode()
    assert "冯河" not in page


def test_clerk_edits_of_a_shared_activity_keep_the_other_villages(taiba_client, taiba, fenghe):
    activity = ActivityFactory(town=taiba.town, title="两村联合活动", villages=[taiba, fenghe])
    response = taiba_client.post(
        f"/admin/federation/activity/{activity.pk}/change/",
        {
            "kind": "publicity",
            "title": "两村联合活动（改）",
            "date": "2024-05-01",
            "town": taiba.town_id,
            "villages": [taiba.pk],
            "participants": 5,
            "beneficiaries": 0,
            "materials_distributed": 0,
            "consultations": 0,
            "attachments-TOTAL_FORMS": 0,
            "attachments-INITIAL_FORMS": 0,
            **ACTIVITY_INLINES,
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "两村联合活动（改）"
    assert set(activity.villages.all()) == {taiba, fenghe}


def test_scope_of_each_role(town, taiba, fenghe, superuser, town_admin, clerk, county_reader, db):
    assert scope_for(superuser).everything
    assert scope_for(town_admin).village_ids == {taiba.pk, fenghe.pk}
    assert scope_for(clerk).village_ids == {taiba.pk}
    assert scope_for(clerk).town_ids == frozenset()
    assert set(Village.objects.filter(Village.scope_q(scope_for(clerk)))) == {taiba}


def test_add_form_preselects_her_only_village_and_town(taiba_client, taiba):
    form = taiba_client.get("/admin/federation/person/add/").context["adminform"].form
    assert form.initial["village"] == taiba.pk
    form = taiba_client.get("/admin/federation/activity/add/").context["adminform"].form
    assert form.initial["town"] == taiba.town_id


def test_user_admin_is_for_superusers_and_the_town_administrator(client_for, superuser, town_admin, clerk):
    client = client_for(superuser)
    assert client.get("/admin/auth/user/").status_code == 200
    page = client.get(f"/admin/auth/user/{clerk.pk}/change/").content.decode()
    assert "工作范围" in page and "太坝村" in page
    # The town administrator manages her town's staff (test_user_admin); a clerk manages nobody.
    assert client_for(town_admin).get("/admin/auth/user/").status_code == 200
    assert client_for(clerk).get("/admin/auth/user/").status_code == 403


def test_honours_filter_by_her_villages_only(client_for, town_admin, taiba, fenghe, other, own_household):
    HonorFactory(person=own_household.head, title="太坝表彰")
    client = client_for(town_admin)
    response = client.get("/admin/federation/honor/", {"village": taiba.pk})
    assert [honor.title for honor in response.context["cl"].result_list] == ["太坝表彰"]
    response = client.get("/admin/federation/honor/", {"village": fenghe.pk})
    assert [honor.title for honor in response.context["cl"].result_list] == ["冯河秘密表彰"]


@pytest.mark.parametrize("url", ["/admin/points/redemptionevent/add/", "/admin/federation/periodsubmission/add/"])
def test_a_one_village_clerk_need_not_pick_her_village_for_a_session_or_a_submission(client_for, clerk, taiba, url):
    form = client_for(clerk).get(url).context["adminform"].form
    assert form["village"].value() == taiba.pk
