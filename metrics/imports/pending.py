"""An uploaded file kept between its preview on the Imports page and the import the
person confirms, so the mapping can be changed and the import started without
sending the file again (and without JavaScript: the token travels in the form).

Files live in the tenant's own storage (MEDIA_ROOT/<schema>/), under a random token;
one left behind (a preview never confirmed) is removed by the next preview after a day.
"""

from __future__ import annotations

import datetime
import re
import uuid

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

FOLDER = "import-previews"
KEPT_FOR = datetime.timedelta(days=1)
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def keep(upload) -> str:
    """Keep ``upload``; returns the token that finds it again."""
    _sweep()
    token = uuid.uuid4().hex
    name = (upload.name or "upload").rsplit("/", 1)[-1][-100:]
    default_storage.save(f"{FOLDER}/{token}/{name}", upload)
    return token


def _path(token: str) -> str | None:
    if not token or not TOKEN.match(token):
        return None
    try:
        _, files = default_storage.listdir(f"{FOLDER}/{token}")
    except FileNotFoundError:
        return None
    return f"{FOLDER}/{token}/{files[0]}" if files else None


def name_of(token: str) -> str | None:
    path = _path(token)
    return path.rsplit("/", 1)[-1] if path else None


def open_kept(token: str) -> File | None:
    """The kept file (binary, with its name and size), None when there is none."""
    path = _path(token)
    if path is None:
        return None
    kept = default_storage.open(path, "rb")
    return File(kept, name=path.rsplit("/", 1)[-1])


def discard(token: str) -> None:
    path = _path(token)
    if path is not None:
        default_storage.delete(path)


def _sweep() -> None:
    try:
        folders, _ = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return
    cutoff = timezone.now() - KEPT_FOR
    for token in folders:
        path = _path(token)
        if path is not None and default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
