"""GET /healthz on any host, answered before tenant routing so that a load balancer
probing by IP, or a suspended tenant's host, still gets the truth."""

from django.db import connection
from django.http import JsonResponse

from kpihub.celery import app


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


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in ("/healthz", "/healthz/") and request.method == "GET":
            status = check_services()
            healthy = all(value == "ok" for value in status.values())
            return JsonResponse(status, status=200 if healthy else 503)
        return self.get_response(request)
