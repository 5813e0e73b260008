"""The township's year (issue 16): a village submits a month, the town approves or returns
it, and an approved period is locked for every write until reopened with a reason."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from federation.core.dates import period_label, period_of
from federation.core.models import PeriodEvent, PeriodSubmission, Town
from federation.core.periods import PeriodLocked, holdings, unlocked
from federation.core.submissions import submission_approve, submission_reopen, submission_return, submission_submit
from health.models import Screening
from health.services import health_record_delete, health_record_save
from points.models import PointEntry, PointRule
from points.services import point_award, point_entry_reverse
from tests.factories import HouseholdFactory, PersonFactory

MARCH = date(2024, 3, 10)
LOCKED = "2024年3月（太坝村）已审核锁定"


@pytest.fixture
def rule(town):
    return PointRule.objects.create(town=town, category=PointRule.Category.SANITATION, description="庭院整洁", points=5)


@pytest.fixture
def household(taiba):
    household = HouseholdFactory(village=taiba)
    household.head = PersonFactory(village=taiba, household=household)
    household.save()
    return household


@pytest.fixture
def approved(taiba, clerk, town_admin):
    submission = submission_submit(village=taiba, day=MARCH, note="三月台账", by=clerk)
    return submission_approve(submission=submission, by=town_admin)


def test_a_period_is_the_towns_month_or_quarter(town):
    assert period_of(Town.SubmissionPeriod.MONTH, date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_of(Town.SubmissionPeriod.QUARTER, date(2024, 5, 31)) == (date(2024, 4, 1), date(2024, 6, 30))
    assert period_label(date(2024, 3, 1), date(2024, 3, 31)) == "2024年3月"
    assert period_label(date(2024, 10, 1), date(2024, 12, 31)) == "2024年第4季度"


def test_submit_return_submit_again_approve_reopen_each_logged(taiba, clerk, town_admin):
    submission = submission_submit(village=taiba, day=MARCH, note="三月台账", by=clerk)
    assert (submission.start, submission.end, submission.status) == (date(2024, 3, 1), date(2024, 3, 31), "submitted")
    with pytest.raises(ValidationError, match="已报送"):
        submission_submit(village=taiba, day=date(2024, 3, 20), note="本月无记录", by=clerk)
    submission = submission_return(submission=submission, comment="缺少走访记录", by=town_admin)
    assert (submission.status, submission.comment) == ("returned", "缺少走访记录")
    submission = submission_submit(village=taiba, day=MARCH, note="已补齐", by=clerk)
    submission = submission_approve(submission=submission, by=town_admin)
    submission = submission_reopen(submission=submission, reason="补录一户积分", by=town_admin)
    assert submission.status == "reopened"
    log = list(PeriodEvent.objects.values_list("action", "text", "user__username"))
    assert log == [
        ("submitted", "三月台账", "taiba"),
        ("returned", "缺少走访记录", "town"),
        ("submitted", "已补齐", "taiba"),
        ("approved", "", "town"),
        ("reopened", "补录一户积分", "town"),
    ]


def test_who_may_move_a_submission(taiba, fenghe, clerk, town_admin):
    with pytest.raises(ValidationError, match="不是您负责的村"):
        submission_submit(village=fenghe, day=MARCH, note="本月无记录", by=clerk)
    submission = submission_submit(village=taiba, day=MARCH, note="本月无记录", by=clerk)
    with pytest.raises(ValidationError, match="镇妇联管理员"):
        submission_approve(submission=submission, by=clerk)
    with pytest.raises(ValidationError, match="退回的原因"):
        submission_return(submission=submission, comment=" ", by=town_admin)
    with pytest.raises(ValidationError, match="只有已审核"):
        submission_reopen(submission=submission, reason="x", by=town_admin)
    with pytest.raises(ValidationError, match="尚未结束"):
        submission_submit(village=taiba, day=timezone.localdate(), note="本月无记录", by=clerk)


def test_every_write_into_an_approved_period_is_refused_naming_it(approved, taiba, household, rule, clerk):
    with pytest.raises(PeriodLocked, match=LOCKED):
        point_award(household=household, rule=rule, day=MARCH, by=clerk)
    assert not PointEntry.objects.exists()
    household.refresh_from_db()
    assert household.points_balance == 0  # the balance moved back with the refused line
    april = point_award(household=household, rule=rule, day=date(2024, 4, 1), by=clerk)
    with pytest.raises(PeriodLocked, match=LOCKED):  # moved into the period
        april.date = MARCH
        april.save()
    screening = health_record_save(
        record=Screening(person=household.head, date=date(2024, 2, 28), institution="县妇幼"), by=None
    )
    screening.date = MARCH
    with pytest.raises(PeriodLocked):
        health_record_save(record=screening, by=None)


def test_a_record_in_the_period_cannot_be_changed_deleted_or_reversed(taiba, household, rule, clerk, town_admin):
    line = point_award(household=household, rule=rule, day=MARCH, by=clerk)
    screening = health_record_save(record=Screening(person=household.head, date=MARCH, institution="县妇幼"), by=None)
    submission_approve(
        submission=submission_submit(village=taiba, day=MARCH, note="本月无记录", by=clerk), by=town_admin
    )
    with pytest.raises(PeriodLocked, match=LOCKED):
        point_entry_reverse(entry=line, by=clerk, reason="记错")
    with pytest.raises(PeriodLocked, match=LOCKED):
        health_record_delete(record=screening, by=None)
    screening.institution = "乡卫生院"
    with pytest.raises(PeriodLocked, match=LOCKED):
        health_record_save(record=screening, by=None)
    screening.date = date(2024, 4, 2)  # out of the period is a change of it too
    with pytest.raises(PeriodLocked, match=LOCKED):
        health_record_save(record=screening, by=None)
    assert Screening.objects.get().institution == "县妇幼"


def test_the_database_keeps_the_ledger_out_of_an_approved_period(approved, household, rule):
    line = PointEntry(household=household, village=household.village, rule=rule, kind="award", points=5)
    line.balance_after, line.date = 5, MARCH
    with pytest.raises(PeriodLocked):
        PointEntry.objects.bulk_create([line])  # no signal: the queryset's own check refuses it
    with pytest.raises(IntegrityError), transaction.atomic(), unlocked():
        PointEntry.objects.bulk_create([line])  # and past it, the trigger
    line.date = date(2024, 4, 1)
    PointEntry.objects.bulk_create([line])
    with pytest.raises(PeriodLocked):
        PointEntry.objects.filter(pk=line.pk).update(date=MARCH)
    with pytest.raises(IntegrityError), transaction.atomic(), unlocked():
        PointEntry.objects.filter(pk=line.pk).update(date=MARCH)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO points_pointentry (household_id, village_id, kind, points, balance_after, date, note, "
            "recorded_at) VALUES (%s, %s, 'award', 5, 5, %s, '', %s)",
            [household.pk, household.village_id, MARCH, "2024-03-10 00:00:00+08"],
        )


def test_reopening_lets_the_period_be_mended(approved, household, rule, clerk, town_admin):
    submission_reopen(submission=approved, reason="补录", by=town_admin)
    point_award(household=household, rule=rule, day=MARCH, by=clerk)
    submission = submission_submit(village=household.village, day=MARCH, note="本月无记录", by=clerk)
    assert submission.pk == approved.pk and submission.status == "submitted"
    assert ("积分登记台账", 1) in holdings([household.village_id], submission.start, submission.end)


def test_other_villages_and_periods_stay_open(approved, fenghe, rule, clerk, town_admin):
    other = HouseholdFactory(village=fenghe)
    point_award(household=other, rule=rule, day=MARCH, by=town_admin)
    assert PeriodSubmission.objects.get().status == "approved"


def test_the_demo_town_has_2024_approved_through_november_and_december_submitted(db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # a second run writes into its own locked year: nothing changes
    submissions = PeriodSubmission.objects.filter(start__year=2024)
    villages = submissions.values("village").distinct().count()
    assert villages == 13 and submissions.count() == 13 * 12
    assert set(submissions.filter(start__month__lte=11).values_list("status", flat=True)) == {"approved"}
    assert set(submissions.filter(start__month=12).values_list("status", flat=True)) == {"submitted"}
    taiba = submissions.get(village__name="太坝村", start=date(2024, 6, 1))
    assert (taiba.submitted_by.username, taiba.reviewed_by.username) == ("taiba", "town")
    assert PeriodEvent.objects.filter(submission=taiba).count() == 2
