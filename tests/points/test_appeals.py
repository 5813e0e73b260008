"""Appeals of the points posting (issue 28, item 3): within the posting's window a clerk records
what a household says of a line or of a missing award; the appeal moves 受理 → 核实中 → 维持 /
更正 / 驳回 with its reasons, a correction is a new ledger line that cites the appeal, the
villager's answer prints, open appeals are a work list, and the binder holds their ledger."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone, translation
from pypdf import PdfReader

from federation.core.binder.ledgers import compile_binder
from federation.core.models import ReportLog
from federation.core.registry import registry
from federation.core.reporting import DateRange, ReportScope
from federation.core.roles import POINTS_REVIEWER, VILLAGE_CLERK
from federation.core.submissions import submission_approve, submission_submit
from points.admin import appeal_reminders
from points.models import PointAppeal, PointEntry, PointPosting
from points.services import point_appeal_check, point_appeal_decide, point_appeal_record, point_award
from tests.factories import HouseholdFactory, UserFactory, give_scope, take_file

Status = PointAppeal.Status
MARCH = date(2024, 3, 1)
TODAY = date(2024, 4, 3)  # in March's window, 1–7 April


@pytest.fixture(autouse=True)
def english():
    # The refusals are asserted as written (English msgids): the catalog may not have them yet.
    with translation.override("en"):
        yield


@pytest.fixture
def today(monkeypatch):
    """Set the services' today; `today.set(day)` moves it."""
    real = timezone.localdate

    class Today:
        day = TODAY

        def set(self, day):
            self.day = day

    clock = Today()
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, timezone=None: clock.day if value is None else real(value)
    )
    return clock


@pytest.fixture
def posting(taiba):
    return PointPosting.objects.create(
        village=taiba, month=MARCH, appeal_from=date(2024, 4, 1), appeal_until=date(2024, 4, 7), names="masked"
    )


@pytest.fixture
def lines(family, rule, deduction, clerk):
    """March: the yard award (+50) and a deduction (−20) the household disputes; balance 30."""
    award = point_award(household=family, rule=rule, day=date(2024, 3, 5), by=clerk)
    deducted = point_award(household=family, rule=deduction, day=date(2024, 3, 20), by=clerk)
    return award, deducted


@pytest.fixture
def fenghe_clerk(town, fenghe):
    user = UserFactory(username="fenghe", role=VILLAGE_CLERK)
    give_scope(user, town, villages=[fenghe])
    return user


def record(family, by, *, entry=None, posting=None, statement="我家门前是邻居堆的柴，不是我家的"):
    return point_appeal_record(
        appeal=PointAppeal(household=family, entry=entry, posting=posting, statement=statement), by=by
    )


def balance(household) -> int:
    household.refresh_from_db()
    return household.points_balance


def test_a_disputed_deduction_is_received_checked_and_corrected_by_a_line_that_cites_the_appeal(
    today, posting, family, lines, clerk, town_admin
):
    _award, deducted = lines
    appeal = record(family, clerk, entry=deducted)  # the posting: the one that showed the line
    assert (appeal.posting, appeal.village, appeal.received_on) == (posting, family.village, TODAY)
    assert (appeal.status, appeal.recorded_by) == (Status.RECEIVED, clerk)

    appeal = point_appeal_check(appeal=appeal, by=clerk)
    assert appeal.status == Status.CHECKING
    appeal = point_appeal_decide(
        appeal=appeal, outcome=Status.CORRECTED, reason="核实为邻户堆放，扣分有误", by=town_admin
    )

    assert (appeal.status, appeal.outcome, appeal.decided_by, appeal.decided_on) == (
        Status.CORRECTED,
        "核实为邻户堆放，扣分有误",
        town_admin,
        TODAY,
    )
    line = PointEntry.objects.get(appeal=appeal)
    assert (line.kind, line.points, line.balance_after, line.date, line.rule) == (
        PointEntry.Kind.CORRECTION,
        20,
        50,
        TODAY,
        deducted.rule,
    )
    assert line.note.startswith(f"Appeal #{appeal.pk}: ") and line.recorded_by == town_admin
    assert balance(family) == 50
    # The March lines stay as they were posted.
    assert list(PointEntry.objects.filter(date__month=3).values_list("points", flat=True)) == [-20, 50]
    # Every step is in the history, with who took it.
    steps = appeal.history.order_by("history_id").values_list("status", "history_user")
    assert list(steps) == [(Status.RECEIVED, clerk.pk), (Status.CHECKING, clerk.pk), (Status.CORRECTED, town_admin.pk)]

    with pytest.raises(ValidationError, match="only an appeal being checked is decided"):
        point_appeal_decide(appeal=appeal, outcome=Status.CORRECTED, reason="再次更正", by=town_admin)
    assert PointEntry.objects.filter(appeal=appeal).count() == 1 and balance(family) == 50


