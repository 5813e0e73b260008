"""The one registry: the core names no domain app, names are unique, every summary row has
its figure, and what the apps register is what the pages use."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from federation.importing import RosterResource
from federation.registry import SummaryRow, project_apps, registry, summary_rows_have_figures
from federation.reporting import Report

CORE = Path(settings.BASE_DIR) / "federation"
DOMAINS = {config.label for config in project_apps() if config.label != "federation"}


def core_files():
    """The core app's code; its migrations and the project's settings (which list the apps)
    aside."""
    return [path for path in CORE.rglob("*.py") if "migrations" not in path.parts and path.name != "settings.py"]


def test_there_are_domain_apps_to_keep_out():
    assert {"points", "health", "aid"} <= DOMAINS


@pytest.mark.parametrize("path", core_files(), ids=lambda path: str(path.relative_to(CORE)))
def test_the_core_imports_and_names_no_domain_app(path):
    tree = ast.parse(path.read_text())
    domains = "|".join(sorted(DOMAINS))
    module, dotted = re.compile(rf"^({domains})(\.|$)"), re.compile(rf"^({domains})\.\w")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if module.match(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and module.match(node.module) and not node.level:
            found.append(node.module)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and dotted.match(node.value):
            found.append(repr(node.value))  # a permission ("aid.view_caretarget"), a dotted path
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "find_spec",
            "get_app_config",
        ):
            found += [
                repr(arg.value) for arg in node.args if isinstance(arg, ast.Constant) and module.match(str(arg.value))
            ]
    assert found == []


def test_a_second_report_of_the_same_name_is_refused():
    taken = next(iter(registry.reports.values()))
    twin = Report(taken.name, taken.title, taken.function, taken.description, taken.permissions)
    with pytest.raises(ImproperlyConfigured):
        registry.add_report(twin)
    assert registry.reports[taken.name] is taken


def test_a_second_roster_of_the_same_name_is_refused():
    with pytest.raises(ImproperlyConfigured):
        type("Twin", (RosterResource,), {"import_name": "people", "__module__": __name__})
    assert registry.rosters["people"].__module__ == "federation.resources"


def test_a_summary_row_without_a_figure_fails_the_system_check():
    assert summary_rows_have_figures(None) == []
    registry.summary_rows["orphan"] = SummaryRow("orphan", "板块", "指标", "个", 999)
    try:
        errors = summary_rows_have_figures(None)
    finally:
        del registry.summary_rows["orphan"]
    assert [error.id for error in errors] == ["federation.E001"]


def test_every_app_registered_its_parts():
    assert {"annual_summary", "points_register", "screening_villages", "disputes_villages"} <= set(registry.reports)
    assert {"people", "households", "point_entries", "hpv_roster", "care_targets"} <= set(registry.rosters)
    assert list(registry.demos) == ["points", "health", "aid", "crafts"]  # INSTALLED_APPS order
    assert set(registry.work_lists) == {"submissions", "health", "care", "points"}
    assert {model._meta.label for model in registry.period_records} == {
        "points.PointEntry",
        "points.RedemptionEvent",
        "points.Redemption",
        "health.Screening",
        "health.HPVDose",
        "aid.CareVisit",
        "aid.MediationSession",
        "aid.DisputeCase",
        "aid.CharityAid",
        "points.Donation",
        "aid.CharityDrive",
        "crafts.CraftSale",
        "federation.Activity",
    }
    assert [extension.columns.keys() for extension in registry.roster_extensions["people"]] == [
        {"category": None}.keys()
    ]
    orders = [row.order for row in registry.summary()]
    assert len(orders) == len(set(orders)) == 21


def test_the_household_page_carries_what_points_adds(client_for, town_admin, own_household):
    response = client_for(town_admin).get(f"/admin/federation/household/{own_household.pk}/change/")
    assert response.status_code == 200
    assert "积分登记台账" in response.content.decode()  # points' LedgerInline
    actions = client_for(town_admin).get("/admin/federation/household/").context["action_form"].fields["action"]
    assert "award_points" in dict(actions.choices)
