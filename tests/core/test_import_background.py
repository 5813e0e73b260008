"""A large roster is previewed and imported by the background worker (`manage.py db_worker`,
django-tasks' database backend); its page shows the progress, survives a reload and then
shows what an immediate import shows. Small files stay immediate."""

import re
import signal
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from federation.core.models import ImportJob, ImportRecord
from federation.models import Person

DATA = Path(__file__).resolve().parents[1] / "data"
IMPORT = "/admin/federation/person/import/"


@pytest.fixture(autouse=True)
def background(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"
    settings.IMPORT_BACKGROUND_ROWS = 3  # people_utf8.csv has 4 rows


@pytest.fixture
def worker(monkeypatch):
    """Run `manage.py db_worker --batch`: every queued task, then stop. Between tasks the
    worker closes a connection left outside autocommit, which the test's transaction is: the
    test client disconnects the same housekeeping from its requests. The command installs
    its own signal handlers; give the test process its own back."""
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}

    def run():
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
        for number, handler in saved.items():
            signal.signal(number, handler)

    return run


def upload(client, name, **extra):
    content = (DATA / name).read_bytes()
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content), **extra})


def job_url(response) -> str:
    assert response.status_code == 302, response.status_code
    assert re.fullmatch(r"/admin/federation/person/import/job/[0-9a-f-]{36}/", response["Location"])
    return response["Location"]


def test_a_large_roster_is_previewed_and_imported_by_the_worker(client_for, clerk, taiba, fenghe, worker):
    client = client_for(clerk)
    preview = job_url(upload(client, "people_utf8.csv"))
    waiting = client.get(preview)
    page = waiting.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page and "<progress" in page
    assert "等待后台程序处理" in page
    assert DBTaskResult.objects.get().status == "READY"

    worker()
    shown = client.get(preview)
    page = shown.content.decode()
    assert shown.context["report"].new == 4 and "确认导入" in page and 'name="rows" value="4"' in page
    assert "http-equiv" not in page and not Person.objects.exists()  # a preview writes nothing

    confirmed = client.post(
        IMPORT, {"confirm": "1", "token": shown.context["token"], "file_name": "people_utf8.csv", "rows": "4"}
    )
    progress = job_url(confirmed)
    assert progress != preview
    assert "等待后台程序处理" in client.get(progress).content.decode()
    assert not Person.objects.exists() and not ImportRecord.objects.exists()  # queued: nothing yet

    worker()
    assert Person.objects.count() == 4
    assert ImportRecord.objects.get().user == clerk
    done = client.get(progress)
    assert done.status_code == 302 and done["Location"] == "/admin/federation/person/"
    messages = [str(m) for m in client.get(done["Location"]).context["messages"]]
    assert messages == ["导入完成：新增 4，更新 0，未变 0，错误 0。"]
    assert ImportJob.objects.get(pk=progress.split("/")[-2]).state == ImportJob.State.DONE


def test_the_progress_page_shows_the_rows_checked_after_a_reload(client_for, clerk, taiba, fenghe):
    client = client_for(clerk)
    url = job_url(upload(client, "people_utf8.csv"))
    # What the worker has written while it cleans the cells of a 20,000-row file.
    ImportJob.objects.update(state=ImportJob.State.READING, rows_done=8200, rows_total=20000)
    for _reload in range(2):
        page = client.get(url).content.decode()
        assert '<progress class="import-progress" max="20000" value="8200"></progress>' in page
        assert "已检查 8200 / 20000 行。" in page and "正在读取并检查各行" in page
    ImportJob.objects.update(state=ImportJob.State.PLANNING, rows_done=20000)
    page = client.get(url).content.decode()
    assert "正在与已有记录核对" in page and "已检查全部 20000 行。" in page


def test_the_worker_reports_its_progress_while_it_reads(clerk, taiba, fenghe, client_for, worker, monkeypatch):
    from federation.core.importing import jobs

    seen = []
    original = jobs.ImportJob.objects.filter

    def recording(*args, **kwargs):
        queryset = original(*args, **kwargs)
        update = queryset.update

        def update_and_record(**fields):
            seen.append(fields)
            return update(**fields)

        queryset.update = update_and_record
        return queryset

    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(jobs.ImportJob.objects, "filter", recording)
    job_url(upload(client_for(clerk), "people_utf8.csv"))
    worker()
    states = [fields.get("state") for fields in seen]
    assert states[0] == ImportJob.State.READING and states[-1] == ImportJob.State.DONE
    progress = [{key: value for key, value in fields.items() if key != "heartbeat_at"} for fields in seen]
    assert {"rows_done": 0, "rows_total": 4} in progress
    assert {"state": ImportJob.State.PLANNING, "rows_done": 4, "rows_total": 4} in progress
    assert all("heartbeat_at" in fields for fields in seen if "rows_done" in fields)  # progress is a sign of life


def test_only_the_uploader_and_a_superuser_see_a_job(client_for, clerk, town_admin, superuser, taiba, fenghe):
    url = job_url(upload(client_for(clerk), "people_utf8.csv"))
    assert client_for(town_admin).get(url).status_code == 404
    assert client_for(superuser).get(url).status_code == 200
    assert client_for(clerk).get(url).status_code == 200
    # Another roster's address does not show it either.
    assert client_for(clerk).get(url.replace("/person/", "/household/")).status_code == 404


