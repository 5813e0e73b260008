"""The demo town's 组织建设 (seeded once for the module) and the binder's 组织建设 ledgers."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone
from pypdf import PdfReader

from federation.core.models import Town
from federation.core.registry import CATEGORIES, registry
from federation.core.scoping import EVERYTHING
from organization import demo, selectors
from organization.admin import committee_reminders
from organization.models import Committee, CommitteeMember, Delegate, Meeting


@pytest.fixture
def town(demo_town, db):
    return Town.objects.get()


def test_every_federation_has_its_committee_and_one_is_due(town):
    assert Committee.objects.count() == town.villages.count() + 1
    assert not selectors.villages_without_committee(EVERYTHING).exists()
    today = timezone.localdate()
    due = selectors.committees_due(EVERYTHING, today)
    assert [committee.village.name for committee in due] == [demo.DUE_VILLAGE]
    assert today < due.get().next_election_on <= today + timedelta(days=60)
    short = selectors.with_seats_held(Committee.objects.filter(village__name=demo.SHORT_VILLAGE)).get()
    assert selectors.vacancies(short) == {CommitteeMember.Position.VICE_CHAIR: 1}
    others = selectors.with_seats_held(Committee.objects.exclude(village__name=demo.SHORT_VILLAGE))
    assert all(selectors.vacancies(committee) == {} for committee in others)
    women = CommitteeMember.objects.filter(person__isnull=False)
    assert not women.exclude(person__sex="F").exists()
    assert (
        not women.exclude(committee__village__isnull=True)
        .exclude(person__village=models_f("committee__village"))
        .exists()
    )


def models_f(name):
    from django.db.models import F

    return F(name)


def test_the_meetings_and_delegates(town):
    today = timezone.localdate()
    for committee in Committee.objects.all():
        meetings = Meeting.objects.filter(town=town, village=committee.village)
        assert meetings.filter(date__year=2024).count() == 1
        assert meetings.filter(date__year=today.year).count() == (1 if today.year > 2024 else 0)
        meeting = meetings.first()
        assert meeting.attendees.exists() and meeting.absentees.count() == 1
    assert not Meeting.objects.filter(date__gt=today).exists()
    assert 3 <= Delegate.objects.count() <= 4


def test_the_demo_is_idempotent_and_the_work_list_counts_it(town, django_user_model):
    counts = (Committee.objects.count(), CommitteeMember.objects.count(), Meeting.objects.count())
    demo.seed(town)
    assert (Committee.objects.count(), CommitteeMember.objects.count(), Meeting.objects.count()) == counts
    request = RequestFactory().get("/")
    request.user = django_user_model.objects.get(username="town")
    ((_label, count, _url),) = committee_reminders(request)
    assert count == 1


def test_the_binders_organisation_category_holds_the_ledgers(town, tmp_path):
    section = registry.binder_sections["organization"]
    assert section.category == "organization"
    assert section.reports == (
        "organization_committees",
        "organization_elections",
        "organization_meetings",
        "organization_delegates",
    )
    out = tmp_path / "binder.pdf"
    call_command("ledger_binder", "--year", "2024", "--purpose", "检查备档", "-o", str(out), stdout=io.StringIO())
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    contents = text[text.index(str(CATEGORIES["organization"])) :]
    assert section.title() in contents
    for name in section.reports:
        assert registry.reports[name].title() in text
    chair = CommitteeMember.objects.filter(committee__village__name="太坝村", position="chair").get()
    assert chair.shown_name in text
