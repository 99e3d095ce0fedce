"""What goals tell people: the owner, when a goal's status moves (in the app and by
e-mail), and the owners and admins who asked for it, in the weekly digest of every
open goal. The e-mails link to the goal pages on the tenant's own address."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.utils import timezone

from accounts.emails import compose, render_body
from accounts.models import Member, Notification
from metrics.goals.evaluation import Status
from metrics.goals.selectors import open_goals
from metrics.models import Goal
from tenants.signup import tenant_url


def goal_page_url(goal: Goal) -> str:
    return f"{tenant_url(connection.tenant.slug)}goals/{goal.pk}/"


def notify_status_change(goal: Goal, *, from_status: str, to_status: str) -> Notification:
    now = Status(to_status).label
    was = Status(from_status).label if from_status else "new"
    message = f"“{goal.title}” is now {now.lower()} (was {was.lower()})."
    notification = Notification.objects.create(user=goal.owner, message=message,
                                               link=f"/goals/{goal.pk}/")
    context = {"goal": goal, "message": message, "company": connection.tenant.name,
               "to_status": now, "action_url": goal_page_url(goal)}
    compose(to=goal.owner.email, subject=f"Goal {now.lower()}: {goal.title}",
            body=render_body("goal_status", context)).send()
    return notification


def digest_rows(as_of: date) -> list[dict]:
    return [{"goal": goal, "status": result.status.label, "progress": result.progress_pct,
             "current": result.current_value}
            for goal, result in open_goals(as_of=as_of)]


def send_weekly_digest(*, as_of: date | None = None) -> int:
    """E-mail the digest to each opted-in owner/admin; returns how many were sent."""
    as_of = as_of or timezone.localdate()
    readers = Member.objects.filter(weekly_goal_digest=True, role__in=[Member.Role.OWNER, Member.Role.ADMIN]
                                    ).select_related("user")
    recipients = [member.user.email for member in readers]
    if not recipients:
        return 0
    company = connection.tenant.name
    context = {"rows": digest_rows(as_of), "company": company, "as_of": as_of,
               "action_url": f"{tenant_url(connection.tenant.slug)}goals/"}
    body = render_body("goal_digest", context)
    for email in recipients:
        compose(to=email, subject=f"{company}: your goals this week", body=body).send()
    return len(recipients)
