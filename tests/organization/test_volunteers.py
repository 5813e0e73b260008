"""Volunteer teams, volunteers and the hours they served: the services' rules, the hours on the
activity's page, the lock of approved months, the admin lists, the reports and the demo."""

import time
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from federation.core.exporting import can_see_identity
from federation.core.identity import mask_id_number
from federation.core.registry import registry
from federation.core.reporting import DateRange, ReportScope, summary_figures
from federation.core.submissions import submission_approve, submission_submit
from federation.models import Activity, Person
from organization import demo
from organization.models import ActivityVenue, Venue, Volunteer, VolunteerHours, VolunteerTeam
from organization.services import volunteer_leave, volunteer_save
from tests.factories import ActivityFactory, PersonFactory, TownFactory, VillageFactory
from tests.organization.factories_vol import DAY, enrol, make_team, serve, volunteer_activity
from tests.organization.test_venues import activity_form


@pytest.fixture
def taiba_women(taiba):
    return [PersonFactory(village=taiba, name=name) for name in ("李秀英", "王丽娟", "张芳")]


@pytest.fixture
def teams(town, taiba, fenghe):
    return {"town": make_team(town), "taiba": make_team(town, taiba), "fenghe": make_team(town, fenghe)}


@pytest.fixture
def volunteers(teams, taiba_women, fenghe):
    return {
        "li": enrol(teams["taiba"], taiba_women[0]),
        "wang": enrol(teams["taiba"], taiba_women[1]),
        "town": enrol(teams["town"], taiba_women[2]),
        "feng": enrol(teams["fenghe"], PersonFactory(village=fenghe, name="冯桂兰")),
    }


@pytest.fixture
def taiba_activity(town, taiba):
    return volunteer_activity(town, [taiba], title="“六一”关爱留守儿童")


def refused(call) -> dict:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict if hasattr(error.value, "error_dict") else {"__all__": error.value.messages}


def approve(village, day, clerk, town_admin):
    submission_approve(submission=submission_submit(village=village, day=day, note="", by=clerk), by=town_admin)


# --- services -----------------------------------------------------------------------------


def test_teams_are_kept_as_venues_are(town, taiba, fenghe, clerk, town_admin):
    team = make_team(town, taiba, by=clerk)
    assert team.recorded_by == clerk and team.history.get().history_user == clerk
    errors = refused(lambda: make_team(town, by=clerk))
    assert errors["village"] == [_("Choose your village: the town's federation's records are the town's.")]
    errors = refused(lambda: make_team(town, fenghe, by=clerk))
    assert errors["village"] == [_("This is a village you do not keep.")]
    errors = refused(lambda: make_team(town, taiba, name=team.name, by=town_admin))
    assert _("The town has a volunteer team of this name already.") in str(errors)
    assert make_team(town, by=town_admin).village is None


def test_a_volunteer_lives_in_her_teams_village_and_is_on_it_once(town, teams, taiba_women, fenghe, clerk):
    li = enrol(teams["taiba"], taiba_women[0], by=clerk)
    assert li.recorded_by == clerk
    errors = refused(lambda: enrol(teams["taiba"], taiba_women[0], by=clerk))
    assert _("She is on this team already.") in str(errors)
    stranger = PersonFactory(village=fenghe, name="冯外人")
    errors = refused(lambda: enrol(teams["taiba"], stranger, by=clerk))
    assert errors["person"] == [
        _("%(name)s lives in %(village)s, not in the team's village.") % {"name": "冯外人", "village": "冯河村"}
    ]
    # The town's team takes women of any village of the town, not of another town.
    assert enrol(teams["town"], stranger).team == teams["town"]
    outsider = PersonFactory(village=VillageFactory(town=TownFactory(name="别的镇"), name="外镇村"), name="外镇人")
    errors = refused(lambda: enrol(teams["town"], outsider))
    assert errors["person"] == [_("%(name)s does not live in the team's town.") % {"name": "外镇人"}]
    # The clerk keeps her village's team only.
    errors = refused(lambda: enrol(teams["fenghe"], stranger, by=clerk))
    assert errors["village"] == [_("This is a village you do not keep.")]
    errors = refused(
        lambda: enrol(teams["taiba"], taiba_women[1], joined_on=date(2024, 3, 1), left_on=date(2024, 2, 1))
    )
    assert _("She left before she joined.") in str(errors)
    assert Volunteer.objects.count() == 2


