"""A correction saved while a roster import runs is never reverted by it (PostgreSQL: the
confirm plans and writes in one transaction, locks what it updates, and writes only each
row's own changed columns)."""

import threading
from pathlib import Path

import pytest
from django.db import connection

from federation.models import Person
from federation.resources import PeopleResource
from federation.services import person_save
from tests.data.make_files import LI, WANG, ZHAO

# serialized_rollback: the test leaves the database as the migrations made it (roles included)
# for the transactional tests after it in its worker; a plain flush re-creates the content types
# under new keys, which a later test's restore (tests/aid/test_visit_migration.py) trips on.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


def correct_phone(phone: str, done: threading.Event | None = None) -> None:
    """What a clerk does in the admin meanwhile: correct 王建国's phone."""
    try:
        person = Person.objects.get(id_number=WANG)
        person.phone = phone
        person_save(person=person)
    finally:
        connection.close()
        if done is not None:
            done.set()


def import_changes(monkeypatch, during) -> object:
    """Import people_renamed.csv (王建国 renamed, 赵桂兰's phone changed), calling `during`
    once the plan is made, before or after the rows to update are locked."""
    original = PeopleResource._updated_people

    def planned(self, changes):
        if during[0] == "before-lock":
            during[1]()
        people = original(self, changes)
        if during[0] == "after-lock":
            during[1]()
        return people

    monkeypatch.setattr(PeopleResource, "_updated_people", planned)
    data = (DATA / "people_renamed.csv").read_bytes()
    return PeopleResource().import_file(data, "people_renamed.csv", dry_run=False)


def test_an_edit_saved_before_the_write_is_kept(taiba, fenghe, monkeypatch):
    PeopleResource().import_file((DATA / "people_utf8.csv").read_bytes(), "people.csv", dry_run=False)

    def edit():
        thread = threading.Thread(target=correct_phone, args=("13912340000",))
        thread.start()
        thread.join()

    report = import_changes(monkeypatch, ["before-lock", edit])
    assert (report.errors, report.updated, report.unchanged) == ([], 2, 2)
    wang = Person.objects.get(id_number=WANG)
    # The file changes his name, not his phone: the correction stands.
    assert (wang.name, wang.phone) == ("王建华", "13912340000")
    assert Person.objects.get(id_number=ZHAO).phone == "13900009999"
    assert Person.objects.get(id_number=LI).phone == "13800000002"


def test_an_edit_saved_during_the_write_waits_for_it(taiba, fenghe, monkeypatch):
    PeopleResource().import_file((DATA / "people_utf8.csv").read_bytes(), "people.csv", dry_run=False)
    done = threading.Event()

    def edit():
        threading.Thread(target=correct_phone, args=("13912340000", done)).start()
        # The row is locked by the import: the clerk's save waits for it to commit.
        assert not done.wait(1.0)

    report = import_changes(monkeypatch, ["after-lock", edit])
    assert report.errors == [] and report.updated == 2
    assert done.wait(10)
    # Her save came after the import's commit, so it holds.
    assert Person.objects.get(id_number=WANG).phone == "13912340000"
    assert Person.objects.get(id_number=ZHAO).phone == "13900009999"
