"""The one way KPI Hub builds an e-mail: a plain-text part and an HTML part, from
``templates/emails/<name>.txt`` and ``.html``. Invitations, goal e-mails and survey
e-mails all go through ``compose``."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from tenants.models import Tenant


@dataclass(frozen=True)
class Body:
    """An e-mail's two parts, as rendered."""

    text: str
    html: str


def render_body(template: str, context: dict) -> Body:
    """``template`` is the name under ``templates/emails/`` without its extension.
    Rendered in the company's time zone (e-mails are mostly written by tasks, where no
    request activated it), so a time in an e-mail reads as it does on the pages."""
    tenant = getattr(connection, "tenant", None)
    zone = tenant.zone if isinstance(tenant, Tenant) else timezone.get_current_timezone()
    with timezone.override(zone):
        return Body(text=render_to_string(f"emails/{template}.txt", context),
                    html=render_to_string(f"emails/{template}.html", context))


def compose(*, to: str, subject: str, body: Body, from_email: str | None = None,
            headers: dict[str, str] | None = None) -> EmailMultiAlternatives:
    """The message, ready to send; ``from_email`` defaults to DEFAULT_FROM_EMAIL."""
    message = EmailMultiAlternatives(subject=subject, body=body.text, from_email=from_email, to=[to],
                                     headers=headers)
    message.attach_alternative(body.html, "text/html")
    return message
