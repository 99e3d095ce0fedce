"""Celery entry points for people: the "find my workspace" e-mail."""

from __future__ import annotations

from accounts.find_workspace import mail_workspace_list
from jobs.tasks import TRANSIENT_ERRORS
from kpihub.celery import app


@app.task(name="accounts.tasks.send_workspace_list", acks_late=True, reject_on_worker_lost=True,
          autoretry_for=TRANSIENT_ERRORS, retry_backoff=2, retry_jitter=True, max_retries=5)
def send_workspace_list(*, email: str, scheme: str, port: str) -> int:
    """On public (it reads every company's schema itself): look the address up and mail
    the list. In a task, not the request, so an address that belongs somewhere is not
    answered more slowly than one that does not."""
    return mail_workspace_list(email=email, scheme=scheme, port=port)
