"""The import records (导入记录): a file imported before is refused, and every import that
writes or fails is recorded, with its file's checksum, its counts and how it ended."""

import logging

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.core.importing.reading import ImportFileError
from federation.core.importing.report import ImportReport
from federation.core.models import ImportRecord

logger = logging.getLogger(__name__)


def refuse_repeated(report: ImportReport) -> None:
    """The same file imported twice would award every ledger line twice."""
    previous = (
        ImportRecord.objects.filter(
            resource=report.resource, sha256=report.sha256, status=ImportRecord.Status.SUCCEEDED
        )
        .order_by("-created_at")
        .first()
    )
    if previous is not None:
        raise ImportFileError(
            _(
                "This file was already imported on %(when)s (import record #%(id)d). "
                "To import it again all the same, tick “Import again”."
            )
            % {"when": timezone.localtime(previous.created_at).strftime("%Y-%m-%d %H:%M"), "id": previous.pk}
        )


def record_import(report: ImportReport, user, *, interruption: BaseException | None = None) -> ImportRecord | None:
    """Record an import: a successful one inside its transaction, a failed or interrupted
    one after its transaction rolled back (so that the record remains), without counts:
    nothing was written."""
    fields = {
        "user": user if user and user.pk else None,
        "resource": report.resource,
        "file_name": report.file_name[:200],
        "sha256": report.sha256,
        "errors": len(report.errors),
    }
    if not report.errors:
        return ImportRecord.objects.create(
            **fields,
            new=report.new,
            updated=report.updated,
            unchanged=report.unchanged,
            applied=True,
            status=ImportRecord.Status.SUCCEEDED,
        )
    if interruption is None:
        status, error = ImportRecord.Status.FAILED, ""
    else:
        status, error = ImportRecord.Status.INTERRUPTED, type(interruption).__name__[:200]
    try:
        with transaction.atomic():
            return ImportRecord.objects.create(**fields, applied=False, status=status, error=error)
    except DatabaseError:
        # The database itself is gone: the clerk is told all the same, the log keeps it.
        logger.exception("the failed import of %s (%s) could not be recorded", report.resource, report.file_name)
        return None
