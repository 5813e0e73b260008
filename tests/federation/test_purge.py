"""Retention (`manage.py purge`): what it lists is what it removes; people who moved out or
died long ago go with their own records and history, closed cases long closed go, and so do
logs older than three years; residents, recent changes, and people the points ledger or an
open case still names stay. It asks first, and it records what it did."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from aid.models import CareTarget, CareVisit, DisputeCase, Pairing
from aid.services import aid_record_save, care_visit_save, dispute_resolve, dispute_save, pairing_end, pairing_save
from federation.core.identity import mask_id_number, years_before
from federation.core.models import ImportRecord, PurgeRecord, RecordAccess, ReportLog
from federation.models import Honor, Household, Person
from federation.retention import cutoffs, purge_preview, purge_run
from federation.services import honor_save, household_save, person_save
from health.models import Screening
from health.services import health_record_save
from points.models import PointEntry, PointRule
from points.services import point_award
from tests.factories import PersonFactory

TODAY = timezone.localdate()  # at collection: a test that compares with the command's own today asks again
OLD_DAY = years_before(TODAY, 8)


def age(record, years: int) -> None:
    """Date every history row of the record `years` back: as if it last changed then."""
    type(record).history.filter(id=record.pk).update(history_date=timezone.now() - timedelta(days=366 * years))


def leaver(village, name, status=Person.Status.MOVED_OUT, **kwargs):
    person = PersonFactory(village=village, name=name, **kwargs)
    person.status = status
    return person_save(person=person)


def aged_log(model, years: int, **fields):
    log = model.objects.create(**fields)
    model.objects.filter(pk=log.pk).update(created_at=timezone.now() - timedelta(days=366 * years))
    return log


@pytest.fixture
def state(town, taiba, fenghe):
    s = SimpleNamespace()
    # She moved out long ago, with her own records: a screening, an honour, a care-register entry.
    s.gone = leaver(taiba, "迁出甲")
    s.screening = health_record_save(
        record=Screening(person=s.gone, date=OLD_DAY, institution="县妇幼", consent_by="本人"), by=None
    )
    s.honor = honor_save(honor=Honor(award=Honor.Award.BEST_VOLUNTEER, year=OLD_DAY.year, person=s.gone))
    s.target = aid_record_save(
        record=CareTarget(person=s.gone, category=CareTarget.Category.LEFT_BEHIND_WOMAN, since=OLD_DAY)
    )
    # She headed a household whose other member still lives there.
    s.household = s.gone.household
    s.member = PersonFactory(village=taiba, name="留下的家人", household=s.household)
    s.household.head = s.gone
    household_save(household=s.household)
    s.dead = leaver(fenghe, "已故乙", status=Person.Status.DECEASED)
    s.recent = leaver(taiba, "新近迁出")
    s.resident = PersonFactory(village=taiba, name="常住丙")
    # A case closed long ago, between the deceased and a resident.
    s.closed = dispute_save(
        case=DisputeCase(
            village=fenghe,
            kind=DisputeCase.Kind.FAMILY,
            source=DisputeCase.Source.VISIT,
            found_on=OLD_DAY,
            summary="争执",
        ),
        parties=[s.dead, s.resident],
    )
    dispute_resolve(case=s.closed, day=OLD_DAY, outcome="和好")
    # Kept: one named by the points ledger, one a party to a case still open.
    s.in_ledger = leaver(taiba, "积分丁")
    rule = PointRule.objects.create(town=town, category=PointRule.Category.SANITATION, description="整洁", points=5)
    s.entry = point_award(household=s.in_ledger.household, rule=rule, day=OLD_DAY, by=None, person=s.in_ledger)
    s.party = leaver(taiba, "当事戊")
    s.open = dispute_save(
        case=DisputeCase(
            village=taiba,
            kind=DisputeCase.Kind.MARRIAGE,
            source=DisputeCase.Source.WALK_IN,
            found_on=TODAY,
            summary="吵架",
        ),
        parties=[s.party],
    )
    # A pairing ended long ago, with its visit; both women still live here.
    child = PersonFactory(village=taiba, name="孩子", born=years_before(OLD_DAY, 8), female=False)
    aid_record_save(record=CareTarget(person=child, category=CareTarget.Category.LEFT_BEHIND_CHILD, since=OLD_DAY))
    mother = PersonFactory(village=taiba, name="爱心妈妈")
    s.pairing = pairing_save(pairing=Pairing(mother=mother, child=child, start=OLD_DAY))
    s.visit = care_visit_save(
        visit=CareVisit(pairing=s.pairing, date=OLD_DAY, kind=CareVisit.Kind.VISIT, content="看望")
    )
    pairing_end(pairing=s.pairing, day=OLD_DAY + timedelta(days=30))
    for person in (s.gone, s.dead, s.resident, s.in_ledger, s.party):
        age(person, 8)
    s.old_logs = [
        aged_log(RecordAccess, 4, record="health.screening", object_id="1", action="view"),
        aged_log(ReportLog, 4, report="annual_summary", format="csv"),
        aged_log(ImportRecord, 4, resource="people", file_name="旧.xlsx", sha256="0" * 64),
    ]
    s.new_logs = [
        aged_log(RecordAccess, 2, record="health.screening", object_id="1", action="view"),
        aged_log(ReportLog, 2, report="annual_summary", format="csv"),
        aged_log(ImportRecord, 2, resource="people", file_name="新.xlsx", sha256="1" * 64),
    ]
    return s


EXPECTED = {
    "federation.person": 2,
    "federation.honor": 1,
    "health.screening": 1,
    "aid.caretarget": 1,
    "aid.carevisit": 1,
    "aid.pairing": 1,
    "aid.disputecase": 1,
    "federation.recordaccess": 1,
    "federation.reportlog": 1,
    "federation.importrecord": 1,
}


def table_counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in EXPECTED}


def plural(label: str) -> str:
    return str(apps.get_model(label)._meta.verbose_name_plural)


def test_what_is_listed_is_what_is_removed(state, capsys):
    call_command("purge", "--dry-run")
    listing = capsys.readouterr().out
    before = table_counts()
    call_command("purge", "--noinput")
    after = table_counts()
    record = PurgeRecord.objects.get()
    assert record.counts == EXPECTED
    assert {label: before[label] - after[label] for label in EXPECTED} == EXPECTED
    for label, count in EXPECTED.items():
        assert f"  {plural(label)}: {count}\n" in listing, label
    assert "站儿巷镇 冯河村: " in listing and "保留：2 名到期人员仍被保留的记录引用" in listing


def test_recent_resident_and_still_named_people_stay(state, capsys):
    call_command("purge", "--dry-run")
    listing = capsys.readouterr().out
    assert f"  {plural('points.pointentry')}: 1\n" in listing
    assert f"  {plural('aid.disputecase')}: 1\n" in listing  # the open case's party
    call_command("purge", "--noinput")
    left = set(Person.objects.values_list("pk", flat=True))
    assert {state.recent.pk, state.resident.pk, state.in_ledger.pk, state.party.pk, state.member.pk} <= left
    assert not {state.gone.pk, state.dead.pk} & left
    assert PointEntry.objects.filter(pk=state.entry.pk).exists()
    assert DisputeCase.objects.filter(pk=state.open.pk).exists()
    household = Household.objects.get(pk=state.household.pk)
    assert household.head_id is None and household.members.get() == state.member
    assert PurgeRecord.objects.get().kept == 2


def test_history_rows_go_too(state):
    # The parties of each history row of a case (simple_history's many-to-many history).
    (parties_history,) = [relation.related_model for relation in DisputeCase.history.model._meta.related_objects]
    assert parties_history.objects.filter(history__id=state.closed.pk).exists()
    call_command("purge", "--noinput")
    for record in (state.gone, state.dead, state.screening, state.honor, state.target, state.pairing, state.visit):
        assert not type(record).history.filter(id=record.pk).exists(), type(record).__name__
    assert not DisputeCase.history.filter(id=state.closed.pk).exists()
    assert not parties_history.objects.filter(history__id=state.closed.pk).exists()
    for person in (state.recent, state.resident, state.in_ledger):
        assert Person.history.filter(id=person.pk).exists()
    assert DisputeCase.history.filter(id=state.open.pk).exists()


def test_logs_older_than_three_years_go_and_newer_stay(state):
    call_command("purge", "--noinput")
    for log in state.old_logs:
        assert not type(log).objects.filter(pk=log.pk).exists(), type(log).__name__
    for log in state.new_logs:
        assert type(log).objects.filter(pk=log.pk).exists(), type(log).__name__


def test_no_at_the_prompt_removes_nothing(state, monkeypatch, capsys):
    before = table_counts()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    call_command("purge")
    assert "未删除任何记录。" in capsys.readouterr().out
    assert table_counts() == before
    assert not PurgeRecord.objects.exists()


def test_yes_at_the_prompt_removes_and_writes_the_purge_record(state, monkeypatch, capsys):
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "yes")
    call_command("purge")
    assert asked == ["输入 yes 确认删除："]
    record = PurgeRecord.objects.get()
    assert f"{record}" in capsys.readouterr().out
    assert (record.before, record.logs_before) == cutoffs(None, timezone.localdate())
    assert record.counts == EXPECTED and record.user is None
    assert not Person.objects.filter(pk=state.gone.pk).exists()


def test_a_dry_run_removes_nothing(state):
    before = table_counts()
    call_command("purge", "--dry-run")
    assert table_counts() == before
    assert Person.history.filter(id=state.gone.pk).exists()
    assert not PurgeRecord.objects.exists()


def test_the_list_names_records_with_masked_id_numbers(state, capsys):
    call_command("purge", "--dry-run", "--list")
    listing = capsys.readouterr().out
    assert f"迁出甲 {mask_id_number(state.gone.id_number)}" in listing
    assert f"积分丁 {mask_id_number(state.in_ledger.id_number)}\t{plural('points.pointentry')}" in listing
    assert state.closed.number in listing
    secrets = [person.id_number for person in (state.gone, state.dead, state.in_ledger, state.party)]
    assert not [number for number in secrets if number in listing]


def test_an_earlier_date_keeps_more(state, capsys):
    before = table_counts()
    call_command("purge", "--noinput", "--before", str(years_before(TODAY, 10)))
    assert "没有到期需要删除的记录。" in capsys.readouterr().out
    assert table_counts() == before  # the logs too: an earlier date keeps them longer
    assert not PurgeRecord.objects.exists()


def test_a_change_after_the_listing_removes_nothing(state):
    before, logs_before = cutoffs(None, timezone.localdate())
    listed = purge_preview(before=before, logs_before=logs_before)
    age(leaver(state.gone.village, "又一位迁出"), 8)
    counts = table_counts()
    with pytest.raises(ValidationError) as raised:
        purge_run(before=before, logs_before=logs_before, listed=listed, account="root")
    assert raised.value.messages == ["列出之后记录有变动，未删除任何记录。请重新运行。"]
    assert table_counts() == counts


def test_the_purge_records_are_for_the_superuser_to_read(state, client_for, superuser, town_admin):
    call_command("purge", "--noinput")
    record = PurgeRecord.objects.get()
    page = client_for(superuser).get(f"/admin/federation/purgerecord/{record.pk}/change/")
    assert page.status_code == 200
    assert f"{plural('federation.person')} 2" in page.content.decode()
    assert client_for(superuser).post(f"/admin/federation/purgerecord/{record.pk}/delete/").status_code == 403
    assert client_for(town_admin).get("/admin/federation/purgerecord/").status_code == 403
