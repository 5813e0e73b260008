"""The one registry: the core names no domain app, names are unique, every summary row has
its figure, and what the apps register is what the pages use."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from federation.core.importing import RosterResource
from federation.core.registry import SummaryRow, project_apps, registry, summary_rows_have_figures
from federation.core.reporting import Report

CORE = Path(settings.BASE_DIR) / "federation" / "core"
DOMAINS = {config.label for config in project_apps() if config.label != "federation"}


def core_files():
    """The platform's code (federation/core)."""
    return list(CORE.rglob("*.py"))


def test_there_are_domain_apps_to_keep_out():
    assert {"points", "health", "aid"} <= DOMAINS


def test_the_layout_contracts_hold():
    """The layers, the core's public modules, the apps' independence and no import cycle
    (pyproject.toml [tool.importlinter]; `make lint` runs the same)."""
    result = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PYTHONPATH": str(settings.BASE_DIR)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.parametrize("path", core_files(), ids=lambda path: str(path.relative_to(CORE)))
def test_the_core_names_no_domain_app(path):
    """What the import contracts cannot see: a permission ("aid.view_caretarget") or a dotted
    path in a string, or an app looked up by its name."""
    tree = ast.parse(path.read_text())
    domains = "|".join(sorted(DOMAINS))
    module, dotted = re.compile(rf"^({domains})(\.|$)"), re.compile(rf"^({domains})\.\w")
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and dotted.match(node.value):
            found.append(repr(node.value))
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
    # INSTALLED_APPS order
    assert list(registry.demos) == ["points", "health", "aid", "crafts", "organization", "organization_volunteers"]
    assert set(registry.work_lists) == {"submissions", "glass", "health", "care", "points", "organization"}
    assert {model._meta.label for model in registry.period_records} == {
        "points.PointEntry",
        "points.PointClaim",
        "points.RedemptionEvent",
        "points.Redemption",
        "health.Screening",
        "health.HPVDose",
        "aid.CareVisit",
        "aid.MediationSession",
        "aid.DisputeCase",
        "aid.Referral",
        "aid.ReferralFollowUp",
        "aid.ProtectionMeasure",
        "aid.CharityAid",
        "points.Donation",
        "aid.CharityDrive",
        "crafts.CraftSale",
        "federation.Activity",
        "points.PointAppeal",
        "organization.Meeting",
        "organization.VolunteerHours",
    }
    # The activity's page names its venue and the volunteers' hours (organization).
    inlines = registry.admin_extensions["federation.activity"].inlines
    assert [inline.model._meta.label for inline in inlines] == [
        "organization.ActivityVenue",
        "organization.VolunteerHours",
    ]
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
