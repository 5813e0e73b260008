"""Roster previews and imports too big to wait for: a job in the database that the background
worker (`manage.py db_worker`, django-tasks' database backend) runs through the same
`RosterResource.import_file` as the import page itself; the page reads its progress and
result from the job."""

import logging
import threading
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, default_task_backend, task
from django_tasks.exceptions import TaskResultDoesNotExist

from federation.core.importing.reading import ImportFileError, read_tables
from federation.core.importing.report import ImportReport, RowError
from federation.core.importing.uploads import store_upload, take_upload
from federation.core.models import ImportJob
from federation.core.registry import registry

logger = logging.getLogger(__name__)

# The result holds a file's errors and sample rows: a finished job is kept as long as its page
# is useful, then deleted.
JOB_MAX_AGE = timedelta(days=1)
PROGRESS_EVERY = 0.5  # seconds between two writes of the progress
HEARTBEAT_SECONDS = 10


def sheet_rows(data: bytes, file_name: str) -> int:
    """About how many rows the file holds (every sheet's, title rows included), to choose
    where to preview it. A file that cannot be read counts 0: the preview says why."""
    try:
        return sum(len(table.rows) for table in read_tables(data, file_name))
    except ImportFileError:
        return 0


def start_job(
    *, user, kind: str, resource, data: bytes, file_name: str, village, again: bool, hidden: bool = False
) -> ImportJob:
    """Keep the upload for the worker and queue the job."""
    cutoff = timezone.now() - JOB_MAX_AGE
    ImportJob.objects.filter(created_at__lt=cutoff).delete()
    job = ImportJob.objects.create(
        id=uuid.uuid4(),
        user=user,
        kind=kind,
        resource=resource.import_name,
        file_name=file_name[:200],
        token=store_upload(data, user),
        village=village,
        again=again,
        hidden=hidden,
    )
    job.task_id = run_import_job.enqueue(str(job.pk)).id
    job.save(update_fields=["task_id"])
    return job


def worker_failed(job: ImportJob) -> bool:
    """Whether the worker gave up on the job without finishing it: the task broke before it
    could say so, or the worker was killed (kill -9, a crash, the machine restarted) and the
    job has shown no sign of it for IMPORT_JOB_SILENT_SECONDS — a restarted worker does not
    take a running task up again."""
    if job.finished or not job.task_id:
        return False
    try:
        status = default_task_backend.get_result(job.task_id).status
    except TaskResultDoesNotExist:
        return True
    if status == TaskResultStatus.FAILED:
        return True
    if job.state == ImportJob.State.QUEUED:
        return False  # waiting for a worker: one may not be running yet
    last = job.heartbeat_at or job.created_at
    return timezone.now() - last > timedelta(seconds=settings.IMPORT_JOB_SILENT_SECONDS)


def mark_stopped(job: ImportJob) -> None:
    """Record that the worker stopped, so that the job is not shown as running again."""
    job.state = ImportJob.State.FAILED
    job.result = {
        "message": _(
            "The background import stopped before it finished (the background worker was stopped); "
            "nothing was written. Upload the file again."
        )
    }
    ImportJob.objects.filter(pk=job.pk).exclude(state=ImportJob.State.DONE).update(state=job.state, result=job.result)


class Heartbeat(threading.Thread):
    """Beside the job, on a connection of its own: write the job's heartbeat every
    HEARTBEAT_SECONDS until stopped. (On SQLite a beat waits while the import holds the write
    lock, and is tried again at the next one.)"""

    def __init__(self, job_id):
        super().__init__(daemon=True)
        self.job_id = job_id
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                try:
                    ImportJob.objects.filter(pk=self.job_id).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning("import job %s: the heartbeat could not be written", self.job_id)
        finally:
            connection.close()


@task()
def run_import_job(job_id: str) -> None:
    job = ImportJob.objects.select_related("user", "village").get(pk=job_id)
    jobs = ImportJob.objects.filter(pk=job.pk)
    jobs.update(state=ImportJob.State.READING, heartbeat_at=timezone.now())
    heartbeat = Heartbeat(job.pk)
    heartbeat.start()
    try:
        _run(job, jobs)
    finally:
        heartbeat.stopped.set()
        heartbeat.join()


def _run(job: ImportJob, jobs) -> None:
    dry_run = job.kind == ImportJob.Kind.PREVIEW
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        # Outside the import's transaction (the cells are cleaned before it begins), so the
        # page sees each step; at most twice a second, which costs nothing beside the import.
        now = time.monotonic()
        if done == total:
            jobs.update(state=ImportJob.State.PLANNING, rows_done=done, rows_total=total, heartbeat_at=timezone.now())
        elif now - last >= PROGRESS_EVERY:
            jobs.update(rows_done=done, rows_total=total, heartbeat_at=timezone.now())
            last = now

    try:
        # A confirm takes the upload away, as the page does, so that it is imported once.
        data = take_upload(job.token, job.user, remove=not dry_run)
        if data is None:
            return finish(jobs, _("The upload has expired or was already imported; upload the file again."))
        resource = registry.rosters[job.resource](user=job.user, default_village=job.village)
        resource.progress = progress
        report = resource.import_file(data, job.file_name, dry_run=dry_run, again=job.again, hidden=job.hidden)
    except Exception:
        # import_file turns what breaks in the write into the report's error; this is what
        # breaks around it. The clerk is told in words, the log keeps the traceback.
        logger.exception("import job %s (%s) failed", job.pk, job.file_name)
        return finish(
            jobs,
            _(
                "The file could not be imported; nothing was written. "
                "Tell the system administrator the file and the time."
            ),
        )
    if report.errors:
        take_upload(job.token, job.user, remove=True)  # nothing to confirm: don't keep the roster
    jobs.update(state=ImportJob.State.DONE, result=report_to_json(report, job.user))


def finish(jobs, message: str) -> None:
    jobs.update(state=ImportJob.State.FAILED, result={"message": message})


def report_to_json(report: ImportReport, user) -> dict:
    """What the page shows of a report, the sample already masked for the uploader."""
    return {
        "resource": report.resource,
        "file_name": report.file_name,
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": [[error.row, error.column, error.message, error.sheet] for error in report.errors],
        "ignored_columns": report.ignored_columns,
        "header_row": report.header_row,
        "headers": report.headers,
        "sheet": report.sheet,
        "ignored_rows": report.ignored_rows,
        "notices": report.notices,
        "sample": [
            {**item, "cells": {header: str(value) for header, value in item["cells"].items()}}
            for item in report.shown_sample(user)
        ],
        "applied": report.applied,
    }


def report_from_json(data: dict) -> ImportReport:
    fields = {**data, "errors": [RowError(*error) for error in data["errors"]]}
    return ImportReport(**fields)
