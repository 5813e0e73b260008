"""The committees' town view, the members, meetings and delegates in the admin, for each role."""

from datetime import date

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.core.demo import on
from organization.admin import committee_reminders
from organization.models import Committee, CommitteeMember, Delegate, Meeting
from tests.factories import PersonFactory
from tests.organization.conftest import ELECTED, Position, hold_meeting, make_committee, make_delegate, seat

LIST = "/admin/organization/committee/"
NO_MEMBERS = {"members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"}
NO_FILES = {"attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0"}


def shown(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_town_view_of_the_committees_with_their_vacancies(client_for, town_admin, committee, chair, fenghe):
    response = client_for(town_admin).get(LIST)
    page = shown(response)
    assert "太坝村" in page
    vice = _("%(position)s short of %(count)d") % {"position": Position.VICE_CHAIR.label, "count": 2}
    assert vice in page
    # 冯河村 has none: the list says so.
    warning = [str(message) for message in response.context["messages"]]
    assert any("冯河村" in message for message in warning)


def test_the_work_list_filter_and_the_home_page_count(rf, town, taiba, fenghe, town_admin, clerk, county_reader):
    today = timezone.localdate()
    make_committee(town, taiba, elected_on=today.replace(year=today.year - 5), next_election_on=today)
    make_committee(town, fenghe, elected_on=today.replace(year=today.year - 1))
    request = RequestFactory().get("/")
    request.user = town_admin
    ((label, count, url),) = committee_reminders(request)
    assert count == 1 and url.endswith("?list=due")
    request.user = county_reader
    assert committee_reminders(request) == []


def test_the_due_list_and_the_overdue_mark(client_for, town, taiba, fenghe, town_admin):
    today = timezone.localdate()
    overdue = make_committee(
        town, taiba, elected_on=date(today.year - 6, 1, 1), next_election_on=date(today.year - 1, 1, 1)
    )
    make_committee(town, fenghe, elected_on=today.replace(year=today.year - 1))
    response = client_for(town_admin).get(LIST, {"list": "due"})
    shown(response)
    assert list(response.context["cl"].queryset) == [overdue]
    assert _("overdue") in shown(response)


def test_a_clerk_reads_the_towns_committee_and_keeps_her_own(client_for, clerk, committee, town_committee, fenghe):
    other = make_committee(fenghe.town, fenghe)
    client = client_for(clerk)
    listed = set(client.get(LIST).context["cl"].queryset)
    assert listed == {committee, town_committee}
    assert client.get(f"{LIST}{other.pk}/change/").status_code == 404
    towns = client.get(f"{LIST}{town_committee.pk}/change/")
    assert towns.status_code == 200 and not towns.context["has_change_permission"]
    assert client.post(f"{LIST}{town_committee.pk}/change/", {}).status_code == 403
    assert client.get(f"{LIST}{town_committee.pk}/elect/").status_code == 403
    assert client.get(f"{LIST}{committee.pk}/change/").context["has_change_permission"]


def test_the_county_reader_opens_no_register(client_for, county_reader, committee):
    client = client_for(county_reader)
    for url in (LIST, "/admin/organization/committeemember/", "/admin/organization/meeting/"):
        assert client.get(url).status_code == 403


def test_members_are_added_on_the_committees_page_through_the_service(client_for, clerk, committee, chair, women):
    form = {
        "town": committee.town_id,
        "village": committee.village_id,
        "elected_on": "2021-06-01",
        "term_years": 5,
        "next_election_on": "2026-06-01",
        "chair_seats": 1,
        "vice_chair_seats": 2,
        "member_seats": 6,
        "note": "",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "1",
        "members-0-id": chair.pk,
        "members-0-committee": committee.pk,
        "members-0-person": chair.person_id,
        "members-0-position": Position.CHAIR,
        "members-0-joined_on": "2021-06-01",
        "members-1-committee": committee.pk,
        "members-1-person": women[1].pk,
        "members-1-position": Position.CHAIR,
        "members-1-joined_on": "2021-06-01",
    }
    client = client_for(clerk)
    refused = client.post(f"{LIST}{committee.pk}/change/", form)
    assert refused.status_code == 200  # shown again with the service's answer
    assert "王秀英" in refused.content.decode()
    assert CommitteeMember.objects.count() == 1
    form["members-1-position"] = Position.VICE_CHAIR
    assert client.post(f"{LIST}{committee.pk}/change/", form).status_code == 302
    added = CommitteeMember.objects.get(person=women[1])
    assert (added.position, added.recorded_by) == (Position.VICE_CHAIR, clerk)


def test_recording_an_election(client_for, town_admin, committee, chair):
    client = client_for(town_admin)
    page = client.get(f"{LIST}{committee.pk}/change/")
    assert f"{LIST}{committee.pk}/elect/" in shown(page)
    assert client.get(f"{LIST}{committee.pk}/elect/").status_code == 200
    bad = client.post(f"{LIST}{committee.pk}/elect/", {"day": "2020-01-01", "term_years": 5})
    assert bad.status_code == 200 and "2021-06-01" in bad.content.decode()
    with on(date(2026, 6, 3)):
        done = client.post(f"{LIST}{committee.pk}/elect/", {"day": "2026-06-02", "term_years": 5})
    assert done.status_code == 302
    committee.refresh_from_db()
    assert (committee.elected_on, committee.next_election_on) == (date(2026, 6, 2), date(2031, 6, 2))


def test_a_committee_added_from_the_form(client_for, clerk, taiba):
    form = {
        "town": taiba.town_id,
        "village": taiba.pk,
        "elected_on": "2021-06-01",
        "term_years": 5,
        "next_election_on": "",
        "chair_seats": 1,
        "vice_chair_seats": 2,
        "member_seats": 6,
        "note": "",
        **NO_MEMBERS,
    }
    assert client_for(clerk).post(f"{LIST}add/", form).status_code == 302
    committee = Committee.objects.get()
    assert (committee.next_election_on, committee.recorded_by) == (date(2026, 6, 1), clerk)
    form["village"] = ""
    refused = client_for(clerk).post(f"{LIST}add/", form)
    assert refused.status_code == 200 and Committee.objects.count() == 1


def test_the_members_list_masks_phones_and_filters(client_for, clerk, town_admin, committee, chair, women):
    gone = seat(committee, women[1], position=Position.VICE_CHAIR)
    gone.left_on = date(2023, 1, 1)
    gone.save()
    url = "/admin/organization/committeemember/"
    page = shown(client_for(clerk).get(url))
    assert "13912345678" not in page and "王秀英" in page
    assert list(client_for(clerk).get(url, {"left": "no"}).context["cl"].queryset) == [chair]
    assert list(client_for(clerk).get(url, {"q": "李桂兰"}).context["cl"].queryset) == [gone]


def test_a_meeting_from_the_form_with_who_came(client_for, clerk, committee, chair, women, town_committee, fenghe):
    vice = seat(committee, women[1], position=Position.VICE_CHAIR)
    towns = seat(town_committee, PersonFactory(village=fenghe, name="镇执委"))
    client = client_for(clerk)
    add = client.get("/admin/organization/meeting/add/")
    choices = {member.pk for member in add.context["adminform"].form.fields["attendees"].queryset}
    assert choices == {chair.pk, vice.pk}  # her own federation's, not the town's
    form = {
        "town": committee.town_id,
        "village": committee.village_id,
        "kind": Meeting.Kind.COMMITTEE,
        "date": "2024-05-10",
        "place": "妇女之家",
        "chaired_by": "王秀英",
        "attendees": [chair.pk],
        "absentees": [vice.pk],
        "others_present": "",
        "topics": "部署三八节活动",
        "decisions": "",
        "minutes": "",
        **NO_FILES,
    }
    assert client.post("/admin/organization/meeting/add/", form).status_code == 302
    meeting = Meeting.objects.get()
    assert (list(meeting.attendees.all()), list(meeting.absentees.all())) == ([chair], [vice])
    listing = client.get("/admin/organization/meeting/")
    assert "1/2" in shown(listing)
    form["attendees"] = [chair.pk, towns.pk]
    refused = client.post("/admin/organization/meeting/add/", form)
    assert refused.status_code == 200 and Meeting.objects.count() == 1


def test_the_delegates_list(client_for, clerk, taiba, fenghe):
    current = make_delegate(PersonFactory(village=taiba, name="代表甲"))
    past = make_delegate(
        PersonFactory(village=taiba, name="代表乙"), term_start=date(2016, 1, 1), term_end=date(2020, 12, 31)
    )
    make_delegate(PersonFactory(village=fenghe, name="冯河代表"))
    url = "/admin/organization/delegate/"
    client = client_for(clerk)
    assert set(client.get(url).context["cl"].queryset) == {current, past}
    assert list(client.get(url, {"term": "current"}).context["cl"].queryset) == [current]
    assert list(client.get(url, {"term": "past"}).context["cl"].queryset) == [past]
    assert Delegate.objects.count() == 3


@pytest.mark.parametrize("url", ["committee", "committeemember", "meeting", "delegate"])
def test_the_lists_queries_do_not_grow_with_their_rows(
    url, client_for, town_admin, committee, chair, women, django_assert_max_num_queries
):
    client = client_for(town_admin)
    client.get(f"/admin/organization/{url}/")
    for woman in women[1:3]:
        seat(committee, woman)
        hold_meeting(committee, attendees=[chair])
        make_delegate(woman)
    with django_assert_max_num_queries(30):
        assert client.get(f"/admin/organization/{url}/").status_code == 200
    assert ELECTED


def test_a_clerk_reads_the_towns_meeting_and_its_members(client_for, clerk, town_committee, fenghe):
    member = seat(town_committee, PersonFactory(village=fenghe, name="镇执委"))
    meeting = hold_meeting(town_committee, attendees=[member])
    client = client_for(clerk)
    page = client.get(f"/admin/organization/meeting/{meeting.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]
    committee_page = client.get(f"{LIST}{town_committee.pk}/change/")
    (formset,) = committee_page.context["inline_admin_formsets"]
    assert not (formset.has_add_permission or formset.has_change_permission or formset.has_delete_permission)
