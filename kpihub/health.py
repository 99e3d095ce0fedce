"""GET /healthz on any host, answered before tenant routing so that a load balancer
probing by IP, or a suspended tenant's host, still gets the truth.

The same middleware, first in the chain, turns a request that failed because a
service is away (PostgreSQL restarting, the broker unreachable while work is queued)
into a 503 with Retry-After that says so, instead of a 500 page: the outage is
temporary and the client should try again, and nothing of the request was kept
(its transaction was rolled back with the connection). A write the file storage
refused (disk or quota full) answers 507 Insufficient Storage the same way."""

from __future__ import annotations

import errno
import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connection
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from kombu.exceptions import OperationalError as BrokerError

from kpihub.celery import app

logger = logging.getLogger(__name__)
UNAVAILABLE = (OperationalError, InterfaceError, BrokerError)
RETRY_AFTER = "5"
MESSAGE = "KPI Hub is briefly unavailable ({}). Nothing was changed; try again in a few seconds."
# A write refused by the file storage: the disk (or the quota) is full.
STORAGE_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
FULL_MESSAGE = "KPI Hub's file storage is full, so the file was not kept. Nothing was changed; try again later."


def check_services() -> dict[str, str]:
    status = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        status["database"] = "ok"
    except Exception as exc:  # any failure means "down"; the reason goes out as text
        status["database"] = f"down: {exc.__class__.__name__}"
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        status["broker"] = "ok"
    except Exception as exc:
        status["broker"] = f"down: {exc.__class__.__name__}"
    return status


@receiver(got_request_exception)
def note_unavailable_service(sender, request=None, **kwargs) -> None:
    """Django is turning an exception into a 500: remember whether a service was away."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OSError) and error.errno in STORAGE_FULL:
        request.kpihub_unavailable = "storage"
    elif request is not None and isinstance(error, UNAVAILABLE):
        request.kpihub_unavailable = "the database" if isinstance(error, (OperationalError, InterfaceError)) \
            else "the task queue"


def unavailable(request, what: str) -> HttpResponse:
    """503 and when to retry; 507 (Insufficient Storage) when the disk is full."""
    full = what == "storage"
    text = FULL_MESSAGE if full else MESSAGE.format(f"{what} is not answering")
    status = 507 if full else 503
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": text}, status=status)
    else:
        response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    if not full:
        response["Retry-After"] = RETRY_AFTER
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in ("/healthz", "/healthz/") and request.method == "GET":
            status = check_services()
            healthy = all(value == "ok" for value in status.values())
            return JsonResponse(status, status=200 if healthy else 503)
        response = self.get_response(request)
        what = getattr(request, "kpihub_unavailable", None)
        if what and response.status_code == 500:
            logger.warning("%s %s: %s is unavailable", request.method, request.path, what)
            return unavailable(request, what)
        return response
