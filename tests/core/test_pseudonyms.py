"""A town's pseudonyms: keyed, stable, letters only; age bands; the town's key kept out of every
form, export and history, each town with a key of its own."""

import re
from datetime import date

import pytest
from django.utils import translation

from federation.core.models import Town
from federation.core.pseudonyms import ALPHABET, age_band, person_pseudonym, pseudonym
from tests.factories import TOWN_INLINES, TownFactory

NUMBER = "621228198506150020"


def test_a_pseudonym_is_stable_for_one_key_and_differs_with_another():
    first = pseudonym("k" * 64, "person", NUMBER)
    assert first == pseudonym(b"k" * 64, "person", NUMBER)  # the key as text or bytes
    assert first != pseudonym("j" * 64, "person", NUMBER)
    assert first != pseudonym("k" * 64, "household", NUMBER)  # a household's never a person's
    assert first != pseudonym("k" * 64, "person", "621228198506150039")


def test_a_pseudonym_is_ten_letters_without_i_or_o_and_no_digit():
    assert set(ALPHABET) == set("ABCDEFGHJKLMNPQRSTUVWXYZ")
    for value in range(300):
        name = pseudonym("k" * 64, "person", value)
        assert re.fullmatch(r"[A-HJ-NP-Z]{5}-[A-HJ-NP-Z]{5}", name), name


def test_a_person_is_keyed_on_her_id_number_else_on_her_record():
    assert person_pseudonym("k", NUMBER, 7) == person_pseudonym("k", NUMBER, 8) == pseudonym("k", "person", NUMBER)
    assert person_pseudonym("k", "", 7) == pseudonym("k", "person-record", 7) != person_pseudonym("k", "", 8)


@pytest.mark.parametrize(
    "born, on, band",
    [
        (date(1980, 6, 1), date(2024, 12, 31), "40–44 years"),
        (date(1980, 6, 1), date(2020, 5, 31), "35–39 years"),  # the day before her 40th birthday
        (date(1980, 6, 1), date(2020, 6, 1), "40–44 years"),
        (date(2024, 1, 1), date(2024, 12, 31), "0–4 years"),
        (date(2012, 3, 10), date(2024, 12, 31), "10–14 years"),
        (date(2016, 3, 10), date(2024, 12, 31), "5–9 years"),
        (date(1939, 1, 1), date(2024, 12, 31), "85 years and over"),
        (None, date(2024, 12, 31), "unknown"),
        (date(2025, 1, 1), date(2024, 12, 31), "unknown"),  # born after the day asked
    ],
)
def test_age_bands(born, on, band):
    with translation.override("en"):
        assert age_band(born, on) == band


def test_every_town_gets_its_own_key_which_no_form_export_or_history_holds(db):
    one, two = TownFactory(name="甲镇"), TownFactory(name="乙镇")
    assert len(one.pseudonym_key) == 64 and one.pseudonym_key != two.pseudonym_key
    field = Town._meta.get_field("pseudonym_key")
    assert not field.editable
    assert "pseudonym_key" not in {field.name for field in Town.history.model._meta.get_fields()}
    assert "county_takes_deidentified" in {field.name for field in Town.history.model._meta.get_fields()}
    one.county_takes_deidentified = True
    one.save()
    assert one.history.count() == 2


def test_the_town_admin_ticks_the_switch_on_her_towns_page_which_never_shows_the_key(client_for, town_admin, town):
    client = client_for(town_admin)
    url = f"/admin/federation/town/{town.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="county_takes_deidentified"' in body
    assert town.pseudonym_key not in body and "pseudonym_key" not in body
    response = client.post(
        url,
        {
            "name": town.name,
            "county": town.county,
            "submission_period": town.submission_period,
            "county_takes_deidentified": "on",
            "pseudonym_key": "0" * 64,  # a form that does not offer it does not take it
            **TOWN_INLINES,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    town.refresh_from_db()
    assert town.county_takes_deidentified and town.pseudonym_key != "0" * 64
    history = client.get(f"/admin/federation/town/{town.pk}/history/").content.decode()
    assert town.pseudonym_key not in history


def test_the_towns_export_has_no_key(superuser, town):
    from federation.core.admin.export import _default_resource

    resource = _default_resource(Town)(user=superuser)
    assert "pseudonym_key" not in resource.fields
    assert "county_takes_deidentified" in resource.fields
    exported = resource.export(Town.objects.all()).csv
    assert town.pseudonym_key not in exported
