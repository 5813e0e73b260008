"""Uploaded files that only logged-in users with access may download.

Files live under MEDIA_ROOT/protected and are never served as static media: their URL
points at `views.serve_protected`, which finds the record that owns the file (`downloads.protected_file`:
the user's permission and village scope), logs the download and sends it.
"""

from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models, transaction
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

ALLOWED_TYPES = {
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".pdf": b"%PDF-",
}


class ProtectedStorage(FileSystemStorage):
    """MEDIA_ROOT/protected, read from the settings as Django's own media storage reads
    MEDIA_ROOT: again when the setting changes (a storage built with a fixed location kept the
    first one, so that tests wrote their uploads into the checkout's media folder)."""

    @cached_property
    def base_location(self):
        return Path(settings.MEDIA_ROOT) / "protected"


def protected_storage() -> FileSystemStorage:
    return ProtectedStorage(base_url=settings.PROTECTED_FILES_URL)


class ProtectedFileField(models.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("storage", protected_storage)
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        # A deleted record's file goes with it — from its page, a list's bulk delete or
        # `manage.py purge` — once the deletion is committed (a refused one keeps it): a
        # diagnosis or an ID copy must not outlive its record on the disk.
        if not cls._meta.abstract:
            models.signals.post_delete.connect(
                _file_remover(name), sender=cls, weak=False, dispatch_uid=f"protected-file:{cls._meta.label}.{name}"
            )


def _file_remover(name: str):
    def remove(sender, instance, **kwargs):
        file = getattr(instance, name)
        if file and file.name:
            storage, path = file.storage, file.name
            transaction.on_commit(lambda: storage.delete(path))

    return remove


def validate_attachment(file) -> None:
    """Accept a JPEG, PNG or PDF no larger than ATTACHMENT_MAX_BYTES."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB."),
            code="file_too_large",
            params={"size": file.size / 1024 / 1024, "limit": limit / 1024 / 1024},
        )
    suffix = PurePosixPath(file.name).suffix.lower()
    magic = ALLOWED_TYPES.get(suffix)
    if magic is None:
        raise ValidationError(_("Only JPEG, PNG and PDF files can be attached."), code="file_type")
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(len(magic))
    file.seek(position)
    if head != magic:
        raise ValidationError(
            _("The file's content is not a %(type)s file."),
            code="file_content",
            params={"type": suffix.lstrip(".").upper()},
        )
