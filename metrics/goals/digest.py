"""The weekly goals digest: every open goal of the tenant, for the owners and admins
who asked for it."""

from __future__ import annotations

from datetime import date

from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Member
from metrics.goals import services
from metrics.models import Goal


def digest_rows(as_of: date) -> list[dict]:
    goals = Goal.objects.filter(archived_at__isnull=True).select_related("owner")
    rows = []
    for goal, result in services.evaluate_goals(goals, as_of=as_of):
        rows.append({"goal": goal, "status": Goal.Status(str(result.status)).label,
                     "progress": result.progress_pct, "current": result.current_value})
    return rows


def send_weekly_digest(*, as_of: date | None = None) -> int:
    """E-mail the digest to each opted-in owner/admin; returns how many were sent."""
    as_of = as_of or timezone.localdate()
    readers = Member.objects.filter(weekly_goal_digest=True, role__in=[Member.Role.OWNER, Member.Role.ADMIN]
                                    ).select_related("user")
    recipients = [member.user.email for member in readers]
    if not recipients:
        return 0
    rows = digest_rows(as_of)
    company = connection.tenant.name
    domain = connection.tenant.get_primary_domain()
    context = {"rows": rows, "company": company, "as_of": as_of,
               "action_url": f"https://{domain.domain}/goals/" if domain else ""}
    for email in recipients:
        message = EmailMultiAlternatives(subject=f"{company}: your goals this week",
                                         body=render_to_string("emails/goal_digest.txt", context),
                                         to=[email])
        message.attach_alternative(render_to_string("emails/goal_digest.html", context), "text/html")
        message.send()
    return len(recipients)
