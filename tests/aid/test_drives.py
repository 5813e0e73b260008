"""Charity drives (99公益日 · 家家幸福一元捐, issue 16): the money raised, and the aid it paid
for, never more than it raised."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext

from aid.models import CharityAid, CharityDrive
from aid.services import charity_aid_save, charity_drive_save
from federation.core.periods import PeriodLocked
from federation.core.registry import registry
from federation.core.reporting import DateRange, ReportScope
from federation.core.roles import VILLAGE_CLERK
from federation.core.submissions import submission_approve, submission_submit
from tests.aid.conftest import NO_FILES
from tests.factories import UserFactory, give_scope

SEPTEMBER = date(2024, 9, 9)


def zh(msgid: str, **params) -> str:
    """A message as the user reads it (the zh_Hans catalog)."""
    with translation.override("zh-hans"):
        text = gettext(msgid)
    return text % params if params else text


def drive(town, village=None, raised="1000", by=None, start=date(2024, 9, 7), **fields):
    return charity_drive_save(
        drive=CharityDrive(
            town=town,
            village=village,
            name=fields.pop("name", "99公益日"),
            kind=fields.pop("kind", CharityDrive.Kind.GIVING_DAY),
            start=start,
            raised=Decimal(raised),
            donors=fields.pop("donors", 30),
            **fields,
        ),
        by=by,
    )


def aid(household, paid_from, amount, day=SEPTEMBER, by=None):
    return charity_aid_save(
        aid=CharityAid(
            household=household, date=day, drive="", charity_drive=paid_from, amount=Decimal(amount), reason="因病"
        ),
        by=by,
    )


@pytest.fixture
def fenghe_clerk(town, fenghe):
    user = UserFactory(username="fenghe", role=VILLAGE_CLERK)
    give_scope(user, town, villages=[fenghe])
    return user


def test_aid_paid_from_a_drive_names_it_and_spends_no_more_than_it_raised(town, own_household, other_household):
    giving_day = drive(town, raised="1000")
    first = aid(own_household, giving_day, "600")
    assert (first.drive, first.charity_drive) == ("99公益日", giving_day)
    with pytest.raises(ValidationError) as error:
        aid(other_household, giving_day, "500")
    assert error.value.messages == [
        zh(
            "%(drive)s raised %(raised)s yuan and has paid %(spent)s yuan of aid: %(left)s yuan is left, "
            "not enough for %(amount)s yuan.",
            drive="99公益日",
            raised=Decimal("1000.00"),
            spent=Decimal("600.00"),
            left=Decimal("400.00"),
            amount=Decimal("500.00"),
        )
    ]
    aid(other_household, giving_day, "400")  # to the last yuan
    first.amount = Decimal("601")  # a change counts the aid once, at its new amount
    with pytest.raises(ValidationError):
        charity_aid_save(aid=first)
    assert CharityAid.objects.filter(charity_drive=giving_day).count() == 2


def test_a_drive_pays_its_own_village_after_it_started_and_never_raises_less(
    town, taiba, own_household, other_household
):
    taiba_drive = drive(town, taiba, raised="800", name="太坝村一元捐", kind=CharityDrive.Kind.ONE_YUAN)
    with pytest.raises(ValidationError) as error:
        aid(other_household, taiba_drive, "100")
    assert error.value.messages == [
        zh("%(drive)s raised money for %(village)s only.", drive="太坝村一元捐", village="太坝村")
    ]
    with pytest.raises(ValidationError) as error:
        aid(own_household, taiba_drive, "100", day=date(2024, 9, 1))
    assert error.value.messages == [zh("The aid is dated before the drive started (%(start)s).", start="2024-09-07")]
    aid(own_household, taiba_drive, "500")
    taiba_drive.raised = Decimal("499.99")
    with pytest.raises(ValidationError) as error:
        charity_drive_save(drive=taiba_drive)
    assert error.value.messages == [
        zh("The drive has paid %(spent)s yuan of aid already: it cannot have raised less.", spent=Decimal("500.00"))
    ]
    taiba_drive.village = None  # its aid stays with the households it paid
    taiba_drive.raised = Decimal("800")
    charity_drive_save(drive=taiba_drive)


def test_the_database_keeps_the_amount_raised_not_negative_and_the_end_after_the_start(town):
    giving_day = drive(town)
    with pytest.raises(ValidationError) as error:
        drive(town, raised="-1")
    assert error.value.messages == [zh("The amount raised cannot be negative.")]
    with pytest.raises(ValidationError) as error:
        drive(town, end=date(2024, 9, 1))
    assert error.value.messages == [zh("The drive ends before it starts.")]
    with pytest.raises(IntegrityError), transaction.atomic():
        CharityDrive.objects.filter(pk=giving_day.pk).update(raised=Decimal("-0.01"))


def test_a_clerk_records_her_villages_drive_and_not_the_towns(town, taiba, fenghe, clerk, town_admin):
    with pytest.raises(ValidationError) as error:
        drive(town, by=clerk)
    assert error.value.messages == [zh("Choose your village: a town-wide drive is the town's to record.")]
    with pytest.raises(ValidationError) as error:
        drive(town, fenghe, by=clerk)
    assert error.value.messages == [zh("The drive is of a village you do not keep.")]
    ours = drive(town, taiba, by=clerk)
    assert ours.recorded_by == clerk and ours.history.get().history_user == clerk
    towns = drive(town, by=town_admin)
    towns.note = "改"
    with pytest.raises(ValidationError):
        charity_drive_save(drive=towns, by=clerk)


def test_a_locked_period_refuses_a_villages_drive(town, taiba, clerk, town_admin):
    march = drive(town, taiba, by=clerk, start=date(2024, 3, 8), name="三八一元捐")
    submission_approve(
        submission=submission_submit(village=taiba, day=date(2024, 3, 8), note="本月无记录", by=clerk), by=town_admin
    )
    march.raised = Decimal("2000")
    with pytest.raises(PeriodLocked, match="2024年3月（太坝村）已审核锁定"):
        charity_drive_save(drive=march, by=town_admin)
    with pytest.raises(PeriodLocked):
        drive(town, taiba, by=clerk, start=date(2024, 3, 20))
    drive(town, by=town_admin, start=date(2024, 3, 20))  # a town-wide drive is in no village's period


def test_the_drive_page_shows_the_aid_it_paid_for_and_what_is_left(client_for, town, taiba, town_admin, own_household):
    giving_day = drive(town, raised="1000")
    aid(own_household, giving_day, "600")
    client = client_for(town_admin)
    page = client.get(f"/admin/aid/charitydrive/{giving_day.pk}/change/").content.decode()
    assert "因病" in page and "600.00" in page and "400.00" in page
    listing = client.get("/admin/aid/charitydrive/").content.decode()
    assert "99公益日" in listing and "400.00" in listing
    form = {
        "household": own_household.pk,
        "date": "2024-09-09",
        "drive": "",
        "charity_drive": giving_day.pk,
        "amount": "500",
        "goods": "",
        "reason": "因病",
        **NO_FILES,
    }
    response = client.post("/admin/aid/charityaid/add/", form)
    # Refused on the form, with what was typed kept: 400 yuan left.
    assert response.status_code == 200
    errors = [error for errors in response.context["adminform"].form.errors.values() for error in errors]
    assert any(error.startswith("99公益日") for error in errors), errors
    assert CharityAid.objects.count() == 1
    response = client.post("/admin/aid/charityaid/add/", form | {"amount": "400"})
    assert response.status_code == 302
    assert CharityAid.objects.get(amount=400).drive == "99公益日"
    response = client.post("/admin/aid/charityaid/add/", form | {"charity_drive": "", "amount": "1"})
    assert response.status_code == 200 and zh("Name the drive, or choose the recorded drive that paid for it.") in (
        response.content.decode()
    )


def test_another_villages_clerk_gets_404_and_a_clerk_reads_the_towns_drive(
    client_for, town, taiba, clerk, fenghe_clerk, town_admin
):
    ours = drive(town, taiba, by=clerk, name="太坝村一元捐")
    towns = drive(town, by=town_admin)
    client = client_for(clerk)
    assert client.get(f"/admin/aid/charitydrive/{ours.pk}/change/").status_code == 200
    assert client.get("/admin/aid/charitydrive/add/").status_code == 200
    page = client.get(f"/admin/aid/charitydrive/{towns.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
    client = client_for(fenghe_clerk)
    for page in ("change", "history"):
        assert client.get(f"/admin/aid/charitydrive/{ours.pk}/{page}/").status_code == 404
    assert ours not in client.get("/admin/aid/charitydrive/").context["cl"].queryset


def test_the_demo_towns_drives_and_the_aid_they_paid_for(db):
    call_command("seed_demo", verbosity=0)
    assert CharityAid.objects.filter(charity_drive__isnull=False).count() == 6
    rs = ReportScope.of_user(UserFactory(username="root", is_superuser=True))
    table = registry.reports["charity_drives"].function(rs, DateRange.year(2024))
    assert registry.reports["charity_drives"].personal is False
    assert [[row[0], row[3], row[4], *row[5:]] for row in table.rows[:-1]] == [
        ["家家幸福一元捐", "2024-03-08", "", Decimal("3245.00"), 3245, 2, Decimal("1100.00"), Decimal("2145.00")],
        ["99公益日", "2024-09-07", "2024-09-09", Decimal("12860.00"), 326, 4, Decimal("5300.00"), Decimal("7560.00")],
    ]
    assert table.rows[-1][5:] == [Decimal("16105.00"), 3571, 6, Decimal("6400.00"), Decimal("9705.00")]
    # The aid is the seed article's still: six households aided.
    summary = {row[1]: row[2] for row in registry.reports["annual_summary"].function(rs, DateRange.year(2024)).rows}
    assert summary["救助特困家庭"] == 6
