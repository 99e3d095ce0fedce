"""Goals move on as time passes: re-evaluated after every KPI recompute and daily."""

from django.db import connection

from jobs.tasks import tenant_task
from kpihub.celery import app
from metrics.goals import services


@tenant_task()
def evaluate_goals() -> int:
    """Re-evaluate the current tenant's open goals; returns how many."""
    return services.evaluate_open_goals()


@app.task(name="metrics.goals.tasks.evaluate_goals_for_every_tenant")
def evaluate_goals_for_every_tenant() -> int:
    """Beat, on public: one evaluate_goals per active tenant, each in its own schema."""
    from tenants.models import Tenant

    tenants = list(Tenant.objects.filter(status=Tenant.Status.ACTIVE).exclude(schema_name="public"))
    for tenant in tenants:
        connection.set_tenant(tenant)
        evaluate_goals.delay()
    connection.set_schema_to_public()
    return len(tenants)


@tenant_task()
def send_goal_digest() -> int:
    from metrics.goals.digest import send_weekly_digest

    return send_weekly_digest()


@app.task(name="metrics.goals.tasks.send_goal_digest_for_every_tenant")
def send_goal_digest_for_every_tenant() -> int:
    """Beat, on public, Monday mornings: one digest job per active tenant."""
    from tenants.models import Tenant

    tenants = list(Tenant.objects.filter(status=Tenant.Status.ACTIVE).exclude(schema_name="public"))
    for tenant in tenants:
        connection.set_tenant(tenant)
        send_goal_digest.delay()
    connection.set_schema_to_public()
    return len(tenants)
