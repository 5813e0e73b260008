"""Hidden numbers stay hidden and shared records stay whole, for every admin of every app:
the checks that walk admin.site._registry cover an admin added next year as well."""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory

from aid.models import DisputeCase
from federation.core.admin.base import ScopedModelAdmin, reaches_identity
from federation.core.identity import mask_id_number
from federation.core.roles import CARE_RECORDER, HEALTH_RECORDER
from federation.models import Activity
from tests.aid.conftest import register_case
from tests.factories import ActivityFactory, PersonFactory, make_id_number

ADMINS = [model_admin for model_admin in admin.site._registry.values() if isinstance(model_admin, ScopedModelAdmin)]


def as_user(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_mask_hides_more_than_the_birth_date_shown_beside_it(client_for, clerk, taiba):
    number = make_id_number(date(1977, 5, 1))
    PersonFactory(village=taiba, name="王掩码", id_number=number, born=date(1977, 5, 1))
    page = client_for(clerk).get("/admin/federation/person/", {"q": "王掩码"}).content.decode()
    assert mask_id_number(number) == number[:6] + "*" * 12
    assert mask_id_number(number) in page
    assert number[-4:] not in page and number[6:14] not in page


@pytest.mark.parametrize("model_admin", ADMINS, ids=lambda a: a.model._meta.label)
def test_every_search_path_to_a_hidden_number_is_exact_for_a_masked_user(model_admin, clerk, town_admin):
    fields = list(model_admin.search_fields)
    masked = model_admin.get_search_fields(as_user(clerk))
    for path, shown in zip(fields, masked, strict=True):
        if reaches_identity(model_admin.model, path):
            assert shown == "=" + path.lstrip("^=@"), path
        else:
            assert shown == path
    assert list(model_admin.get_search_fields(as_user(town_admin))) == fields


@pytest.mark.parametrize("model_admin", ADMINS, ids=lambda a: a.model._meta.label)
def test_no_masked_column_can_be_sorted(model_admin, clerk):
    request = as_user(clerk)
    for column in model_admin.get_list_display(request):
        if callable(column) and getattr(column, "__qualname__", "").startswith("masked_column"):
            assert not hasattr(column, "admin_order_field"), column


def test_a_piece_of_an_id_number_finds_nothing_through_relations(client_for, clerk, own_household):
    from health.models import Screening
    from health.services import screening_save

    head = own_household.head
    clerk.groups.add(Group.objects.get(name=HEALTH_RECORDER))
    screening_save(screening=Screening(person=head, date=date(2024, 5, 1), institution="镇卫生院"), by=None)
    client = client_for(clerk)
    piece = head.id_number[:10]
    for url in ("/admin/federation/household/", "/admin/health/screening/"):
        assert client.get(url, {"q": piece}).context["cl"].result_count == 0, url
        assert client.get(url, {"q": head.id_number}).context["cl"].result_count == 1, url
    # The household picker of the redemption page and every autocomplete search the same way.
    picker = {"app_label": "points", "model_name": "redemption", "field_name": "household"}
    assert client.get("/admin/autocomplete/", {**picker, "term": piece}).json()["results"] == []
    assert len(client.get("/admin/autocomplete/", {**picker, "term": head.id_number}).json()["results"]) == 1


def test_a_url_lookup_on_a_hidden_number_through_a_relation_is_refused(client_for, clerk, own_household):
    response = client_for(clerk).get("/admin/federation/household/", {"head__id_number__startswith": "6212"})
    assert response.status_code == 400


def test_a_clerk_saving_a_two_village_dispute_keeps_the_other_villages_party(client_for, clerk, taiba, fenghe):
    clerk.groups.add(Group.objects.get(name=CARE_RECORDER))
    ours = PersonFactory(village=taiba, name="太坝当事人")
    theirs = PersonFactory(village=fenghe, name="冯河当事人")
    case = register_case(taiba, parties=[ours, theirs])
    response = client_for(clerk).post(
        f"/admin/aid/disputecase/{case.pk}/change/",
        {
            "village": taiba.pk,
            "kind": DisputeCase.Kind.MARRIAGE,
            "source": DisputeCase.Source.SCREENING,
            "found_on": "2024-05-01",
            "parties": [ours.pk],
            "summary": "争吵（补记）",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.summary == "争吵（补记）"
    assert set(case.parties.all()) == {ours, theirs}


@pytest.fixture
def shared_activity(taiba, fenghe):
    return ActivityFactory(town=taiba.town, title="两村联合活动", villages=[taiba, fenghe])


def test_a_clerk_cannot_delete_an_activity_shared_with_another_village(client_for, clerk, shared_activity):
    client = client_for(clerk)
    url = f"/admin/federation/activity/{shared_activity.pk}/"
    assert "deletelink" not in client.get(url + "change/").content.decode()
    assert client.get(url + "delete/").status_code == 403
    assert client.post(url + "delete/", {"post": "yes"}).status_code == 403
    action = {"action": "delete_selected", "_selected_action": [shared_activity.pk]}
    page = client.post("/admin/federation/activity/", action).content.decode()
    assert "与你看不到的村共享" in page
    assert client.post("/admin/federation/activity/", {**action, "post": "yes"}).status_code == 403
    assert Activity.objects.filter(pk=shared_activity.pk).exists()


def test_a_clerk_deletes_her_own_activity_and_the_town_admin_a_shared_one(
    client_for, clerk, town_admin, taiba, shared_activity
):
    own = ActivityFactory(town=taiba.town, title="太坝活动", villages=[taiba])
    response = client_for(clerk).post(f"/admin/federation/activity/{own.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Activity.objects.filter(pk=own.pk).exists()
    response = client_for(town_admin).post(f"/admin/federation/activity/{shared_activity.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Activity.objects.filter(pk=shared_activity.pk).exists()
