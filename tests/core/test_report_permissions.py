"""Reports read the records' permissions: a report (and a row of the annual summary) counts
records, so it is read by who may read them, in HTML, CSV and Excel, on the page's list and
from the shell. Generated over every registered report."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command

from federation.core import reporting
from federation.core.models import ReportLog
from federation.core.registry import registry
from federation.core.roles import CARE_RECORDER, HEALTH_RECORDER, VILLAGE_CLERK
from tests.factories import UserFactory, give_scope, take_file
from tests.health.test_reports import grow

REPORTS = reporting.discover()
NAMES = sorted(REPORTS)
FORMATS = ["html", "csv", "xlsx"]

# Who reads what, written out (not asked of `Report.allowed`): every report is in one set.
# They list people by pseudonym only: the county reader takes them from a town that allows it.
DEIDENTIFIED_FEDERATION = {"people_deidentified", "households_deidentified"}
DEIDENTIFIED_HEALTH = {"screenings_deidentified", "hpv_doses_deidentified"}
DEIDENTIFIED = DEIDENTIFIED_FEDERATION | DEIDENTIFIED_HEALTH
FEDERATION = {
    "annual_summary",
    "activities",
    "honors",
    "population",
    "activities_ledger",
    "honors_ledger",
} | DEIDENTIFIED_FEDERATION
POINTS = {"points_villages", "points_goods", "points_sessions", "points_donations"}
HEALTH_LEDGERS = {"screenings_ledger", "cancer_aid_ledger", "hpv_doses_ledger", "hpv_deferrals_ledger"}
CARE_LEDGERS = {
    "care_targets_ledger",
    "care_visits_ledger",
    "disputes_ledger",
    "referrals_ledger",
    "protection_measures_ledger",
}
# They list people and households: never for the county reader.
LEDGERS = (
    {
        "points_register",
        "points_redemptions",
        "points_claim_signals",
        "points_appeals",
        "activities_ledger",
        "honors_ledger",
        "charity_aid_ledger",
        "crafts_register",
        "volunteer_members",
        "organization_committees",
        "organization_meetings",
        "organization_delegates",
    }
    | HEALTH_LEDGERS
    | CARE_LEDGERS
)
CHARITY = {"charity_villages", "charity_aid_ledger", "charity_drives"}  # kept by the village clerk
CRAFTS = {"crafts_villages", "crafts_register"}
VOLUNTEERS = {"organization_venues", "volunteer_villages", "volunteer_members"}  # kept by the village clerk
# 组织建设: kept by the village clerk; the elections and the village table are figures.
ORGANIZATION = {
    "organization_committees",
    "organization_elections",
    "organization_meetings",
    "organization_delegates",
    "organization_villages",
} | VOLUNTEERS
HEALTH = (
    {"hpv_villages", "screening_villages", "insurance_villages", "cancer_aid_villages"}
    | HEALTH_LEDGERS
    | DEIDENTIFIED_HEALTH
)
CARE = {"care_targets_villages", "pairings_villages", "disputes_villages", "referrals_villages"} | CARE_LEDGERS
CLERK = FEDERATION | POINTS | (LEDGERS - HEALTH_LEDGERS - CARE_LEDGERS) | CHARITY | CRAFTS | ORGANIZATION

HEALTH_ROWS = {"两癌免费筛查", "两癌保险参保", "两癌救助申报", "适龄女童HPV疫苗接种率"}
CARE_ROWS = {"爱心妈妈结对", "婚姻家庭矛盾纠纷排查", "婚姻家庭矛盾纠纷化解"}
EVERY_ROW = 21


def page(client, name, kind="html"):
    return take_file(client, "/admin/reports/", {"report": name, "year": 2024, "format": kind})


def listed(client) -> set[str]:
    return {entry.name for entry in client.get("/admin/reports/").context["reports"]}


def summary_indicators(client, kind="html") -> dict[str, int]:
    response = page(client, "annual_summary", kind)
    assert response.status_code == 200
    if kind == "html":
        rows = response.context["table"].rows
    elif kind == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    else:
        # Below the title row and the header.
        rows = [[cell.value for cell in row] for row in openpyxl.load_workbook(io.BytesIO(response.content)).active][2:]
    return {row[1]: int(row[2]) for row in rows}


@pytest.fixture
def page_only(town):
    """Staff with the report page's permission and no record's."""
    user = UserFactory(username="page-only")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="federation", codename="view_reports"))
    give_scope(user, town, town_wide=True)
    return user


def village_clerk(town, village, username, *roles):
    user = UserFactory(username=username, role=VILLAGE_CLERK)
    for role in roles:
        user.groups.add(Group.objects.get(name=role))
    give_scope(user, town, villages=[village])
    return user


@pytest.fixture
def full_clerk(town, taiba):
    return village_clerk(town, taiba, "taiba-all", HEALTH_RECORDER, CARE_RECORDER)


@pytest.fixture
def health_clerk(town, taiba):
    return village_clerk(town, taiba, "taiba-health", HEALTH_RECORDER)


@pytest.fixture
def care_clerk(town, taiba):
    return village_clerk(town, taiba, "taiba-care", CARE_RECORDER)


def test_every_report_is_classified_and_declares_existing_permissions(db):
    assert set(NAMES) == FEDERATION | POINTS | LEDGERS | CHARITY | HEALTH | CARE | CRAFTS | ORGANIZATION
    declared = {name for entry in REPORTS.values() for name in entry.permissions}
    declared |= {name for _function, permissions in registry.figures.values() for name in permissions}
    existing = {
        f"{app}.{codename}" for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    assert declared - existing == set()  # a misspelt permission would refuse everyone but superusers
    # Only the annual summary needs no record permission (its rows each need theirs).
    assert [name for name in NAMES if not REPORTS[name].permissions] == ["annual_summary"]
    assert all(permissions for _function, permissions in registry.figures.values())
    assert {name for name in NAMES if REPORTS[name].personal} == LEDGERS | DEIDENTIFIED
    assert {name for name in NAMES if REPORTS[name].deidentified} == DEIDENTIFIED


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_the_page_permission_alone_reads_no_records_figures(client_for, page_only, taiba, name, kind):
    response = page(client_for(page_only), name, kind)
    if REPORTS[name].permissions:
        assert response.status_code == 403
        assert not ReportLog.objects.exists()
    else:
        assert response.status_code == 200


def test_the_page_permission_alone_lists_only_the_summary_and_it_has_no_rows(client_for, page_only, taiba):
    client = client_for(page_only)
    assert listed(client) == {"annual_summary"}
    for kind in FORMATS:
        assert summary_indicators(client, kind) == {}  # rows left out, never shown as 0


ROLES = {
    "town_admin": set(NAMES),
    "full_clerk": set(NAMES),
    "clerk": CLERK,
    "health_clerk": CLERK | HEALTH,
    "care_clerk": CLERK | CARE,
    # Her town has not ticked county_takes_deidentified (tests/federation/test_deidentified.py ticks it).
    "county_reader": set(NAMES) - LEDGERS - DEIDENTIFIED,
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_its_reports_and_is_refused_the_others(request, client_for, taiba, role):
    user = request.getfixturevalue(role)
    client = client_for(user)
    readable = ROLES[role]
    assert listed(client) == readable
    for name in NAMES:
        for kind in FORMATS:
            status = page(client, name, kind).status_code
            assert status == (200 if name in readable else 403), (name, kind, status)


def test_the_clerk_without_the_health_role_gets_no_screening_figures(client_for, clerk, county_reader, taiba):
    grow(taiba, 1)  # one woman screened in 太坝
    client = client_for(clerk)
    assert "screening_villages" not in listed(client)
    for kind in FORMATS:
        assert page(client, "screening_villages", kind).status_code == 403
    figures = summary_indicators(client)
    assert not HEALTH_ROWS & set(figures) and not CARE_ROWS & set(figures)
    assert figures["专题培训"] == 0 and "救助特困家庭" in figures  # her own records' rows stay
    assert len(figures) == EVERY_ROW - len(HEALTH_ROWS) - len(CARE_ROWS)
    # The county reader, who opens no health record, reads the figures.
    county = summary_indicators(client_for(county_reader), "csv")
    assert len(county) == EVERY_ROW and county["两癌免费筛查"] == 1


def test_a_care_table_needs_the_care_role(client_for, health_clerk, care_clerk, taiba):
    for name in sorted(CARE):
        assert page(client_for(health_clerk), name).status_code == 403
        assert page(client_for(care_clerk), name).status_code == 200
    assert not CARE_ROWS & set(summary_indicators(client_for(health_clerk)))
    assert CARE_ROWS <= set(summary_indicators(client_for(care_clerk), "xlsx"))


def test_the_command_follows_the_same_rule(clerk, health_clerk, county_reader, taiba, capfd):
    with pytest.raises(CommandError) as raised:
        call_command("county_report", "screening_villages", "--year", "2024", "--user", "taiba")
    assert raised.value.returncode == 2
    assert "taiba" in str(raised.value) and "screening_villages" in str(raised.value)
    call_command("county_report", "--list", "--user", "taiba")
    names = {line.split("\t")[0] for line in capfd.readouterr().out.splitlines()}
    assert names == CLERK
    for username in ("taiba-health", "county"):
        call_command("county_report", "screening_villages", "--year", "2024", "--user", username)
        rows = capfd.readouterr().out.lstrip("\ufeff").splitlines()
        assert rows[1].startswith("太坝村,") and rows[-1].startswith("合计,")
    with pytest.raises(CommandError):
        call_command("county_report", "points_register", "--year", "2024", "--user", "county")
