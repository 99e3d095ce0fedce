"""The surveys app's knobs. Each can be set in Django settings (tests do) or in the
environment (a worker process started with its own limits)."""

from __future__ import annotations

import os

from django.conf import settings


def _setting(name: str, env: str, default):
    value = getattr(settings, name, None)
    if value is not None:
        return value
    raw = os.environ.get(env)
    return type(default)(raw) if raw not in (None, "") else default


def send_rate() -> int:
    """Messages per second per tenant, across every worker (a Redis counter)."""
    return int(_setting("SURVEYS_SEND_RATE", "KPIHUB_SURVEY_SEND_RATE", 250))


def batch_size() -> int:
    """Recipients claimed, sent over one SMTP connection and committed together."""
    return int(_setting("SURVEYS_SEND_BATCH", "KPIHUB_SURVEY_SEND_BATCH", 50))


def unsubscribe_mailbox() -> str:
    """The mailto: of List-Unsubscribe (see surveys/management/commands)."""
    return str(_setting("SURVEYS_UNSUBSCRIBE_MAILBOX", "KPIHUB_SURVEY_UNSUBSCRIBE_MAILBOX",
                        f"unsubscribe@{settings.BASE_DOMAIN}"))