def test_a_missing_award_is_corrected_with_the_rules_points(today, posting, family, lines, rule, clerk):
    appeal = record(family, clerk, posting=posting, statement="三月打扫村道没有记分")
    assert appeal.entry is None
    point_appeal_check(appeal=appeal, by=clerk)
    point_appeal_decide(appeal=appeal, outcome=Status.CORRECTED, reason="核实属实，补记", rule=rule, by=clerk)
    line = PointEntry.objects.get(appeal=appeal)
    assert (line.points, line.rule, balance(family)) == (50, rule, 80)


@pytest.mark.parametrize("outcome", [Status.UPHELD, Status.REJECTED])
def test_upheld_or_rejected_needs_its_reasons_and_writes_no_line(today, posting, family, lines, clerk, outcome):
    appeal = point_appeal_check(appeal=record(family, clerk, entry=lines[1]), by=clerk)
    with pytest.raises(ValidationError, match="Give the reasons for the outcome."):
        point_appeal_decide(appeal=appeal, outcome=outcome, reason="  ", by=clerk)
    appeal = point_appeal_decide(appeal=appeal, outcome=outcome, reason="现场照片为该户柴堆", by=clerk)
    assert appeal.status == outcome and not PointEntry.objects.filter(appeal=appeal).exists()
    assert balance(family) == 30


def test_an_appeal_is_decided_only_once_checked(today, posting, family, lines, clerk):
    appeal = record(family, clerk, entry=lines[1])
    with pytest.raises(ValidationError, match="The appeal is received: only an appeal being checked is decided."):
        point_appeal_decide(appeal=appeal, outcome=Status.UPHELD, reason="维持", by=clerk)
    point_appeal_check(appeal=appeal, by=clerk)
    with pytest.raises(ValidationError, match="only a received appeal is taken up for checking"):
        point_appeal_check(appeal=appeal, by=clerk)


@pytest.mark.parametrize("day", [date(2024, 3, 31), date(2024, 4, 8)])
def test_an_appeal_outside_its_window_is_refused(today, posting, family, lines, clerk, day):
    today.set(day)
    with pytest.raises(ValidationError) as refused:
        record(family, clerk, entry=lines[1])
    assert refused.value.messages == [
        f"The posting may be appealed from 2024-04-01 to 2024-04-07: an appeal received on {day} is outside it."
    ]
    assert not PointAppeal.objects.exists()


def test_another_households_line_or_a_line_of_another_month_is_refused(today, posting, family, lines, rule, clerk):
    neighbour = HouseholdFactory(village=family.village, number="TB-101")
    theirs = point_award(household=neighbour, rule=rule, day=date(2024, 3, 6), by=clerk)
    with pytest.raises(ValidationError, match="The line appealed is not of this household."):
        record(family, clerk, entry=theirs, posting=posting)
    april = point_award(household=family, rule=rule, day=date(2024, 4, 2), by=clerk)
    with pytest.raises(ValidationError, match="The line appealed is not on this posting."):
        record(family, clerk, entry=april, posting=posting)
    with pytest.raises(ValidationError, match="Choose the posting the household appeals."):
        record(family, clerk, entry=april)  # April is not posted yet


def test_a_household_of_another_village_and_a_clerk_out_of_scope_are_refused(
    today, posting, family, lines, other_household, fenghe_clerk, clerk, town_admin
):
    with pytest.raises(ValidationError, match="The household is not of the posting's village."):
        record(other_household, town_admin, posting=posting)
    with pytest.raises(ValidationError, match="The appeal is of a village you do not keep."):
        record(family, fenghe_clerk, entry=lines[1])
    appeal = record(family, clerk, entry=lines[1])
    with pytest.raises(ValidationError, match="The appeal is of a village you do not keep."):
        point_appeal_check(appeal=appeal, by=fenghe_clerk)
    point_appeal_check(appeal=appeal, by=clerk)
    with pytest.raises(ValidationError, match="The appeal is of a village you do not keep."):
        point_appeal_decide(appeal=appeal, outcome=Status.CORRECTED, reason="更正", by=fenghe_clerk)
    assert PointAppeal.objects.get().status == Status.CHECKING


