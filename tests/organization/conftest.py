from datetime import date

import pytest

from organization.models import Committee, CommitteeMember, Delegate, Meeting
from organization.services import committee_save, delegate_save, meeting_save, member_save
from tests.factories import PersonFactory

ELECTED = date(2021, 6, 1)
DAY = date(2024, 5, 10)
Position = CommitteeMember.Position


def make_committee(town, village=None, *, by=None, **fields) -> Committee:
    fields = {"elected_on": ELECTED, **fields}
    return committee_save(committee=Committee(town=town, village=village, **fields), by=by)


def seat(committee, person=None, *, by=None, **fields) -> CommitteeMember:
    fields = {"position": Position.MEMBER, "joined_on": ELECTED, **fields}
    return member_save(member=CommitteeMember(committee=committee, person=person, **fields), by=by)


def hold_meeting(committee, *, attendees=(), absentees=(), by=None, **fields) -> Meeting:
    fields = {"date": DAY, "topics": "部署三八节活动", **fields}
    meeting = Meeting(town=committee.town, village=committee.village, **fields)
    return meeting_save(meeting=meeting, attendees=attendees, absentees=absentees, by=by)


def make_delegate(person, *, by=None, **fields) -> Delegate:
    fields = {
        "body": Delegate.Body.PEOPLES_CONGRESS,
        "level": Delegate.Level.TOWN,
        "term_start": date(2021, 11, 1),
        **fields,
    }
    return delegate_save(delegate=Delegate(person=person, **fields), by=by)


@pytest.fixture
def committee(taiba):
    return make_committee(taiba.town, taiba)


@pytest.fixture
def town_committee(town):
    return make_committee(town)


@pytest.fixture
def women(taiba):
    return [PersonFactory(village=taiba, name=name) for name in ("王秀英", "李桂兰", "张丽娟", "赵春梅")]


@pytest.fixture
def chair(committee, women):
    return seat(committee, women[0], position=Position.CHAIR, phone="13912345678")
