"""ID numbers and phones are masked for users without the full-identity permission:
in lists, search, forms, autocomplete, history and exports."""

import csv
import io
import json

import pytest

from federation.core.identity import mask_id_number, mask_phone
from federation.models import Person
from tests.core.test_scoping import export_form_data


@pytest.fixture
def person(own_household):
    person = own_household.head
    person.phone = "13812345678"
    person.save()
    return person


def change_form(person, **changes):
    """The person's change form as posted, with some fields changed."""
    data = {
        "name": person.name,
        "id_number": person.id_number,
        "phone": person.phone,
        "village": person.village_id,
        "household": person.household_id,
        "relation_to_head": person.relation_to_head,
        "status": person.status,
    }
    return {**data, **changes}


def test_clerk_sees_masked_numbers_in_the_list(client_for, clerk, person):
    page = client_for(clerk).get("/admin/federation/person/").content.decode()
    assert person.id_number not in page and "13812345678" not in page
    assert mask_id_number(person.id_number) in page and "138****5678" in page


def test_town_admin_sees_full_numbers(client_for, town_admin, person):
    page = client_for(town_admin).get("/admin/federation/person/").content.decode()
    assert person.id_number in page and "13812345678" in page


def test_clerk_finds_a_person_by_the_whole_number_but_not_by_a_fragment(client_for, clerk, person):
    client = client_for(clerk)
    assert client.get("/admin/federation/person/", {"q": person.id_number}).context["cl"].result_count == 1
    assert client.get("/admin/federation/person/", {"q": "13812345678"}).context["cl"].result_count == 1
    assert client.get("/admin/federation/person/", {"q": person.id_number[:10]}).context["cl"].result_count == 0
    town_admin_search = client.get("/admin/federation/person/", {"q": person.name}).context["cl"].result_count
    assert town_admin_search == 1


def test_change_form_hides_the_number_and_keeps_it_when_left_empty(client_for, clerk, person):
    client = client_for(clerk)
    page = client.get(f"/admin/federation/person/{person.pk}/change/").content.decode()
    assert person.id_number not in page and "13812345678" not in page
    assert f'placeholder="{mask_id_number(person.id_number)}"' in page
    response = client.post(
        f"/admin/federation/person/{person.pk}/change/",
        change_form(person, name="改名", id_number="", phone=""),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.phone) == ("改名", "13812345678")
    assert len(person.id_number) == 18


def test_change_form_replaces_the_number_when_a_new_one_is_typed(client_for, clerk, person):
    response = client_for(clerk).post(
        f"/admin/federation/person/{person.pk}/change/",
        change_form(person, id_number="11010519491231002x", phone="0939-4123456"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.id_number, person.phone) == ("11010519491231002X", "0939-4123456")


def test_bad_number_on_the_form_is_a_chinese_error_on_the_field(client_for, town_admin, taiba):
    response = client_for(town_admin).post(
        "/admin/federation/person/add/",
        {"name": "新人", "id_number": "110105194912310021", "village": taiba.pk, "status": "resident"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["id_number"]
    assert errors == ["身份证号 110105194912310021 的校验码不正确，请核对号码。"]
    assert not Person.objects.filter(name="新人").exists()


def test_autocomplete_shows_masked_numbers(client_for, clerk, person):
    response = client_for(clerk).get(
        "/admin/autocomplete/",
        {"app_label": "federation", "model_name": "honor", "field_name": "person", "term": person.name},
    )
    texts = [result["text"] for result in json.loads(response.content)["results"]]
    # Told apart by what the clerk may see (birth year, group, household), never a hidden digit.
    assert len(texts) == 1 and texts[0].startswith(f"{person.name}（{person.birth_date.year}年生，")
    assert person.id_number[6:] not in texts[0]


def test_history_shows_masked_changes(client_for, clerk, town_admin, person):
    old_phone = person.phone
    client_for(town_admin).post(
        f"/admin/federation/person/{person.pk}/change/",
        change_form(person, phone="13900001111"),
    )
    latest = person.history.latest()
    assert latest.history_user == town_admin and latest.phone == "13900001111"
    page = client_for(clerk).get(f"/admin/federation/person/{person.pk}/history/").content.decode()
    assert "13900001111" not in page and old_phone not in page
    assert mask_phone("13900001111") in page and mask_phone(old_phone) in page
    detail = client_for(clerk).get(f"/admin/federation/person/{person.pk}/history/{latest.history_id}/")
    assert detail.status_code == 200
    assert "13900001111" not in detail.content.decode()
    assert person.id_number not in detail.content.decode()


def test_export_masks_for_the_clerk_and_not_for_the_town_admin(client_for, clerk, town_admin, person):
    for user, expected_id, expected_phone in [
        (clerk, mask_id_number(person.id_number), "138****5678"),
        (town_admin, person.id_number, "13812345678"),
    ]:
        client = client_for(user)
        response = client.post("/admin/federation/person/export/", export_form_data(client, "person"))
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0]["公民身份号码"] == expected_id
        assert rows[0]["联系电话"] == expected_phone
        assert rows[0]["村(社区)"] == person.village.name
        assert rows[0]["性别"] == "女"


def test_export_neutralises_formulas(client_for, town_admin, taiba, own_household):
    from tests.factories import ActivityFactory

    ActivityFactory(town=taiba.town, title='=HYPERLINK("http://x")', notes="+1", villages=[taiba])
    client = client_for(town_admin)
    response = client.post("/admin/federation/activity/export/", export_form_data(client, "activity"))
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ",'+1" in text or "'+1" in text


@pytest.mark.parametrize(
    "app_label, model_name",
    [("points", "redemption"), ("points", "pointentry"), ("aid", "charityaid"), ("federation", "honor")],
)
def test_a_household_is_picked_by_its_heads_name_and_birth_year(client_for, clerk, taiba, app_label, model_name):
    from tests.factories import HouseholdFactory, PersonFactory

    household = HouseholdFactory(village=taiba, number="02054")
    head = PersonFactory(village=taiba, household=household, name="王桂英")
    household.head = head
    household.save()
    response = client_for(clerk).get(
        "/admin/autocomplete/",
        {"app_label": app_label, "model_name": model_name, "field_name": "household", "term": "02054"},
    )
    (text,) = [result["text"] for result in json.loads(response.content)["results"]]
    assert text.startswith("02054（户主 王桂英，1985年生，1组）")
    assert head.id_number[6:] not in text