def test_a_correction_never_takes_the_balance_below_zero(today, posting, family, lines, deduction, clerk):
    award, _deducted = lines
    point_award(household=family, rule=deduction, day=date(2024, 4, 2), by=clerk)  # balance 10
    appeal = point_appeal_check(appeal=record(family, clerk, entry=award, statement="这条加分记错了户"), by=clerk)
    with pytest.raises(ValidationError, match="Not enough points: 50 needed, the balance is 10."):
        point_appeal_decide(appeal=appeal, outcome=Status.CORRECTED, reason="记错户，扣回", by=clerk)
    appeal.refresh_from_db()
    assert appeal.status == Status.CHECKING and not PointEntry.objects.filter(appeal=appeal).exists()
    with pytest.raises(ValidationError, match="Give the points of the correction"):
        point_appeal_decide(appeal=appeal, outcome=Status.CORRECTED, reason="更正", points=0, by=clerk)


def test_an_approved_month_stays_and_one_holds_its_appeals(today, taiba, posting, family, lines, clerk, town_admin):
    # March approved: its line is corrected in April, and March stays as approved.
    submission_approve(submission=submission_submit(village=taiba, day=MARCH, by=clerk), by=town_admin)
    appeal = point_appeal_check(appeal=record(family, clerk, entry=lines[1]), by=clerk)
    point_appeal_decide(appeal=appeal, outcome=Status.CORRECTED, reason="扣分有误", by=clerk)
    assert PointEntry.objects.get(appeal=appeal).date == TODAY
    assert PointEntry.objects.filter(date__month=3).count() == 2
    # An appeal received on a day of an approved month is refused, as any record of it is.
    february = PointPosting.objects.create(
        village=taiba, month=date(2024, 2, 1), appeal_from=MARCH, appeal_until=date(2024, 3, 7), names="masked"
    )
    today.set(date(2024, 3, 5))
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="2024年3月（太坝村）已审核锁定"):
        record(family, clerk, posting=february, statement="二月少记了分")


# --- The admin ------------------------------------------------------------------------------