def test_hours_keep_the_activitys_day_and_the_teams_village(taiba, clerk, volunteers, taiba_activity):
    hours = serve(taiba_activity, volunteers["li"], "3.5", by=clerk, note="带队")
    assert (hours.date, hours.village, hours.recorded_by, hours.hours) == (DAY, taiba, clerk, Decimal("3.5"))
    assert serve(taiba_activity, volunteers["town"]).village is None  # the town's team's hours are the town's
    errors = refused(lambda: serve(taiba_activity, volunteers["li"]))
    assert _("Her hours at this activity are recorded already.") in str(errors)


@pytest.mark.parametrize("given", ["0", "-1", "24.5", "30"])
def test_hours_are_more_than_nothing_and_at_most_a_day(volunteers, taiba_activity, given):
    errors = refused(lambda: serve(taiba_activity, volunteers["li"], given))
    assert errors["hours"] == [_("Hours are more than 0 and at most 24.")]
    assert not VolunteerHours.objects.exists()


def test_hours_are_refused_off_the_team_and_out_of_sight(town, fenghe, clerk, volunteers, taiba_activity):
    late = volunteer_activity(town, [taiba_activity.villages.get()], date=date(2023, 12, 1))
    errors = refused(lambda: serve(late, volunteers["li"]))
    assert errors["volunteer"] == [
        _("%(name)s was not on %(team)s on %(date)s.")
        % {"name": "李秀英", "team": "太坝村巾帼志愿服务队", "date": "2023-12-01"}
    ]
    theirs = volunteer_activity(town, [fenghe])
    errors = refused(lambda: serve(theirs, volunteers["li"], by=clerk))
    assert errors["activity"] == [_("The activity is not one of your villages'.")]
    errors = refused(lambda: serve(taiba_activity, volunteers["feng"], by=clerk))
    assert errors["volunteer"] == [_("The volunteer is not of a team you see.")]
    assert not VolunteerHours.objects.exists()


def test_she_leaves_after_her_last_hours(volunteers, taiba_activity):
    serve(taiba_activity, volunteers["li"])
    li = volunteers["li"]
    errors = refused(lambda: volunteer_leave(volunteer=li, day=date(2024, 5, 1)))
    assert errors["left_on"] == [_("She served on %(date)s, after that day.") % {"date": "2024-05-10"}]
    li.refresh_from_db()
    assert volunteer_leave(volunteer=li, day=date(2024, 6, 30)).left_on == date(2024, 6, 30)
    # On a team she stays with her hours: another team is a new entry.
    li.team = volunteers["town"].team
    assert refused(lambda: volunteer_save(volunteer=li))["__all__"] == [
        _("She has hours on record with this team: record a new entry instead.")
    ]


def test_hours_follow_their_activitys_day_but_not_out_of_an_approved_month(
    taiba, clerk, town_admin, volunteers, taiba_activity
):
    serve(taiba_activity, volunteers["li"])
    taiba_activity.date = date(2024, 6, 2)
    taiba_activity.save()
    assert VolunteerHours.objects.get().date == date(2024, 6, 2)
    approve(taiba, date(2024, 6, 1), clerk, town_admin)
    taiba_activity.date = date(2024, 7, 2)
    with pytest.raises(ValidationError):
        taiba_activity.save()
    assert VolunteerHours.objects.get().date == date(2024, 6, 2)
    # Nor recorded or removed in it.
    with pytest.raises(ValidationError):
        serve(Activity.objects.get(pk=taiba_activity.pk), volunteers["wang"])
    with pytest.raises(ValidationError):
        VolunteerHours.objects.get().delete()


