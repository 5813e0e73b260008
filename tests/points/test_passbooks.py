"""The household passbook (积分存折): a household's year, printed from its page or for the
households ticked in the list, one household a page, in the user's villages only."""

import io
import re
import signal
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from federation.core.models import ImportJob, ReportLog
from federation.models import Household
from points import passbooks
from points.models import PointClaim, PointRule
from points.selectors import passbooks as passbooks_of
from points.services import (
    point_award,
    point_claim_record,
    point_claim_review,
    point_entry_reverse,
    redemption_cancel,
    redemption_create,
)
from tests.factories import MARK_LINE, PURPOSE, HouseholdFactory, PersonFactory, UserFactory, give_scope, pdf_pages

HOUSEHOLDS = "/admin/federation/household/"


@pytest.fixture
def year_of_points(family, rule, deduction, event, soap, oil, town_admin):
    """王大姐's household: 2023 ends at 100; in 2024 +50, −20, and a redemption of 洗衣皂×2 and
    食用油×1 (50); 2025 starts with +50."""
    for day in (date(2023, 3, 1), date(2023, 9, 1)):
        point_award(household=family, rule=rule, day=day, by=town_admin)
    point_award(household=family, rule=rule, day=date(2024, 2, 1), by=town_admin)
    point_award(household=family, rule=deduction, day=date(2024, 3, 1), by=town_admin)
    redemption_create(event=event, household=family, person=family.head, items=[(soap, 2), (oil, 1)], by=town_admin)
    point_award(household=family, rule=rule, day=date(2025, 1, 2), by=town_admin)
    return family


def pdf_text(data: bytes) -> list[str]:
    return pdf_pages(data)


def test_the_passbook_holds_the_year_from_its_opening_balance(year_of_points):
    (book,) = passbooks_of(Household.objects.filter(pk=year_of_points.pk), 2024)
    assert book.opening == 100
    whats = [line.what for line in book.lines]
    assert whats == ["庭院整洁", "乱堆乱放", "洗衣皂×2、食用油×1"]  # nor 2023's nor 2025's
    assert [line.points for line in book.lines] == [50, -20, -50]
    assert [line.balance for line in book.lines] == [150, 130, 80]
    assert (book.earned, book.deducted, book.redeemed, book.closing) == (50, 20, 50, 80)


def test_a_reversal_and_a_cancellation_say_why(family, rule, event, soap, town_admin):
    today = timezone.localdate()
    point_award(household=family, rule=rule, day=date(2024, 2, 1), by=town_admin)
    redemption = redemption_create(event=event, household=family, person=family.head, items=[(soap, 2)], by=None)
    redemption_cancel(redemption=redemption, by=town_admin, reason="记错了户")
    entry = point_award(household=family, rule=rule, day=today, by=town_admin)
    point_entry_reverse(entry=entry, by=town_admin, reason="登记错了")
    (book,) = passbooks_of(Household.objects.filter(pk=family.pk), today.year)
    assert book.opening == 30
    assert [line.points for line in book.lines] == [20, 50, -50]
    assert book.lines[0].what.endswith("：记错了户") and book.lines[2].what.endswith("：登记错了")
    assert (book.earned, book.deducted, book.redeemed, book.closing) == (50, 50, -20, 50)
    assert book.opening + book.earned - book.deducted - book.redeemed == book.closing


def test_a_household_without_lines_carries_its_balance(year_of_points):
    (book,) = passbooks_of(Household.objects.filter(pk=year_of_points.pk), 2026)
    assert book.lines == [] and book.opening == book.closing == 130


def test_the_pdf_names_the_household_and_its_goods(year_of_points):
    data, pages = passbooks.pdf_bytes([year_of_points.pk], 2024, "A5")
    (text,) = pdf_text(data)
    assert pages == 1
    assert "TB-100" in text and "王大姐" in text and "太坝村" in text
    assert "洗衣皂×2、食用油×1" in text and "2024-05-01" in text
    assert "2023-09-01" not in text and "2025-01-02" not in text
    assert "王小妹" not in text  # the head only