def test_the_admin_records_steps_corrects_and_prints_the_answer(
    today, posting, family, lines, clerk, client_for, no_history_middleware
):
    client = client_for(clerk)
    assert client.get("/admin/points/pointappeal/add/").status_code == 200
    response = client.post(
        "/admin/points/pointappeal/add/",
        {"household": family.pk, "posting": posting.pk, "entry": lines[1].pk, "statement": "柴堆是邻居的"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    appeal = PointAppeal.objects.get()
    assert (appeal.status, appeal.recorded_by, appeal.history.get().history_user) == (Status.RECEIVED, clerk, clerk)

    page = client.get(f"/admin/points/pointappeal/{appeal.pk}/change/")
    assert page.status_code == 200 and f"/admin/points/pointappeal/{appeal.pk}/step/" in page.text
    step = f"/admin/points/pointappeal/{appeal.pk}/step/"
    assert client.post(step, {"step": Status.CHECKING}).status_code == 302
    # A decision without its reasons goes back to the form.
    response = client.post(step, {"step": Status.CORRECTED, "reason": ""})
    assert response.status_code == 200 and "请填写处理结果的理由。" in response.text
    assert client.post(step, {"step": Status.CORRECTED, "reason": "核实有误", "points": ""}).status_code == 302

    appeal.refresh_from_db()
    assert appeal.status == Status.CORRECTED and appeal.history.first().history_user == clerk
    assert PointEntry.objects.get(appeal=appeal).points == 20 and balance(family) == 50
    # Decided: read only, no more steps, and the answer prints.
    page = client.get(f"/admin/points/pointappeal/{appeal.pk}/change/")
    assert step not in page.text and f"/admin/points/pointappeal/{appeal.pk}/answer/" in page.text
    assert client.get(step).status_code == 302
    answer = take_file(client, f"/admin/points/pointappeal/{appeal.pk}/answer/")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF") and "no-store" in answer["Cache-Control"]
    (text,) = [page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages]
    for said in ("TB-100", "王大姐", "柴堆是邻居的", "核实有误", "2024-03-20 乱堆乱放 -20", "+20"):
        assert said in text
    log = ReportLog.objects.get(report="export:points.pointappeal")
    assert (log.user, log.filters, log.format, log.rows) == (clerk, {"id": [str(appeal.pk)]}, "pdf", 1)


def test_the_admin_offers_only_postings_open_today(today, posting, family, lines, clerk, client_for):
    today.set(date(2024, 4, 8))
    response = client_for(clerk).post(
        "/admin/points/pointappeal/add/",
        {"household": family.pk, "posting": posting.pk, "entry": lines[1].pk, "statement": "柴堆是邻居的"},
    )
    assert response.status_code == 200 and "posting" in response.context["adminform"].form.errors
    assert not PointAppeal.objects.exists()


def test_another_villages_clerk_and_a_reviewer_cannot_reach_an_appeal(
    today, town, taiba, posting, family, lines, clerk, fenghe_clerk, client
):
    appeal = record(family, clerk, entry=lines[1])
    client.force_login(fenghe_clerk)
    for page in ("change", "step", "answer"):
        assert client.get(f"/admin/points/pointappeal/{appeal.pk}/{page}/").status_code == 404
    reviewer = UserFactory(username="reviewer", role=POINTS_REVIEWER)
    give_scope(reviewer, town, villages=[taiba])
    client.force_login(reviewer)
    assert client.post(f"/admin/points/pointappeal/{appeal.pk}/step/", {"step": Status.CHECKING}).status_code == 403
    assert PointAppeal.objects.get().status == Status.RECEIVED


def test_open_appeals_are_a_work_list_in_her_villages(today, posting, family, lines, clerk, fenghe_clerk, town):
    def count(user):
        request = RequestFactory().get("/admin/")
        request.user = user
        return [row[1] for row in appeal_reminders(request)]

    appeal = record(family, clerk, entry=lines[1])
    assert count(clerk) == [1] and count(fenghe_clerk) == [0]
    reviewer = UserFactory(username="reviewer", role=POINTS_REVIEWER)
    assert count(reviewer) == []
    point_appeal_check(appeal=appeal, by=clerk)
    assert count(clerk) == [1]
    point_appeal_decide(appeal=appeal, outcome=Status.REJECTED, reason="照片为该户柴堆", by=clerk)
    assert count(clerk) == [0]


def test_the_home_page_lists_the_open_appeals(today, posting, family, lines, clerk, client_for):
    record(family, clerk, entry=lines[1])
    reminders = {label: (n, url) for label, n, url in client_for(clerk).get("/admin/").context["reminders"]}
    assert reminders["待办积分申诉"] == (1, "/admin/points/pointappeal/?open=yes")
    page = client_for(clerk).get("/admin/points/pointappeal/?open=yes")
    assert page.status_code == 200 and page.context["cl"].result_count == 1


def test_the_binder_holds_the_appeal_ledger(today, posting, family, lines, rule, clerk, town_admin):
    appeal = point_appeal_check(appeal=record(family, clerk, entry=lines[1]), by=clerk)
    point_appeal_decide(appeal=appeal, outcome=Status.CORRECTED, reason="扣分有误", by=clerk)
    record(family, clerk, posting=posting, statement="三月打扫村道没有记分")

    rs = ReportScope.of_user(town_admin)
    binder = compile_binder(rs, DateRange.year(2024), "站儿巷镇妇联")
    ledger = next(ledger for ledger in binder.ledgers if ledger.section.name == "points_appeals")
    assert registry.binder_sections["points_appeals"].category == "family"
    rows = ledger.tables[0][1].rows
    assert [row[2] for row in rows] == ["TB-100", "TB-100"]
    assert rows[0][4:] == [
        "2024-03-20 乱堆乱放 -20",
        "我家门前是邻居堆的柴，不是我家的",
        "corrected",
        "扣分有误",
        20,
        "2024-04-03",
    ]
    assert rows[1][4:] == ["an award the household says is missing", "三月打扫村道没有记分", "received", "", "", ""]
    # The correction is in the points registration ledger too, naming what it corrects.
    register = registry.reports["points_register"].function(rs, DateRange.year(2024))
    assert [row[5] for row in register.rows if row[0] == "2024-04-03"] == ["Correction after an appeal: 乱堆乱放"]
