"""Goals move on as time passes: re-evaluated after every KPI recompute and daily."""

from jobs.tasks import fan_out_to_active_tenants, tenant_task
from kpihub.celery import app
from metrics.goals import services
from metrics.goals.notifications import send_weekly_digest

FAN_OUT_SPACING = 1.0  # seconds between two tenants' jobs
FAN_OUT_MAX_DELAY = 1800


@tenant_task()
def evaluate_goals() -> int:
    """Re-evaluate the current tenant's open goals; returns how many."""
    return services.evaluate_open_goals()


@app.task(name="metrics.goals.tasks.evaluate_goals_for_every_tenant")
def evaluate_goals_for_every_tenant() -> int:
    """Beat, on public: one evaluate_goals per active tenant, each in its own schema."""
    return fan_out_to_active_tenants(evaluate_goals, spacing=FAN_OUT_SPACING, max_delay=FAN_OUT_MAX_DELAY)


@tenant_task()
def send_goal_digest() -> int:
    """E-mail the current tenant's weekly goals digest; returns to how many people."""
    return send_weekly_digest()


@app.task(name="metrics.goals.tasks.send_goal_digest_for_every_tenant")
def send_goal_digest_for_every_tenant() -> int:
    """Beat, on public, Monday mornings: one digest job per active tenant."""
    return fan_out_to_active_tenants(send_goal_digest, spacing=FAN_OUT_SPACING, max_delay=FAN_OUT_MAX_DELAY)
