"""What a hostile probe sends, against every admin of every app (generated from the
registry): typed filters, pages and orderings, junk in every field of every form, and
selections that are not ids. A wrong request is a 4xx or a form error, never a 500."""

import pytest
from django.contrib import admin
from django.test import Client

from tests.factories import ActivityFactory

MODEL_ADMINS = list(admin.site._registry.items())
LIST_PARAMS = [
    {"village": "abc"},
    {"village": "99999999999999999999"},
    {"o": "abc"},
    {"o": "99"},
    {"p": "-1"},
    {"p": "x"},
    {"_facets": "1"},
    {"e": "1"},
    {"_to_field": "password"},
    {"status": "zzz"},
    {"open": "maybe"},
    {"date__gte": "abc"},
    {"q": "1'" + "王" * 300},
]
JUNK = ["abc", "1'", "-1", "99999999999999999999", "2024-02-30", "\u202e王", "x" * 5000]


def base(model):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


@pytest.fixture
def superuser_client(superuser, own_household, other_household, taiba, fenghe):
    ActivityFactory(town=taiba.town, villages=[taiba, fenghe])
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("model,model_admin", MODEL_ADMINS, ids=lambda item: getattr(item, "__name__", ""))
def test_no_request_of_a_probe_is_a_server_error(model, model_admin, superuser_client):
    client, url, failures = superuser_client, base(model), []

    def check(response, what):
        if response.status_code >= 500:
            failures.append(what)

    for params in LIST_PARAMS:
        check(client.get(url, params), ("list", params))
    check(client.get(url + "add/", {"household": "abc", "person": "1'", "village": "99999999999999999999"}), "add?")
    for object_id in ("abc", "99999999999999999999", "1.5"):
        for page in ("change/", "delete/", "history/"):
            check(client.get(f"{url}{object_id}/{page}"), (object_id, page))
    for ids in (["abc"], ["99999999999999999999"]):
        check(client.post(url, {"action": "delete_selected", "_selected_action": ids}), ("action", ids))
    add = client.get(url + "add/")
    if add.status_code == 200 and "adminform" in (add.context or {}):
        names = list(add.context["adminform"].form.fields)
        for junk in JUNK:
            check(client.post(url + "add/", {name: junk for name in names}), ("add", junk[:20]))
    assert failures == []
