"""Telling a goal's owner that its status moved: in the app and by e-mail."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string

from accounts.models import Notification
from metrics.models import Goal

STATUS_WORDS = dict(Goal.Status.choices)


def notify_status_change(goal: Goal, *, from_status: str, to_status: str) -> Notification:
    message = (f"“{goal.title}” is now {STATUS_WORDS[to_status].lower()} "
               f"(was {STATUS_WORDS.get(from_status, from_status).lower()}).")
    notification = Notification.objects.create(user=goal.owner, message=message,
                                               link=f"/goals/{goal.pk}/")
    domain = connection.tenant.get_primary_domain()
    context = {"goal": goal, "message": message, "company": connection.tenant.name,
               "to_status": STATUS_WORDS[to_status],
               "action_url": f"https://{domain.domain}/api/v1/goals/{goal.pk}/" if domain else ""}
    email = EmailMultiAlternatives(subject=f"Goal {STATUS_WORDS[to_status].lower()}: {goal.title}",
                                   body=render_to_string("emails/goal_status.txt", context),
                                   to=[goal.owner.email])
    email.attach_alternative(render_to_string("emails/goal_status.html", context), "text/html")
    email.send()
    return notification
