"""Private storage of uploads between preview and confirm: whole rosters must not linger."""

import io
import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from federation.core.streams import SafeCsvWriter


def upload_dir() -> Path:
    path = Path(settings.IMPORT_TMP_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def purge_uploads(max_age: int | None = None) -> None:
    """Remove uploads nobody confirmed: whole rosters must not linger on disk."""
    limit = time.time() - (settings.IMPORT_TMP_MAX_AGE if max_age is None else max_age)
    for path in upload_dir().glob("*-*.*"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def store_upload(data: bytes, user, kind: str = "upload") -> str:
    """Keep bytes for this user only, under a random token; return the token."""
    purge_uploads()
    token = f"{user.pk}-{secrets.token_urlsafe(24)}"
    path = upload_dir() / f"{token}.{kind}"
    path.touch(mode=0o600)
    path.write_bytes(data)
    return token


def store_errors(lines: list[list], user) -> str:
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow([_("Row"), _("Column"), _("Problem")])
    writer.writerows(lines)
    return store_upload(buffer.getvalue().encode("utf-8-sig"), user, kind="errors")


def take_upload(token: str, user, *, remove: bool, kind: str = "upload") -> bytes | None:
    """Return what this user stored under the token; remove it when asked."""
    if not re.fullmatch(r"\d+-[A-Za-z0-9_-]{32}", token or "") or not token.startswith(f"{user.pk}-"):
        return None
    path = upload_dir() / f"{token}.{kind}"
    if not path.exists():
        return None
    data = path.read_bytes()
    if remove:
        path.unlink(missing_ok=True)
    return data
