"""Control characters: refused by every text field at the form and the import (one rule in
the field layer), and stripped by every export from what older data may still hold."""

import io
from datetime import date

import pytest
from django.db import models
from openpyxl import load_workbook

from federation.core.fields import refuse_control_characters
from federation.core.registry import project_apps
from federation.models import Person
from points.models import PointEntry, PointRule
from points.services import point_award
from tests.core.test_scoping import export_form_data
from tests.factories import take_file


def project_models():
    for config in project_apps():
        yield from config.get_models()


def test_every_text_field_of_every_app_refuses_control_characters():
    unguarded = [
        f"{model._meta.label}.{field.name}"
        for model in project_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and refuse_control_characters not in field.validators
    ]
    assert unguarded == []


def test_the_admin_form_refuses_a_control_character_on_its_field(client_for, town_admin, taiba, own_household):
    person = own_household.head
    response = client_for(town_admin).post(
        f"/admin/federation/person/{person.pk}/change/",
        {
            "name": "王\x07建国",
            "id_number": person.id_number,
            "village": taiba.pk,
            "household": own_household.pk,
            "status": person.status,
            "relation_to_head": person.relation_to_head,
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "U+0007" in errors["name"][0] and "控制字符" in errors["name"][0]
    person.refresh_from_db()
    assert "\x07" not in person.name


def test_tab_and_newline_stay_allowed_in_text():
    refuse_control_characters("第一行\n第二行\t备注\r\n")


def test_exports_strip_what_xlsx_cannot_hold(client_for, town_admin, own_household):
    Person.objects.filter(pk=own_household.head_id).update(name="王\x07\x1b建国")  # stored before the rule
    client = client_for(town_admin)
    response = client.post("/admin/federation/person/export/", export_form_data(client, "person", format="1"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert any("王建国" in row for row in rows)
    csv = client.post("/admin/federation/person/export/", export_form_data(client, "person"))
    assert csv.status_code == 200 and "王建国" in csv.content.decode("utf-8-sig")


def test_the_points_register_xlsx_strips_them_too(client_for, town_admin, taiba, own_household):
    rule = PointRule.objects.create(
        town=taiba.town, category=PointRule.Category.SANITATION, description="庭院整洁", points=50
    )
    entry = point_award(household=own_household, rule=rule, day=date(2024, 5, 1), by=None, note="好")
    PointEntry.objects.filter(pk=entry.pk).update(note="好\x07")  # stored before the rule
    response = take_file(
        client_for(town_admin), "/admin/reports/", {"report": "points_register", "year": 2024, "format": "xlsx"}
    )
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert any("好" in row for row in rows)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/federation/person/?q=王%00",
        "/admin/points/pointentry/?note=%07",
        "/admin/reports/?report=population&year=2024&village=%00",
        "/admin/federation/person/%00/change/",
        "/files/%00",
    ],
)
def test_a_control_character_in_any_address_is_a_400(client_for, town_admin, own_household, url):
    response = client_for(town_admin).get(url)
    assert response.status_code == 400
    assert "无法识别" in response.content.decode()


def test_a_login_name_too_long_for_any_user_is_a_failed_login_not_a_server_error(client, db):
    response = client.post("/admin/login/", {"username": "王" * 5000, "password": "x"})
    assert response.status_code == 200
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get().username == "王" * 150


def test_a_column_is_neutralized_as_each_cell_would_be():
    from django.utils.safestring import mark_safe

    from federation.core.exporting import neutralize, neutralize_all

    cells = ["", "王芳", "=1+2", "+8613812345678", "-3", "@x", "\tx", "a\x07b", mark_safe("=evil"), 5, None]
    assert neutralize_all(cells) == [neutralize(cell) for cell in cells]
    assert neutralize_all(cells)[8] == "'=evil"
