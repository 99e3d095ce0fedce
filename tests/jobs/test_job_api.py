import uuid

import pytest
from django.db import connection

from jobs.models import Job


@pytest.fixture
def acme_job(in_acme):
    job = Job.objects.create(kind="import", status=Job.Status.RUNNING,
                             progress_done=250, progress_total=1000)
    connection.set_schema_to_public()
    return job


def test_job_shows_status_progress_and_error(acme_owner, acme_job):
    response = acme_owner.get(f"/api/v1/jobs/{acme_job.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "running"
    assert body["progress"] == 25.0
    assert body["error"] == ""


def test_job_of_another_tenant_is_not_found(globex_owner, acme_job):
    assert globex_owner.get(f"/api/v1/jobs/{acme_job.pk}/").status_code == 404


def test_unknown_job_is_404_and_anonymous_is_401(acme_owner, acme_client, acme_job):
    assert acme_owner.get(f"/api/v1/jobs/{uuid.uuid4()}/").status_code == 404
    assert acme_owner.get("/api/v1/jobs/not-a-uuid/").status_code == 404
    assert acme_client.get(f"/api/v1/jobs/{acme_job.pk}/").status_code == 401
