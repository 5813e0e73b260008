"""Searching a list through a related record (a household's head, a line's household, a
household's members) asks the related table first and finds the same records as Django's joined
search would, for every role; ID numbers are matched whole for those who see them masked.

The one search of the page header (/admin/search/, federation/search.py) finds, by kind, what
each list would find the user: her villages, the kinds she may open, no domestic-violence case
without its permission, ID numbers and phones whole only; and never fails on what a probe types.
"""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aid.models import CareTarget, DisputeCase
from aid.services import aid_record_save, dispute_save
from federation.core import search as site_search
from federation.core.admin import search as admin_search
from federation.core.models import RecordAccess
from federation.core.roles import CARE_RECORDER
from federation.models import Person
from points.models import PointEntry, PointRule
from points.services import point_award
from tests.factories import HouseholdFactory, PersonFactory, UserFactory


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


# --- The one search of the page header ------------------------------------------------------

SEARCH = "/admin/search/"


def results(client, term) -> dict[str, list[str]]:
    """{kind: [the lines' text]} of the search page."""
    response = client.get(SEARCH, {"q": term})
    assert response.status_code == 200
    return {kind.title: [text for _url, text in kind.rows] for kind in response.context["kinds"]}


@pytest.fixture
def flower(taiba, own_household):
    """王小花 of 太坝, a member of TB-001 (head 太坝户主)."""
    return PersonFactory(village=taiba, household=own_household, name="王小花", born=date(1990, 3, 8))


@pytest.fixture
def namesake(fenghe, other_household):
    """Another 王小花, of 冯河村: the 太坝 clerk never finds her."""
    return PersonFactory(village=fenghe, household=other_household, name="王小花", born=date(1992, 1, 1))


def on_register(person):
    return aid_record_save(
        record=CareTarget(person=person, category=CareTarget.Category.LEFT_BEHIND_WOMAN, since=date(2024, 1, 1))
    )


def register_case(village, kind, party):
    case = DisputeCase(
        village=village, kind=kind, source=DisputeCase.Source.POLICE, found_on=date(2024, 3, 7), summary="争执"
    )
    return dispute_save(case=case, parties=[party])


def test_the_clerk_finds_people_and_households_of_her_village_told_apart(client_for, clerk, flower, namesake):
    found = results(client_for(clerk), "王小花")
    # Her village's 王小花 as a picker shows her: birth year (not her ID number), group, household, head.
    assert found == {"人员": ["王小花（1990年生，1组，TB-001户，户主 太坝户主）"], "家庭": [found["家庭"][0]]}
    assert found["家庭"][0].startswith("TB-001（户主 太坝户主，1985年生")  # found by a member's name
    assert flower.id_number not in str(found)


def test_the_town_administrator_finds_both_villages_and_sees_whole_numbers(client_for, town_admin, flower, namesake):
    found = results(client_for(town_admin), "王小花")
    assert [line.split("（")[0] for line in found["人员"]] == ["王小花", "王小花"]
    assert flower.id_number in found["人员"][0] and namesake.id_number in found["人员"][1]
    assert [line.split("（")[0] for line in found["家庭"]] == ["TB-001", "FH-001"]


def test_each_line_opens_its_record_and_more_opens_the_list_searched(client_for, clerk, taiba):
    people = [PersonFactory(village=taiba, name="李同名") for _ in range(site_search.PER_KIND + 2)]
    client = client_for(clerk)
    response = client.get(SEARCH, {"q": "李同名"})
    kinds = {kind.title: kind for kind in response.context["kinds"]}
    assert len(kinds["人员"].rows) == site_search.PER_KIND
    assert kinds["人员"].more == "/admin/federation/person/?q=%E6%9D%8E%E5%90%8C%E5%90%8D"
    assert len(client.get(kinds["人员"].more).context["cl"].result_list) == len(people)
    url, text = kinds["人员"].rows[0]
    assert url == f"/admin/federation/person/{people[-1].pk}/change/"  # the newest first, as the list
    assert client.get(url).status_code == 200
    page = response.content.decode()
    assert "更多" in page and f'href="{url}"' in page


def test_a_kind_she_may_not_open_is_not_searched(client_for, clerk, county_reader, flower):
    on_register(flower)
    # The 太坝 clerk keeps no care files: the register is not searched for her.
    assert "关爱对象名册" not in results(client_for(clerk), "王小花")
    clerk.groups.add(Group.objects.get(name=CARE_RECORDER))
    care = results(client_for(UserFactory._meta.model.objects.get(pk=clerk.pk)), "王小花")["关爱对象名册"]
    assert care == ["王小花（留守妇女） · 王小花（1990年生，1组，TB-001户，户主 太坝户主）"]
    # The county reader reads figures, never a list of people.
    assert results(client_for(county_reader), "王小花") == {}


