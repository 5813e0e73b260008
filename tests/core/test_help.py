"""The manual (帮助, federation/help.py): its pictures are the browser tests' screenshots and
exist, every page opens for every role and none for an anonymous visitor, and the 帮助 link of a
page opens the section about it."""

import ast
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import reverse

from federation.core.help import section_for_page, sections
from federation.core.registry import registry

ROOT = Path(__file__).resolve().parents[2]
# Each app keeps the sections it registers (registry.add_help_section) in its own templates.
TEMPLATES = sorted(ROOT.glob("*/templates/admin/federation/help/*.html"))
PICTURES = ROOT / "federation" / "static" / "federation" / "manual"
E2E = ROOT / "tests" / "e2e"
PICTURE = re.compile(r"federation/manual/([\w-]+)\.png")
# The pictures together: a clerk on a village's connection opens a section in a few seconds.
MAX_PICTURE_BYTES = 3_000_000


def pictures_named_by_the_templates() -> dict[str, list[str]]:
    named = {}
    for template in TEMPLATES:
        for name in PICTURE.findall(template.read_text(encoding="utf-8")):
            named.setdefault(name, []).append(template.name)
    return named


def shots_taken_by_the_browser_tests() -> dict[str, list[str]]:
    """Each `manual_shot("name", …)` call of tests/e2e, by name, with where it is."""
    taken, not_literal = {}, []
    for source in sorted(E2E.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            function = node.func
            called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
            if called != "manual_shot":
                continue
            where = f"{source.name}:{node.lineno}"
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                taken.setdefault(node.args[0].value, []).append(where)
            else:
                not_literal.append(where)
    assert not not_literal, f"a manual_shot's name is a literal, so that this test can read it: {not_literal}"
    return taken


def test_every_picture_of_the_manual_exists():
    named = pictures_named_by_the_templates()
    assert named, "the manual shows pictures"
    missing = {name: where for name, where in named.items() if not (PICTURES / f"{name}.png").is_file()}
    assert not missing, f"run `make manual` to take these pictures: {missing}"


def test_the_manual_shows_every_picture_the_browser_tests_take_and_no_other():
    taken = shots_taken_by_the_browser_tests()
    named = pictures_named_by_the_templates()
    assert sorted(set(taken) - set(named)) == [], "pictures taken for the manual that no section shows"
    assert sorted(set(named) - set(taken)) == [], "pictures the manual shows that no browser test takes"
    twice = {name: where for name, where in taken.items() if len(where) > 1}
    assert not twice, f"one picture taken at two steps: {twice}"


def test_no_picture_is_left_over_and_together_they_are_small():
    files = {path.stem: path.stat().st_size for path in PICTURES.glob("*.png")}
    assert sorted(set(files) - set(pictures_named_by_the_templates())) == [], "pictures no section shows"
    assert sum(files.values()) < MAX_PICTURE_BYTES, f"{sum(files.values())} bytes of pictures"


def test_every_section_has_its_template_and_every_page_mapping_names_a_section():
    assert sorted(path.stem for path in TEMPLATES) == sorted([*registry.help_sections, "base", "index"])
    assert set(registry.help_pages.values()) <= set(registry.help_sections)


def manual_pages() -> list[str]:
    return [reverse("admin:help"), *(reverse("admin:help_section", args=[s.slug]) for s in sections())]


@pytest.mark.parametrize("role", ["town_admin", "clerk", "county_reader"])
# `db` named: pytest-django orders tests by the fixtures they name, and a role fetched by
# getfixturevalue is not seen, so the test ran after the transactional ones had flushed the roles.
def test_every_page_of_the_manual_opens_for_every_role(request, db, client_for, role):
    client = client_for(request.getfixturevalue(role))
    for url in manual_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert 'id="workbench-nav"' in content, f"{url}: the main menu stays"
        for name in PICTURE.findall(content):
            assert (PICTURES / f"{name}.png").is_file(), f"{url} shows {name}.png"


def test_the_contents_put_the_users_own_sections_first(client_for, clerk, county_reader):
    yours = client_for(clerk).get(reverse("admin:help")).context["yours"]
    assert [s.slug for s in yours][:2] == ["start", "people"]
    assert "points" in {s.slug for s in yours} and "staff" not in {s.slug for s in yours}
    yours = client_for(county_reader).get(reverse("admin:help")).context["yours"]
    assert {s.slug for s in yours} == {"start", "reports", "privacy", "glossary"}  # her downloads ask why too


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    for url in manual_pages():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), response["Location"]


def test_an_unknown_section_is_not_found(client_for, clerk):
    assert client_for(clerk).get("/admin/help/nothing/").status_code == 404


@pytest.mark.parametrize(
    ("page", "section"),
    [
        ("/admin/", "start"),
        ("/admin/federation/person/", "people"),
        ("/admin/federation/person/add/", "people"),
        ("/admin/federation/person/import/", "import"),
        ("/admin/points/pointentry/import/", "import"),
        ("/admin/points/", "points"),
        ("/admin/points/redemptionevent/3/redeem/", "points"),
        ("/admin/health/hpvgirl/", "hpv"),
        ("/admin/health/canceraidapplication/5/review/", "screening"),
        ("/admin/aid/pairing/", "care"),
        ("/admin/aid/disputecase/7/step/", "disputes"),
        ("/admin/federation/periodsubmission/2/step/", "submissions"),
        ("/admin/reports/", "reports"),
        ("/admin/auth/user/3/change/", "staff"),
        ("/admin/help/hpv/", "hpv"),
    ],
)
def test_the_help_link_of_a_page_opens_its_section(client_for, clerk, page, section):
    response = client_for(clerk).get(reverse("admin:help"), {"page": page})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:help_section", args=[section])


@pytest.mark.parametrize("page", ["/admin/nothing/here/", "https://example.com/admin/", "", "/"])
def test_a_page_without_a_section_opens_the_contents(client_for, clerk, page):
    response = client_for(clerk).get(reverse("admin:help"), {"page": page})
    assert response.status_code == 200
    assert response.context["current"] is None


# Pages whose work the manual does not explain: the superuser's own.
NOT_IN_THE_MANUAL = {"federation.purgerecord"}


def test_every_list_of_the_admin_has_a_section():
    lists = {
        f"{model._meta.app_label}.{model._meta.model_name}": reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        )
        for model in admin.site._registry
    }
    without = sorted(name for name, url in lists.items() if section_for_page(url, admin.site) is None)
    assert without == sorted(NOT_IN_THE_MANUAL)


def test_every_page_has_the_help_link_in_its_header_and_menu(client_for, clerk):
    content = client_for(clerk).get("/admin/federation/person/").content.decode()
    header = content.split('id="user-tools"', 1)[1].split("</div>", 1)[0]
    assert f'href="{reverse("admin:help")}?page=/admin/federation/person/"' in header
    assert ">帮助</a>" in header
    menu = content.split('id="workbench-nav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("admin:help")}">帮助</a>' in menu
