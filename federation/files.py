"""Uploaded files that only logged-in users with access may download.

Files live under MEDIA_ROOT/protected and are never served as static media: their URL
points at `views.serve_protected`, which finds the record that owns the file (`protected_file`:
the user's permission and village scope), logs the download and sends it.
"""

import mimetypes
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models, transaction
from django.http import FileResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from federation.scoping import in_scope, scope_for

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


def _owners():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, ProtectedFileField):
                yield model, field.name


def protected_file(user, path: str):
    """The record that owns the protected file at `path` and that `user` may see (her
    permission and village scope), with its file; None when there is none."""
    scope = scope_for(user)
    for model, field_name in _owners():
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        record = in_scope(model._default_manager.filter(**{field_name: path}), scope).first()
        if record is not None:
            return record, getattr(record, field_name)
    return None


def file_response(stored) -> FileResponse:
    content_type = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    # A photo opens in the page; anything else downloads, so that a browser never runs
    # or renders it as a page of this site.
    response = FileResponse(
        stored.open("rb"),
        content_type=content_type,
        as_attachment=not content_type.startswith("image/"),
        filename=PurePosixPath(stored.name).name,
    )
    # Personal files: never kept by a shared computer's browser or a proxy.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