def test_a_domestic_violence_case_is_found_only_with_its_permission(client_for, clerk, town_admin, taiba, flower):
    marriage = register_case(taiba, DisputeCase.Kind.MARRIAGE, flower)
    violence = register_case(taiba, DisputeCase.Kind.DOMESTIC_VIOLENCE, flower)
    clerk.groups.add(Group.objects.get(name=CARE_RECORDER))
    care_clerk = UserFactory._meta.model.objects.get(pk=clerk.pk)
    # Her list shows the case's number masked; the search, whose lines open the record, not at all.
    assert results(client_for(care_clerk), violence.number) == {}
    assert results(client_for(care_clerk), "2024")["婚姻家庭矛盾纠纷"] == [f"{marriage.number} · 2024-03-07"]
    cases = results(client_for(town_admin), "2024")["婚姻家庭矛盾纠纷"]
    assert sorted(line.split(" ")[0] for line in cases) == sorted([marriage.number, violence.number])


def test_a_hidden_number_is_found_whole_only(client_for, clerk, town_admin, own_household, flower):
    client = client_for(clerk)
    head = own_household.head
    assert results(client, flower.id_number)["人员"] == ["王小花（1990年生，1组，TB-001户，户主 太坝户主）"]
    assert set(results(client, head.id_number)) == {"人员", "家庭"}  # the head, and her household
    for partial in (flower.id_number[:12], flower.id_number[6:14], flower.id_number[-6:], flower.phone[:7]):
        assert results(client, partial) == {}, partial
    assert results(client, flower.phone)["人员"][0].startswith("王小花（1990年生")
    # Who sees the whole number finds it by a part.
    assert "人员" in results(client_for(town_admin), flower.id_number[6:14])


@pytest.mark.parametrize(
    "typed",
    [
        "%",
        "_",
        "'",
        '"',
        "\\",
        "' OR 1=1 --",
        '"王小花',
        "621228199003080000",
        "62122819900308000X",
        "王" * 1000,
        "a b c d e f g h i j k l m n o p q r s t",
        "<script>alert(1)</script>",
        "𠮷䶮",
        "　",
    ],
)
def test_odd_input_is_searched_as_text_never_a_server_error(client_for, town_admin, flower, typed):
    response = client_for(town_admin).get(SEARCH, {"q": typed})
    assert response.status_code == 200
    assert len(response.context["site_search_term"]) <= site_search.MAX_LENGTH
    if typed in ("%", "_", "' OR 1=1 --", "<script>alert(1)</script>"):
        assert response.context["kinds"] == []  # % and _ are characters, not wildcards
    if typed == "王" * 1000:
        assert "只搜索了前" in response.content.decode()
    assert "<script>alert" not in response.content.decode()  # what was typed is shown as text


def test_the_page_answers_only_staff_and_only_get(client, client_for, clerk, flower):
    assert client.get(SEARCH, {"q": "王小花"}).status_code == 302  # to the login page
    outsider = UserFactory(username="outsider", is_staff=False)
    assert client_for(outsider).get(SEARCH, {"q": "王小花"})["Location"].startswith("/admin/login/")
    client = client_for(clerk)
    assert client.post(SEARCH, {"q": "王小花"}).status_code == 405
    assert client.get(SEARCH, {"q": "王\x00小花"}).status_code == 400  # a NUL: refused before any view
    assert client.get(SEARCH).status_code == 200  # nothing typed: the page says what to type


def test_the_box_is_in_every_pages_header(client, client_for, clerk):
    assert 'id="site-search"' not in client.get("/admin/login/").content.decode()
    client = client_for(clerk)
    for url in ("/admin/", "/admin/federation/person/", "/admin/reports/"):
        page = client.get(url).content.decode()
        assert '<form id="site-search" role="search" method="get" action="/admin/search/">' in page, url


def test_it_reads_the_records_as_they_are_and_writes_nothing(client_for, town_admin, flower):
    from federation.services import person_save

    flower.name = "王晓华"
    person_save(person=flower, by=town_admin)
    counts = (RecordAccess.objects.count(), LogEntry.objects.count(), Person.history.count())
    client = client_for(town_admin)
    assert "人员" not in results(client, "王小花")  # her old name is only in the history
    assert results(client, "王晓华")["人员"][0].startswith("王晓华")
    Person.objects.filter(pk=flower.pk).update(household=None)
    flower.refresh_from_db()
    from federation.core.history import delete_with_history

    delete_with_history(flower, town_admin)
    assert results(client, "王晓华") == {}  # deleted: its history rows are not records
    assert (RecordAccess.objects.count(), LogEntry.objects.count()) == counts[:2]
    assert Person.history.count() == counts[2] + 1  # the deletion's own row, nothing of the searches


def test_a_search_asks_the_same_number_of_queries_however_many_it_finds(client_for, town_admin, taiba, flower, rf):
    on_register(flower)
    client = client_for(town_admin)
    with CaptureQueriesContext(connection) as few:
        assert len(results(client, "王小花")["人员"]) == 1
    for _n in range(site_search.PER_KIND + 5):
        on_register(PersonFactory(village=taiba, name="王小花"))
    with CaptureQueriesContext(connection) as many:
        found = results(client, "王小花")
    assert len(found["人员"]) == len(found["关爱对象名册"]) == len(found["家庭"]) == site_search.PER_KIND
    request = rf.get(SEARCH)
    request.user = town_admin
    kinds = len(site_search.searchable(admin.site, request))
    assert kinds > 20
    # The session, her permissions and scope; then for each kind one query of its records, and
    # one of a table asked first for a path (people by name, households by number…: each once
    # for all the kinds), or of the towns a kind's scope reads.
    assert len(many) == len(few) <= 8 + 2 * kinds
