"""The Celery app. tenant-schemas-celery's app carries the caller's schema in every
message and switches to it before the task runs; a plain Celery() would run every
task in public (tenant-schemas-celery #132)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpihub.settings.development")

app = CeleryApp("kpihub")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Every app's tasks.py; the metrics app keeps one per package (imports, kpis, goals, cohorts).
app.autodiscover_tasks()
app.autodiscover_tasks(["metrics.imports", "metrics.kpis", "metrics.goals", "metrics.cohorts"])
# What beat starts for surveys queues their sending tasks, so it has a module of its own.
app.autodiscover_tasks(["surveys"], related_name="schedule")
# The jobs reaper (beat); the worker's visibility renewal connects to its signals.
app.autodiscover_tasks(["jobs"], related_name="reaper")
app.autodiscover_tasks(["jobs"], related_name="visibility")
