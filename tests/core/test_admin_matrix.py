"""The protection matrix, generated from the admin registry on the demo town: every admin of
every app, for a clerk of another village and for a clerk without the full-identity
permission. An admin added next year is in it without anyone writing a test."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory

from federation.core.admin.base import ScopedModelAdmin
from federation.core.models import StaffScope, Village
from federation.core.roles import CARE_RECORDER, HEALTH_RECORDER, VILLAGE_CLERK
from federation.core.scoping import in_scope, is_scoped_model, scope_for
from federation.models import Person
from tests.factories import PURPOSE, UserFactory

ADMINS = [
    model_admin
    for model_admin in admin.site._registry.values()
    if isinstance(model_admin, ScopedModelAdmin) and is_scoped_model(model_admin.model)
]
ROLES = (VILLAGE_CLERK, HEALTH_RECORDER, CARE_RECORDER)


@pytest.fixture
def demo(demo_town, db):
    taiba = Village.objects.get(name="太坝村")
    clerk = type(taiba).objects.none()  # placeholder to keep the names below readable
    del clerk
    taiba_clerk = _clerk("taiba_all", taiba)
    outsider = _clerk("outsider", Village.objects.exclude(pk=taiba.pk).filter(town=taiba.town).first())
    return taiba, taiba_clerk, outsider


def _clerk(username, village):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=ROLES))
    StaffScope.objects.create(user=user, town=village.town, town_wide=False).villages.add(village)
    return user


def foreign_pks(model_admin, owner, outsider, limit=3):
    """Records the owner sees and the outsider does not."""
    manager = model_admin.model._default_manager
    theirs = in_scope(manager.all(), scope_for(outsider)).values("pk")
    return list(in_scope(manager.all(), scope_for(owner)).exclude(pk__in=theirs).values_list("pk", flat=True)[:limit])


def url(model_admin, name, *args):
    opts = model_admin.model._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/" + "/".join(str(arg) for arg in args) + ("/" if args else "")


def test_another_villages_records_stay_out_of_every_admin(demo, client):
    taiba, taiba_clerk, outsider = demo
    client.force_login(outsider)
    covered = []
    for model_admin in ADMINS:
        foreign = foreign_pks(model_admin, taiba_clerk, outsider)
        if not foreign:
            continue
        covered.append(model_admin.model._meta.label)
        name = model_admin.model._meta.label
        listing = client.get(url(model_admin, "changelist"))
        assert listing.status_code in (200, 403), name
        if listing.status_code == 200:
            assert not listing.context["cl"].queryset.filter(pk__in=foreign).exists(), name
            term = str(model_admin.model._default_manager.get(pk=foreign[0]))[:6]
            found = client.get(url(model_admin, "changelist"), {"q": term})
            if found.status_code == 200:
                assert not found.context["cl"].queryset.filter(pk__in=foreign).exists(), (name, term)
            # A bulk action on another village's ids acts on nothing.
            before = model_admin.model._default_manager.count()
            client.post(
                url(model_admin, "changelist"),
                {"action": "delete_selected", "_selected_action": foreign, "post": "yes"},
            )
            assert model_admin.model._default_manager.count() == before, name
        for page in ("change", "delete", "history"):
            response = client.get(url(model_admin, page, foreign[0], page))
            assert response.status_code == 404, (name, page, response.status_code)
        # The export goes through the same scope as the list.
        request = RequestFactory().get("/")
        request.user = outsider
        for resource_class in model_admin.get_resource_classes(request):
            resource = resource_class(**model_admin.get_export_resource_kwargs(request))
            exported = resource.filter_export(model_admin.model._default_manager.all())
            assert not exported.filter(pk__in=foreign).exists(), name
    assert {"federation.Person", "federation.Household", "points.PointEntry", "health.Screening"} <= set(covered)


def test_no_form_offers_another_villages_records(demo, client):
    taiba, taiba_clerk, outsider = demo
    client.force_login(outsider)
    for model_admin in ADMINS:
        response = client.get(url(model_admin, "add", "add").rstrip("/").replace("/add/add", "/add") + "/")
        if response.status_code != 200:
            continue
        form = response.context["adminform"].form
        for field_name, field in form.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None or not is_scoped_model(queryset.model):
                continue
            hidden = in_scope(queryset.model._default_manager.all(), scope_for(taiba_clerk)).exclude(
                pk__in=in_scope(queryset.model._default_manager.all(), scope_for(outsider)).values("pk")
            )
            assert not queryset.filter(pk__in=hidden.values("pk")).exists(), (model_admin.model._meta.label, field_name)


def autocomplete_targets():
    for model_admin in admin.site._registry.values():
        for field_name in model_admin.autocomplete_fields:
            opts = model_admin.model._meta
            yield opts.app_label, opts.model_name, field_name, opts.get_field(field_name).related_model


def test_autocomplete_offers_nothing_of_another_village(demo, client):
    taiba, taiba_clerk, outsider = demo
    client.force_login(outsider)
    for app_label, model_name, field_name, related in autocomplete_targets():
        if not is_scoped_model(related):
            continue
        foreign = in_scope(related._default_manager.all(), scope_for(taiba_clerk)).exclude(
            pk__in=in_scope(related._default_manager.all(), scope_for(outsider)).values("pk")
        )
        sample = foreign.first()
        if sample is None:
            continue
        term = str(sample)[:2]
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
        )
        if response.status_code != 200:
            continue
        ids = {int(item["id"]) for item in response.json()["results"] if str(item["id"]).isdigit()}
        assert not ids & set(foreign.values_list("pk", flat=True)), (model_name, field_name)


def test_a_masked_clerk_reads_no_full_number_on_any_page(demo, client):
    taiba, taiba_clerk, outsider = demo
    client.force_login(taiba_clerk)
    people = Person.objects.filter(village=taiba)
    secrets = set(people.values_list("id_number", flat=True)) | {p for p in people.values_list("phone", flat=True) if p}
    pattern = re.compile("|".join(re.escape(secret) for secret in secrets))
    pages = 0
    for model_admin in ADMINS:
        listing = client.get(url(model_admin, "changelist"))
        if listing.status_code != 200:
            continue
        pages += 1
        assert not pattern.search(listing.content.decode()), model_admin.model._meta.label
        first = listing.context["cl"].result_list[:1]
        if first:
            change = client.get(url(model_admin, "change", first[0].pk, "change"))
            assert change.status_code in (200, 403)
            assert not pattern.search(change.content.decode()), (model_admin.model._meta.label, "change")
        export = client.get(url(model_admin, "export", "export"))
        if export.status_code == 200 and "form" in export.context:
            form = export.context["form"]
            data = {n: "on" for n, f in form.fields.items() if getattr(f, "is_selectable_field", False)}
            for file_format in ("0", "1"):
                response = client.post(
                    url(model_admin, "export", "export"), {"format": file_format, "resource": "0", **data, **PURPOSE}
                )
                assert response.status_code == 200, model_admin.model._meta.label
                body = response.content.decode("utf-8-sig") if file_format == "0" else ""
                assert not pattern.search(body), (model_admin.model._meta.label, "export")
    for app_label, model_name, field_name, _related in autocomplete_targets():
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": ""},
        )
        if response.status_code == 200:
            assert not pattern.search(response.content.decode()), (model_name, field_name)
    assert pages >= 10