def test_a_small_roster_stays_immediate(client_for, clerk, taiba, fenghe, settings):
    settings.IMPORT_BACKGROUND_ROWS = 2000
    client = client_for(clerk)
    preview = upload(client, "people_utf8.csv")
    assert preview.status_code == 200 and preview.context["report"].new == 4
    done = client.post(
        IMPORT, {"confirm": "1", "token": preview.context["token"], "file_name": "people_utf8.csv", "rows": "4"}
    )
    assert done.status_code == 302 and done["Location"] == "/admin/federation/person/"
    assert Person.objects.count() == 4
    assert not ImportJob.objects.exists() and not DBTaskResult.objects.exists()


def test_a_roster_with_errors_shows_them_by_row_and_column_and_writes_nothing(
    client_for, clerk, taiba, fenghe, worker, settings
):
    client = client_for(clerk)
    url = job_url(upload(client, "people_other_village.csv"))
    worker()
    shown = client.get(url)
    page = shown.content.decode()
    assert "第 6 行，“村(社区)”列：村(社区)“冯河”不在您负责的范围内。" in page
    assert "确认导入" not in page and "token" not in shown.context
    assert not Person.objects.exists()
    assert list(settings.IMPORT_TMP_DIR.iterdir()) == []  # nothing to confirm: the roster is not kept


def test_an_import_that_fails_in_the_worker_says_so_in_chinese(client_for, clerk, taiba, fenghe, worker, monkeypatch):
    from federation.resources import PeopleResource

    client = client_for(clerk)
    preview = upload(client, "people_utf8.csv", again="on")
    worker()
    token = client.get(job_url(preview)).context["token"]

    def broken(self, rows):
        raise RuntimeError("a fault in the code")

    monkeypatch.setattr(PeopleResource, "plan", broken)
    url = job_url(client.post(IMPORT, {"confirm": "1", "token": token, "file_name": "people_utf8.csv", "rows": "4"}))
    worker()
    page = client.get(url).content.decode()
    assert "文件未能导入，没有写入任何数据。请把文件和导入时间告诉系统管理员。" in page
    assert "Traceback" not in page and "RuntimeError" not in page
    assert not Person.objects.exists()
    assert ImportRecord.objects.get().status == ImportRecord.Status.INTERRUPTED


def test_a_job_the_worker_gave_up_on_is_shown_as_failed(client_for, clerk, taiba, fenghe):
    client = client_for(clerk)
    url = job_url(upload(client, "people_utf8.csv"))
    DBTaskResult.objects.update(status="FAILED")  # the worker was killed in the middle
    page = client.get(url).content.decode()
    assert "后台导入在完成前中止（后台程序已停止），未写入任何数据。" in page and "http-equiv" not in page


def test_a_job_whose_worker_was_killed_is_marked_stopped_once_it_falls_silent(client_for, clerk, taiba, fenghe):
    """kill -9 of the worker in the middle of an import left its page at 正在与已有记录核对
    forever: the task stays RUNNING and a restarted worker does not take it up again."""
    from datetime import timedelta

    from django.utils import timezone

    client = client_for(clerk)
    url = job_url(upload(client, "people_utf8.csv"))
    DBTaskResult.objects.update(status="RUNNING")
    job = ImportJob.objects.get()
    ImportJob.objects.update(state=ImportJob.State.PLANNING, heartbeat_at=timezone.now())
    page = client.get(url).content.decode()
    assert "http-equiv" in page and "中止" not in page  # beating: still running
    ImportJob.objects.update(heartbeat_at=timezone.now() - timedelta(minutes=4))
    page = client.get(url).content.decode()
    assert "后台导入在完成前中止" in page and "请重新上传文件" in page and "http-equiv" not in page
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED  # kept: the page no longer asks the task
    assert not Person.objects.filter(name="王建国").exists()


# serialized_rollback: the test leaves the database as the migrations made it (roles included)
# for the transactional tests after it in its worker; a plain flush re-creates the content types
# under new keys, which a later test's restore (tests/aid/test_visit_migration.py) trips on.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_heartbeat_is_written_beside_the_job_until_it_stops(django_user_model, monkeypatch):
    """The worker's beat runs on a connection of its own, beside the import's transaction."""
    import time

    from federation.core.importing import jobs

    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.02)
    # (No role: a transactional test's database is emptied of the migrations' groups.)
    user = django_user_model.objects.create(username="beat")
    job = ImportJob.objects.create(user=user, kind="confirm", resource="people", file_name="x.csv", token="t")
    heartbeat = jobs.Heartbeat(job.pk)
    heartbeat.start()
    deadline = time.monotonic() + 10
    while ImportJob.objects.get(pk=job.pk).heartbeat_at is None and time.monotonic() < deadline:
        time.sleep(0.02)
    heartbeat.stopped.set()
    heartbeat.join(5)
    assert not heartbeat.is_alive()
    assert ImportJob.objects.get(pk=job.pk).heartbeat_at is not None


def test_a_job_page_of_a_list_without_a_roster_is_not_found(client_for, town_admin):
    """A list with no roster has no import jobs: its job address is a 404, never a 500."""
    from django.contrib import admin as django_admin

    from federation.core.importing.views import RosterImportMixin

    client = client_for(town_admin)
    without = [
        model_admin
        for model_admin in django_admin.site._registry.values()
        if isinstance(model_admin, RosterImportMixin) and model_admin.import_resource is None
    ]
    assert without
    for model_admin in without:
        opts = model_admin.model._meta
        url = f"/admin/{opts.app_label}/{opts.model_name}/import/job/{uuid.uuid4()}/"
        assert client.get(url).status_code == 404, url
