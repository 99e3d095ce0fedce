"""Tasks that exist only for the tests: the worker under test imports this module
(``--include``) so that the tests can watch the task machinery itself."""

import time

from django.db import connection

from jobs.tasks import JobReporter, tenant_task


@tenant_task()
@JobReporter.tracking
def record_schema(reporter: JobReporter, steps: int = 3) -> dict:
    """Reports progress step by step and returns the schema it ran in."""
    for step in range(1, steps + 1):
        reporter.advance(step, total=steps)
        time.sleep(0.05)
    return {"schema": connection.schema_name}


@tenant_task()
@JobReporter.tracking
def fail_plainly(reporter: JobReporter) -> dict:
    raise ValueError("the input had no header row")
