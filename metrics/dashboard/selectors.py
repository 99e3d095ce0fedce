"""Reads for the dashboard's layout: one person's card choices, in one query."""

from __future__ import annotations

import hashlib

from metrics.dashboard.layout import DEFAULT_MODEL, Headline, headline_model
from metrics.models import DashboardCard, Invoice, Subscription


def card_choices(*, user) -> dict[str, DashboardCard]:
    return {card.kpi: card for card in DashboardCard.objects.filter(user=user)}


def layout_version(choices: dict[str, DashboardCard]) -> str:
    """What the rendered cards depend on of the person's layout: a short digest, for
    the cache key (an empty layout shares the company's default rendering)."""
    if not choices:
        return "default"
    state = sorted((c.kpi, c.pinned, c.hidden, c.position) for c in choices.values())
    return hashlib.sha1(repr(state).encode()).hexdigest()[:16]


def headline_for(*, business_model: str) -> Headline:
    """The model whose KPIs lead: the company's, or e-commerce suggested by the data
    (layout.headline_model); the two reads only when the model is still the default."""
    if business_model != DEFAULT_MODEL:
        return headline_model(chosen=business_model, has_subscriptions=True, has_invoices=False)
    return headline_model(chosen=business_model, has_subscriptions=Subscription.objects.exists(),
                          has_invoices=Invoice.objects.exists())
