"""Activities in the township's year (issue 16): an activity held in a village is locked with
that village's approved period; a town-wide one when every village of the town has had the
period approved. And a county reader sees only approved periods' figures when the town says so."""

from datetime import date

import pytest

from federation.core.models import Town
from federation.core.periods import PeriodLocked, holdings
from federation.core.submissions import submission_approve, submission_submit
from federation.models import Activity
from federation.services import activity_delete, activity_save
from tests.factories import ACTIVITY_INLINES, ActivityFactory

MARCH, APRIL = date(2024, 3, 10), date(2024, 4, 10)
LOCKED = "2024年3月（太坝村）已审核锁定"


def approve(village, day, clerk, town_admin):
    return submission_approve(
        submission=submission_submit(village=village, day=day, note="本月无记录", by=clerk), by=town_admin
    )


@pytest.fixture
def march_approved(taiba, clerk, town_admin):
    return approve(taiba, MARCH, clerk, town_admin)


def new_activity(town, day, **fields):
    return Activity(town=town, kind=Activity.Kind.PUBLICITY, title=fields.pop("title", "宣传"), date=day, **fields)


def test_an_activity_of_a_locked_village_month_is_refused(town, taiba, fenghe, march_approved, town_admin):
    with pytest.raises(PeriodLocked, match=LOCKED):
        activity_save(activity=new_activity(town, MARCH), villages=[taiba], by=town_admin)
    assert not Activity.objects.exists()  # the activity saved before its villages is rolled back
    # Another village's March and 太坝's April stay open.
    activity_save(activity=new_activity(town, MARCH, title="冯河"), villages=[fenghe], by=town_admin)
    activity_save(activity=new_activity(town, APRIL, title="四月"), villages=[taiba], by=town_admin)
    assert Activity.objects.count() == 2


def test_a_held_activity_cannot_be_changed_moved_shared_or_deleted(town, taiba, fenghe, clerk, town_admin):
    held = ActivityFactory(town=town, date=MARCH, villages=[taiba])
    shared_later = ActivityFactory(town=town, date=MARCH, villages=[fenghe])
    approve(taiba, MARCH, clerk, town_admin)
    held.title = "改名"
    with pytest.raises(PeriodLocked, match=LOCKED):
        activity_save(activity=held, by=town_admin)
    held.refresh_from_db()
    held.date = APRIL  # out of the locked month
    with pytest.raises(PeriodLocked, match=LOCKED):
        activity_save(activity=held, by=town_admin)
    with pytest.raises(PeriodLocked, match=LOCKED):
        activity_delete(activity=Activity.objects.get(pk=held.pk), by=town_admin)
    with pytest.raises(PeriodLocked, match=LOCKED):  # 太坝 added to 冯河's March activity
        activity_save(activity=shared_later, villages=[fenghe, taiba], by=town_admin)
    assert list(shared_later.villages.all()) == [fenghe]
    assert ("活动", 1) in holdings([taiba.pk], date(2024, 3, 1), date(2024, 3, 31))


def test_a_town_wide_activity_locks_when_every_village_has_approved(town, taiba, fenghe, clerk, town_admin):
    town_wide = ActivityFactory(town=town, date=MARCH)
    approve(taiba, MARCH, clerk, town_admin)
    town_wide.title = "仍可修改"
    activity_save(activity=town_wide, villages=[], by=town_admin)  # 冯河's March is still open
    approve(fenghe, MARCH, town_admin, town_admin)
    town_wide.title = "不可再改"
    with pytest.raises(PeriodLocked, match="2024年3月各村\\(社区\\)台账均已审核锁定"):
        activity_save(activity=town_wide, villages=[], by=town_admin)
    with pytest.raises(PeriodLocked):
        activity_save(activity=new_activity(town, MARCH), villages=[], by=town_admin)


def test_the_activity_form_shows_the_lock_at_the_date_and_saves_nothing(
    client_for, town, taiba, march_approved, town_admin
):
    client = client_for(town_admin)
    response = client.post(
        "/admin/federation/activity/add/",
        {
            "kind": "publicity",
            "title": "三月宣传",
            "date": "2024-03-12",
            "town": town.pk,
            "villages": [taiba.pk],
            "participants": 10,
            "beneficiaries": 0,
            "materials_distributed": 0,
            "consultations": 0,
            "attachments-TOTAL_FORMS": 0,
            "attachments-INITIAL_FORMS": 0,
            **ACTIVITY_INLINES,
        },
    )
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.parametrize("approved_only", [False, True])
def test_a_county_reader_sees_approved_figures_only_when_the_town_says_so(
    client_for, town, taiba, clerk, county_reader, town_admin, approved_only
):
    Town.objects.filter(pk=town.pk).update(county_sees_approved_only=approved_only)
    ActivityFactory(town=town, date=MARCH, villages=[taiba])  # in the month approved below
    ActivityFactory(town=town, date=MARCH)  # town-wide: 太坝, the town's one village, approved March
    ActivityFactory(town=town, date=APRIL, villages=[taiba])  # not submitted yet
    ActivityFactory(town=town, date=APRIL)  # town-wide, April not approved
    approve(taiba, MARCH, clerk, town_admin)

    def publicity(user):
        response = client_for(user).get("/admin/reports/", {"report": "annual_summary", "year": 2024})
        said = "只统计镇妇联已审核期间" in response.content.decode()
        assert said == (approved_only and user == county_reader)
        return {row[1]: row[2] for row in response.context["table"].rows}["宣传活动"]

    assert publicity(county_reader) == (2 if approved_only else 4)
    assert publicity(town_admin) == 4  # the town sees all its records, approved or not
