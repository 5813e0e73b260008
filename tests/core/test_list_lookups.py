"""A list accepts only the lookups its filters declare, for every admin of every app: a
hidden number cannot be read digit by digit from the URL, a bad lookup or a NUL is a 400,
never a 500 — and every link the reports and work lists offer still opens its list."""

from urllib.parse import urlsplit

import pytest
from django.contrib import admin

from federation.core.admin.base import ScopedModelAdmin
from federation.core.reporting import discover
from tests.factories import PersonFactory

SCOPED = sorted(
    (
        model._meta.label_lower.replace(".", "/")
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ScopedModelAdmin)
    ),
)


@pytest.mark.parametrize("path", SCOPED)
@pytest.mark.parametrize(
    "query", ["id__gt=0", "pk__in=1,2", "name__regex=(", "phone__startswith=13", "id_number__startswith=6212"]
)
def test_an_undeclared_lookup_is_refused(path, query, client_for, superuser):
    assert client_for(superuser).get(f"/admin/{path}/?{query}").status_code == 400


@pytest.mark.parametrize("path", SCOPED)
def test_a_nul_in_a_filter_or_a_search_is_a_400_not_a_server_error(path, client_for, superuser, taiba):
    client = client_for(superuser)
    assert client.get(f"/admin/{path}/?q=%00%07").status_code == 400
    model_admin = next(
        m for model, m in admin.site._registry.items() if model._meta.label_lower == path.replace("/", ".")
    )
    declared = sorted(model_admin.declared_lookups(type("R", (), {"user": superuser, "GET": {}})()))
    if declared:
        assert client.get(f"/admin/{path}/?{declared[0]}=%00").status_code == 400


def test_a_clerk_cannot_read_a_hidden_phone_from_the_url(client_for, clerk, taiba):
    PersonFactory(village=taiba, phone="17312345678")
    client = client_for(clerk)
    assert client.get("/admin/federation/person/?phone__startswith=173").status_code == 400
    assert client.get(f"/admin/federation/person/?village__id__exact={taiba.pk}").status_code == 200


@pytest.mark.parametrize("name", sorted(discover()))
def test_every_link_a_report_offers_opens_its_list(name, client_for, town_admin, clerk, taiba, fenghe):
    # The town administrator opens every list; a clerk may lack a role (403), never a 400.
    for user, allowed in ((town_admin, {200}), (clerk, {200, 403})):
        client = client_for(user)
        response = client.get("/admin/reports/", {"report": name, "year": 2024})
        if user == clerk and response.status_code == 403:
            continue  # a report of records she may not read (tests/core/test_report_permissions.py)
        table = response.context["table"]
        for url in {*table.links.values(), *getattr(table, "row_links", {}).values()}:
            if not url or not urlsplit(url).path.startswith("/admin/"):
                continue
            response = client.get(url)
            assert response.status_code in allowed, (name, url, response.status_code)


def test_every_filtered_link_of_the_home_page_opens_its_list(client_for, town_admin, taiba):
    import re

    client = client_for(town_admin)
    home = client.get("/admin/").content.decode()
    links = {link.replace("&amp;", "&") for link in re.findall(r'href="(/admin/[^"]*\?[^"]*)"', home)}
    assert links  # the work lists link to filtered lists
    for url in links:  # the header's 帮助 link goes on to its section
        assert client.get(url, follow=True).status_code == 200, url
