"""Sending a protected file (federation.core.files) to a user who may see the record that owns it."""

import mimetypes
from pathlib import PurePosixPath

from django.apps import apps
from django.http import FileResponse

from federation.core.files import ProtectedFileField
from federation.core.scoping import in_scope, scope_for


def owners():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, ProtectedFileField):
                yield model, field.name


def protected_file(user, path: str):
    """The record that owns the protected file at `path` and that `user` may see (her
    permission and village scope), with its file; None when there is none."""
    scope = scope_for(user)
    for model, field_name in owners():
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
