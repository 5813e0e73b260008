"""Every admin page loads for every role it should, and is forbidden to the others, with
a query count that is pinned and does not grow with the number of rows."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from federation.core.models import Town, Village
from federation.models import Activity, Honor, Household, Person
from tests.factories import ActivityFactory, HonorFactory, HouseholdFactory, PersonFactory

ADMINS = {
    "town": Town,
    "village": Village,
    "household": Household,
    "person": Person,
    "activity": Activity,
    "honor": Honor,
}
# Which pages each role may open; everything else answers 403.
ALLOWED = {
    "superuser": {(model, page) for model in ADMINS for page in ("list", "search", "add", "change")},
    "town_admin": {(m, p) for m in ADMINS for p in ("list", "search", "add", "change")} - {("town", "add")},
    "clerk": {(m, p) for m in ADMINS for p in ("list", "search", "add", "change")}
    - {("town", "add"), ("village", "add")},
    "county_reader": set(),
}
MAX_QUERIES = 22
# A search term that matches rows of each model both before and after the data grows.
TERMS = {"town": "站", "village": "太", "household": "H", "person": "测试", "activity": "测试", "honor": "测试"}


def add_rows(town, villages, n):
    """Grow the data: n more households with members, activities and honours per village."""
    for village in villages:
        for _ in range(n):
            household = HouseholdFactory(village=village)
            head = PersonFactory(village=village, household=household, phone="13800000000")
            PersonFactory(village=village, household=household, relation_to_head=Person.Relation.SPOUSE, female=False)
            PersonFactory(
                village=village, household=household, born=date(2013, 3, 3), relation_to_head=Person.Relation.DAUGHTER
            )
            household.head = head
            household.save()
            ActivityFactory(town=town, villages=[village])
            HonorFactory(person=head)
            HonorFactory(award=Honor.Award.BEAUTIFUL_FAMILY, person=None, household=household)
    ActivityFactory(town=town)


def url_for(model, page, obj):
    base = f"/admin/federation/{model}/"
    return {
        "list": base,
        "search": f"{base}?q={TERMS[model]}",
        "add": base + "add/",
        "change": f"{base}{obj.pk}/change/" if obj else None,
    }[page]


def visible_object(model, village):
    """An object of the model inside the clerk's village (or town)."""
    return {
        "town": village.town,
        "village": village,
        "household": Household.objects.filter(village=village).first(),
        "person": Person.objects.filter(village=village).first(),
        "activity": Activity.objects.filter(villages=village).first(),
        "honor": Honor.objects.filter(person__village=village).first(),
    }[model]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured)


@pytest.mark.parametrize("role", list(ALLOWED))
@pytest.mark.parametrize("model", list(ADMINS))
@pytest.mark.parametrize("page", ["list", "search", "add", "change"])
def test_page_loads_for_allowed_roles_with_a_flat_query_count(
    request, client_for, role, model, page, town, taiba, fenghe, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    client = client_for(user)
    add_rows(town, [taiba, fenghe], 1)
    url = url_for(model, page, visible_object(model, taiba))
    client.get(url)  # warm caches (content types, permissions) as a real session would have
    response, small = count_queries(client, url)
    if (model, page) not in ALLOWED[role]:
        assert response.status_code == 403
        return
    assert response.status_code == 200, response.content[:500]
    add_rows(town, [taiba, fenghe], 3)
    with django_assert_max_num_queries(MAX_QUERIES):
        response, large = count_queries(client, url)
    assert response.status_code == 200
    assert large == small, f"{model} {page} for {role}: {small} queries with few rows, {large} with more"


def test_every_admin_of_every_app_uses_the_scoped_base():
    from django.contrib import admin

    from federation.core.admin.base import ScopedAdminMixin, ScopedModelAdmin

    unscoped = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label != "auth" and not isinstance(model_admin, ScopedModelAdmin)
    ]
    unscoped += [
        inline.__name__
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
        if not issubclass(inline, ScopedAdminMixin)
    ]
    assert unscoped == []


@pytest.mark.parametrize("model", ["importrecord", "reportlog"])
def test_audit_lists_load_with_a_flat_query_count(
    client_for, town_admin, clerk, taiba, model, django_assert_max_num_queries
):
    from federation.core.models import ImportRecord, ReportLog

    def grow(n):
        for user in (town_admin, clerk):
            for _ in range(n):
                ImportRecord.objects.create(user=user, resource="people", file_name="x.csv", sha256="0" * 64)
                ReportLog.objects.create(user=user, report="population", format="csv")

    client = client_for(town_admin)
    grow(1)
    client.get(f"/admin/federation/{model}/")
    response, few = count_queries(client, f"/admin/federation/{model}/")
    assert response.status_code == 200
    grow(5)
    with django_assert_max_num_queries(MAX_QUERIES):
        response, many = count_queries(client, f"/admin/federation/{model}/")
    assert many == few and response.context["cl"].result_count == 12


def test_a_long_list_is_counted_up_to_the_cap_and_says_so(client_for, town_admin, taiba, monkeypatch):
    from federation.core.admin import input as admin_input
    from tests.factories import PersonFactory

    monkeypatch.setattr(admin_input, "COUNT_CAP", 3)
    for n in range(4):
        PersonFactory(village=taiba, name=f"人{n}")
    client = client_for(town_admin)
    response = client.get("/admin/federation/person/")
    cl = response.context["cl"]
    assert cl.result_count == 3 and str(cl.result_count) == "3+"
    assert "3+ 人员" in response.content.decode().replace("\n", " ")
    assert client.get("/admin/federation/person/", {"q": "人1"}).context["cl"].result_count == 1
