"""Exports carry what people read, never a machine's identifiers: no automatic primary key
and no UUID (a redemption's form token) in any admin's default export, nor in its form."""

import csv
import io
from datetime import date

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

from federation.core.admin.base import ScopedModelAdmin
from federation.core.exporting import ScopedResource, is_internal
from points.models import Redemption
from points.services import point_award, redemption_create
from tests.factories import PURPOSE

DAY = date(2024, 5, 1)

SCOPED = {
    model: model_admin
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, ScopedModelAdmin)
}
DEFAULT_EXPORTS = {model: model_admin for model, model_admin in SCOPED.items() if not model_admin.resource_classes}


def export_form_data(client, url, **extra):
    """The export form's data with every column ticked, as a user submits it."""
    form = client.get(f"{url}export/").context["form"]
    data = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    return {"format": "0", "resource": "0", **data, **PURPOSE, **extra}


def default_resource(model):
    model_admin = DEFAULT_EXPORTS[model]
    request = RequestFactory().get("/")
    (resource_class,) = model_admin.get_resource_classes(request)
    return resource_class


def internal_fields(model):
    return [field for field in model._meta.concrete_fields if is_internal(field)]


def test_the_redemption_export_has_no_form_token(client_for, town_admin, family, rule, oil, event):
    point_award(household=family, rule=rule, day=DAY, by=None)
    redemption = redemption_create(event=event, household=family, person=family.head, items=[(oil, 1)], by=None)
    client = client_for(town_admin)
    form = client.get("/admin/points/redemption/export/").context["form"]
    labels = [str(field.label) for field in form.fields.values() if getattr(field, "is_selectable_field", False)]
    assert "表单标识" not in labels and "ID" not in labels
    response = client.post("/admin/points/redemption/export/", export_form_data(client, "/admin/points/redemption/"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    header, row = rows
    assert "表单标识" not in header and "ID" not in header
    assert "王大姐" in row and "30" in row  # what people read is there
    text = response.content.decode("utf-8-sig")
    assert str(redemption.token) not in text and redemption.token.hex not in text


def test_the_rule_knows_the_internal_fields():
    assert [field.name for field in internal_fields(Redemption)] == ["id", "token"]
    # Fields only services write are still read by people: a status, a case number.
    from aid.models import DisputeCase

    assert not any(is_internal(DisputeCase._meta.get_field(name)) for name in ("number", "status", "closed_on"))


def test_a_resource_may_still_name_an_internal_field():
    named = type("R", (ScopedResource,), {"Meta": type("Meta", (), {"model": Redemption, "fields": ["token"]})})
    assert list(named.fields) == ["token"]
    default = type("R", (ScopedResource,), {"Meta": type("Meta", (), {"model": Redemption})})
    assert "token" not in default.fields and "id" not in default.fields and "total_points" in default.fields


def test_redemptions_use_the_default_export():
    assert Redemption in DEFAULT_EXPORTS


@pytest.mark.parametrize("model", sorted(DEFAULT_EXPORTS, key=lambda m: m._meta.label), ids=lambda m: m._meta.label)
def test_no_default_export_offers_an_internal_column(model):
    resource = default_resource(model)()
    headers = resource.get_export_headers()
    assert headers, model
    uuids = [field for field in model._meta.concrete_fields if isinstance(field, models.UUIDField)]
    for field in internal_fields(model):
        assert field.name not in resource.get_export_order(), (model, field.name)
    for field in uuids:
        assert str(field.verbose_name) not in headers, (model, field.name)
    assert "ID" not in headers
