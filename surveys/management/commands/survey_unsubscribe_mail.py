"""Handle one message sent to the List-Unsubscribe mailto address.

Wire the mailbox (``KPIHUB_SURVEY_UNSUBSCRIBE_MAILBOX``) to this command in the mail
server, e.g. a Postfix alias ``unsubscribe: "|/srv/kpihub/.venv/bin/python
/srv/kpihub/manage.py survey_unsubscribe_mail"``. The subject the e-mail's mailto link
pre-fills is ``unsubscribe <tenant slug> <token>``. Unknown or malformed messages are
ignored (exit 0, so the mail server does not bounce to whoever sent them)."""

from __future__ import annotations

import email
import email.policy
import sys

from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from surveys import services
from tenants.models import Tenant


def parse_subject(subject: str) -> tuple[str, str] | None:
    words = (subject or "").split()
    if len(words) == 3 and words[0].lower() == "unsubscribe":
        return words[1].lower(), words[2]
    return None


def unsubscribe_from_message(raw: bytes) -> bool:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parsed = parse_subject(str(message.get("Subject", "")))
    if parsed is None:
        return False
    slug, token = parsed
    tenant = Tenant.objects.filter(slug=slug, status=Tenant.Status.ACTIVE).first()
    if tenant is None:
        return False
    with tenant_context(tenant):
        recipient = services.recipient_for_token(token)
        if recipient is None:
            return False
        services.unsubscribe(recipient=recipient)
    return True


class Command(BaseCommand):
    help = "Unsubscribe the sender of a mailto: List-Unsubscribe message read from stdin."

    def handle(self, *args, **options):
        done = unsubscribe_from_message(sys.stdin.buffer.read())
        self.stdout.write("unsubscribed" if done else "ignored")
