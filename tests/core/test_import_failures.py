"""An import whose write breaks off writes nothing, yet leaves its import record (marked
interrupted, without counts), tells the clerk in Chinese instead of answering 500, and does
not count as imported before: the same file goes in once the fault is mended."""

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DataError

import federation.core.importing.writing as writing
from federation.core.models import ImportRecord
from federation.models import Person
from federation.resources import PeopleResource

DATA = Path(__file__).resolve().parents[1] / "data"
FILE = "people_utf8.csv"
CONTENT = (DATA / FILE).read_bytes()
COULD_NOT = "文件未能导入，没有写入任何数据。请把文件和导入时间告诉系统管理员。"
URL = "/admin/federation/person/import/"


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


@pytest.fixture
def broken_write(monkeypatch):
    """Make the write of the rows fail with the exception given."""

    def breaks(exception):
        def refuse(*args, **kwargs):
            raise exception

        monkeypatch.setattr(writing, "insert_rows", refuse)
        return monkeypatch

    return breaks


def upload(client, **extra):
    return client.post(URL, {"file": SimpleUploadedFile(FILE, CONTENT), **extra})


def confirm(client, token, **extra):
    return client.post(URL, {"confirm": "1", "token": token, "file_name": FILE, **extra})


def assert_interrupted(record, *, user, error):
    assert record.status == ImportRecord.Status.INTERRUPTED and record.applied is False
    assert (record.user, record.resource, record.file_name) == (user, "people", FILE)
    assert record.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert (record.new, record.updated, record.unchanged) == (0, 0, 0)
    assert record.errors == 1 and record.error == error


@pytest.mark.parametrize("exception", [DataError("invalid byte sequence"), RuntimeError("a fault in the code")])
def test_a_confirm_whose_write_fails_is_recorded_and_the_clerk_told(
    client_for, clerk, taiba, fenghe, broken_write, exception
):
    client = client_for(clerk)
    preview = upload(client)
    assert preview.context["report"].new == 4 and not preview.context["report"].errors
    patch = broken_write(exception)
    failed = confirm(client, preview.context["token"])
    assert failed.status_code == 200 and COULD_NOT in failed.content.decode()
    assert not Person.objects.exists()
    assert_interrupted(ImportRecord.objects.get(), user=clerk, error=type(exception).__name__)

    # The list of import records shows it as interrupted.
    page = client_for(clerk).get("/admin/federation/importrecord/").content.decode()
    assert str(ImportRecord.Status.INTERRUPTED.label) in page

    # Once the fault is mended, the same file is no repeat.
    patch.undo()
    again = upload(client)
    assert again.context["report"].errors == [] and "token" in again.context
    done = confirm(client, again.context["token"])
    assert done.status_code == 302 and Person.objects.count() == 4
    assert list(ImportRecord.objects.order_by("pk").values_list("status", flat=True)) == [
        ImportRecord.Status.INTERRUPTED,
        ImportRecord.Status.SUCCEEDED,
    ]


@pytest.mark.parametrize("exception", [DataError("invalid byte sequence"), RuntimeError("a fault in the code")])
def test_import_file_records_an_interrupted_write(taiba, fenghe, town_admin, broken_write, exception):
    patch = broken_write(exception)
    report = PeopleResource(user=town_admin).import_file(CONTENT, FILE, dry_run=False)
    assert [str(error) for error in report.errors] == [COULD_NOT] and not report.applied
    assert not Person.objects.exists()
    assert_interrupted(ImportRecord.objects.get(), user=town_admin, error=type(exception).__name__)
    patch.undo()
    report = PeopleResource(user=town_admin).import_file(CONTENT, FILE, dry_run=False)
    assert (report.errors, report.new, report.applied) == ([], 4, True)
    assert ImportRecord.objects.filter(status=ImportRecord.Status.SUCCEEDED).count() == 1


def test_a_stopped_process_is_recorded_then_stops(taiba, fenghe, broken_write):
    broken_write(KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        PeopleResource().import_file(CONTENT, FILE, dry_run=False)
    assert not Person.objects.exists()
    assert_interrupted(ImportRecord.objects.get(), user=None, error="KeyboardInterrupt")


def test_a_preview_that_breaks_is_told_and_records_nothing(client_for, clerk, taiba, fenghe, monkeypatch):
    def fault(self, rows):
        raise RuntimeError("a fault in the code")

    monkeypatch.setattr(PeopleResource, "plan", fault)
    preview = upload(client_for(clerk))
    assert preview.status_code == 200 and COULD_NOT in preview.content.decode()
    assert "token" not in preview.context  # nothing to confirm
    assert not ImportRecord.objects.exists()


def test_the_command_records_an_interrupted_write(taiba, fenghe, broken_write, capsys):
    patch = broken_write(RuntimeError("a fault in the code"))
    with pytest.raises(SystemExit) as stopped:
        call_command("import_data", "people", str(DATA / FILE))
    assert stopped.value.code == 1 and COULD_NOT in capsys.readouterr().out
    assert not Person.objects.exists()
    assert_interrupted(ImportRecord.objects.get(), user=None, error="RuntimeError")
    patch.undo()
    call_command("import_data", "people", str(DATA / FILE))
    assert Person.objects.count() == 4


def test_a_file_with_errors_is_recorded_as_failed_without_counts(taiba, fenghe):
    content = CONTENT.replace("太坝".encode(), "无此村".encode(), 1)
    report = PeopleResource().import_file(content, FILE, dry_run=False)
    assert report.errors and not Person.objects.exists()
    record = ImportRecord.objects.get()
    assert (record.status, record.error, record.applied) == (ImportRecord.Status.FAILED, "", False)
    assert (record.new, record.updated, record.unchanged, record.errors) == (0, 0, 0, len(report.errors))
    # and it is no repeat either
    report = PeopleResource().import_file(content, FILE, dry_run=True)
    assert report.errors and "导入记录" not in " ".join(str(error) for error in report.errors)


def test_the_import_record_list_shows_the_status(client_for, superuser):
    ImportRecord.objects.create(
        resource="people", file_name="a.csv", sha256="0" * 64, status=ImportRecord.Status.SUCCEEDED, applied=True
    )
    ImportRecord.objects.create(
        resource="people", file_name="b.csv", sha256="1" * 64, status=ImportRecord.Status.INTERRUPTED
    )
    response = client_for(superuser).get("/admin/federation/importrecord/")
    page = response.content.decode()
    assert response.status_code == 200
    assert str(ImportRecord.Status.SUCCEEDED.label) in page and str(ImportRecord.Status.INTERRUPTED.label) in page
    filtered = client_for(superuser).get("/admin/federation/importrecord/?status__exact=interrupted")
    assert [record.file_name for record in filtered.context["cl"].result_list] == ["b.csv"]