def test_each_household_starts_a_page_and_a_long_year_continues(taiba, rule, town_admin):
    households = [HouseholdFactory(village=taiba, number=f"TB-{n:03d}") for n in range(3)]
    for day in range(1, 61):  # 60 lines: more than an A5 page holds
        point_award(household=households[0], rule=rule, day=date(2024, 1 + day // 28, 1 + day % 28), by=town_admin)
    data, pages = passbooks.pdf_bytes([h.pk for h in households], 2024, "A5")
    text = pdf_text(data)
    assert pages == len(text) >= 4
    assert [page for page in text if "TB-000" in page] == text[: pages - 2]  # its pages first
    assert "TB-001" in text[-2] and "TB-002" in text[-1]
    _a4, a4_pages = passbooks.pdf_bytes([h.pk for h in households], 2024, "A4")
    assert a4_pages < pages


def test_the_query_count_does_not_grow_with_the_households(taiba, rule, event, soap, town_admin):
    for n in range(12):
        household = HouseholdFactory(village=taiba, number=f"Q-{n:03d}")
        household.head = PersonFactory(village=taiba, household=household)
        household.save()
        point_award(household=household, rule=rule, day=date(2024, 2, 1), by=town_admin)
        if n < 2:
            redemption_create(event=event, household=household, person=household.head, items=[(soap, 1)], by=None)
    with CaptureQueriesContext(connection) as queries:
        books = passbooks_of(Household.objects.filter(village=taiba), 2024)
        assert sum(len(book.lines) for book in books) == 14 and books[0].lines[-1].what == "洗衣皂×1"
    assert len(queries) <= 4


def test_the_clerk_prints_her_household_from_its_page(client_for, clerk, year_of_points):
    client = client_for(clerk)
    page = client.get(f"{HOUSEHOLDS}{year_of_points.pk}/change/").content.decode()
    url = f"/admin/points/pointentry/passbook/{year_of_points.pk}/"
    assert f'href="{url}"' in page
    form = client.get(url)
    assert form.status_code == 200 and form.context["form"]["size"].initial == "A5"
    response = client.post(url, {"year": 2024, "size": "A4", **PURPOSE})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "TB-100" in pdf_text(response.content)[0]
    for page in PdfReader(io.BytesIO(response.content)).pages:  # each page says who printed it and why
        assert re.search(MARK_LINE, page.extract_text(), re.M) and PURPOSE["detail"] in page.extract_text()
    log = ReportLog.objects.get()
    assert (log.user, log.report, log.format, log.rows) == (clerk, passbooks.LOG_NAME, "pdf", 1)
    assert log.purpose == PURPOSE["detail"]
    assert log.filters == {"year": ["2024"], "size": ["A4"], "household": [str(year_of_points.pk)]}


def test_another_villages_household_is_not_found(client_for, clerk, other_household):
    client = client_for(clerk)
    response = client.post(
        f"/admin/points/pointentry/passbook/{other_household.pk}/", {"year": 2024, "size": "A5", **PURPOSE}
    )
    assert response.status_code == 404 and not ReportLog.objects.exists()


def test_the_passbook_needs_the_ledgers_permission(client_for, town, taiba, family):
    user = UserFactory(username="households-only")
    user.user_permissions.add(Permission.objects.get(codename="view_household"))
    give_scope(user, town, villages=[taiba])
    client = client_for(user)
    assert "passbook" not in client.get(f"{HOUSEHOLDS}{family.pk}/change/").content.decode()
    response = client.post(f"/admin/points/pointentry/passbook/{family.pk}/", {"year": 2024, "size": "A5", **PURPOSE})
    assert response.status_code == 403 and not ReportLog.objects.exists()


def print_action(client, households, **extra):
    data = {"action": "print_passbooks", "_selected_action": [h.pk for h in households], **PURPOSE, **extra}
    return client.post(HOUSEHOLDS, data)


def test_the_list_action_prints_the_ticked_households(client_for, clerk, taiba, year_of_points):
    other = HouseholdFactory(village=taiba, number="TB-200")
    client = client_for(clerk)
    form = print_action(client, [year_of_points, other])
    assert form.status_code == 200 and form.context["count"] == 2
    response = print_action(client, [year_of_points, other], apply="1", year=2024, size="A5")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert len(text) == 2 and "TB-100" in text[0] and "TB-200" in text[1]
    assert ReportLog.objects.get().rows == 2


def test_the_list_action_prints_none_of_another_village(client_for, clerk, family, other_household):
    response = print_action(client_for(clerk), [family, other_household], apply="1", year=2024, size="A5")
    assert len(pdf_text(response.content)) == 1  # the list's own households only


@pytest.fixture
def worker(monkeypatch):
    """`manage.py db_worker --batch`, as tests/core/test_import_background.py runs it."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}

    def run():
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
        for number, handler in saved.items():
            signal.signal(number, handler)

    return run


@pytest.fixture
def files(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "files"


@pytest.mark.usefixtures("files")
def test_a_village_prints_in_the_background(client_for, clerk, taiba, year_of_points, worker, monkeypatch):
    monkeypatch.setattr(passbooks, "BACKGROUND_FROM", 1)
    other = HouseholdFactory(village=taiba, number="TB-200")
    client = client_for(clerk)
    response = print_action(client, [year_of_points, other], apply="1", year=2024, size="A5")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/admin/points/pointentry/passbooks/{job.pk}/"
    assert (job.kind, job.rows_total, job.village, job.user) == ("print", 2, taiba, clerk)
    waiting = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh"' in waiting and "<progress" in waiting
    assert DBTaskResult.objects.get().status == "READY" and not ReportLog.objects.exists()

    worker()
    done = client.get(response["Location"]).content.decode()
    assert "http-equiv" not in done and f"/admin/points/pointentry/passbooks/{job.pk}/file/" in done
    pdf = client.get(f"/admin/points/pointentry/passbooks/{job.pk}/file/")
    assert pdf["Content-Type"] == "application/pdf" and len(pdf_text(pdf.content)) == 2
    log = ReportLog.objects.get()
    assert (log.user, log.rows, log.filters) == (clerk, 2, {"year": ["2024"], "size": ["A5"]})


@pytest.mark.usefixtures("files")
def test_a_print_job_is_its_printers_alone(client_for, clerk, town, taiba, family, worker):
    job = passbooks.start_print(user=clerk, households=[family], year=2024, size="A5", purpose="入户走访")
    worker()
    other = UserFactory(username="taiba2", role="村妇联专干")
    give_scope(other, town, villages=[taiba])
    client = client_for(other)
    assert client.get(f"/admin/points/pointentry/passbooks/{job.pk}/").status_code == 404
    assert client.get(f"/admin/points/pointentry/passbooks/{job.pk}/file/").status_code == 404
    assert not ReportLog.objects.exists()


def test_a_claim_approved_later_takes_its_place_by_date_and_the_balances_follow(db, family, town, rule, town_admin):
    reviewed = PointRule.objects.create(
        town=town, category="family", description="孝老爱亲", points=30, review=PointRule.Review.ONE
    )
    clerk = UserFactory(username="passbook-clerk")
    claim = point_claim_record(household=family, rule=reviewed, day=date(2024, 5, 1), by=clerk)
    point_award(household=family, rule=rule, day=date(2024, 6, 1), by=None)  # written before the claim's line
    point_claim_review(claim=claim, by=town_admin, approve=True)
    assert PointClaim.objects.get().entry.balance_after == 80  # as written
    (book,) = passbooks_of(Household.objects.filter(pk=family.pk), 2024)
    assert [(line.date.month, line.points, line.balance) for line in book.lines] == [(5, 30, 30), (6, 50, 80)]
    assert book.closing == 80


@pytest.mark.parametrize("year", ["99999999999", "0", "abc", "2999"])
def test_a_year_out_of_range_is_a_form_error_and_no_file(client_for, clerk, family, year):
    response = client_for(clerk).post(
        f"/admin/points/pointentry/passbook/{family.pk}/", {"year": year, "size": "A5", **PURPOSE}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors["year"]
    assert not ReportLog.objects.exists()


def test_the_report_log_reads_a_passbook_in_the_users_words(client_for, clerk, town_admin, family):
    client_for(clerk).post(f"/admin/points/pointentry/passbook/{family.pk}/", {"year": 2024, "size": "A5", **PURPOSE})
    page = client_for(town_admin).get("/admin/federation/reportlog/").content.decode()
    assert "积分存折" in page and "纸张大小：A5" in page and ">points_passbook<" not in page
