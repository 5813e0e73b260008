"""Every page of every registered admin opens for each demo role on the demo town: the list,
a search, the add page and the page of a record the role may see (with its history). A page
added next year is in it without anyone writing a test; a 500 anywhere fails here. And every
date input on them holds a date the browser can read (2026-12-07, not 2026/12/07)."""

import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client, RequestFactory

ROLES = ["admin", "town", "taiba", "county"]
DATE_INPUT = re.compile(r'<input type="date"[^>]*>')
READABLE = re.compile(r'value="\d{4}-\d{2}-\d{2}"')


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def pages(model_admin, user):
    opts = model_admin.model._meta
    base = f"/admin/{opts.app_label}/{opts.model_name}/"
    yield base
    yield base + "?q=王"
    yield base + "add/"
    request = RequestFactory().get(base)
    request.user = user
    for obj in model_admin.get_queryset(request).order_by("-pk")[:2]:
        # A record the admin answers as absent (a domestic-violence file without its
        # permission) is a 404 by design.
        if model_admin.get_object(request, str(obj.pk)) is None:
            continue
        yield f"{base}{obj.pk}/change/"
        if getattr(model_admin, "keeps_history", lambda: True)():
            yield f"{base}{obj.pk}/history/"
        for step in steps(model_admin):  # a record's own pages: next step, review
            yield f"{base}{obj.pk}/{step}/"


def steps(model_admin) -> list[str]:
    found = []
    for pattern in map(str, (url.pattern for url in model_admin.get_urls())):
        step = re.fullmatch(r"<path:object_id>/(\w+)/", pattern)
        if step and step.group(1) not in ("change", "history", "delete", "password"):
            found.append(step.group(1))
    return found


def test_every_page_of_every_admin_opens_for_every_role(demo):
    from django.contrib.auth import get_user_model

    failures = []
    for username in ROLES:
        user = get_user_model().objects.get(username=username)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for model_admin in admin.site._registry.values():
            for url in pages(model_admin, user):
                response = client.get(url)
                status = response.status_code
                if status not in (200, 302, 403):
                    failures.append(f"{username} {url} → {status}")
                page = status == 200 and response["Content-Type"].startswith("text/html")  # not a printed answer
                for tag in DATE_INPUT.findall(response.content.decode() if page else ""):
                    if "value=" in tag and not READABLE.search(tag):
                        failures.append(f"{username} {url}: {tag}")
    assert not failures, "\n".join(failures)
