"""An approved month holds what it held (issue 24, item 1): every admin action of every
registered admin, the writes that send no signal (a queryset's update, bulk writes), the
services that cancel, reverse or move a case on, and a person or household moving, either are
refused with the locked-month message or leave the approved months' records as they were.

One walk over the demo town (2024 approved through November), each action rolled back
before the next, compares a fingerprint of every approved month before and after."""

import hashlib
from datetime import date

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import RequestFactory

from aid.models import CareVisit, CharityAid, DisputeCase, Pairing
from aid.services import care_visit_save, dispute_resolve, dispute_start_mediation
from federation.core.models import PeriodSubmission, Town, Village
from federation.core.periods import PeriodLocked, unlocked
from federation.core.registry import registry
from federation.models import Household
from federation.services import household_save, person_save
from points.models import PointEntry, Redemption
from points.services import redemption_cancel
from tests.factories import UserFactory

APPROVED = PeriodSubmission.Status.APPROVED


@pytest.fixture
def demo(demo_town, db):
    return Town.objects.get()


def fingerprint() -> dict:
    """For each approved month of each village, a hash of every registered record it holds
    (a query per kind of record: the months are found here)."""
    months = {}
    for village, start, end in PeriodSubmission.objects.filter(status=APPROVED).values_list("village", "start", "end"):
        months.setdefault(village, []).append((start, end))
    prints = {}
    for model, records in registry.period_records.items():
        names = [field.attname for field in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(records.village, records.date, *names)
        for village, day, *values in rows:
            for start, end in months.get(village, ()):
                if start <= day <= end:
                    key = (village, str(start), model._meta.label)
                    prints[key] = hashlib.sha256((prints.get(key, "") + repr(values)).encode()).hexdigest()
    return prints


def changed(before: dict) -> list:
    after = fingerprint()
    return sorted(key for key in before if before[key] != after.get(key))


def locked_records(model, limit=3) -> list[int]:
    """Records of the model in approved months (or any, for a model no month holds)."""
    records = registry.period_records.get(model)
    if records is None:
        return list(model._default_manager.order_by("pk").values_list("pk", flat=True)[:limit])
    submissions = PeriodSubmission.objects.filter(status=APPROVED).order_by("start")
    pks = []
    for submission in submissions:
        pks += records.in_period([submission.village_id], submission.start, submission.end).values_list(
            "pk", flat=True
        )[:limit]
        if len(pks) >= limit:
            break
    return pks[:limit]


def test_every_admin_action_leaves_the_approved_months_as_they_were(demo, client):
    root = UserFactory(username="root-walker", is_superuser=True)
    client.force_login(root)
    request = RequestFactory().get("/admin/")
    request.user = root
    before = fingerprint()
    assert len(before) > 100  # 13 villages × 11 months × every kind of record
    walked = []
    for model, model_admin in admin.site._registry.items():
        actions = model_admin.get_actions(request)
        pks = locked_records(model)
        if not actions or not pks:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for name in actions:
            with transaction.atomic():
                response = client.post(
                    url,
                    {
                        "action": name,
                        "_selected_action": pks,
                        "index": 0,
                        "post": "yes",  # delete_selected's confirmation
                        "apply": "1",  # an action's reason form
                        "reason": "走访核查",
                    },
                )
                assert response.status_code in (200, 302, 403), (model._meta.label, name, response.status_code)
                assert changed(before) == [], (model._meta.label, name)
                transaction.set_rollback(True)
            walked.append(f"{model._meta.label}.{name}")
    # The actions that touch ledgers of approved months are among those walked.
    for action in ("points.Redemption.cancel_redemptions", "points.PointEntry.reverse_entries"):
        assert action in walked
    assert len(walked) >= 15


def test_cancelling_a_redemption_of_an_approved_month_is_refused(demo, client):
    """The 撤销 action on the redemption list cancelled a November redemption: points and
    stock came back and the approved 兑换台账 showed 已撤销."""
    redemption = Redemption.objects.filter(event__date__month=11, event__date__year=2024).first()
    balance = Household.objects.get(pk=redemption.household_id).points_balance
    before = fingerprint()
    with pytest.raises(PeriodLocked, match="已审核锁定"):
        redemption_cancel(redemption=redemption, by=None, reason="重复登记")
    town = UserFactory(username="town-walker", is_superuser=True)
    client.force_login(town)
    response = client.post(
        "/admin/points/redemption/",
        {"action": "cancel_redemptions", "_selected_action": [redemption.pk], "apply": "1", "reason": "重复登记"},
        follow=True,
    )
    assert "已审核锁定" in response.content.decode()
    redemption.refresh_from_db()
    assert redemption.cancelled_at is None
    assert Household.objects.get(pk=redemption.household_id).points_balance == balance
    assert changed(before) == []


def test_a_querysets_update_and_bulk_writes_are_checked_like_a_save(demo):
    november = Redemption.objects.filter(event__date__month=11, event__date__year=2024)
    with pytest.raises(PeriodLocked):
        november.update(cancel_reason="改")
    event = november.first().event
    with pytest.raises(PeriodLocked):
        event.redemptions.update(cancel_reason="改")  # a related manager too
    visit = CareVisit.objects.filter(date__year=2024, date__month__lte=11).first()
    visit.content = "改"
    with pytest.raises(PeriodLocked):
        CareVisit.objects.bulk_update([visit], ["content"])
    line = PointEntry.objects.filter(date__year=2024, date__month=5).first()
    line.pk = None
    with pytest.raises(PeriodLocked):
        PointEntry.objects.bulk_create([line])
    # Records of open months are written as ever.
    december = Redemption.objects.filter(event__date__year=2024, event__date__month=12)
    assert december.exists() and december.update(cancel_reason="") == december.count()


def move(household, village):
    """A family moves to another village: its household, then each member, as the pages do."""
    household.village = village
    household_save(household=household, by=None)
    for person in household.members.all():
        person.village = village
        person_save(person=person, by=None)


def test_moving_a_child_or_a_household_leaves_the_approved_ledgers_as_they_were(demo):
    """Moving a child in care to 冯河 took her 2024 visits out of 太坝's approved visit ledger."""
    before = fingerprint()
    fenghe = Village.objects.get(name="冯河村")
    pairing = Pairing.objects.filter(visits__date__year=2024).exclude(child__village=fenghe).first()
    child = pairing.child
    old_village = child.village_id
    move(child.household, fenghe)
    aid = CharityAid.objects.filter(date__year=2024, date__month__lte=11).exclude(household__village=fenghe).first()
    move(aid.household, fenghe)
    child.refresh_from_db()
    assert changed(before) == []
    assert set(CareVisit.objects.filter(pairing=pairing).values_list("village_id", flat=True)) == {old_village}
    # A visit recorded after the move counts in her new village.
    visit = CareVisit(pairing=pairing, date=date(2024, 12, 20), kind=CareVisit.Kind.CALL, content="电话问候")
    assert care_visit_save(visit=visit).village_id == fenghe.pk


def test_the_next_mediation_step_of_a_case_of_an_approved_month_is_todays_work(demo, client):
    """A step of an older case is the work of the day it is taken: recording it is not a
    change of the month the case was found in, and answers with the page, never a 500."""
    case = DisputeCase.objects.filter(
        found_on__year=2024, found_on__month__lte=11, status=DisputeCase.Status.REGISTERED
    ).first()
    if case is None:  # the demo settles its cases: open one again, as the purge may write
        case = DisputeCase.objects.filter(found_on__year=2024, found_on__month__lte=11).first()
        with unlocked():
            DisputeCase.objects.filter(pk=case.pk).update(
                status=DisputeCase.Status.REGISTERED,
                mediation_started_on=None,
                closed_on=None,
                outcome="",
                transferred_to="",
            )
        case.refresh_from_db()
    before = fingerprint()
    step = dispute_start_mediation(case=case, day=date(2024, 12, 3), by=None)
    assert step.status == DisputeCase.Status.MEDIATING
    # A step dated in an approved month is refused, with the message, on the step's page.
    with pytest.raises(PeriodLocked, match="已审核锁定"):
        dispute_resolve(case=step, day=date(2024, 11, 20), outcome="双方和解", by=None)
    root = UserFactory(username="root-mediator", is_superuser=True)
    client.force_login(root)
    url = f"/admin/aid/disputecase/{case.pk}/step/"
    response = client.post(url, {"step": "resolve", "day": "2024-11-20", "outcome": "双方和解"})
    assert response.status_code == 200
    assert "已审核锁定" in response.content.decode()
    # What the approved months hold is unchanged: the case as found stays in its month.
    assert [key for key in changed(before) if key[2] != "aid.DisputeCase"] == []
