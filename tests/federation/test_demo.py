"""The demo town: its size, its 2024 figures, its users, a second run that changes nothing, and
the current year up to today: work in every month so far and in flight today, each record
stamped on its own day, points earned through the year and a village shelf of goods."""

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.test import RequestFactory
from django.utils import timezone

from aid.models import CareVisit, CharityAid, DisputeCase
from crafts.models import CraftSale
from federation.core.identity import parse_id_number
from federation.core.models import PeriodEvent, PeriodSubmission, Village
from federation.core.roles import (
    CARE_RECORDER,
    COUNTY_READER,
    HEALTH_RECORDER,
    POINTS_REVIEWER,
    TOWN_ADMIN,
    VILLAGE_CLERK,
)
from federation.core.scoping import scope_for
from federation.models import Activity, Honor, Household, Person
from health.models import CancerAidApplication, HPVDeferral, HPVDose, Screening
from points.models import (
    Donation,
    Goods,
    PointAppeal,
    PointClaim,
    PointEntry,
    PointPosting,
    PointRule,
    Redemption,
    RedemptionEvent,
    StockLine,
)

YEAR_2024 = {"date__year": 2024}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo town, seeded once for the module in a transaction rolled back at its end; each
    test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def row_counts():
    """Rows of every model of the project, history included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"federation", "points", "health", "aid", "auth"}
    }


def test_seed_demo_builds_the_town_and_a_second_run_changes_nothing(demo, db):
    first = row_counts()
    call_command("seed_demo", verbosity=0)
    assert row_counts() == first

    villages = Village.objects.filter(town__name="站儿巷镇")
    assert villages.filter(kind=Village.Kind.VILLAGE).count() == 12
    assert villages.filter(kind=Village.Kind.COMMUNITY).count() == 1
    assert 1200 <= Household.objects.count() <= 1400
    assert 4800 <= Person.objects.count() <= 5600
    assert not Household.objects.filter(head__isnull=True).exists()
    for number in Person.objects.order_by("?").values_list("id_number", flat=True)[:200]:
        assert parse_id_number(number).number == number

    # The 思想引领 figures of the seed article, from the records.
    kinds = dict(Activity.objects.filter(**YEAR_2024).values_list("kind").annotate(n=Count("pk")))
    K = Activity.Kind
    assert (kinds[K.PUBLICITY], kinds[K.THEORY_STUDY], kinds[K.SEMINAR], kinds[K.TRAINING]) == (4, 8, 2, 3)
    assert kinds[K.VOLUNTEER] == 6
    legal_villages = Village.objects.filter(activities__kind=K.LEGAL_CONSULTATION, activities__date__year=2024)
    assert legal_villages.distinct().count() == 13
    totals = Activity.objects.filter(**YEAR_2024).aggregate(
        materials=Sum("materials_distributed"), consultations=Sum("consultations")
    )
    assert totals["materials"] > 800 and totals["consultations"] > 50
    volunteer = Activity.objects.filter(kind=K.VOLUNTEER, **YEAR_2024).aggregate(n=Sum("beneficiaries"))
    assert volunteer["n"] > 200
    honoured = set(Honor.objects.filter(year=2024, person__isnull=False).values_list("person_id", flat=True))
    honoured |= set(
        Honor.objects.filter(year=2024, household__isnull=False).values_list("household__head_id", flat=True)
    )
    assert len(honoured) == 18
    assert Activity.objects.exclude(**YEAR_2024).exists()  # other years, for period filters

    # The points supermarket: 142 sessions, 18,510 points, 588 people, and a clean ledger.
    from points.management.commands.points_check import mismatches
    from points.models import Redemption

    redeemed = Redemption.objects.filter(event__date__year=2024, cancelled_at__isnull=True)
    assert redeemed.values("event").distinct().count() == 142
    assert sum(redeemed.values_list("total_points", flat=True)) == 18510
    assert redeemed.values("person").distinct().count() == 588
    assert mismatches() == []

    # HPV coverage needs girls aged 9–14 at the end of 2024.
    girls = Person.objects.filter(
        sex="F", status=Person.Status.RESIDENT, birth_date__gt=date(2009, 12, 31), birth_date__lte=date(2015, 12, 31)
    )
    assert girls.count() >= 100

    # The demo users log in with the documented password, each in their role and scope.
    roles = {
        "town": [TOWN_ADMIN],
        "taiba": [VILLAGE_CLERK, HEALTH_RECORDER, CARE_RECORDER],
        "chair": [POINTS_REVIEWER],
        "county": [COUNTY_READER],
    }
    for username in ["admin", "town", "taiba", "chair", "county"]:
        user = authenticate(RequestFactory().post("/admin/login/"), username=username, password="zhanerxiang-demo")
        assert user is not None and user.is_staff, username
        if username in roles:
            assert sorted(user.groups.values_list("name", flat=True)) == sorted(roles[username])
    taiba = authenticate(RequestFactory().post("/admin/login/"), username="taiba", password="zhanerxiang-demo")
    assert set(Village.objects.filter(pk__in=scope_for(taiba).village_ids).values_list("name", flat=True)) == {"太坝村"}


def local_day(moment) -> date:
    return timezone.localtime(moment).date()


def ended_months(today: date) -> list[int]:
    """The months of this year that have ended by today."""
    return list(range(1, today.month))


# Each kind of dated record, by its date: none lies after the day the demo was loaded.
DATED = [
    (Activity, "date"),
    (PointEntry, "date"),
    (RedemptionEvent, "date"),
    (Screening, "date"),
    (HPVDose, "date"),
    (HPVDeferral, "recorded_on"),
    (CancerAidApplication, "submitted_on"),
    (CareVisit, "date"),
    (DisputeCase, "found_on"),
    (CharityAid, "date"),
    (CraftSale, "date"),
    (Honor, "date"),
    (PeriodSubmission, "end"),
]


def test_the_demo_lives_in_the_current_year_up_to_today(demo, db):
    today = timezone.localdate()
    year, months = today.year, ended_months(today)
    assert year > 2024
    for model, field in DATED:
        assert not model.objects.filter(**{f"{field}__gt": today}).exists(), model
    assert not Activity.objects.filter(date__year=year - 1, kind=Activity.Kind.PUBLICITY).exists()

    def months_of(queryset, field="date"):
        return set(queryset.filter(**{f"{field}__year": year}).values_list(f"{field}__month", flat=True))

    # Something was done in every month of the year so far.
    assert months_of(Activity.objects) >= set(months)
    assert months_of(PointEntry.objects.filter(kind=PointEntry.Kind.AWARD)) >= set(months)
    assert months_of(RedemptionEvent.objects) >= set(months)
    assert months_of(CareVisit.objects) >= set(months[1:])
    assert len(months_of(Redemption.objects, "event__date")) >= len(months) // 2
    assert len(months_of(HPVDose.objects)) >= len(months) // 2
    # 太坝 holds a session today, the newest of its sessions: its clerk redeems there.
    taiba = Village.objects.get(name="太坝村")
    assert RedemptionEvent.objects.filter(village=taiba).latest("date").date == today

    # Work in flight today.
    cases = DisputeCase.objects.filter(found_on__year=year)
    if today >= date(year, 2, 1):
        assert cases.filter(status=DisputeCase.Status.REGISTERED).exists()
        assert cases.filter(status=DisputeCase.Status.MEDIATING).exists()
        assert CancerAidApplication.objects.filter(
            submitted_on__year=year, status=CancerAidApplication.Status.SUBMITTED
        ).exists()
    if today >= date(year, 6, 1):  # an application paid this year was submitted five months ago
        assert cases.filter(status=DisputeCase.Status.RESOLVED).exists()
        assert CancerAidApplication.objects.filter(submitted_on__year=year, status="paid").exists()
        assert CancerAidApplication.objects.filter(submitted_on__year=year, status="approved").exists()

    # The months of this year that have ended: approved up to the month before last; that one
    # returned to 太坝, approved elsewhere; last month submitted by 站儿巷 only, waiting.
    submissions = PeriodSubmission.objects.filter(start__year=year)
    assert not submissions.filter(start__month=today.month).exists()  # the month in flight
    villages = Village.objects.count()
    for month in months:
        of_month = submissions.filter(start__month=month)
        statuses = Counter(of_month.values_list("status", flat=True))
        if month == months[-1]:
            assert of_month.get().village.name == "站儿巷村" and statuses == {"submitted": 1}
        elif month == months[-2]:
            assert statuses == {"approved": villages - 1, "returned": 1}
            assert of_month.get(status="returned").village == taiba and of_month.get(status="returned").comment
        else:
            assert statuses == {"approved": villages}
    # What an approved month holds was written before it was approved.
    for submission in submissions.filter(status="approved"):
        held = [
            PointEntry.objects.filter(village=submission.village, date__range=(submission.start, submission.end)),
            Redemption.objects.filter(
                event__village=submission.village, event__date__range=(submission.start, submission.end)
            ),
            HPVDose.objects.filter(village=submission.village, date__range=(submission.start, submission.end)),
        ]
        for records in held:
            assert not records.filter(recorded_at__gt=submission.reviewed_at).exists(), submission


def test_every_record_is_stamped_on_its_own_day(demo, db):
    """Recorded times and history rows are the records' own days (a 2024 redemption on its
    session's day), never the day the demo was loaded; submissions a few days after their
    month, reviews a few days after that."""
    now = timezone.now()
    stamped = [
        (PointEntry.objects.all(), "date", "recorded_at"),
        (Redemption.objects.all(), "event__date", "recorded_at"),
        (StockLine.objects.filter(redemption__isnull=False), "redemption__event__date", "recorded_at"),
        (Donation.objects.all(), "date", "recorded_at"),
        (HPVDose.objects.all(), "date", "recorded_at"),
        (HPVDeferral.objects.all(), "recorded_on", "recorded_at"),
        (CancerAidApplication.objects.all(), "submitted_on", "recorded_at"),
        (Screening.objects.filter(recheck_date__isnull=True), "date", "recorded_at"),
    ]
    for model in (Activity, RedemptionEvent, CareVisit, CharityAid, CraftSale, HPVDose, Honor):
        stamped.append((model.history.filter(history_type="+"), "date", "history_date"))
    stamped.append((CancerAidApplication.history.filter(status="paid"), "paid_on", "history_date"))
    stamped.append((DisputeCase.history.filter(status="resolved"), "closed_on", "history_date"))
    stamped.append((DisputeCase.history.filter(status="mediating"), "mediation_started_on", "history_date"))
    for queryset, day, stamp in stamped:
        rows = list(queryset.values_list(day, stamp))
        assert rows, queryset.model
        wrong = [(on, at) for on, at in rows if on and local_day(at) != on]
        assert wrong == [], (queryset.model, wrong[:3])
        assert all(at <= now for _on, at in rows)
    # 2024's records were stamped in 2024, not on the day the demo was loaded.
    new_year = datetime(2025, 1, 1, tzinfo=timezone.get_current_timezone())
    for of_2024 in (
        PointEntry.objects.filter(**YEAR_2024),
        Redemption.objects.filter(event__date__year=2024),
        StockLine.objects.filter(recorded_at__lt=new_year),
        Donation.objects.all(),
        HPVDose.objects.filter(**YEAR_2024),
    ):
        assert of_2024.exists() and not of_2024.filter(recorded_at__gte=new_year).exists(), of_2024.model

    for submission in PeriodSubmission.objects.all():
        submitted = local_day(submission.submitted_at)
        assert submission.end < submitted <= submission.end + timedelta(days=7), submission
        if submission.reviewed_at:
            assert submission.submitted_at < submission.reviewed_at <= submission.submitted_at + timedelta(days=7)
        events = dict(submission.events.values_list("action", "created_at"))
        assert events["submitted"] == submission.submitted_at
        if submission.status != PeriodSubmission.Status.SUBMITTED:
            assert events[submission.status] == submission.reviewed_at
    assert PeriodEvent.objects.filter(created_at__year=2024).exists()
    # The registry and the staff as the town had them at the start of 2024.
    assert {local_day(at) for at in get_user_model().objects.values_list("date_joined", flat=True)} == {
        date(2024, 1, 2)
    }
    for history in (Household.history, Person.history):
        days = {local_day(at) for at in history.values_list("history_date", flat=True)}
        assert min(days) == date(2024, 1, 2) and max(days) <= date(2024, 12, 31)


def test_points_are_earned_through_the_year_and_the_shelf_holds_tens(demo, db):
    awards = PointEntry.objects.filter(kind=PointEntry.Kind.AWARD)
    by_month = dict(awards.filter(**YEAR_2024).values_list("date__month").annotate(points=Sum("points")))
    by_day = Counter(dict(awards.filter(**YEAR_2024).values_list("date").annotate(points=Sum("points"))))
    year_total = sum(by_month.values())
    assert len(by_month) == 12 and max(by_month.values()) < year_total / 5
    assert by_day.most_common(1)[0][1] < year_total / 20  # no day of awards for the year
    today = timezone.localdate()
    if today >= date(today.year, 2, 1):  # a month of the villages' inspections
        assert awards.filter(date__year=today.year).values("household").distinct().count() > 100

    # Each household's ledger read in date order: every line's balance follows from the one before.
    balances = defaultdict(int)
    for household, points, after in PointEntry.objects.order_by("date", "pk").values_list(
        "household", "points", "balance_after"
    ):
        balances[household] += points
        assert balances[household] == after >= 0
    assert dict(Household.objects.filter(pk__in=balances).values_list("pk", "points_balance")) == balances

    # A village shelf: tens of each goods, bought in before the sessions that need them (read in
    # the order recorded, each stock line's stock follows from the one before, never below zero).
    assert max(Goods.objects.values_list("stock", flat=True)) <= 150
    stock = defaultdict(int)
    for goods, change, after in StockLine.objects.order_by("recorded_at", "pk").values_list(
        "goods", "change", "stock_after"
    ):
        stock[goods] += change
        assert stock[goods] == after and 0 <= after <= 200
    restocks = StockLine.objects.filter(kind=StockLine.Kind.RESTOCK)
    if today >= date(today.year, 7, 1):  # bought in this year for this year's sessions
        assert restocks.filter(
            recorded_at__gte=datetime(today.year, 1, 1, tzinfo=timezone.get_current_timezone())
        ).exists()
    assert max(restocks.values_list("change", flat=True)) <= 100


def test_the_supermarket_runs_in_the_open(demo, db):
    """Rules of each kind; today's claims approved, returned and waiting for the chair and the
    town; 太坝's posted month with one appeal upheld and one corrected by a line citing it."""
    rules = PointRule.objects.all()
    assert {rule.review for rule in rules} == set(PointRule.Review.values)
    assert rules.filter(evidence_required=True).exists() and rules.filter(cap__isnull=False).exists()
    claims = PointClaim.objects.all()
    assert set(claims.values_list("status", flat=True)) == set(PointClaim.Status.values)
    approved = claims.filter(status=PointClaim.Status.APPROVED)
    assert all(claim.entry.recorded_by.username == "taiba" for claim in approved)
    assert approved.filter(second_reviewed_by__username="town", reviewed_by__username="chair").exists()
    chair = get_user_model().objects.get(username="chair")
    assert chair.person.village.name == "太坝村" and chair.has_perm("points.review_pointclaim")

    posting = PointPosting.objects.get()
    assert posting.village.name == "太坝村" and posting.rows
    outcomes = dict(PointAppeal.objects.values_list("status", "posting_id"))
    assert outcomes == {PointAppeal.Status.UPHELD: posting.pk, PointAppeal.Status.CORRECTED: posting.pk}
    corrected = PointAppeal.objects.get(status=PointAppeal.Status.CORRECTED)
    assert corrected.entries.get().kind == PointEntry.Kind.CORRECTION
