"""The Celery entry point of imports: a thin wrapper over ``running.run_import``.

Declared with ``tenant_task``: late acknowledgement (a killed worker's message is
delivered again), retries for transient database and broker errors. Running an
import twice is harmless: a finished import is skipped, an interrupted one runs again
from its kept file, and the data is written in one transaction either way.
"""

from jobs.tasks import tenant_task
from metrics.imports import running


@tenant_task()
def run_data_import(import_id: str) -> dict:
    return running.run_import(import_id=import_id)
