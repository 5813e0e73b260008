"""Searching a list through a related record (a household's head, a line's household) asks the
related table first and finds the same records as Django's joined search would, for every
role; ID numbers are matched whole for those who see them masked."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from federation import admin_search
from federation.models import Person
from points.models import PointEntry, PointRule
from points.services import point_award
from tests.factories import HouseholdFactory, PersonFactory


@pytest.fixture
def ledger(town, own_household, other_household):
    rule = PointRule.objects.create(town=town, category=PointRule.Category.SANITATION, description="整洁", points=10)
    for household in (own_household, other_household):
        point_award(household=household, rule=rule, day=date(2024, 3, 1), by=None)
    return rule


def found(client, url, term):
    return list(client.get(url, {"q": term}).context["cl"].result_list)


@pytest.mark.parametrize("listed_keys", [10_000, 0], ids=["keys listed", "too many: a subquery"])
def test_the_ledger_is_searched_by_the_heads_name_and_the_household_number(
    client_for, town_admin, clerk, own_household, ledger, monkeypatch, listed_keys
):
    monkeypatch.setattr(admin_search, "LISTED_KEYS", listed_keys)
    town = client_for(town_admin)
    assert [line.household for line in found(town, "/admin/points/pointentry/", "太坝户主")] == [own_household]
    assert [line.household for line in found(town, "/admin/points/pointentry/", "FH-001")] != []
    clerk_client = client_for(clerk)
    # The clerk's search never reaches another village's lines, whatever matches there.
    assert found(clerk_client, "/admin/points/pointentry/", "冯秘密") == []
    assert [line.household for line in found(clerk_client, "/admin/points/pointentry/", "TB-001")] == [own_household]
    assert PointEntry.objects.count() == 2


def test_households_are_found_by_the_heads_whole_id_number_typed_in_lower_case(client_for, clerk, own_household):
    client = client_for(clerk)
    head = own_household.head
    head.id_number = head.id_number[:17] + "X"  # a valid number is not needed to search for it
    Person.objects.filter(pk=head.pk).update(id_number=head.id_number)
    assert found(client, "/admin/federation/household/", head.id_number.lower()) == [own_household]
    assert found(client, "/admin/federation/household/", head.id_number[:12]) == []
    assert found(client, "/admin/federation/household/", "太坝户主") == [own_household]


def test_two_words_must_both_match(client_for, town_admin, taiba):
    household = HouseholdFactory(village=taiba, number="TB-777")
    head = PersonFactory(village=taiba, household=household, name="李四")
    household.head = head
    household.save()
    client = client_for(town_admin)
    assert found(client, "/admin/federation/household/", "李四 TB-777") == [household]
    assert found(client, "/admin/federation/household/", "李四 TB-778") == []


def test_a_search_asks_the_same_number_of_queries_whatever_it_matches(client_for, town_admin, own_household, ledger):
    client = client_for(town_admin)
    with CaptureQueriesContext(connection) as few:
        assert len(found(client, "/admin/points/pointentry/", "太坝户主")) == 1
    for n in range(30):
        household = HouseholdFactory(village=own_household.village, number=f"TB-{n + 100}")
        household.head = PersonFactory(village=own_household.village, household=household, name="太坝户主")
        household.save()
        point_award(household=household, rule=ledger, day=date(2024, 3, 2), by=None)
    with CaptureQueriesContext(connection) as many:
        assert len(found(client, "/admin/points/pointentry/", "太坝户主")) == 31
    assert len(many) == len(few)


@pytest.mark.parametrize("listed_keys", [10_000, 0], ids=["keys listed", "too many: a subquery"])
def test_a_household_is_found_by_a_members_name_in_its_list_and_its_picker(
    client_for, clerk, town_admin, own_household, other_household, monkeypatch, listed_keys
):
    monkeypatch.setattr(admin_search, "LISTED_KEYS", listed_keys)
    taiba, fenghe = own_household.village, other_household.village
    PersonFactory(village=taiba, household=own_household, name="太坝女儿")
    PersonFactory(village=taiba, household=own_household, name="太坝女婿")
    PersonFactory(village=taiba, household=None, name="太坝女工")  # in no household
    PersonFactory(village=fenghe, household=other_household, name="冯河女儿")
    clerk_client = client_for(clerk)
    # Two of her members match: the household is listed once; 冯河's is not hers.
    assert found(clerk_client, "/admin/federation/household/", "女") == [own_household]
    assert found(clerk_client, "/admin/federation/household/", "冯河女儿") == []
    assert found(client_for(town_admin), "/admin/federation/household/", "女儿") == [own_household, other_household]
    picker = client_for(clerk).get(
        "/admin/autocomplete/",
        {"app_label": "federation", "model_name": "person", "field_name": "household", "term": "太坝女婿"},
    )
    assert [result["id"] for result in picker.json()["results"]] == [str(own_household.pk)]
