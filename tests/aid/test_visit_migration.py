"""The migration that gives every care visit its register entry (aid 0007): each visit recorded
so far was a caring mother's, and is now to her child's entry open on its day; a child no
longer on the register gets a closed entry spanning her visits; the visits' history follows."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from aid.models import CareTarget, CareVisit, Pairing
from aid.services import aid_record_save, pairing_save
from tests.aid.conftest import on_register
from tests.factories import PersonFactory, TownFactory, VillageFactory

BEFORE = [("aid", "0006_historical_village")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_visit_gets_its_childs_register_entry():
    village = VillageFactory(town=TownFactory(), name="太坝村")
    mother = PersonFactory(village=village, name="爱心妈妈", born=date(1985, 1, 1))
    # A child twice on the register: left-behind until May, in difficulty since.
    child = PersonFactory(village=village, name="王小宝", born=date(2014, 6, 1), female=False)
    until_may = on_register(child, since=date(2024, 1, 1))
    until_may.until = date(2024, 5, 31)
    aid_record_save(record=until_may)
    since_june = on_register(child, CareTarget.Category.CHILD_IN_DIFFICULTY, since=date(2024, 6, 1))
    # A child whose register entry is gone (removed since): the visits keep a closed entry.
    gone = PersonFactory(village=village, name="李小花", born=date(2015, 2, 2))
    gone_entry = on_register(gone, since=date(2024, 1, 1))
    visits = {}
    for person, days in ((child, (date(2024, 3, 5), date(2024, 7, 9))), (gone, (date(2024, 4, 1), date(2024, 8, 8)))):
        pairing = pairing_save(pairing=Pairing(mother=mother, child=person, start=date(2024, 3, 1)))
        for day in days:
            visit = aid_record_save(record=CareVisit(pairing=pairing, date=day, kind="visit", content="走访"))
            visits[visit.pk] = visit
    try:
        old = migrate(BEFORE)
        old.get_model("aid", "CareTarget").objects.filter(pk=gone_entry.pk).delete()
        assert not old.get_model("aid", "CareTarget").objects.filter(person_id=gone.pk).exists()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    found = {visit.pk: visit for visit in CareVisit.objects.select_related("target")}
    assert found[visits_on(visits, date(2024, 3, 5))].target == until_may
    assert found[visits_on(visits, date(2024, 7, 9))].target == since_june
    kept = CareTarget.objects.get(person=gone)
    assert (kept.category, kept.since, kept.until) == ("lb_child", date(2024, 4, 1), date(2024, 8, 8))
    assert {found[visits_on(visits, day)].target for day in (date(2024, 4, 1), date(2024, 8, 8))} == {kept}
    assert all(visit.visitor == "" and visit.pairing_id for visit in found.values())
    # The history rows of the visits name the entries too (their history pages name the child).
    history = CareVisit.history.filter(id__in=visits).values_list("id", "target_id")
    assert {(pk, target) for pk, target in history} == {(pk, visit.target_id) for pk, visit in found.items()}


def visits_on(visits, day) -> int:
    return next(pk for pk, visit in visits.items() if visit.date == day)
