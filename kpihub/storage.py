"""Where tenants' files are kept: django-tenants' storage (MEDIA_ROOT/<schema>/), which
removes what it began writing when the write fails. Django's file storage leaves the
partial file behind; on a full disk that keeps the space the failed upload took, and
nothing refers to it (the request's records were rolled back)."""

from __future__ import annotations

import os

from django_tenants.files.storage import TenantFileSystemStorage


class TenantFileStorage(TenantFileSystemStorage):
    def _save(self, name, content):
        path = self.path(name)
        existed = os.path.exists(path)
        try:
            return super()._save(name, content)
        except OSError:
            if not existed and os.path.exists(path):
                os.remove(path)
            raise