# --- the activity's page ------------------------------------------------------------------


def hours_rows(*rows, initial=0) -> dict:
    data = {"volunteerhours-TOTAL_FORMS": str(len(rows)), "volunteerhours-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        data.update({f"volunteerhours-{index}-{name}": value for name, value in row.items()})
    return data


def test_hours_are_recorded_on_the_activitys_page(
    client_for, clerk, volunteers, taiba_activity, no_history_middleware, django_assert_max_num_queries
):
    url = f"/admin/federation/activity/{taiba_activity.pk}/change/"
    client = client_for(clerk)
    with django_assert_max_num_queries(60):
        page = client.get(url)
    (form,) = [f for f in page.context["inline_admin_formsets"] if f.formset.model is VolunteerHours]
    # The volunteers of the teams she sees, of the activity's town, on their teams that day.
    assert set(form.formset.empty_form.fields["volunteer"].queryset) == {
        volunteers["li"],
        volunteers["wang"],
        volunteers["town"],
    }
    data = activity_form(
        taiba_activity,
        **hours_rows(
            {"volunteer": volunteers["li"].pk, "hours": "3", "note": "组织游戏"},
            {"volunteer": volunteers["town"].pk, "hours": "2.5", "note": ""},
        ),
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    li, town = (VolunteerHours.objects.get(volunteer=volunteers[name]) for name in ("li", "town"))
    assert (li.hours, li.date, li.village, li.recorded_by) == (Decimal("3"), DAY, taiba_activity.villages.get(), clerk)
    assert li.history.get().history_user == clerk and town.village is None


def test_bad_hours_on_the_activitys_page_write_nothing(client_for, clerk, volunteers, taiba_activity):
    url = f"/admin/federation/activity/{taiba_activity.pk}/change/"
    data = activity_form(
        taiba_activity,
        title="改过的标题",
        **hours_rows(
            {"volunteer": volunteers["li"].pk, "hours": "3"}, {"volunteer": volunteers["wang"].pk, "hours": "25"}
        ),
    )
    response = client_for(clerk).post(url, data)
    assert response.status_code == 200
    assert _("Hours are more than 0 and at most 24.") in str(response.context["errors"])
    assert not VolunteerHours.objects.exists()
    assert Activity.objects.get(pk=taiba_activity.pk).title == taiba_activity.title  # nothing half-written


def test_hours_in_an_approved_month_are_refused_on_the_page(
    client_for, taiba, clerk, town_admin, volunteers, taiba_activity
):
    approve(taiba, DAY, clerk, town_admin)
    url = f"/admin/federation/activity/{taiba_activity.pk}/change/"
    data = activity_form(taiba_activity, **hours_rows({"volunteer": volunteers["li"].pk, "hours": "3"}))
    response = client_for(town_admin).post(url, data, follow=True)
    assert "已审核锁定" in response.content.decode()
    assert not VolunteerHours.objects.exists()


# --- the admin lists ----------------------------------------------------------------------


@pytest.mark.parametrize("model", ["volunteerteam", "volunteer", "volunteerhours"])
def test_each_role_opens_what_it_may(
    client_for, town_admin, clerk, county_reader, volunteers, taiba_activity, model, django_assert_max_num_queries
):
    li_hours = serve(taiba_activity, volunteers["li"])
    theirs_activity = volunteer_activity(volunteers["feng"].team.town, [volunteers["feng"].person.village])
    feng_hours = serve(theirs_activity, volunteers["feng"])
    ours, theirs = {
        "volunteerteam": (volunteers["li"].team, volunteers["feng"].team),
        "volunteer": (volunteers["li"], volunteers["feng"]),
        "volunteerhours": (li_hours, feng_hours),
    }[model]
    base = f"/admin/organization/{model}/"
    for user in (town_admin, clerk):
        client = client_for(user)
        with django_assert_max_num_queries(25):
            assert client.get(base).status_code == 200
        assert client.get(base, {"q": "李"}).status_code == 200
        assert client.get(f"{base}add/").status_code == 200
        assert client.get(f"{base}{ours.pk}/change/").status_code == 200
        assert client.get(f"{base}{ours.pk}/history/").status_code == 200
    client = client_for(clerk)
    assert client.get(f"{base}{theirs.pk}/change/").status_code == 404
    listed = {obj.pk for obj in client.get(base).context["cl"].queryset}
    assert ours.pk in listed and theirs.pk not in listed
    assert client_for(county_reader).get(base).status_code == 403


def test_the_lists_count_members_and_hours(client_for, town_admin, volunteers, taiba_activity):
    serve(taiba_activity, volunteers["li"], "3")
    serve(taiba_activity, volunteers["wang"], "1.5")
    volunteer_leave(volunteer=volunteers["wang"], day=date(2024, 6, 1))
    client = client_for(town_admin)
    (team,) = [
        t
        for t in client.get("/admin/organization/volunteerteam/").context["cl"].result_list
        if t.village_id == taiba_activity.villages.get().pk
    ]
    assert team.serving == 1  # she left
    listed = client.get("/admin/organization/volunteer/", {"service": "left"}).context["cl"].result_list
    assert [volunteer.pk for volunteer in listed] == [volunteers["wang"].pk]
    assert listed[0].hours_total == Decimal("1.5")
    by_village = client.get("/admin/organization/volunteer/", {"federation": volunteers["feng"].team.village_id})
    assert [v.pk for v in by_village.context["cl"].result_list] == [volunteers["feng"].pk]


def test_volunteers_are_put_on_a_team_from_its_page(client_for, clerk, teams, taiba_women, no_history_middleware):
    team = teams["taiba"]
    data = {
        "town": team.town_id,
        "village": team.village_id,
        "name": team.name,
        "founded_on": "2021-03-08",
        "leader": "李秀英",
        "services": "",
        "note": "",
        "volunteers-TOTAL_FORMS": "1",
        "volunteers-INITIAL_FORMS": "0",
        "volunteers-0-person": taiba_women[0].pk,
        "volunteers-0-joined_on": "2024-02-01",
    }
    response = client_for(clerk).post(f"/admin/organization/volunteerteam/{team.pk}/change/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    volunteer = Volunteer.objects.get()
    assert volunteer.recorded_by == clerk and volunteer.history.get().history_user == clerk


# --- reports ------------------------------------------------------------------------------


def test_volunteer_service_by_village(town, taiba, town_admin, clerk, volunteers, taiba_activity):
    serve(taiba_activity, volunteers["li"], "3")
    serve(taiba_activity, volunteers["wang"], "2.5")
    serve(taiba_activity, volunteers["town"], "2")
    serve(volunteer_activity(town, [], date=date(2025, 1, 5)), volunteers["li"], "4")  # another year
    volunteer_leave(volunteer=volunteers["wang"], day=date(2024, 6, 1))
    report = registry.reports["volunteer_villages"]
    table = report.function(ReportScope.of_user(town_admin), DateRange.year(2024))
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["太坝村"] == [1, 1, 1, "5.5"]  # 王丽娟 left in June
    assert rows["冯河村"] == [1, 1, 0, "0"]
    assert rows[_("Total")] == [3, 3, 1, "7.5"]  # with the town's own team
    mine = report.function(ReportScope.of_user(clerk), DateRange.year(2024))
    assert [row[0] for row in mine.rows] == ["太坝村", _("Total")] and mine.rows[-1][1:] == [1, 1, 1, "5.5"]


def test_the_register_of_volunteers_masks_id_numbers(town_admin, clerk, volunteers, taiba_activity):
    serve(taiba_activity, volunteers["li"], "3")
    report = registry.reports["volunteer_members"]
    assert report.personal
    full = report.function(ReportScope.of_user(town_admin), DateRange.year(2024))
    assert {row[2] for row in full.rows} == {"李秀英", "王丽娟", "张芳", "冯桂兰"}
    mine = report.function(ReportScope.of_user(clerk), DateRange.year(2024))
    li = {row[2]: row for row in mine.rows}["李秀英"]
    number = volunteers["li"].person.id_number
    assert li[3] == (number if can_see_identity(clerk) else mask_id_number(number))
    assert li[0:2] == ["太坝村", "太坝村巾帼志愿服务队"] and li[-2:] == [1, "3"]
    assert {row[2] for row in mine.rows} == {"李秀英", "王丽娟"}  # the town's team is the town's


def test_the_annual_summarys_volunteer_figures_count_activities_not_hours(town_admin, volunteers, taiba_activity):
    def figures():
        rs = ReportScope.of_user(town_admin)
        return {row.key: value for row, value, _url in summary_figures(rs, DateRange.year(2024))}

    before = figures()
    assert (before["volunteer"], before["volunteer_beneficiaries"]) == (1, 20)
    serve(taiba_activity, volunteers["li"], "3")
    serve(taiba_activity, volunteers["town"], "4")
    assert figures() == before


# --- the demo and the manual --------------------------------------------------------------


@pytest.fixture
def small_town(db):
    town = TownFactory(name="站儿巷镇")
    villages = [
        VillageFactory(town=town, name=name, sort_order=index)
        for index, name in enumerate(["站儿巷村", "太坝村", "冯河村", "崖角村", "大山村"], start=1)
    ]
    for village in villages:
        for index in range(6):
            PersonFactory(village=village, name=f"{village.name[:2]}妇女{index}", born=date(1980, 1, 1 + index))
        PersonFactory(village=village, name=f"{village.name[:2]}男{index}", female=False)
    for index, village in enumerate(villages):
        ActivityFactory(town=town, villages=[village], kind=Activity.Kind.VOLUNTEER, date=date(2024, 2 + index, 5))
        ActivityFactory(town=town, villages=[village], kind=Activity.Kind.THEORY_STUDY, date=date(2024, 2 + index, 20))
    ActivityFactory(town=town, kind=Activity.Kind.VOLUNTEER, date=date(2024, 9, 9))  # the whole town's
    return town


def test_the_demo_seeds_venues_teams_and_hours_once(small_town):
    started = time.perf_counter()
    demo.seed_volunteers(small_town)
    assert time.perf_counter() - started < 2
    assert Venue.objects.filter(village__isnull=False).count() == 5
    assert Venue.objects.get(village__isnull=True).kind == Venue.Kind.STUDIO
    assert all(2018 <= venue.opened_on.year <= 2023 for venue in Venue.objects.all())
    assert VolunteerTeam.objects.count() == 5 and VolunteerTeam.objects.filter(village__isnull=True).count() == 1
    assert not Volunteer.objects.exclude(person__sex=Person.Sex.FEMALE).exists()
    hours = VolunteerHours.objects.all()
    served = set(hours.values_list("activity_id", flat=True))
    assert served == set(Activity.objects.filter(kind=Activity.Kind.VOLUNTEER).values_list("pk", flat=True))
    # Each one-village activity at its village's home, the town's at the town's studio.
    assert ActivityVenue.objects.count() == 11
    assert all(h.history.get().history_date.date() == h.date for h in hours)
    counts = [model.objects.count() for model in (Venue, VolunteerTeam, Volunteer, VolunteerHours, ActivityVenue)]
    demo.seed_volunteers(small_town)
    assert [
        model.objects.count() for model in (Venue, VolunteerTeam, Volunteer, VolunteerHours, ActivityVenue)
    ] == counts
    assert registry.demos["organization_volunteers"] is demo.seed_volunteers


def test_the_manual_tells_of_venues_and_volunteers(client_for, town_admin):
    section = registry.help_sections["volunteers"]
    assert section.permissions == ("organization.view_venue",)
    assert registry.help_pages["organization.volunteerhours"] == "volunteers"
    page = client_for(town_admin).get("/admin/help/volunteers/")
    assert page.status_code == 200 and "在活动页面记录志愿时长" in page.content.decode()
