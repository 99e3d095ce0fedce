"""Celery's autodiscovery imports ``<app>.tasks`` for every installed app; the
metrics app keeps its tasks beside the code they run, so this module names them."""

from metrics.imports.tasks import run_data_import

__all__ = ["run_data_import"]
