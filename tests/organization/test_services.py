"""The rules of the committees, their members, meetings and delegates: each in its service."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from federation.core.demo import on
from organization.models import CommitteeMember, Meeting
from organization.services import committee_elect, committee_save, meeting_save, member_leave, member_save
from tests.factories import PersonFactory
from tests.organization.conftest import ELECTED, Position, hold_meeting, make_committee, make_delegate, seat


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_the_next_election_is_the_term_after_the_last(committee, taiba):
    assert (committee.town, committee.next_election_on) == (taiba.town, date(2026, 6, 1))
    given = make_committee(taiba.town, None, elected_on=date(2021, 6, 1), next_election_on=date(2026, 9, 1))
    assert given.next_election_on == date(2026, 9, 1)


def test_one_committee_per_federation(committee, taiba, town_committee):
    with pytest.raises(ValidationError, match=_("This federation has an executive committee already.")):
        make_committee(taiba.town, taiba)
    with pytest.raises(ValidationError):
        make_committee(taiba.town)


def test_the_towns_committee_is_kept_by_the_towns_staff(town, taiba, fenghe, clerk, town_admin):
    with pytest.raises(ValidationError) as refused:
        make_committee(town, by=clerk)
    assert list(refused.value.error_dict) == ["village"]
    with pytest.raises(ValidationError):
        make_committee(town, fenghe, by=clerk)  # not her village
    own = make_committee(town, taiba, by=clerk)
    assert own.recorded_by == clerk
    towns = make_committee(town, by=town_admin)
    towns.note = "改"
    with pytest.raises(ValidationError):
        committee_save(committee=towns, by=clerk)


def test_an_election_recomputes_the_next_and_leaves_the_members(committee, chair, women):
    gone = seat(committee, women[1], position=Position.VICE_CHAIR)
    member_leave(member=gone, day=date(2023, 3, 1))
    with on(date(2026, 6, 2)):
        elected = committee_elect(committee=committee, day=date(2026, 6, 1), term_years=5)
    assert (elected.elected_on, elected.next_election_on) == (date(2026, 6, 1), date(2031, 6, 1))
    assert CommitteeMember.objects.get(pk=gone.pk).left_on == date(2023, 3, 1)
    assert CommitteeMember.objects.get(pk=chair.pk).left_on is None
    assert committee.history.count() == 2
    with pytest.raises(ValidationError, match="2026-06-01"):
        committee_elect(committee=committee, day=date(2025, 1, 1))


def test_an_election_of_a_federation_she_does_not_keep_is_refused(town_committee, clerk):
    with pytest.raises(ValidationError):
        committee_elect(committee=town_committee, day=date(2026, 1, 1), by=clerk)


def test_one_seat_per_person(committee, chair, women):
    with pytest.raises(ValidationError, match=_("She holds a seat on this committee already.")):
        seat(committee, women[0])


def test_a_member_is_of_the_committees_village(committee, fenghe):
    stranger = PersonFactory(village=fenghe, name="冯外人")
    with pytest.raises(ValidationError) as refused:
        seat(committee, stranger)
    assert "冯河村" in messages(refused.value)


def test_an_outside_member_by_name(committee, town_committee, fenghe):
    outside = seat(committee, name="驻村干部刘芳")
    assert (outside.shown_name, outside.person) == ("驻村干部刘芳", None)
    with pytest.raises(ValidationError):
        seat(committee, name="驻村干部刘芳")
    with pytest.raises(ValidationError):
        seat(committee)  # neither a person nor a name
    # The town's committee takes women of any village.
    assert seat(town_committee, PersonFactory(village=fenghe)).committee == town_committee


def test_the_seats_of_a_position_are_not_exceeded(committee, chair, women):
    with pytest.raises(ValidationError) as refused:
        seat(committee, women[1], position=Position.CHAIR)
    assert "王秀英" in messages(refused.value) and "1" in messages(refused.value)
    member_leave(member=chair, day=date(2024, 1, 1))
    assert seat(committee, women[1], position=Position.CHAIR, joined_on=date(2024, 1, 2)).position == Position.CHAIR


def test_leaving_twice_or_before_joining_is_refused(chair):
    with pytest.raises(ValidationError):
        member_leave(member=chair, day=date(2020, 1, 1))
    member_leave(member=chair, day=date(2024, 1, 1))
    with pytest.raises(ValidationError, match="2024-01-01"):
        member_leave(member=chair, day=date(2024, 2, 1))


def test_a_clerk_keeps_her_villages_members_only(committee, town_committee, women, clerk, fenghe):
    assert seat(committee, women[1], by=clerk).recorded_by == clerk
    with pytest.raises(ValidationError):
        seat(town_committee, women[2], by=clerk)
    other = make_committee(fenghe.town, fenghe)
    with pytest.raises(ValidationError):
        seat(other, PersonFactory(village=fenghe), by=clerk)


def test_a_meeting_lists_the_federations_members_in_office(committee, chair, women, fenghe):
    vice = seat(committee, women[1], position=Position.VICE_CHAIR)
    meeting = hold_meeting(committee, attendees=[chair], absentees=[vice])
    assert (list(meeting.attendees.all()), list(meeting.absentees.all())) == ([chair], [vice])
    other = make_committee(fenghe.town, fenghe)
    outsider = seat(other, PersonFactory(village=fenghe, name="冯执委"))
    with pytest.raises(ValidationError, match="冯执委"):
        hold_meeting(committee, attendees=[chair, outsider])
    with pytest.raises(ValidationError, match="王秀英"):
        hold_meeting(committee, attendees=[chair], absentees=[chair])
    late = seat(committee, women[2], joined_on=date(2024, 6, 1))
    with pytest.raises(ValidationError, match="张丽娟"):
        hold_meeting(committee, attendees=[late])  # she joined after the meeting
    assert Meeting.objects.count() == 1


def test_a_meeting_is_not_in_the_future(committee):
    with pytest.raises(ValidationError) as refused:
        hold_meeting(committee, date=date(2999, 1, 1))
    assert "date" in refused.value.error_dict


def test_a_meeting_changed_keeps_its_attendance_unless_given(committee, chair):
    meeting = hold_meeting(committee, attendees=[chair])
    meeting.place = "妇女之家"
    meeting_save(meeting=meeting)
    assert list(meeting.attendees.all()) == [chair]


def test_the_towns_meeting_is_the_towns_staffs(town_committee, clerk, town_admin):
    with pytest.raises(ValidationError):
        hold_meeting(town_committee, by=clerk)
    assert hold_meeting(town_committee, by=town_admin).recorded_by == town_admin


def test_a_delegate_is_a_woman_of_the_registry(taiba, fenghe, clerk):
    man = PersonFactory(village=taiba, name="王建国", female=False)
    with pytest.raises(ValidationError, match="王建国"):
        make_delegate(man)
    woman = PersonFactory(village=taiba)
    assert make_delegate(woman, by=clerk).recorded_by == clerk
    with pytest.raises(ValidationError):
        make_delegate(PersonFactory(village=fenghe), by=clerk)
    with pytest.raises(ValidationError):
        make_delegate(woman, term_end=date(2020, 1, 1))


def test_member_save_writes_history_naming_who(committee, women, town_admin):
    member = seat(committee, women[1], by=town_admin)
    member.duties = "网格员"
    member_save(member=member, by=town_admin)
    assert [row.history_user for row in member.history.all()] == [town_admin, town_admin]
    assert ELECTED == member.joined_on


def test_a_new_committee_seated_at_once_meets_the_same_rules(committee, chair, women, fenghe):
    from organization.services import committee_seat_new

    vice = [CommitteeMember(person=woman, position=Position.VICE_CHAIR, joined_on=ELECTED) for woman in women[1:3]]
    seated = committee_seat_new(committee=committee, members=vice)
    assert [member.pk is not None for member in seated] == [True, True]
    assert all(member.history.count() == 1 for member in CommitteeMember.objects.filter(position=Position.VICE_CHAIR))
    for refused in (
        [CommitteeMember(person=women[3], position=Position.VICE_CHAIR, joined_on=ELECTED)],  # no seat left
        [CommitteeMember(person=women[0], joined_on=ELECTED)],  # she holds one
        [CommitteeMember(person=PersonFactory(village=fenghe), joined_on=ELECTED)],  # another village's
        [CommitteeMember(joined_on=ELECTED)],  # nobody
    ):
        with pytest.raises(ValidationError):
            committee_seat_new(committee=committee, members=refused)
    assert CommitteeMember.objects.count() == 3
