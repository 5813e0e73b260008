"""Venues (阵地): who records which, the venue an activity was held at (on the activity's page),
the venue's page and list, and the venues' ledger."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from federation.core.exporting import can_see_identity
from federation.core.identity import mask_phone
from federation.core.registry import registry
from federation.core.reporting import DateRange, ReportScope
from federation.models import Activity
from organization.models import ActivityVenue, Venue
from organization.services import activity_venue_set, venue_delete, venue_save
from tests.factories import ActivityFactory, TownFactory, VillageFactory
from tests.organization.factories_vol import DAY, make_venue


@pytest.fixture
def venues(town, taiba, fenghe):
    return {
        "town": make_venue(town, name="站儿巷镇巾帼工作室", kind=Venue.Kind.STUDIO, phone="13912345678"),
        "taiba": make_venue(town, taiba, contact="李秀英", phone="13800001111", area=60, facilities="活动室、图书角"),
        "fenghe": make_venue(town, fenghe),
    }


@pytest.fixture
def taiba_activity(town, taiba):
    return ActivityFactory(town=town, villages=[taiba], title="太坝理论学习", date=DAY, participants=25)


def refused(call) -> dict:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict if hasattr(error.value, "error_dict") else {"__all__": error.value.messages}


# --- services -----------------------------------------------------------------------------


def test_the_clerk_records_her_villages_venue_and_the_town_its_own(town, taiba, clerk, town_admin):
    venue = venue_save(venue=Venue(village=taiba, name="太坝村妇女之家", opened_on=date(2019, 5, 1)), by=clerk)
    assert (venue.town, venue.recorded_by) == (town, clerk)  # the town follows from the village
    assert venue.history.get().history_user == clerk
    own = make_venue(town, name="镇妇女儿童之家", by=town_admin)
    assert own.village is None and own.recorded_by == town_admin


def test_the_clerk_may_not_record_the_towns_venue_nor_another_villages(town, fenghe, clerk, venues):
    errors = refused(lambda: make_venue(town, name="镇巾帼工作室二", by=clerk))
    assert errors["village"] == [_("Choose your village: the town's federation's records are the town's.")]
    errors = refused(lambda: make_venue(town, fenghe, name="冯河二号", by=clerk))
    assert errors["village"] == [_("This is a village you do not keep.")]
    # Nor take the town's venue into her village (the stored record is the town's).
    town_venue = venues["town"]
    town_venue.village = venues["taiba"].village
    errors = refused(lambda: venue_save(venue=town_venue, by=clerk))
    assert "village" in errors and Venue.objects.get(pk=town_venue.pk).village is None


def test_bad_venues_are_refused_naming_the_field(town, taiba, venues, town_admin):
    other = VillageFactory(town=TownFactory(name="别的镇"), name="外镇村")
    errors = refused(lambda: make_venue(town, other, name="外镇妇女之家"))
    assert errors["village"] == [_("The village is not of the chosen town.")]
    errors = refused(lambda: make_venue(town, taiba, name="太坝村妇女之家", by=town_admin))
    assert _("The town has a venue of this name already.") in str(errors)
    errors = refused(
        lambda: make_venue(town, taiba, name="新阵地", opened_on=date(2020, 1, 1), closed_on=date(2019, 1, 1))
    )
    assert _("The venue closed before it opened.") in str(errors)
    assert Venue.objects.count() == 3


def test_the_venue_of_an_activity(town, taiba, clerk, venues, taiba_activity):
    link = activity_venue_set(activity=taiba_activity, venue=venues["taiba"], by=clerk)
    assert link.venue == venues["taiba"] and link.history.get().history_user == clerk
    # The town's venue is seen in every village: a village's activity may be held there.
    activity_venue_set(activity=taiba_activity, venue=venues["town"], by=clerk)
    assert ActivityVenue.objects.get().venue == venues["town"]
    assert activity_venue_set(activity=taiba_activity, venue=None, by=clerk) is None
    assert not ActivityVenue.objects.exists()


def test_an_activitys_venue_is_refused_when_it_should_be(town, fenghe, clerk, venues, taiba_activity):
    errors = refused(lambda: activity_venue_set(activity=taiba_activity, venue=venues["fenghe"], by=clerk))
    assert errors["venue"] == [_("The venue is not one of your villages'.")]
    theirs = ActivityFactory(town=town, villages=[fenghe], date=DAY)
    errors = refused(lambda: activity_venue_set(activity=theirs, venue=venues["taiba"], by=clerk))
    assert errors["__all__"] == [_("The activity is not one of your villages'.")]
    early = ActivityFactory(town=town, villages=[venues["taiba"].village], date=date(2019, 1, 1))
    errors = refused(lambda: activity_venue_set(activity=early, venue=venues["taiba"], by=clerk))
    assert errors["venue"] == [
        _("%(venue)s was not open on %(date)s.") % {"venue": "太坝村妇女之家", "date": early.date}
    ]
    elsewhere = ActivityFactory(town=TownFactory(name="别的镇"), date=DAY)
    errors = refused(lambda: activity_venue_set(activity=elsewhere, venue=venues["taiba"], by=None))
    assert errors["venue"] == [_("The venue is not of the activity's town.")]
    assert not ActivityVenue.objects.exists()


def test_a_venue_that_held_activities_stays(venues, taiba_activity, town_admin):
    activity_venue_set(activity=taiba_activity, venue=venues["taiba"])
    errors = refused(lambda: venue_delete(venue=venues["taiba"], by=town_admin))
    assert "太坝村妇女之家" in errors["__all__"][0]
    venue_delete(venue=venues["fenghe"], by=town_admin)
    assert Venue.objects.count() == 2


# --- admin --------------------------------------------------------------------------------


def test_each_role_opens_what_it_may(
    client_for, town_admin, clerk, county_reader, venues, taiba_activity, django_assert_max_num_queries
):
    activity_venue_set(activity=taiba_activity, venue=venues["taiba"])
    for index in range(5):  # the list's queries do not grow with its rows
        make_venue(venues["taiba"].town, venues["taiba"].village, name=f"太坝阵地{index}")
    base = "/admin/organization/venue/"
    for user in (town_admin, clerk):
        client = client_for(user)
        with django_assert_max_num_queries(25):
            response = client.get(base)
        assert response.status_code == 200
        assert client.get(base, {"q": "太坝"}).status_code == 200
        assert client.get(f"{base}add/").status_code == 200
        page = client.get(f"{base}{venues['taiba'].pk}/change/")
        assert page.status_code == 200 and "太坝理论学习" in page.content.decode()  # the activities held
        assert client.get(f"{base}{venues['town'].pk}/change/").status_code == 200  # the town's, seen by all
    client = client_for(clerk)
    assert client.get(f"{base}{venues['fenghe'].pk}/change/").status_code == 404
    listed = {venue.pk for venue in client.get(base).context["cl"].queryset}
    assert venues["taiba"].pk in listed and venues["town"].pk in listed and venues["fenghe"].pk not in listed
    assert client_for(county_reader).get(base).status_code == 403


def test_the_list_masks_the_phone_and_counts_the_activities_held(client_for, clerk, venues, taiba_activity):
    activity_venue_set(activity=taiba_activity, venue=venues["taiba"])
    page = client_for(clerk).get("/admin/organization/venue/").content.decode()
    shown = "13800001111" if can_see_identity(clerk) else mask_phone("13800001111")
    assert shown in page
    assert f'/admin/organization/venue/{venues["taiba"].pk}/change/#held-group">1</a>' in page


def test_a_venue_added_in_the_admin_goes_through_the_service(client_for, clerk, town, taiba, no_history_middleware):
    data = {
        "town": town.pk,
        "village": taiba.pk,
        "kind": "women_home",
        "name": "太坝村妇女之家",
        "opened_on": "2019-05-01",
        "area": "80",
        "held-TOTAL_FORMS": "0",
        "held-INITIAL_FORMS": "0",
    }
    response = client_for(clerk).post("/admin/organization/venue/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    venue = Venue.objects.get()
    assert venue.recorded_by == clerk and venue.history.get().history_user == clerk
    data.update(village="", name="镇阵地")
    response = client_for(clerk).post("/admin/organization/venue/add/", data)
    assert response.status_code == 200 and Venue.objects.count() == 1
    errors = response.context["adminform"].form.errors
    assert errors["village"] == [_("Choose your village: the town's federation's records are the town's.")]


def activity_form(activity, **extra) -> dict:
    data = {
        "kind": activity.kind,
        "title": activity.title,
        "date": activity.date.isoformat(),
        "town": activity.town_id,
        "villages": [village.pk for village in activity.villages.all()],
        "place": "",
        "participants": activity.participants,
        "beneficiaries": activity.beneficiaries,
        "materials_distributed": 0,
        "consultations": 0,
        "notes": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "activityvenue-TOTAL_FORMS": "0",
        "activityvenue-INITIAL_FORMS": "0",
        "volunteerhours-TOTAL_FORMS": "0",
        "volunteerhours-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_the_activitys_page_names_its_venue(client_for, clerk, venues, taiba_activity, no_history_middleware):
    url = f"/admin/federation/activity/{taiba_activity.pk}/change/"
    page = client_for(clerk).get(url)
    (venue_form,) = [f for f in page.context["inline_admin_formsets"] if f.formset.model is ActivityVenue]
    choices = set(venue_form.formset.empty_form.fields["venue"].queryset)
    assert choices == {venues["taiba"], venues["town"]}  # the town's venues she sees
    data = activity_form(
        taiba_activity, **{"activityvenue-TOTAL_FORMS": "1", "activityvenue-0-venue": venues["taiba"].pk}
    )
    response = client_for(clerk).post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    link = ActivityVenue.objects.get()
    assert link.venue == venues["taiba"] and link.history.get().history_user == clerk
    # Another village's venue, posted all the same, is a form error: nothing is written.
    data = activity_form(
        taiba_activity,
        **{
            "activityvenue-TOTAL_FORMS": "1",
            "activityvenue-INITIAL_FORMS": "1",
            "activityvenue-0-id": link.pk,
            "activityvenue-0-activity": taiba_activity.pk,
            "activityvenue-0-venue": venues["fenghe"].pk,
        },
    )
    response = client_for(clerk).post(url, data)
    assert response.status_code == 200 and ActivityVenue.objects.get().venue == venues["taiba"]
    # Cleared through the service.
    data["activityvenue-0-venue"] = venues["taiba"].pk
    data["activityvenue-0-DELETE"] = "on"
    assert client_for(clerk).post(url, data).status_code == 302
    assert not ActivityVenue.objects.exists()
    assert ActivityVenue.history.filter(history_type="-").get().history_user == clerk


# --- the ledger ---------------------------------------------------------------------------


def test_the_venues_ledger(town, taiba, clerk, town_admin, venues, taiba_activity):
    activity_venue_set(activity=taiba_activity, venue=venues["taiba"])
    later = ActivityFactory(town=town, villages=[taiba], date=date(2025, 2, 1), kind=Activity.Kind.VOLUNTEER)
    activity_venue_set(activity=later, venue=venues["taiba"])
    make_venue(town, taiba, name="太坝新阵地", opened_on=date(2025, 1, 1))  # not open in 2024
    report = registry.reports["organization_venues"]
    table = report.function(ReportScope.of_user(town_admin), DateRange.year(2024))
    by_name = {row[2]: row for row in table.rows}
    assert set(by_name) == {"站儿巷镇巾帼工作室", "太坝村妇女之家", "冯河村妇女之家"}
    row = by_name["太坝村妇女之家"]
    assert row[0] == "太坝村" and row[4:] == ["2020-03-08", 60, "活动室、图书角", "李秀英", 1]
    assert by_name["站儿巷镇巾帼工作室"][0] == _("%(town)s (town)") % {"town": town.name}
    # The clerk's ledger: her village's venues; a report of villages leaves the town's out.
    mine = report.function(ReportScope.of_user(clerk), DateRange.year(2024))
    assert {row[2] for row in mine.rows} == {"太坝村妇女之家"}
    section = registry.binder_sections["organization_venues"]
    assert (section.category, section.order) == ("organization", 20)
    assert section.reports == ("organization_venues", "volunteer_villages", "volunteer_members")
