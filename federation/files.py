"""Uploaded files that only logged-in users with access may download.

Files live under MEDIA_ROOT/protected and are never served as static media: their URL
points at `serve_protected`, which finds the record that owns the file and checks the
user's permission and village scope before sending it.
"""

import mimetypes
from pathlib import PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from federation.scoping import in_scope, scope_for

ALLOWED_TYPES = {
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".pdf": b"%PDF-",
}


def protected_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.MEDIA_ROOT / "protected", base_url=settings.PROTECTED_FILES_URL)


class ProtectedFileField(models.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("storage", protected_storage)
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)


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


@staff_member_required
def serve_protected(request, path: str):
    scope = scope_for(request.user)
    for model, field_name in _owners():
        opts = model._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        record = in_scope(model._default_manager.filter(**{field_name: path}), scope).first()
        if record is None:
            continue
        stored = getattr(record, field_name)
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
    raise Http404
